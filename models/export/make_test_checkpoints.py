#!/usr/bin/env python3
"""Test fixtures: checkpoints of the test-tiny variant in the formats users hold, good and broken.

  python3 models/export/make_test_checkpoints.py OUTDIR --seed N

official.pt   {"model": state_dict} of the random-init model with seed N (what export.py
              --random-init --seed N builds), as SAM 2's releases store it
prefixed.pt   {"state_dict": ...} with "module." prefixes (DataParallel training scripts)
missing_key.pt / extra_key.pt / wrong_shape.pt   one key removed / added / reshaped
sam20.pt      the SAM 2.1-only keys removed (what a SAM 2.0 checkpoint lacks)
garbage.pt    not a checkpoint
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main() -> int:
    out, seed = sys.argv[1], int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 0
    import torch
    from sam2onnx.model import build_model
    from sam2onnx.variants import get_variant

    os.makedirs(out, exist_ok=True)
    sd = build_model(get_variant("test-tiny"), 128, seed).state_dict()
    save = lambda name, obj: torch.save(obj, os.path.join(out, name))  # noqa: E731
    save("official.pt", {"model": sd})
    save("prefixed.pt", {"state_dict": {f"module.{k}": t for k, t in sd.items()}})
    save("missing_key.pt", {"model": {k: t for k, t in sd.items() if k != "no_obj_ptr"}})
    save("extra_key.pt", {"model": {**sd, "sam_mask_decoder.extra_head.weight": torch.zeros(2)}})
    save("wrong_shape.pt", {"model": {**sd, "maskmem_tpos_enc": torch.zeros(9, 1, 1, 64)}})
    save("sam20.pt", {"model": {k: t for k, t in sd.items()
                                if not k.startswith(("no_obj_embed_spatial", "obj_ptr_tpos_proj"))}})
    with open(os.path.join(out, "garbage.pt"), "w") as f:
        f.write("this is not a checkpoint\n")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Test fixtures: checkpoints of the test-tiny variant in the formats users hold, good and broken.

  python3 models/export/make_test_checkpoints.py OUTDIR --seed N

official.pt   {"model": state_dict} of the random-init model with seed N (what export.py
              --random-init --seed N builds), as SAM 2's releases store it
prefixed.pt   {"state_dict": ...} with "module." prefixes (DataParallel training scripts)
missing_key.pt / extra_key.pt / wrong_shape.pt   one key removed / added / reshaped
sam20.pt      the SAM 2.1-only keys removed (what a SAM 2.0 checkpoint lacks)
garbage.pt    not a checkpoint

  python3 models/export/make_test_checkpoints.py OUTDIR --realistic VARIANT --size S --seed N

realistic-VARIANT-S.pt  a random-init checkpoint made to behave like a trained one for accuracy
              checks (int8 agreement, loop comparisons): every tensor gets N(0, 0.02) noise, the
              mask logits are scaled to about +-13 and the object-score bias raised so the object
              is present on a synthetic slice (a bright disc on a dark background, clicked).
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


MASK_LOGIT_SCALE = 13.0  # a trained SAM 2's mask logits span about +-13
OBJECT_SCORE_MARGIN = 4.0  # object_score_logits this far above 0 on the synthetic slice


def synthetic_slice(size: int):
    """A bright disc (radius S/4) on a dark background, ImageNet-normalised like the engine does."""
    import torch
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    disc = (((xx - size / 2) ** 2 + (yy - size / 2) ** 2) <= (size / 4) ** 2).float()
    img = 0.1 + 0.8 * disc
    mean = torch.tensor([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
    return (img.reshape(1, 1, size, size).expand(1, 3, size, size) - mean) / std


def realistic(variant_name: str, size: int, seed: int):
    """State dict of the random-init model with noise, scaled mask logits and a raised object score."""
    import torch
    from sam2onnx.graphs import ImageEncoderGraph, MaskDecoderGraph
    from sam2onnx.model import build_model
    from sam2onnx.variants import get_variant

    model = build_model(get_variant(variant_name), size, seed)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for p in model.state_dict().values():
            if p.is_floating_point():
                p.add_(torch.randn(p.shape, generator=g) * 0.02)

        def decode():
            feats, _, hr0, hr1 = ImageEncoderGraph(model)(synthetic_slice(size))
            emb = feats + model.no_mem_embed.reshape(1, -1, 1, 1)
            click = torch.tensor([[[size / 2, size / 2]]])
            masks, _, _, score = MaskDecoderGraph(model)(
                emb, hr0, hr1, click, torch.ones(1, 1), torch.zeros(1, 1, size // 4, size // 4),
                torch.zeros(1))
            return masks, score

        masks, score = decode()
        # Mask logits are linear in the hypernetwork MLPs' last layer.
        k = MASK_LOGIT_SCALE / float(masks.abs().max())
        for mlp in model.sam_mask_decoder.output_hypernetworks_mlps:
            mlp.layers[-1].weight.mul_(k)
            mlp.layers[-1].bias.mul_(k)
        model.sam_mask_decoder.pred_obj_score_head.layers[-1].bias.add_(
            OBJECT_SCORE_MARGIN - float(score))
        masks, score = decode()
    stats = {"maxAbsMaskLogit": round(float(masks.abs().max()), 2),
             "objectScore": round(float(score), 2),
             "positiveFraction": [round(float((masks[0, i] > 0).float().mean()), 3)
                                  for i in range(masks.shape[1])]}
    return model.state_dict(), stats


def main() -> int:
    if "--realistic" in sys.argv:
        import json
        import torch
        out = sys.argv[1]
        arg = lambda flag, default: sys.argv[sys.argv.index(flag) + 1] if flag in sys.argv else default  # noqa: E731
        variant, size, seed = arg("--realistic", None), int(arg("--size", 512)), int(arg("--seed", 0))
        os.makedirs(out, exist_ok=True)
        sd, stats = realistic(variant, size, seed)
        path = os.path.join(out, f"realistic-{variant}-{size}.pt")
        torch.save({"model": sd}, path)
        print(json.dumps({"checkpoint": path, **stats}))
        return 0
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

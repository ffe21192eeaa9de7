#!/usr/bin/env python3
"""Convert a SAM 2 / SAM 2.1 / MedSAM-2 checkpoint into the engine's model contract.

  python3 models/export/export.py --checkpoint MedSAM2_pretrain.pth --variant sam2.0-hiera-s \
      --size 1024 --out models/medsam2-s [--fp16 | --int8 models/medsam2-s-int8]
  python3 models/export/export.py --random-init --seed 0 --variant test-tiny --out /tmp/tiny

Writes image_encoder.onnx, memory_attention.onnx, mask_decoder.onnx, memory_encoder.onnx and
manifest.json (see models/README.md). Needs PyTorch (>= 1.13) and onnx (>= 1.12); nothing is
downloaded. --parity-cases DIR also writes inputs and PyTorch outputs for models/export/parity.ts.
"""
import argparse
import json
import os
import sys
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv):
    from sam2onnx.variants import VARIANTS
    p = argparse.ArgumentParser(description=__doc__.split("\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", help="official .pt/.pth checkpoint to convert")
    src.add_argument("--random-init", action="store_true",
                     help="random weights (tests and benchmarks); the manifest marks testModel")
    p.add_argument("--variant", required=True, help=f"one of: {', '.join(VARIANTS)}")
    p.add_argument("--size", type=int, help="model input size S (default: the variant's)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--fp16", action="store_true", help="store weights as fp16 (I/O stays float32)")
    p.add_argument("--int8", metavar="DIR",
                   help="also write the int8 variant (quantize_int8.py's default plan) to DIR")
    p.add_argument("--seed", type=int, default=0, help="seed of --random-init")
    p.add_argument("--name", help="manifest name (default: derived from variant and size)")
    p.add_argument("--parity-cases", metavar="DIR", help="also write parity cases to DIR")
    p.add_argument("--check-only", action="store_true",
                   help="only check that the checkpoint loads strictly into the variant; write nothing")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.int8 and args.fp16:
        print("export: --int8 quantises the fp32 export; drop --fp16", file=sys.stderr)
        return 2
    import torch
    from sam2onnx.cases import write_cases
    from sam2onnx.checkpoint import CheckpointError, load_checkpoint
    from sam2onnx.model import build_model
    from sam2onnx.onnx_export import export_model
    from sam2onnx.variants import VariantError, check_size, get_variant

    warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
    warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
    try:
        variant = get_variant(args.variant)
        size = check_size(variant, args.size if args.size is not None else variant.default_size)
        model = build_model(variant, size, args.seed)
        if args.checkpoint:
            sha = load_checkpoint(model, args.checkpoint)
            source = {"checkpoint": os.path.basename(args.checkpoint), "sha256": sha,
                      "variant": variant.name}
        else:
            source = {"checkpoint": None, "sha256": None, "variant": variant.name,
                      "randomInitSeed": args.seed}
    except (VariantError, CheckpointError) as e:
        print(f"export: {e}", file=sys.stderr)
        return 2
    if args.check_only:
        print(json.dumps({"ok": True, "variant": variant.name, "source": source}))
        return 0
    precision = "fp16" if args.fp16 else "fp32"
    name = args.name or f"{variant.name}-{size}{'-fp16' if args.fp16 else ''}" + (
        "-random" if args.random_init else "")
    t0 = time.time()
    manifest = export_model(model, args.out, name=name, precision=precision, source=source,
                            test_model=bool(args.random_init or variant.test_only))
    result = {"out": args.out, "name": name, "seconds": round(time.time() - t0, 1),
              "files": {g: os.path.getsize(os.path.join(args.out, e["file"]))
                        for g, e in manifest["graphs"].items()}}
    if args.int8:
        from quantize_int8 import DEFAULT_PLAN, QuantizeError, quantize_model
        try:
            result["int8"] = {"out": args.int8,
                              "graphs": quantize_model(args.out, args.int8, DEFAULT_PLAN)}
        except QuantizeError as e:
            print(f"export: {e}", file=sys.stderr)
            return 2
    if args.parity_cases:
        write_cases(model, args.parity_cases)
        result["parityCases"] = args.parity_cases
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

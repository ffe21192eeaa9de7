#!/usr/bin/env python3
"""Reference tensors of the whole propagation loop on an exported model, for the TypeScript engine.

  python3 models/export/write_reference.py --model DIR --out REFDIR [--policy paper|sam2-fifo|...]
      [--frames 8] [--prompt click|box] [--bank-seed 0] [--checkpoint X]

DIR is a folder written by export.py; the PyTorch weights are rebuilt from its manifest
(source.randomInitSeed) or loaded from --checkpoint, and checked against the manifest's constants.
REFDIR receives:
  reference.json   sequence, prompts, options and one record per frame (plane, IoUs, object score,
                   attended memories with distances, object pointers with offsets, bank contents)
  slices.bin       [T,S,S] float32 intensities in [0,1] (the preprocessed slices; the `image` input
                   is them repeated to 3 channels and normalised with the manifest's mean/std)
  frame<t>.mask_logits.bin [L,L] (chosen plane, after object gating), frame<t>.mask.bin [S,S] (0/1,
                   bilinear upsampling of the logits > 0), frame<t>.obj_ptr.bin [256]
  cases.json + *.bin  every graph call of the loop (inputs and PyTorch outputs) in the parity-case
                   format: `npx tsx models/export/parity.ts DIR REFDIR` replays them through ORT.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="reference propagation tensors for an exported model")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--checkpoint")
    p.add_argument("--policy", default="paper")
    p.add_argument("--capacity", type=int, default=6)
    p.add_argument("--confidence-threshold", type=float, default=0.5)
    p.add_argument("--session-seed", type=int, default=0,
                   help="engine session seed; the run's bank seed is derived as in run-track.ts")
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--prompt", choices=["click", "box"], default="click")
    p.add_argument("--sequence-seed", type=int, default=0)
    args = p.parse_args(argv)

    import torch
    from sam2onnx.bank import SWITCHES, BankOptions, run_seed
    from sam2onnx.cases import write_tensor
    from sam2onnx.checkpoint import CheckpointError, load_checkpoint
    from sam2onnx.model import build_model
    from sam2onnx.reference_loop import Multimask, Prompt, ReferenceLoop, synthetic_sequence
    from sam2onnx.variants import get_variant

    if args.policy not in SWITCHES:
        print(f"write_reference: unknown policy {args.policy!r}; known: {', '.join(SWITCHES)}",
              file=sys.stderr)
        return 2
    with open(os.path.join(args.model, "manifest.json")) as f:
        manifest = json.load(f)
    variant = get_variant(manifest["source"]["variant"])
    seed = manifest["source"].get("randomInitSeed")
    model = build_model(variant, manifest["imageSize"], seed or 0)
    if args.checkpoint:
        try:
            load_checkpoint(model, args.checkpoint)
        except CheckpointError as e:
            print(f"write_reference: {e}", file=sys.stderr)
            return 2
    elif seed is None:
        print("write_reference: the model was exported from a checkpoint; pass --checkpoint",
              file=sys.stderr)
        return 2
    want = torch.tensor(manifest["constants"]["no_mem_embed"])
    if (model.no_mem_embed.detach().reshape(-1) - want).abs().max() > 1e-6:
        print("write_reference: these weights are not the ones the model folder was exported from",
              file=sys.stderr)
        return 2

    os.makedirs(args.out, exist_ok=True)
    cases = []
    counter = {"n": 0}

    def record(graph, inputs, outputs):
        tag = f"call{counter['n']:03d}.{graph}"
        counter["n"] += 1
        cases.append({"graph": graph, "label": tag,
                      "inputs": {n: write_tensor(args.out, f"{tag}.in.{n}.bin", t) for n, t in inputs.items()},
                      "outputs": {n: write_tensor(args.out, f"{tag}.out.{n}.bin", t) for n, t in outputs.items()}})

    s = model.image_size
    frames, disks = synthetic_sequence(args.frames, s, args.sequence_seed)
    cx, cy, r = disks[0]
    prompt = (Prompt(clicks=[(cx, cy, 1)]) if args.prompt == "click"
              else Prompt(box=(cx - r, cy - r, cx + r, cy + r)))
    mm = manifest["multimask"]
    loop = ReferenceLoop(model, BankOptions(args.policy, args.capacity, args.confidence_threshold),
                         Multimask(mm["onPromptedFrames"], mm["onTrackedFrames"], mm["minPoints"],
                                   mm["maxPoints"]), record)
    records = loop.propagate(frames, prompt, 0, args.session_seed)
    frames.astype("<f4").tofile(os.path.join(args.out, "slices.bin"))
    out_records = []
    for rec in records:
        t = rec["frame"]
        files = {k: write_tensor(args.out, f"frame{t}.{k}.bin", rec.pop(k))
                 for k in ("mask_logits", "mask", "obj_ptr", "pix_feat_with_mem", "maskmem_features")}
        out_records.append({**rec, "files": files})
    reference = {
        "format": "medsam2-reference-loop", "formatVersion": 1, "model": manifest["name"],
        "variant": variant.name, "imageSize": s, "numFrames": args.frames,
        "slices": {"file": "slices.bin", "shape": list(frames.shape)},
        "prompts": {"0": {"clicks": prompt.clicks, "box": prompt.box}},
        "bank": {"policy": args.policy, "capacity": args.capacity,
                 "confidenceThreshold": args.confidence_threshold, "sessionSeed": args.session_seed,
                 "runSeed": run_seed(args.session_seed, 0, 1),
                 "key": "maskmem_features (Eq. 2)", "matchKey": "pix_feat_with_mem (Eq. 4)",
                 "query": "current frame's vision_feats",
                 "rng": "mulberry32 seeded with runSeed (rng.ts), capacity draws per tracked frame with a non-empty bank"},
        "multimask": mm,
        "frames": out_records,
    }
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"format": "medsam2-parity-cases", "formatVersion": 1, "variant": variant.name,
                   "imageSize": s, "cases": cases}, f, indent=1)
    summary = [{k: rec[k] for k in ("frame", "plane", "object_present", "stored_in_bank", "bank_after")}
               for rec in out_records]
    print(json.dumps({"out": args.out, "graphCalls": len(cases), "frames": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Reference tensors of SAM 2's video predictor loop on an exported model, for the TypeScript engine.

  python3 models/export/write_reference.py --model DIR --out REFDIR [--scenario click|box|...]
      [--policy sam2-fifo|paper|...] [--frames 8] [--key-frame 0] [--session-seed 0]
      [--corrected keep|rerun] [--checkpoint X]

DIR is a folder written by export.py; the PyTorch weights are rebuilt from its manifest
(source.randomInitSeed) or loaded from --checkpoint, and checked against the manifest's constants.
The loop is reference_loop.py's ReferenceSession (SAM 2's legacy video predictor, as MedSAM2 ships
it) with the manifest's multimask / postprocessing settings. Scenarios (on a synthetic sequence, a
bright disk drifting over a shaded background; K = --key-frame):
  click, box, box+click, mask   one prompt on K, then propagate forward and backward
  correction                    click on K, propagate, a corrective exclude click on a tracked
                                frame, propagate again
  two-prompts                   clicks on K and on the last frame but one, propagate
  medsam2                       MedSAM2's 3D scripts: box on K, its thresholded output as a mask
                                prompt, propagate forward from K, reset, the same mask, backward
REFDIR receives:
  reference.json   the scenario's actions, options, one record per event (each add and each frame
                   a propagation yields: plane, IoU, object score, attended memories with distances,
                   pointers with offsets, bank contents) and `frames`: each frame's final output
  slices.bin       [T,S,S] float32 intensities in [0,1] (the `image` input is them repeated to 3
                   channels and normalised with the manifest's mean/std)
  e<i>.mask_logits.bin [L,L] (stored output: chosen plane, gated, holes filled), e<i>.mask.bin [S,S]
                   (0/1, bilinear upsampling > 0), e<i>.obj_ptr.bin [256]; mask<k>.bin [S,S] for
                   mask prompts
  cases.json + *.bin  every graph call (inputs and PyTorch outputs) in the parity-case format:
                   `npx tsx models/export/parity.ts DIR REFDIR` replays them through ORT.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

SCENARIOS = ["click", "box", "box+click", "mask", "correction", "two-prompts", "medsam2"]


def scenario_actions(name, disks, k, num_frames):
    """The scenario as official-API actions on the synthetic disks (model pixels)."""
    cx, cy, r = disks[k]
    click = {"type": "points", "frame": k, "clicks": [[cx, cy, 1]], "box": None}
    box = [cx - r, cy - r, cx + r, cy + r]
    both = [{"type": "propagate", "reverse": False, "start": None},
            {"type": "propagate", "reverse": True, "start": None}]
    if name == "click":
        return [click] + both
    if name == "box":
        return [{"type": "points", "frame": k, "clicks": [], "box": box}] + both
    if name == "box+click":
        return [{"type": "points", "frame": k, "clicks": [[cx, cy, 1]], "box": box}] + both
    if name == "mask":
        return [{"type": "mask", "frame": k, "disk": [cx, cy, r]}] + both
    if name == "correction":
        t = min(num_frames - 1, k + 3)
        tx, ty, tr = disks[t]
        return [click] + both + [{"type": "points", "frame": t, "clicks": [[tx + 0.6 * tr, ty, 0]],
                                  "box": None}] + both
    if name == "two-prompts":
        t = num_frames - 2
        tx, ty, _ = disks[t]
        return [click, {"type": "points", "frame": t, "clicks": [[tx, ty, 1]], "box": None}] + both
    if name == "medsam2":
        return [{"type": "points", "frame": k, "clicks": [], "box": box},
                {"type": "mask_from_last", "frame": k},
                {"type": "propagate", "reverse": False, "start": k}, {"type": "reset"},
                {"type": "mask_from_last", "frame": k},
                {"type": "propagate", "reverse": True, "start": k}]
    raise KeyError(name)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="reference propagation tensors for an exported model")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--checkpoint")
    p.add_argument("--scenario", choices=SCENARIOS, default="click")
    p.add_argument("--policy", default="sam2-fifo")
    p.add_argument("--capacity", type=int, default=6)
    p.add_argument("--confidence-threshold", type=float, default=0.5)
    p.add_argument("--session-seed", type=int, default=0,
                   help="engine session seed; each pass's bank seed is derived as the engine does")
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--key-frame", type=int, default=0)
    p.add_argument("--corrected", choices=["keep", "rerun"], default="keep",
                   help="corrected tracked frames: kept by later propagations (legacy predictor, "
                        "MedSAM2) or re-run without their clicks (SAM 2's newer predictor)")
    p.add_argument("--sequence-seed", type=int, default=0)
    args = p.parse_args(argv)

    import numpy as np
    import torch
    from sam2onnx.bank import SWITCHES, BankOptions
    from sam2onnx.cases import write_tensor
    from sam2onnx.checkpoint import CheckpointError, load_checkpoint
    from sam2onnx.model import build_model
    from sam2onnx.postprocess import upsample_mask
    from sam2onnx.reference_loop import Options, Prompt, ReferenceSession, synthetic_sequence
    from sam2onnx.variants import get_variant

    if args.policy not in SWITCHES:
        print(f"write_reference: unknown policy {args.policy!r}; known: {', '.join(SWITCHES)}",
              file=sys.stderr)
        return 2
    if not 0 <= args.key_frame < args.frames:
        print(f"write_reference: --key-frame {args.key_frame} is not a frame of 0..{args.frames - 1}",
              file=sys.stderr)
        return 2
    with open(os.path.join(args.model, "manifest.json")) as f:
        manifest = json.load(f)
    if manifest.get("formatVersion") != 2:
        print(f"write_reference: {args.model} has manifest formatVersion "
              f"{manifest.get('formatVersion')}; re-export it (version 2 needed)", file=sys.stderr)
        return 2
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
    options = Options.from_manifest(manifest, corrected=args.corrected)
    bank = BankOptions(args.policy, args.capacity, args.confidence_threshold)
    session = ReferenceSession(model, frames, options, bank, args.session_seed, record)
    actions = scenario_actions(args.scenario, disks, args.key_frame, args.frames)
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32) + 0.5
    events, last_points = [], None

    def event(i, action, out):
        t = out["frame"]
        files = {"mask_logits": write_tensor(args.out, f"e{len(events)}.mask_logits.bin", out["logits"][0, 0]),
                 "mask": write_tensor(args.out, f"e{len(events)}.mask.bin", upsample_mask(out["logits"], s)[0, 0]),
                 "obj_ptr": write_tensor(args.out, f"e{len(events)}.obj_ptr.bin", out["obj_ptr"])}
        events.append({
            "action": i, "type": action, "frame": t,
            "conditioning": t in session.out["cond"] or t in session.temp["cond"],
            "plane": out["plane"], "pointer_plane": out["pointer_plane"], "iou": out["iou"], "object_score_logit": out["score"],
            "object_present": out["score"] > 0, "attended_memories": out["attended"],
            "object_pointers": out["pointers"], "stored_in_bank": out.get("stored_in_bank"),
            "bank_after": out.get("bank_after", []),
            "resampling_probabilities": out.get("resampling_probabilities"), "files": files})

    for i, act in enumerate(actions):
        if act["type"] == "points":
            out = session.add_points(act["frame"], Prompt([tuple(c) for c in act["clicks"]],
                                                          tuple(act["box"]) if act["box"] else None))
            last_points = upsample_mask(out["logits"], s)[0, 0].numpy()
            event(i, "add", out)
        elif act["type"] in ("mask", "mask_from_last"):
            if act["type"] == "mask":
                cx, cy, r = act["disk"]
                m = (((xx - cx) ** 2 + (yy - cy) ** 2) <= r * r).astype(np.float32)
            else:
                m = last_points
            act["file"] = write_tensor(args.out, f"mask{i}.bin", torch.from_numpy(m))
            event(i, "add", session.add_mask(act["frame"], m))
        elif act["type"] == "propagate":
            for _, out in session.propagate(act["reverse"], act["start"]):
                event(i, "propagate", out)
        elif act["type"] == "reset":
            session.reset()
    frames.astype("<f4").tofile(os.path.join(args.out, "slices.bin"))
    final = {}
    for e_index, e in enumerate(events):
        final[e["frame"]] = e_index
    reference = {
        "format": "medsam2-reference-loop", "formatVersion": 2, "model": manifest["name"],
        "variant": variant.name, "imageSize": s, "numFrames": args.frames, "scenario": args.scenario,
        "slices": {"file": "slices.bin", "shape": list(frames.shape)},
        "actions": actions, "options": vars(options),
        "prompts": {str(a["frame"]): {"clicks": a["clicks"], "box": a["box"]}
                    for a in actions if a["type"] == "points"},
        "bank": {"policy": args.policy, "capacity": args.capacity,
                 "confidenceThreshold": args.confidence_threshold, "sessionSeed": args.session_seed,
                 "key": "maskmem_features (Eq. 2)", "matchKey": "pix_feat_with_mem (Eq. 4)",
                 "query": "current frame's vision_feats",
                 "rng": "mulberry32 seeded per propagate call with runSeed(sessionSeed, start, direction)"},
        "events": events,
        "frames": [events[final[t]] if t in final else None for t in range(args.frames)],
    }
    with open(os.path.join(args.out, "reference.json"), "w") as f:
        json.dump(reference, f, indent=1)
    with open(os.path.join(args.out, "cases.json"), "w") as f:
        json.dump({"format": "medsam2-parity-cases", "formatVersion": 1, "variant": variant.name,
                   "imageSize": s, "cases": cases}, f, indent=1)
    summary = [{k: e[k] for k in ("type", "frame", "plane", "object_present", "bank_after")} for e in events]
    print(json.dumps({"out": args.out, "graphCalls": len(cases), "events": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

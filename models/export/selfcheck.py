#!/usr/bin/env python3
"""Numeric and structural self-checks of the export package, printed as JSON (test/export runs it):

- rope: the real-valued rotary encoding equals SAM 2's complex formulation (pairs of consecutive
  channels as complex numbers times polar(1, angle)), including the key-side repetition over several
  memories;
- sine_1d: the object-pointer temporal encoding equals its closed form element by element;
- keys.<variant>: the module tree's state dict equals the committed expected key list, and that list
  equals what write_expected_keys.py derives from the architecture;
- postprocess: hole filling (8-connected background components of <= 8 pixels, border ones too,
  become 0.1), the stability fallback of the single-mask output and a mask prompt taken as output.
"""
from __future__ import annotations

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

if len(sys.argv) == 1:  # the probes below run without PyTorch (fast)
    import torch  # noqa: E402

    from sam2onnx.expected_keys import expected_keys, parse_keys  # noqa: E402
    from sam2onnx.layers import apply_rope, axial_rope_tables, sine_encoding_1d  # noqa: E402
    from sam2onnx.model import SAM2Model  # noqa: E402
    from sam2onnx.variants import REAL_VARIANTS, VARIANTS  # noqa: E402


def complex_rope(x: torch.Tensor, grid: int, theta: float = 10000.0) -> torch.Tensor:
    """SAM 2's formulation, written independently: view_as_complex over (2i, 2i+1), multiply by
    e^{i·angle}, angles = [col·f, row·f] with f_j = theta^(-4j/d), tables repeated per memory."""
    d = x.shape[-1]
    f = 1.0 / (theta ** (torch.arange(0, d, 4)[: d // 4].float() / d))
    idx = torch.arange(grid * grid)
    col, row = (idx % grid).float(), (idx // grid).float()
    cis = torch.polar(torch.ones(grid * grid, d // 2), torch.cat([torch.outer(col, f), torch.outer(row, f)], -1))
    reps = x.shape[-2] // (grid * grid)
    cis = cis.repeat(reps, 1)
    xc = torch.view_as_complex(x.reshape(*x.shape[:-1], -1, 2).contiguous())
    return torch.view_as_real(xc * cis).flatten(-2)


def check_rope() -> dict:
    g = torch.Generator().manual_seed(0)
    worst = 0.0
    for grid, reps, d in [(8, 1, 256), (8, 3, 256), (4, 2, 16)]:
        x = torch.randn(1, 2, reps * grid * grid, d, generator=g)
        cos, sin = axial_rope_tables(d, grid, grid)
        worst = max(worst, (apply_rope(x, cos, sin) - complex_rope(x, grid)).abs().max().item())
    return {"ok": worst < 1e-5, "maxAbsError": worst}


def check_sine_1d() -> dict:
    pos = torch.tensor([-3 / 15, 0.0, 1 / 15, 0.5, 1.0])
    enc = sine_encoding_1d(pos, 256)
    worst = 0.0
    for a, p in enumerate(pos.tolist()):
        for i in range(128):
            t = 10000 ** (2 * (i // 2) / 128)
            worst = max(worst, abs(enc[a, i].item() - math.sin(p / t)),
                        abs(enc[a, 128 + i].item() - math.cos(p / t)))
    return {"ok": worst < 1e-6, "maxAbsError": worst}


def check_keys(name: str) -> dict:
    v = VARIANTS[name]
    with open(os.path.join(HERE, "expected_keys", f"{name}.txt")) as f:
        committed = parse_keys(f.read())
    derived = expected_keys(v)
    tree = sorted((k, tuple(t.shape)) for k, t in SAM2Model(v, v.default_size).state_dict().items())
    missing = sorted(set(committed) - set(tree))
    unexpected = sorted(set(tree) - set(committed))
    return {"ok": not missing and not unexpected and committed == derived, "keys": len(committed),
            "parameters": sum(math.prod(s) for _, s in committed),
            "missing": [f"{k} {s}" for k, s in missing[:5]],
            "unexpected": [f"{k} {s}" for k, s in unexpected[:5]],
            "committedEqualsDerived": committed == derived}


def check_postprocess() -> dict:
    from sam2onnx.postprocess import choose_plane, fill_holes, mask_as_output

    logits = torch.full((1, 1, 16, 16), 5.0)
    holes = {  # name: (pixels set to background, filled?)
        "diagonal pair (one 8-connected hole of 2)": ([(2, 2), (3, 3)], True),
        "2x4 (area 8)": ([(y, x) for y in (7, 8) for x in range(2, 6)], True),
        "3x3 (area 9)": ([(y, x) for y in range(11, 14) for x in range(2, 5)], False),
        "touching the border (area 3)": ([(0, 10), (0, 11), (0, 12)], True),
    }
    for pixels, _ in holes.values():
        for y, x in pixels:
            logits[0, 0, y, x] = -3.0
    filled = fill_holes(logits, 8)
    checks = {name: all(abs(float(filled[0, 0, y, x]) - (0.1 if want else -3.0)) < 1e-7 for y, x in px)
              for name, (px, want) in holes.items()}
    checks["foreground untouched"] = bool((filled[logits > 0] == 5.0).all())
    iou = torch.tensor([[0.5, 0.2, 0.9, 0.4]])
    stable = torch.full((1, 4, 8, 8), -4.0)
    stable[0, 0, :4] = 4.0
    unstable = stable.clone()
    unstable[0, 0, 4:] = 0.01  # half the pixels within +-delta: stability 0.5
    checks["multimask: best plane for mask and pointer"] = choose_plane(iou, stable, True, True, 0.05, 0.98) == (2, 2)
    checks["single, stable: plane 0"] = choose_plane(iou, stable, False, True, 0.05, 0.98) == (0, 0)
    checks["single, unstable: best multimask plane, pointer 0"] = choose_plane(
        iou, unstable, False, True, 0.05, 0.98) == (2, 0)
    checks["single, unstable, no stability rule: plane 0"] = choose_plane(
        iou, unstable, False, False, 0.05, 0.98) == (0, 0)
    mask = torch.zeros(1, 1, 32, 32)
    low, score = mask_as_output(mask, 8)
    checks["empty mask prompt: logits -10, score -10"] = bool(((low + 10).abs() < 1e-5).all()) and score == -10
    mask[0, 0, 8:24, 8:24] = 1
    low, score = mask_as_output(mask, 8)
    checks["mask prompt: logits in [-10, 10], +10 inside, score +10"] = (
        bool((low.abs() <= 10 + 1e-5).all()) and abs(float(low[0, 0, 4, 4]) - 10) < 1e-5 and score == 10)
    return {"ok": all(checks.values()), "checks": checks}


def probe(args) -> int:
    """`selfcheck.py rng N SEED...` / `selfcheck.py run-seed SEED ORIGIN DIRECTION`: values of the
    Python ports of rng.ts / runSeed, for the TypeScript side of the test to compare."""
    from sam2onnx.bank import Mulberry32, run_seed
    if args[0] == "rng":
        draws = []
        for seed in args[2:]:
            rng = Mulberry32(float(seed))
            draws.append([rng.next() for _ in range(int(args[1]))])
        print(json.dumps(draws))
    else:
        print(json.dumps(run_seed(int(args[1]), int(args[2]), int(args[3]))))
    return 0


def main() -> int:
    if len(sys.argv) > 1:
        return probe(sys.argv[1:])
    torch.manual_seed(0)
    result = {"rope": check_rope(), "sine_1d": check_sine_1d(), "postprocess": check_postprocess()}
    for name in REAL_VARIANTS:
        result[f"keys.{name}"] = check_keys(name)
    print(json.dumps(result))
    return 0 if all(r["ok"] for r in result.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

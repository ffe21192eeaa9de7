#!/usr/bin/env python3
"""Writes models/export/expected_keys/<variant>.txt (official state-dict keys and shapes, one
`name shape` per line) from sam2onnx/expected_keys.py. The tests check the committed files are what
this writes and that the module tree has exactly these keys."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from sam2onnx.expected_keys import expected_keys, format_keys  # noqa: E402
from sam2onnx.variants import REAL_VARIANTS, VARIANTS  # noqa: E402


def main() -> int:
    out = os.path.join(HERE, "expected_keys")
    os.makedirs(out, exist_ok=True)
    for name in REAL_VARIANTS:
        with open(os.path.join(out, f"{name}.txt"), "w") as f:
            f.write(format_keys(expected_keys(VARIANTS[name])))
    print(f"wrote {len(REAL_VARIANTS)} key lists to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

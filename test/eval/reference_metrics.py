"""Independent reference for the eval metrics (numpy + scipy from Debian): Dice, IoU, HD95, ASSD.

Usage: /usr/bin/python3 reference_metrics.py <case.json>
case.json: {"pred": "<raw uint8 file>", "truth": "<raw uint8 file>", "dims": [nx, ny, nz], "spacing": [sx, sy, sz]}
Arrays are x-fastest (Fortran order). Prints one JSON object. Surface = mask XOR binary_erosion(mask)
(scipy's default cross structure, border 0); distances from scipy's exact EDT with `sampling`;
HD95 = np.percentile of both directions pooled (MedPy's definition).
"""
import json
import sys

import numpy as np
from scipy import ndimage


def main():
    case = json.load(open(sys.argv[1]))
    dims = case["dims"]
    pred = np.fromfile(case["pred"], dtype=np.uint8).reshape(dims, order="F").astype(bool)
    truth = np.fromfile(case["truth"], dtype=np.uint8).reshape(dims, order="F").astype(bool)
    spacing = case["spacing"]
    inter = np.logical_and(pred, truth).sum()
    p, t = pred.sum(), truth.sum()
    out = {
        "dice": float(2 * inter / (p + t)) if p + t else 1.0,
        "iou": float(inter / np.logical_or(pred, truth).sum()) if p + t else 1.0,
    }
    sp = pred ^ ndimage.binary_erosion(pred)
    st = truth ^ ndimage.binary_erosion(truth)
    d_to_t = ndimage.distance_transform_edt(~st, sampling=spacing)[sp]
    d_to_p = ndimage.distance_transform_edt(~sp, sampling=spacing)[st]
    both = np.hstack((d_to_t, d_to_p))
    out["hd95"] = float(np.percentile(both, 95))
    out["assd"] = float(both.mean())
    out["hd"] = float(both.max())
    out["surfacePred"] = int(sp.sum())
    out["surfaceTruth"] = int(st.sum())
    print(json.dumps(out))


main()

"""SAM 2 video predictor's steps around the graphs that are not graphs: the multimask choice with
`dynamic_multimask_via_stability`, hole filling (`fill_hole_area`) and a mask prompt taken as the
frame's output (`use_mask_input_as_output_without_sam`). Names follow sam2_base.py / mask_decoder.py /
utils/misc.py of the official code."""
from typing import Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

NO_OBJ_SCORE = -1024.0
# _use_mask_as_output: a 0/1 mask becomes logits -10 / +10.
MASK_OUT_SCALE, MASK_OUT_BIAS = 20.0, -10.0
# add_new_points_or_box: previous logits fed back with new clicks are clamped to +-32.
PREV_LOGITS_CLAMP = 32.0


def stability_score(logits: torch.Tensor, delta: float) -> float:
    """area(logits > delta) / area(logits > -delta), 1 when the latter is empty."""
    area_i = float((logits > delta).sum())
    area_u = float((logits > -delta).sum())
    return area_i / area_u if area_u > 0 else 1.0


def choose_plane(iou: torch.Tensor, low_res: torch.Tensor, multimask: bool,
                 via_stability: bool, delta: float, thresh: float) -> Tuple[int, int]:
    """(mask plane, pointer plane) of one decoder call. Multimask: the best of planes 1..3 for
    both. Single: plane 0, or (via stability) the best multimask plane when plane 0's stability is
    below `thresh`, the pointer staying token 0's."""
    best = 1 + int(torch.argmax(iou[0, 1:]).item())
    if multimask:
        return best, best
    if via_stability and stability_score(low_res[0, 0], delta) < thresh:
        return best, 0
    return 0, 0


def fill_holes(logits: torch.Tensor, max_area: int) -> torch.Tensor:
    """fill_holes_in_mask_scores: background (logits <= 0) components of at most `max_area` pixels,
    8-connected like SAM 2's CUDA connected-components kernel, become 0.1."""
    if max_area <= 0:
        return logits
    out = logits.clone()
    for i in range(logits.shape[0]):
        background = (logits[i, 0] <= 0).numpy()
        labels, n = ndimage.label(background, structure=np.ones((3, 3), dtype=np.int32))
        if n == 0:
            continue
        areas = np.bincount(labels.ravel(), minlength=n + 1)
        areas[0] = max_area + 1
        hole = torch.from_numpy(areas[labels] <= max_area)
        out[i, 0] = torch.where(hole, torch.tensor(0.1, dtype=logits.dtype), logits[i, 0])
    return out


def mask_as_output(mask: torch.Tensor, lowres: int) -> Tuple[torch.Tensor, float]:
    """A 0/1 [1,1,S,S] mask as the frame's output: low-res logits (antialiased bilinear downsample
    of mask*20-10) and the object score (+10 when any pixel is set, else -10)."""
    high = mask.float() * MASK_OUT_SCALE + MASK_OUT_BIAS
    low = F.interpolate(high, size=(lowres, lowres), mode="bilinear", align_corners=False,
                        antialias=True)
    present = bool((mask > 0).any())
    return low, MASK_OUT_SCALE * float(present) + MASK_OUT_BIAS


def mask_downsample(mask: torch.Tensor, weight, bias: float) -> torch.Tensor:
    """SAM 2's mask_downsample Conv2d(1, 1, 4, stride 4) from the manifest's constants."""
    w = torch.as_tensor(weight, dtype=torch.float32).reshape(1, 1, 4, 4)
    return F.conv2d(mask.float(), w, torch.tensor([float(bias)], dtype=torch.float32), stride=4)


def upsample_mask(low: torch.Tensor, size: int, threshold: Optional[float] = 0.0) -> torch.Tensor:
    high = F.interpolate(low, size=(size, size), mode="bilinear", align_corners=False)
    return high if threshold is None else (high > threshold).float()

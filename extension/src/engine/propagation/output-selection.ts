/**
 * Which of the decoder's four planes becomes a frame's output, as SAM 2's video predictor decides
 * (sam2_base.py `_use_multimask` and `_forward_sam_heads`, mask_decoder.py
 * `_dynamic_multimask_via_stability`):
 * - multimask output when the frame is an initial conditioning frame or multimask tracking is on, and
 *   the number of prompt points (a box counts its two corners) is within [minPoints, maxPoints]:
 *   the plane of 1..3 with the highest predicted IoU, and that plane's object pointer;
 * - otherwise the single-mask plane 0 — unless `multimaskViaStability` and plane 0 is unstable
 *   (stability score < stabilityThresh), then the best multimask plane. The object pointer stays
 *   token 0's in both cases.
 */
import type { ModelManifest } from '../model/manifest';

export interface OutputChoice {
  /** Plane whose logits and IoU are the frame's output. */
  readonly plane: number;
  /** Plane whose object pointer the frame keeps. */
  readonly pointerPlane: number;
}

/** SAM 2's `_use_multimask`. */
export function usesMultimask(
  manifest: ModelManifest,
  initialConditioning: boolean,
  pointCount: number,
): boolean {
  const m = manifest.multimask;
  return (
    m.onPromptedFrames &&
    (initialConditioning || m.onTrackedFrames) &&
    pointCount >= m.minPoints &&
    pointCount <= m.maxPoints
  );
}

/** Stability score of one plane: |logits > delta| / |logits > −delta| (1 when nothing is above −delta). */
export function stabilityScore(logits: Float32Array, delta: number): number {
  let inner = 0;
  let outer = 0;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (v > delta) inner++;
    if (v > -delta) outer++;
  }
  return outer > 0 ? inner / outer : 1;
}

const bestMultimaskPlane = (iou: Float32Array): number => {
  let best = 1;
  for (let k = 2; k <= 3; k++) if (iou[k] > iou[best]) best = k;
  return best;
};

export function chooseOutput(
  manifest: ModelManifest,
  lowResMasks: Float32Array,
  iou: Float32Array,
  multimask: boolean,
): OutputChoice {
  if (multimask) {
    const best = bestMultimaskPlane(iou);
    return { plane: best, pointerPlane: best };
  }
  const post = manifest.postprocessing;
  if (post.multimaskViaStability) {
    const planeSize = lowResMasks.length / 4;
    const single = lowResMasks.subarray(0, planeSize);
    if (stabilityScore(single, post.stabilityDelta) < post.stabilityThresh)
      return { plane: bestMultimaskPlane(iou), pointerPlane: 0 };
  }
  return { plane: 0, pointerPlane: 0 };
}

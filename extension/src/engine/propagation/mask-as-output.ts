/**
 * A mask prompt taken as the frame's output (SAM 2 `use_mask_input_as_output_without_sam`,
 * sam2_base.py `_use_mask_as_output`): logits = mask·20 − 10 at S×S, shrunk to L×L with an
 * antialiased bilinear resize; predicted IoU 1; object score +10 when any pixel is set, else −10. The
 * object pointer comes from the decoder fed the raw image features and `mask_downsample(mask)` as
 * mask input (no points), token 0, gated by the decoder's own object score and then by the mask.
 */
import type { ModelManifest } from '../model/manifest';
import { resizeBilinearAntialias } from '../preprocess/resize';

export const MASK_OUT_SCALE = 20;
export const MASK_OUT_BIAS = -10;

/** `_use_mask_as_output`'s low-res logits and object score for a binary S×S mask. */
export function maskOutputLogits(
  maskS: Uint8Array,
  S: number,
  L: number,
): { lowResLogits: Float32Array; objectScore: number; present: boolean } {
  const high = new Float32Array(S * S);
  let any = false;
  for (let i = 0; i < high.length; i++) {
    const on = maskS[i] !== 0;
    if (on) any = true;
    high[i] = (on ? 1 : 0) * MASK_OUT_SCALE + MASK_OUT_BIAS;
  }
  return {
    lowResLogits: resizeBilinearAntialias(high, S, S, L, L),
    objectScore: (any ? 1 : 0) * MASK_OUT_SCALE + MASK_OUT_BIAS,
    present: any,
  };
}

/** SAM 2's `mask_downsample`: Conv2d(1, 1, kernel k, stride k) with k = S / L, on a binary S×S mask. */
export function maskDownsample(
  manifest: ModelManifest,
  maskS: Uint8Array,
  S: number,
  L: number,
): Float32Array {
  const k = S / L;
  const { weight, bias } = manifest.constants.maskDownsample;
  if (k * k !== weight.length)
    throw new Error(
      `internal: mask_downsample has ${weight.length} weights, a ${k}×${k} kernel needs ${k * k}`,
    );
  const out = new Float32Array(L * L);
  for (let y = 0; y < L; y++)
    for (let x = 0; x < L; x++) {
      let acc = bias;
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) if (maskS[(y * k + a) * S + x * k + b]) acc += weight[a * k + b];
      out[y * L + x] = acc;
    }
  return out;
}

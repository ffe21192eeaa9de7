/**
 * Slice ↔ model-input conversions (paper App. C.1 pipeline, SAM2's model interface):
 * - image: clip & scale to [0,1] → crop → bicubic to S×S → replicate to 3 channels → (x − mean)/std;
 * - mask logits coming out of the decoder (L×L) → the original slice grid;
 * - a mask given as a prompt (slice grid) → L×L logits for `mask_input`.
 */
import { InputError } from '../errors';
import type { SliceImage } from '../types';
import { scaleToUnit, type IntensityRange } from './intensity';
import { resizeBicubic, resizeBilinear, resizeBilinearAntialias } from './resize';
import type { SliceTransform } from './slice-transform';

export interface InputNormalisation {
  mean: readonly [number, number, number] | readonly number[];
  std: readonly [number, number, number] | readonly number[];
}

/** Logit given to slice pixels outside the crop: SAM2's "no object" score (sigmoid ≈ 0, certain background). */
export const OUTSIDE_CROP_LOGIT = -1024;

/** The model input [3·S·S] in CHW order for one slice. */
export function prepareSlice(
  slice: SliceImage,
  range: IntensityRange,
  transform: SliceTransform,
  input: InputNormalisation,
): Float32Array {
  checkSliceSize(slice.width, slice.height, slice.data.length, transform, 'slice image');
  for (const [name, values] of [
    ['mean', input.mean],
    ['std', input.std],
  ] as const) {
    if (values.length !== 3 || values.some((v) => !Number.isFinite(v))) {
      throw new InputError(
        'invalid-options',
        `input normalisation ${name} must be 3 finite numbers, got [${values.join(', ')}]`,
      );
    }
  }
  if (input.std.some((v) => v === 0)) {
    throw new InputError('invalid-options', `input normalisation std [${input.std.join(', ')}] contains 0`);
  }
  const { x0, y0, width: cw, height: ch } = transform.crop;
  const S = transform.modelSize;
  const cropped = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    const row = (y + y0) * slice.width + x0;
    for (let x = 0; x < cw; x++) cropped[y * cw + x] = scaleToUnit(slice.data[row + x], range);
  }
  const resized = resizeBicubic(cropped, cw, ch, S, S);
  const plane = S * S;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) {
    // Bicubic overshoot is clipped back to [0,1], as an 8-bit image pipeline (SAM2's) would.
    const g = Math.min(1, Math.max(0, resized[i]));
    for (let c = 0; c < 3; c++) out[c * plane + i] = (g - input.mean[c]) / input.std[c];
  }
  return out;
}

/**
 * Decoder logits (L×L, covering the model input) → logits on the original slice grid. The L grid spans
 * exactly the crop, so one bilinear resample L×L → crop size (align_corners = false) inverts the
 * stretch, as SAM2 resamples low-res logits straight to the video resolution. Pixels outside the
 * crop get `OUTSIDE_CROP_LOGIT`: they are all-zero padding, never part of the object.
 */
export function maskLogitsToSlice(lowRes: Float32Array, L: number, transform: SliceTransform): Float32Array {
  if (!Number.isInteger(L) || L < 1 || lowRes.length !== L * L) {
    throw new InputError(
      'invalid-options',
      `mask logits: ${lowRes.length} values are not an L×L grid with L = ${L}`,
    );
  }
  const { x0, y0, width: cw, height: ch } = transform.crop;
  const inCrop = resizeBilinear(lowRes, L, L, cw, ch);
  const out = new Float32Array(transform.sliceWidth * transform.sliceHeight).fill(OUTSIDE_CROP_LOGIT);
  for (let y = 0; y < ch; y++)
    out.set(inCrop.subarray(y * cw, (y + 1) * cw), (y + y0) * transform.sliceWidth + x0);
  return out;
}

/**
 * A binary mask on the slice grid (non-zero = object) → the binary S×S mask on the model grid, as SAM
 * 2's `add_new_mask` resizes a mask prompt: the crop resized with antialiased bilinear, then ≥ 0.5.
 */
export function sliceMaskToModel(mask: Uint8Array, transform: SliceTransform): Uint8Array {
  checkSliceSize(transform.sliceWidth, transform.sliceHeight, mask.length, transform, 'mask');
  const S = transform.modelSize;
  const { x0, y0, width: cw, height: ch } = transform.crop;
  const cropped = new Float32Array(cw * ch);
  for (let y = 0; y < ch; y++) {
    const row = (y + y0) * transform.sliceWidth + x0;
    for (let x = 0; x < cw; x++) cropped[y * cw + x] = mask[row + x] !== 0 ? 1 : 0;
  }
  const resized = resizeBilinearAntialias(cropped, cw, ch, S, S);
  return Uint8Array.from(resized, (v) => (v >= 0.5 ? 1 : 0));
}

function checkSliceSize(
  width: number,
  height: number,
  length: number,
  t: SliceTransform,
  what: string,
): void {
  if (width !== t.sliceWidth || height !== t.sliceHeight || length !== t.sliceWidth * t.sliceHeight) {
    throw new InputError(
      'invalid-image',
      `${what} is ${width}×${height} with ${length} values, the transform expects ${t.sliceWidth}×${t.sliceHeight}`,
    );
  }
}

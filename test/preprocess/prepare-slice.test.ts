import { InputError } from '../../extension/src/engine/errors';
import {
  OUTSIDE_CROP_LOGIT,
  maskLogitsToSlice,
  prepareSlice,
  sliceMaskToModel,
} from '../../extension/src/engine/preprocess/prepare-slice';
import { createSliceTransform } from '../../extension/src/engine/preprocess/slice-transform';
import type { SliceImage } from '../../extension/src/engine/types';

const IMAGENET = {
  mean: [0.485, 0.456, 0.406] as [number, number, number],
  std: [0.229, 0.224, 0.225] as [number, number, number],
};

function image(width: number, height: number, f: (x: number, y: number) => number): SliceImage {
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[x + width * y] = f(x, y);
  return { data, width, height };
}

describe('prepareSlice', () => {
  it('writes 3 replicated channels in CHW order, each normalised by its own mean/std', () => {
    // No resampling (crop = slice = S) so every output value is predictable: g = (v − lo)/(hi − lo).
    const S = 16;
    const slice = image(S, S, (x, y) => x * 10 + y); // distinct in x and y, catches transposition
    const range = { lo: 0, hi: 200 };
    const t = createSliceTransform(S, S, { x0: 0, y0: 0, width: S, height: S }, S);
    const out = prepareSlice(slice, range, t, IMAGENET);
    expect(out.length).toBe(3 * S * S);
    for (const [x, y] of [
      [0, 0],
      [5, 2],
      [15, 3],
      [2, 15],
    ]) {
      const g = Math.min(1, (x * 10 + y) / 200);
      for (let c = 0; c < 3; c++) {
        expect(out[c * S * S + y * S + x]).toBeCloseTo((g - IMAGENET.mean[c]) / IMAGENET.std[c], 5);
      }
    }
  });

  it('clips intensities outside the range to 0 and 1 before normalising', () => {
    const slice = image(4, 4, (x) => (x < 2 ? -1000 : 3000));
    const t = createSliceTransform(4, 4, { x0: 0, y0: 0, width: 4, height: 4 }, 4);
    const out = prepareSlice(slice, { lo: -160, hi: 240 }, t, { mean: [0, 0, 0], std: [1, 1, 1] });
    expect(Array.from(out.subarray(0, 4))).toEqual([0, 0, 1, 1]);
  });

  it('uses only the crop: content outside it never reaches the model', () => {
    // Inside the crop a constant 50, outside a bright 1000: any leak of the outside would show.
    const slice = image(12, 10, (x, y) => (x >= 3 && x < 9 && y >= 2 && y < 6 ? 50 : 1000));
    const t = createSliceTransform(12, 10, { x0: 3, y0: 2, width: 6, height: 4 }, 16);
    const out = prepareSlice(slice, { lo: 0, hi: 100 }, t, { mean: [0, 0, 0], std: [1, 1, 1] });
    expect(Math.min(...out)).toBeCloseTo(0.5, 6);
    expect(Math.max(...out)).toBeCloseTo(0.5, 6);
  });

  it('resamples a constant slice to a constant model image of any size', () => {
    const slice = image(37, 23, () => 500);
    const t = createSliceTransform(37, 23, { x0: 0, y0: 0, width: 37, height: 23 }, 64);
    const out = prepareSlice(slice, { lo: 0, hi: 1000 }, t, IMAGENET);
    for (let c = 0; c < 3; c++) {
      const plane = out.subarray(c * 64 * 64, (c + 1) * 64 * 64);
      const want = (0.5 - IMAGENET.mean[c]) / IMAGENET.std[c];
      expect(Math.max(...plane.map((v) => Math.abs(v - want)))).toBeLessThan(1e-5);
    }
  });

  it('refuses a slice of the wrong size and an unusable normalisation', () => {
    const t = createSliceTransform(8, 8, { x0: 0, y0: 0, width: 8, height: 8 }, 16);
    const bad = image(8, 7, () => 1);
    expect(() => prepareSlice(bad, { lo: 0, hi: 1 }, t, IMAGENET)).toThrow(InputError);
    expect(() => prepareSlice(bad, { lo: 0, hi: 1 }, t, IMAGENET)).toThrow(/slice image is 8×7.*expects 8×8/);
    const ok = image(8, 8, () => 1);
    expect(() => prepareSlice(ok, { lo: 0, hi: 1 }, t, { mean: [0, 0, 0], std: [1, 0, 1] })).toThrow(
      /std .* contains 0/,
    );
    expect(() => prepareSlice(ok, { lo: 0, hi: 1 }, t, { mean: [0, 0], std: [1, 1, 1] })).toThrow(
      /mean must be 3/,
    );
  });
});

describe('maskLogitsToSlice (inverse of crop + stretch)', () => {
  // 80×40 slice, crop (8, 4) 64×32; L = 32 → each L cell is 2 slice pixels wide and 1 tall.
  const t = createSliceTransform(80, 40, { x0: 8, y0: 4, width: 64, height: 32 }, 128);
  const L = 32;

  it('maps a model-space square back onto the slice pixels it covers', () => {
    const low = new Float32Array(L * L).fill(-10);
    for (let y = 8; y < 16; y++) for (let x = 8; x < 16; x++) low[x + L * y] = 10;
    const out = maskLogitsToSlice(low, L, t);
    expect(out.length).toBe(80 * 40);
    // cells 8..15 → crop columns 16..31 → slice x 24..39; crop rows 8..15 → slice y 12..19
    const wrong: string[] = [];
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 80; x++) {
        const inside = x >= 24 && x <= 39 && y >= 12 && y <= 19;
        if (out[x + 80 * y] > 0 !== inside) wrong.push(`(${x}, ${y})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('gives the "certain background" logit outside the crop', () => {
    const out = maskLogitsToSlice(new Float32Array(L * L).fill(5), L, t);
    expect(out[0]).toBe(OUTSIDE_CROP_LOGIT);
    expect(out[7 + 80 * 20]).toBe(OUTSIDE_CROP_LOGIT);
    expect(out[72 + 80 * 20]).toBe(OUTSIDE_CROP_LOGIT);
    expect(out[30 + 80 * 3]).toBe(OUTSIDE_CROP_LOGIT);
    expect(out[8 + 80 * 4]).toBe(5);
    expect(out[71 + 80 * 35]).toBe(5);
  });

  it('refuses logits that are not L×L', () => {
    expect(() => maskLogitsToSlice(new Float32Array(10), L, t)).toThrow(
      /10 values are not an L×L grid with L = 32/,
    );
  });
});

describe('sliceMaskToModel (mask prompt → binary S×S, as SAM 2 add_new_mask resizes it)', () => {
  const t = createSliceTransform(80, 40, { x0: 8, y0: 4, width: 64, height: 32 }, 128);

  it('covers the model pixels under the mask, ignoring pixels outside the crop', () => {
    const mask = new Uint8Array(80 * 40);
    for (let y = 12; y < 20; y++) for (let x = 24; x < 40; x++) mask[x + 80 * y] = 1;
    mask[0] = 1; // outside the crop
    const m = sliceMaskToModel(mask, t);
    const expected = new Uint8Array(128 * 128);
    // crop x 16..31 → model ×2 = 32..63; crop y 8..15 → model ×4 = 32..63
    for (let y = 32; y < 64; y++) for (let x = 32; x < 64; x++) expected[x + 128 * y] = 1;
    // Bilinear corners: 0.75 (x) × 0.625 (y) < 0.5, as PyTorch's resize then ≥ 0.5 gives.
    for (const [x, y] of [
      [32, 32],
      [63, 32],
      [32, 63],
      [63, 63],
    ])
      expected[x + 128 * y] = 0;
    expect(Array.from(m)).toEqual(Array.from(expected));
  });

  it('round-trips a grid-aligned mask through the model grid and maskLogitsToSlice', () => {
    const mask = new Uint8Array(80 * 40);
    for (let y = 6; y < 30; y++)
      for (let x = 20; x < 50; x += 1) if ((x >> 1) % 3 !== 0) mask[x + 80 * y] = 1;
    const onModel = sliceMaskToModel(mask, t);
    const logits = Float32Array.from(onModel, (v) => (v ? 10 : -10));
    const back = maskLogitsToSlice(logits, 128, t);
    expect(Array.from(back, (v) => (v > 0 ? 1 : 0))).toEqual(Array.from(mask));
  });

  it('refuses a mask of the wrong length', () => {
    expect(() => sliceMaskToModel(new Uint8Array(5), t)).toThrow(/mask is 80×40 with 5 values/);
  });
});

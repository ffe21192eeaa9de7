import { InputError } from '../../extension/src/engine/errors';
import { resizeBicubic, resizeBilinear, resizeNearest } from '../../extension/src/engine/preprocess/resize';

const f32 = (values: number[]) => new Float32Array(values);

describe('resizeBicubic (images, App. C.1)', () => {
  it('is the identity when the size does not change', () => {
    const src = f32([3, -1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]);
    expect(Array.from(resizeBicubic(src, 4, 3, 4, 3))).toEqual(Array.from(src));
  });

  it('keeps a constant image constant when shrinking and enlarging', () => {
    const src = new Float32Array(7 * 5).fill(0.75);
    for (const [w, h] of [
      [3, 2],
      [16, 11],
      [1, 1],
    ]) {
      for (const v of resizeBicubic(src, 7, 5, w, h)) expect(v).toBeCloseTo(0.75, 6);
    }
  });

  it('uses the Catmull-Rom weights (−t³+2t²−t, 3t³−5t²+2, −3t³+4t²+t, t³−t²)/2 at interior positions', () => {
    const src = f32([2, 7, 1, 8, 2, 8, 1, 8]);
    const out = resizeBicubic(src, 8, 1, 16, 1);
    // destination 5 samples source position (5 + 0.5)/2 − 0.5 = 2.25: taps 1..4, t = 0.25
    const t = 0.25;
    const w = [
      (-(t ** 3) + 2 * t * t - t) / 2,
      (3 * t ** 3 - 5 * t * t + 2) / 2,
      (-3 * t ** 3 + 4 * t * t + t) / 2,
      (t ** 3 - t * t) / 2,
    ];
    expect(out[5]).toBeCloseTo(w[0] * 7 + w[1] * 1 + w[2] * 8 + w[3] * 2, 5);
  });

  it('matches Pillow 9.4 Image.resize(BICUBIC) on a float image, shrinking 8×6 → 3×4 (antialiased)', () => {
    const src = f32([
      0, 7.5, 4, 11.5, 8, 4.5, 12, 8.5, 2, 9.5, 6, 2.5, 10, 6.5, 3, 10.5, 4, 0.5, 8, 4.5, 12, 8.5, 5, 12.5, 6,
      2.5, 10, 6.5, 3, 10.5, 7, 3.5, 8, 4.5, 1, 8.5, 5, 12.5, 9, 5.5, 10, 6.5, 3, 10.5, 7, 3.5, 11, 7.5,
    ]);
    const pillow = [
      5.00967, 7.40221, 8.0353, 4.37058, 7.33776, 7.78189, 5.07105, 6.83586, 7.45033, 6.22112, 6.79419,
      8.23942,
    ];
    const out = resizeBicubic(src, 8, 6, 3, 4);
    pillow.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 4));
  });

  it('matches Pillow 9.4 Image.resize(BICUBIC) enlarging 3×2 → 7×5, overshoot included', () => {
    const out = resizeBicubic(f32([1, 5, 2, 7, 0, 3]), 3, 2, 7, 5);
    const pillowRow0 = [-0.08373, 0.91489, 3.49255, 5.49528, 4.25055, 2.28176, 1.55533];
    const pillowRow4 = [8.37219, 6.80257, 2.82878, -0.49528, 0.55001, 2.6933, 3.44467];
    pillowRow0.forEach((v, x) => expect(out[x]).toBeCloseTo(v, 4));
    pillowRow4.forEach((v, x) => expect(out[4 * 7 + x]).toBeCloseTo(v, 4));
  });

  it('refuses a buffer that does not match the stated size', () => {
    expect(() => resizeBicubic(new Float32Array(5), 2, 3, 4, 4)).toThrow(InputError);
    expect(() => resizeBicubic(new Float32Array(5), 2, 3, 4, 4)).toThrow(/5 values do not make a 2×3 image/);
    expect(() => resizeBicubic(new Float32Array(6), 2, 3, 0, 4)).toThrow(/target width 0/);
  });
});

describe('resizeNearest (masks, App. C.1)', () => {
  it('replicates each pixel into a 2×2 block when doubling', () => {
    const out = resizeNearest(new Uint8Array([1, 2, 3, 4]), 2, 2, 4, 4);
    expect(out).toBeInstanceOf(Uint8Array);
    expect(Array.from(out)).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });

  it('picks the pixel under each destination centre when halving (pixels 1 and 3 of 4)', () => {
    const src = new Float32Array(16).map((_, i) => i);
    const out = resizeNearest(src, 4, 4, 2, 2);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([5, 7, 13, 15]);
  });

  it('handles non-square, non-integer ratios (3 → 5 columns)', () => {
    const out = resizeNearest(new Uint8Array([10, 20, 30]), 3, 1, 5, 1);
    // centres (d + 0.5)·3/5 = 0.3, 0.9, 1.5, 2.1, 2.7 → source 0, 0, 1, 2, 2
    expect(Array.from(out)).toEqual([10, 10, 20, 30, 30]);
  });
});

describe('resizeBilinear (mask logits, SAM2 / PyTorch align_corners=False)', () => {
  it('matches torch.nn.functional.interpolate on [[0,1],[2,3]] → 4×4', () => {
    const out = resizeBilinear(f32([0, 1, 2, 3]), 2, 2, 4, 4);
    const torch = [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5, 1.5, 1.75, 2.25, 2.5, 2, 2.25, 2.75, 3];
    torch.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 6));
  });

  it('matches torch.nn.functional.interpolate on arange(12) 4×3 → 3×5 (mixed up/down)', () => {
    const src = new Float32Array(12).map((_, i) => i);
    const out = resizeBilinear(src, 4, 3, 3, 5);
    const torch = [
      0.1667, 1.5, 2.8333, 1.7667, 3.1, 4.4333, 4.1667, 5.5, 6.8333, 6.5667, 7.9, 9.2333, 8.1667, 9.5,
      10.8333,
    ];
    torch.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 3));
  });

  it('averages pixel pairs when halving', () => {
    const out = resizeBilinear(f32([0, 2, 4, 6]), 4, 1, 2, 1);
    expect(Array.from(out)).toEqual([1, 5]);
  });
});

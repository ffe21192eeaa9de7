import { InputError } from '../../extension/src/engine/errors';
import { createSliceTransform } from '../../extension/src/engine/preprocess/slice-transform';
import { modelPoint, slicePoint } from '../../extension/src/engine/types';

describe('createSliceTransform (crop, then stretch to S×S; pixel centres at integers)', () => {
  it('is the identity for an uncropped slice of the model size', () => {
    const t = createSliceTransform(128, 128, { x0: 0, y0: 0, width: 128, height: 128 }, 128);
    expect(t.toModel(slicePoint(17, 99))).toEqual({ x: 17, y: 99 });
  });

  it('maps image edges to model edges (−0.5 and S − 0.5), not pixel centres to pixel centres', () => {
    const t = createSliceTransform(100, 50, { x0: 10, y0: 5, width: 80, height: 40 }, 160);
    expect(t.toModel(slicePoint(9.5, 4.5))).toEqual({ x: -0.5, y: -0.5 });
    expect(t.toModel(slicePoint(89.5, 44.5))).toEqual({ x: 159.5, y: 159.5 });
  });

  it('stretches x and y independently for a non-square crop (×2 in x, ×4 in y)', () => {
    const t = createSliceTransform(100, 50, { x0: 10, y0: 5, width: 80, height: 40 }, 160);
    // the first cropped pixel's centre sits at the centre of the first 2×4 block of model pixels
    expect(t.toModel(slicePoint(10, 5))).toEqual({ x: 0.5, y: 1.5 });
    // the last cropped pixel (89, 44) → centre of the last block
    expect(t.toModel(slicePoint(89, 44))).toEqual({ x: 158.5, y: 157.5 });
  });

  it('maps the model centre to the crop centre', () => {
    const t = createSliceTransform(64, 48, { x0: 4, y0: 8, width: 50, height: 30 }, 128);
    const c = t.toSlice(modelPoint(63.5, 63.5));
    expect(c.x).toBeCloseTo(4 + 25 - 0.5, 12);
    expect(c.y).toBeCloseTo(8 + 15 - 0.5, 12);
  });

  it('round-trips slice → model → slice exactly for power-of-two scales', () => {
    const t = createSliceTransform(96, 80, { x0: 16, y0: 8, width: 64, height: 32 }, 256);
    for (const [x, y] of [
      [16, 8],
      [79, 39],
      [33.25, 20.5],
      [0, 0],
    ]) {
      const back = t.toSlice(t.toModel(slicePoint(x, y)));
      expect(back.x).toBe(x);
      expect(back.y).toBe(y);
    }
  });

  it('round-trips to within 1e-9 px for arbitrary scales, both directions', () => {
    const t = createSliceTransform(173, 91, { x0: 7, y0: 3, width: 151, height: 77 }, 1024);
    for (let i = 0; i < 200; i++) {
      const x = ((i * 37) % 173) + i / 201;
      const y = ((i * 11) % 91) - 0.5 + i / 401;
      const s = t.toSlice(t.toModel(slicePoint(x, y)));
      expect(Math.abs(s.x - x)).toBeLessThan(1e-9);
      expect(Math.abs(s.y - y)).toBeLessThan(1e-9);
      const m = t.toModel(t.toSlice(modelPoint(x * 5, y * 11)));
      expect(Math.abs(m.x - x * 5)).toBeLessThan(1e-9);
      expect(Math.abs(m.y - y * 11)).toBeLessThan(1e-9);
    }
  });

  it('refuses a crop that leaves the slice, naming the box and the slice size', () => {
    expect(() => createSliceTransform(64, 64, { x0: 10, y0: 0, width: 60, height: 64 }, 128)).toThrow(
      InputError,
    );
    expect(() => createSliceTransform(64, 64, { x0: 10, y0: 0, width: 60, height: 64 }, 128)).toThrow(
      /x0=10 y0=0 60×64 does not fit in the 64×64 slice/,
    );
    expect(() => createSliceTransform(64, 64, { x0: 0, y0: 0, width: 0, height: 64 }, 128)).toThrow(
      /crop box/,
    );
    expect(() => createSliceTransform(64, 64, { x0: 0, y0: 0, width: 64, height: 64 }, 0)).toThrow(
      /model input size 0/,
    );
  });
});

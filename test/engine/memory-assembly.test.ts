import { sineEncoding1d } from '../../extension/src/engine/propagation/sine-encoding';
import { temporalRow } from '../../extension/src/engine/propagation/memory-assembly';

describe('temporal encodings', () => {
  it('a memory d frames away uses row d − 1 (SAM 2), far bank memories the farthest non-conditioning row', () => {
    expect(temporalRow(7, 1)).toBe(0);
    expect(temporalRow(7, 2)).toBe(1);
    expect(temporalRow(7, 6)).toBe(5);
    expect(temporalRow(7, 40)).toBe(5);
  });

  it('the object-pointer sine encoding matches SAM2 get_1d_sine_pe by hand', () => {
    const e = sineEncoding1d([0.5], 8);
    // h = 4, dim_t = [1, 1, 100, 100] (10000^(2*floor(i/2)/4))
    const dimT = [1, 1, 100, 100];
    dimT.forEach((d, i) => {
      expect(e[i]).toBeCloseTo(Math.sin(0.5 / d), 6);
      expect(e[4 + i]).toBeCloseTo(Math.cos(0.5 / d), 6);
    });
  });
});

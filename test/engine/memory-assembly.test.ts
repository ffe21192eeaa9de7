import { sineEncoding1d } from '../../extension/src/engine/propagation/sine-encoding';
import { temporalIndex } from '../../extension/src/engine/propagation/memory-assembly';

describe('temporal encodings', () => {
  it('conditioning frames (d = 0) use the last learned encoding, recent frames count down, far ones clamp', () => {
    expect(temporalIndex(7, 0)).toBe(6);
    expect(temporalIndex(7, 1)).toBe(5);
    expect(temporalIndex(7, 6)).toBe(0);
    expect(temporalIndex(7, 40)).toBe(0);
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

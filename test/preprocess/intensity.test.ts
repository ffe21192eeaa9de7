import { InputError } from '../../extension/src/engine/errors';
import {
  defaultIntensityPolicy,
  intensityRange,
  scaleToUnit,
} from '../../extension/src/engine/preprocess/intensity';

/** numpy.percentile's default (linear) on a plain sorted copy: the reference the histogram method must equal. */
function referencePercentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const r = (p / 100) * (s.length - 1);
  const lo = Math.floor(r);
  const hi = Math.ceil(r);
  return s[lo] + (r - lo) * (s[hi] - s[lo]);
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('defaultIntensityPolicy', () => {
  it('uses a soft-tissue window (level 40, width 400) for CT', () => {
    expect(defaultIntensityPolicy('CT')).toEqual({ kind: 'ct-window', center: 40, width: 400 });
  });

  it.each(['MR', 'XR', 'US', 'OTHER'] as const)('uses the 0.5–99.5 percentiles for %s', (m) => {
    expect(defaultIntensityPolicy(m)).toEqual({ kind: 'percentile', low: 0.5, high: 99.5 });
  });
});

describe('intensityRange', () => {
  it('maps a CT window to [center − width/2, center + width/2]', () => {
    expect(
      intensityRange(new Float32Array([-1000, 0, 3000]), { kind: 'ct-window', center: 40, width: 400 }),
    ).toEqual({
      lo: -160,
      hi: 240,
    });
  });

  it('takes percentiles over non-zero voxels only, interpolating like numpy', () => {
    // 1..1000 with 5000 zeros of padding: the zeros must not move the percentiles.
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const data = new Float32Array([...new Array(5000).fill(0), ...values.reverse()]);
    const r = intensityRange(data, { kind: 'percentile', low: 0.5, high: 99.5 });
    // rank 0.005·999 = 4.995 → 5 + 0.995; rank 0.995·999 = 994.005 → 995 + 0.005
    expect(r.lo).toBeCloseTo(5.995, 9);
    expect(r.hi).toBeCloseTo(995.005, 9);
  });

  it('equals a sort-based percentile on skewed random data with duplicates and negatives', () => {
    const rand = lcg(7);
    const values: number[] = [];
    for (let i = 0; i < 50000; i++) {
      const u = rand();
      // heavy tail: most values small, a few huge; rounding makes many duplicates
      values.push(Math.round((u < 0.98 ? u * 300 - 50 : 1e5 * u) * 4) / 4 || 1);
    }
    const data = new Float32Array(values);
    for (const [low, high] of [
      [0.5, 99.5],
      [0, 100],
      [10, 90],
    ]) {
      const r = intensityRange(data, { kind: 'percentile', low, high });
      expect(r.lo).toBeCloseTo(referencePercentile(Array.from(data), low), 6);
      expect(r.hi).toBeCloseTo(referencePercentile(Array.from(data), high), 6);
    }
  });

  it('ignores NaN and infinite voxels', () => {
    const data = new Float32Array([NaN, 1, 2, 3, Infinity, -Infinity, 4, 5]);
    expect(intensityRange(data, { kind: 'percentile', low: 0, high: 100 })).toEqual({ lo: 1, hi: 5 });
  });

  it('gives [0, 1] for an all-zero volume and [c, c] for a constant one', () => {
    expect(intensityRange(new Float32Array(10), { kind: 'percentile', low: 0.5, high: 99.5 })).toEqual({
      lo: 0,
      hi: 1,
    });
    expect(
      intensityRange(new Float32Array(10).fill(7), { kind: 'percentile', low: 0.5, high: 99.5 }),
    ).toEqual({
      lo: 7,
      hi: 7,
    });
  });

  it("is [0, 1] for policy 'none'", () => {
    expect(intensityRange(new Float32Array([5, 900]), { kind: 'none' })).toEqual({ lo: 0, hi: 1 });
  });

  it('refuses a window of width ≤ 0 and percentiles out of order', () => {
    const data = new Float32Array([1, 2]);
    expect(() => intensityRange(data, { kind: 'ct-window', center: 40, width: 0 })).toThrow(InputError);
    expect(() => intensityRange(data, { kind: 'ct-window', center: 40, width: 0 })).toThrow(/width 0/);
    expect(() => intensityRange(data, { kind: 'percentile', low: 60, high: 40 })).toThrow(
      /percentile range 60–40/,
    );
    expect(() => intensityRange(data, { kind: 'percentile', low: -1, high: 40 })).toThrow(
      /0 ≤ low < high ≤ 100/,
    );
  });
});

describe('scaleToUnit', () => {
  const range = { lo: -160, hi: 240 };
  it('maps the range linearly to [0, 1] and clips outside it', () => {
    expect(scaleToUnit(-160, range)).toBe(0);
    expect(scaleToUnit(40, range)).toBe(0.5);
    expect(scaleToUnit(240, range)).toBe(1);
    expect(scaleToUnit(-1000, range)).toBe(0);
    expect(scaleToUnit(3000, range)).toBe(1);
  });

  it('turns a degenerate range into a step at lo', () => {
    expect(scaleToUnit(7, { lo: 7, hi: 7 })).toBe(0);
    expect(scaleToUnit(8, { lo: 7, hi: 7 })).toBe(1);
  });
});

import { InputError } from '../../extension/src/engine/errors';
import { cosineSimilarity, memoizeSimilarity, similarityFunction } from '../../extension/src/engine/memory';
import { vec } from './helpers';

describe('cosineSimilarity (sim of Eq. 2 and Eq. 4)', () => {
  it('is 1 for parallel, 0 for orthogonal and −1 for opposite vectors', () => {
    expect(cosineSimilarity(vec(2, 0), vec(5, 0))).toBeCloseTo(1, 12);
    expect(cosineSimilarity(vec(1, 0), vec(0, 3))).toBe(0);
    expect(cosineSimilarity(vec(1, 2), vec(-1, -2))).toBeCloseTo(-1, 12);
  });

  it('matches the hand-computed value (1,1)·(1,0) / (√2 · 1) = 1/√2', () => {
    expect(cosineSimilarity(vec(1, 1), vec(1, 0))).toBeCloseTo(Math.SQRT1_2, 7);
  });

  it('ignores scale and is symmetric', () => {
    const a = vec(0.3, -1.2, 4);
    const b = vec(2, 0.5, -0.25);
    expect(cosineSimilarity(a, b)).toBeCloseTo(cosineSimilarity(b, a), 12);
    expect(cosineSimilarity(vec(0.6, -2.4, 8), b)).toBeCloseTo(cosineSimilarity(a, b), 6);
  });

  it('is 0 when either vector has zero norm', () => {
    expect(cosineSimilarity(vec(0, 0, 0), vec(1, 2, 3))).toBe(0);
    expect(cosineSimilarity(vec(1, 2, 3), vec(0, 0, 0))).toBe(0);
    expect(cosineSimilarity(vec(0, 0), vec(0, 0))).toBe(0);
  });

  it('never leaves [−1, 1] through rounding', () => {
    const a = Float32Array.from({ length: 4096 }, (_, i) => Math.sin(i) * 1e-3 + 0.1);
    const s = cosineSimilarity(a, a);
    expect(s).toBeLessThanOrEqual(1);
    expect(s).toBeCloseTo(1, 10);
  });

  it('refuses vectors of different length with a typed error naming both lengths', () => {
    expect(() => cosineSimilarity(vec(1, 2), vec(1, 2, 3))).toThrow(InputError);
    expect(() => cosineSimilarity(vec(1, 2), vec(1, 2, 3))).toThrow(/2 vs 3/);
  });

  it("similarityFunction('cosine') is cosineSimilarity", () => {
    expect(similarityFunction('cosine')).toBe(cosineSimilarity);
  });
});

describe('memoizeSimilarity', () => {
  it('computes each pair once, in either argument order, and returns the same value', () => {
    let calls = 0;
    const counted = (a: Float32Array, b: Float32Array): number => {
      calls++;
      return cosineSimilarity(a, b);
    };
    const sim = memoizeSimilarity(counted);
    const a = vec(1, 0);
    const b = vec(1, 1);
    const first = sim(a, b);
    expect(sim(b, a)).toBe(first);
    expect(sim(a, b)).toBe(first);
    expect(calls).toBe(1);
    sim(a, vec(1, 1)); // equal values, different array: a different key
    expect(calls).toBe(2);
  });
});

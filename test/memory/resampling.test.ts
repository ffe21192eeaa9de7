import { InputError } from '../../extension/src/engine/errors';
import {
  cosineSimilarity,
  createRng,
  resample,
  resamplingProbabilities,
} from '../../extension/src/engine/memory';
import { chiSquare, histogram, vec } from './helpers';

const s = Math.SQRT1_2;

describe('resamplingProbabilities (Eq. 4: p_i ∝ max(0, sim(F_t, E_i)))', () => {
  it('normalises the similarities to the query', () => {
    // sims to (1,0): (1,0) → 1, (1,1) → s; p = [1, s] / (1 + s)
    const p = resamplingProbabilities(vec(1, 0), [vec(1, 0), vec(1, 1)], cosineSimilarity);
    expect(p[0]).toBeCloseTo(1 / (1 + s), 6);
    expect(p[1]).toBeCloseTo(s / (1 + s), 6);
  });

  it('clamps negative similarities to 0 (an opposite memory is never drawn)', () => {
    // sims: 1, 0, −1 → 0, s
    const p = resamplingProbabilities(
      vec(1, 0),
      [vec(1, 0), vec(0, 1), vec(-1, 0), vec(1, 1)],
      cosineSimilarity,
    );
    expect(p[0]).toBeCloseTo(1 / (1 + s), 6);
    expect(p[1]).toBe(0);
    expect(p[2]).toBe(0);
    expect(p[3]).toBeCloseTo(s / (1 + s), 6);
    expect(p.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });

  it('is uniform when no similarity is positive', () => {
    expect(resamplingProbabilities(vec(1, 0), [vec(0, 1), vec(-1, 0)], cosineSimilarity)).toEqual([0.5, 0.5]);
  });

  it('is uniform for a zero query (no direction to prefer)', () => {
    expect(resamplingProbabilities(vec(0, 0), [vec(1, 0), vec(0, 1), vec(1, 1)], cosineSimilarity)).toEqual([
      1 / 3,
      1 / 3,
      1 / 3,
    ]);
  });

  it('is [] for an empty bank', () => {
    expect(resamplingProbabilities(vec(1, 0), [], cosineSimilarity)).toEqual([]);
  });
});

describe('resample (Eq. 5: K draws with replacement from Categorical(p))', () => {
  const p = [0.5, 0.3, 0.15, 0.05, 0];
  const n = 20_000;
  const draws = resample(p, n, createRng(12345));
  const counts = histogram(draws, p.length);

  it('returns exactly `count` indices, all in range', () => {
    expect(draws).toHaveLength(n);
    expect(draws.every((i) => Number.isInteger(i) && i >= 0 && i < p.length)).toBe(true);
  });

  it('never draws an index with probability 0', () => {
    expect(counts[4]).toBe(0);
    expect(resample([0, 1, 0], 500, createRng(1)).every((i) => i === 1)).toBe(true);
  });

  it.each(p.slice(0, 4).map((pi, i) => [i, pi]))(
    'draws index %i with frequency %f within 5 binomial standard deviations (20k draws)',
    (i, pi) => {
      const sd = Math.sqrt(n * pi * (1 - pi));
      expect(Math.abs(counts[i] - n * pi)).toBeLessThan(5 * sd);
    },
  );

  it('passes a chi-square goodness-of-fit test (3 d.o.f., p = 0.001 critical value 16.27)', () => {
    expect(chiSquare(counts, p)).toBeLessThan(16.27);
  });

  it('repeats the same draws for the same seed and differs for another seed', () => {
    expect(resample(p, 50, createRng(9))).toEqual(resample(p, 50, createRng(9)));
    expect(resample(p, 50, createRng(9))).not.toEqual(resample(p, 50, createRng(10)));
  });

  it('works with weights that do not sum exactly to 1', () => {
    const drawn = resample([1 / 3, 1 / 3, 1 / 3], 3000, createRng(5));
    const c = histogram(drawn, 3);
    expect(c.every((k) => k > 850 && k < 1150)).toBe(true);
  });

  it('returns [] for count 0', () => {
    expect(resample(p, 0, createRng(0))).toEqual([]);
  });

  it('refuses a bad count, a negative or non-finite probability, and all-zero probabilities', () => {
    expect(() => resample(p, -1, createRng(0))).toThrow(InputError);
    expect(() => resample(p, 1.5, createRng(0))).toThrow(/count must be an integer/);
    expect(() => resample([0.5, -0.1], 1, createRng(0))).toThrow(/probability 1 is -0.1/);
    expect(() => resample([0.5, NaN], 1, createRng(0))).toThrow(/probability 1 is NaN/);
    expect(() => resample([0, 0], 1, createRng(0))).toThrow(/all zero/);
    expect(() => resample([], 1, createRng(0))).toThrow(/empty or all zero/);
  });
});

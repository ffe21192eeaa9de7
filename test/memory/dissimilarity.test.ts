import {
  DISSIMILARITY_TIE_DECIMALS,
  cosineSimilarity,
  rankByDissimilarity,
  selectMostDissimilar,
  totalDissimilarity,
} from '../../extension/src/engine/memory';
import { vec } from './helpers';

const s = Math.SQRT1_2; // cos 45°
const a = vec(1, 0);
const b = vec(0, 1);
const c = vec(1, 1); // halfway between a and b
const d = vec(-1, 0); // opposite a

describe('totalDissimilarity (Eq. 2: D_i = Σ_{j≠i} 1 − sim(E_i, E_j))', () => {
  it('matches the hand-computed totals for three vectors', () => {
    // sim(a,b) = 0, sim(a,c) = sim(b,c) = s = 1/√2
    // D_a = (1 − 0) + (1 − s) = 2 − s ≈ 1.2929
    // D_b = (1 − 0) + (1 − s) = 2 − s ≈ 1.2929
    // D_c = (1 − s) + (1 − s) = 2 − 2s ≈ 0.5858
    const D = totalDissimilarity([a, b, c], cosineSimilarity);
    expect(D[0]).toBeCloseTo(2 - s, 6);
    expect(D[1]).toBeCloseTo(2 - s, 6);
    expect(D[2]).toBeCloseTo(2 - 2 * s, 6);
  });

  it('matches the hand-computed totals for four vectors', () => {
    // sims: ab 0, ac s, ad −1, bc s, bd 0, cd −s
    // D_a = 1 + (1 − s) + 2       = 4 − s ≈ 3.2929
    // D_b = 1 + (1 − s) + 1       = 3 − s ≈ 2.2929
    // D_c = (1 − s) + (1 − s) + (1 + s) = 3 − s ≈ 2.2929
    // D_d = 2 + 1 + (1 + s)       = 4 + s ≈ 4.7071
    const D = totalDissimilarity([a, b, c, d], cosineSimilarity);
    expect(D[0]).toBeCloseTo(4 - s, 6);
    expect(D[1]).toBeCloseTo(3 - s, 6);
    expect(D[2]).toBeCloseTo(3 - s, 6);
    expect(D[3]).toBeCloseTo(4 + s, 6);
  });

  it('is 0 for a single entry and [] for none', () => {
    expect(totalDissimilarity([a], cosineSimilarity)).toEqual([0]);
    expect(totalDissimilarity([], cosineSimilarity)).toEqual([]);
  });

  it('compares each pair once', () => {
    let calls = 0;
    totalDissimilarity([a, b, c, d], (x, y) => {
      calls++;
      return cosineSimilarity(x, y);
    });
    expect(calls).toBe(6); // 4·3/2
  });
});

const candidate = (key: Float32Array, confidence: number, sequence: number) => ({
  key,
  confidence,
  sequence,
});

describe('selectMostDissimilar (Eq. 3: keep TopK(D_i))', () => {
  it('keeps the K entries with the largest D and drops the most redundant one', () => {
    // D_a = D_b ≈ 1.29 > D_c ≈ 0.59: c lies between a and b and is dropped.
    const kept = selectMostDissimilar(
      [candidate(a, 0.9, 0), candidate(b, 0.9, 1), candidate(c, 0.9, 2)],
      2,
      cosineSimilarity,
    );
    expect(kept).toEqual([0, 1]);
  });

  it('returns the kept indices in ascending (insertion) order, not in rank order', () => {
    // D_d ≈ 4.71 > D_a ≈ 3.29: d ranks first but comes back after a.
    const kept = selectMostDissimilar(
      [candidate(a, 0.9, 0), candidate(b, 0.9, 1), candidate(c, 0.9, 2), candidate(d, 0.9, 3)],
      2,
      cosineSimilarity,
    );
    expect(kept).toEqual([0, 3]);
  });

  it('keeps everything when there are at most K candidates', () => {
    expect(selectMostDissimilar([candidate(a, 0.9, 0), candidate(c, 0.9, 1)], 2, cosineSimilarity)).toEqual([
      0, 1,
    ]);
    expect(selectMostDissimilar([], 3, cosineSimilarity)).toEqual([]);
  });

  it('breaks a tie in D by the higher confidence', () => {
    // K = 3 of {a, b, c, d}: d and a are in; b and c tie at D = 3 − s. c is more confident.
    const kept = selectMostDissimilar(
      [candidate(a, 0.9, 0), candidate(b, 0.6, 1), candidate(c, 0.8, 2), candidate(d, 0.9, 3)],
      3,
      cosineSimilarity,
    );
    expect(kept).toEqual([0, 2, 3]);
  });

  it('breaks a tie in D and confidence by the older entry (smaller sequence), not by array position', () => {
    // x and x2 are the same direction: D_y = 2, D_x = D_x2 = 1. x2 was inserted first (sequence 4).
    const x = vec(1, 0);
    const x2 = vec(3, 0);
    const y = vec(0, 1);
    const kept = selectMostDissimilar(
      [candidate(x, 0.7, 9), candidate(y, 0.7, 5), candidate(x2, 0.7, 4)],
      2,
      cosineSimilarity,
    );
    expect(kept).toEqual([1, 2]);
  });

  it('treats totals equal to within the tie tolerance as ties, so rounding noise cannot decide', () => {
    const tiny = 10 ** -(DISSIMILARITY_TIE_DECIMALS + 3);
    // A hand-made sim: sim(a,b) = 0.2, sim(a,c) = 0.3, sim(b,c) = 0.3 − tiny, so
    // D_a = 0.8 + 0.7 = 1.5, D_b = 0.8 + 0.7 + tiny = 1.5 + tiny, D_c = 1.4 + tiny.
    // b's lead is noise-sized: a and b tie, and a's higher confidence keeps a.
    const table = new Map<string, number>([
      ['ab', 0.2],
      ['ac', 0.3],
      ['bc', 0.3 - tiny],
    ]);
    const name = (v: Float32Array): string => (v === a ? 'a' : v === b ? 'b' : 'c');
    const sim = (x: Float32Array, y: Float32Array): number => table.get([name(x), name(y)].sort().join(''))!;
    const ranked = rankByDissimilarity(
      [candidate(a, 0.9, 0), candidate(b, 0.5, 1), candidate(c, 0.5, 2)],
      1,
      sim,
    );
    expect(ranked.dissimilarity[1]).toBeGreaterThan(ranked.dissimilarity[0]);
    expect(ranked.kept).toEqual([0]);
  });

  it('still orders by D when totals differ by more than the tolerance, whatever the confidence', () => {
    const kept = selectMostDissimilar(
      [candidate(a, 0.1, 0), candidate(b, 0.99, 1), candidate(c, 0.99, 2)],
      2,
      cosineSimilarity,
    );
    expect(kept).toEqual([0, 1]);
  });
});

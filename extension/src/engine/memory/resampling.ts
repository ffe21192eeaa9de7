/**
 * Eq. 4–5 of the paper: before attending frame t, draw K memories with replacement, favouring those
 * that resemble the current frame.
 *
 *   p_i = sim(F_t, E_i) / Σ_j sim(F_t, E_j)                                    (Eq. 4)
 *   M̃ = { E_{i_k} | i_k ~ Categorical(p), k = 1..K }                          (Eq. 5)
 *
 * Eq. 4 is only a distribution when every sim is ≥ 0; cosine can be negative, so negative
 * similarities are clamped to 0 (an opposite memory is never drawn), and when nothing is positive
 * the draw is uniform (no evidence to prefer any memory).
 */
import { InputError } from '../errors';
import type { Rng } from './rng';
import type { SimilarityFunction } from './similarity';

/** Eq. 4 with the clamp; [] for an empty bank. */
export function resamplingProbabilities(
  query: Float32Array,
  keys: readonly Float32Array[],
  sim: SimilarityFunction,
): number[] {
  return probabilitiesFromSimilarities(keys.map((key) => sim(query, key)));
}

/** Eq. 4 from the similarities sim(F_t, E_i) already computed (clamped at 0; uniform when none is positive). */
export function probabilitiesFromSimilarities(similarities: readonly number[]): number[] {
  const weights = similarities.map((s) => Math.max(0, s));
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (total === 0) return similarities.map(() => 1 / similarities.length);
  return weights.map((w) => w / total);
}

/** Eq. 5: `count` indices drawn with replacement from `probabilities`, in draw order. */
export function resample(probabilities: readonly number[], count: number, rng: Rng): number[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new InputError('invalid-options', `resample: count must be an integer >= 0 (got ${count})`);
  }
  if (count === 0) return [];
  const bad = probabilities.findIndex((p) => !Number.isFinite(p) || p < 0);
  if (bad >= 0) {
    throw new InputError('invalid-options', `resample: probability ${bad} is ${probabilities[bad]}`);
  }
  const cumulative: number[] = [];
  let total = 0;
  for (const p of probabilities) cumulative.push((total += p));
  if (!(total > 0)) {
    throw new InputError('invalid-options', 'resample: probabilities are empty or all zero');
  }
  // Rounding can leave the sum a hair off 1: draw u in [0, total) and fall back to the last index
  // with p > 0, so an index with p = 0 is never returned.
  const lastPositive = probabilities.reduce((last, p, i) => (p > 0 ? i : last), 0);
  const drawn: number[] = [];
  for (let k = 0; k < count; k++) {
    const u = rng.next() * total;
    const index = cumulative.findIndex((c, i) => u < c && probabilities[i] > 0);
    drawn.push(index < 0 ? lastPositive : index);
  }
  return drawn;
}

/**
 * Eq. 2–3 of the paper: which entries the self-sorting bank keeps.
 *
 *   D_i = Σ_{j ≠ i} (1 − sim(E_i, E_j))   for every E_i in C = M ∪ {E_new}     (Eq. 2)
 *   M ← TopK(D_i)                                                              (Eq. 3)
 *
 * An entry close to the others (low D_i) is redundant; the K most dissimilar ones stay.
 */
import type { SimilarityFunction } from './similarity';

/** What Eq. 2–3 needs to know about a member of C. */
export interface DissimilarityCandidate {
  readonly key: Float32Array;
  /** Tie-break 1: the more confident entry wins. */
  readonly confidence: number;
  /** Tie-break 2: the older entry (smaller insertion sequence) wins. */
  readonly sequence: number;
}

/**
 * D values that agree to this many decimals count as equal. Mathematically equal totals summed in a
 * different order can differ in the last bit; without this the documented tie-break would be
 * decided by rounding noise instead.
 */
export const DISSIMILARITY_TIE_DECIMALS = 9;

/** Eq. 2 for every key; each pair is compared once. */
export function totalDissimilarity(keys: readonly Float32Array[], sim: SimilarityFunction): number[] {
  const d = new Array<number>(keys.length).fill(0);
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j < keys.length; j++) {
      const distance = 1 - sim(keys[i], keys[j]);
      d[i] += distance;
      d[j] += distance;
    }
  }
  return d;
}

const tieRounded = (d: number): number => Math.round(d * 10 ** DISSIMILARITY_TIE_DECIMALS);

/**
 * Eq. 2–3: ranks C by D_i (largest first; ties: higher confidence, then older) and keeps `capacity`.
 * Returns the kept indices into `candidates`, ascending (the bank keeps its insertion order), and
 * every D_i for traces.
 */
export function rankByDissimilarity(
  candidates: readonly DissimilarityCandidate[],
  capacity: number,
  sim: SimilarityFunction,
): { kept: number[]; dissimilarity: number[] } {
  const dissimilarity = totalDissimilarity(
    candidates.map((c) => c.key),
    sim,
  );
  const ranked = candidates
    .map((_, index) => index)
    .sort(
      (a, b) =>
        tieRounded(dissimilarity[b]) - tieRounded(dissimilarity[a]) ||
        candidates[b].confidence - candidates[a].confidence ||
        candidates[a].sequence - candidates[b].sequence,
    );
  const kept = ranked.slice(0, capacity).sort((a, b) => a - b);
  return { kept, dissimilarity };
}

/** Eq. 3: the indices of the `capacity` most dissimilar candidates, ascending. */
export function selectMostDissimilar(
  candidates: readonly DissimilarityCandidate[],
  capacity: number,
  sim: SimilarityFunction,
): number[] {
  return rankByDissimilarity(candidates, capacity, sim).kept;
}

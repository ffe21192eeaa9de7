import type { MemoryEntry } from '../../extension/src/engine/memory';

export const vec = (...values: number[]): Float32Array => Float32Array.from(values);

/** A bank entry whose key and match key are `key` unless given; payload names the frame. */
export function memory(
  frame: number,
  key: Float32Array,
  options: { confidence?: number; objectPresent?: boolean; matchKey?: Float32Array } = {},
): MemoryEntry<string> {
  return {
    frame,
    confidence: options.confidence ?? 0.9,
    objectPresent: options.objectPresent ?? true,
    key,
    matchKey: options.matchKey ?? key,
    payload: `payload of frame ${frame}`,
  };
}

/** Counts per index of `draws`, for `bins` indices. */
export function histogram(draws: readonly number[], bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const d of draws) counts[d]++;
  return counts;
}

/** Pearson's chi-square statistic over the bins with expected probability > 0. */
export function chiSquare(counts: readonly number[], probabilities: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  return probabilities.reduce((chi, p, i) => (p > 0 ? chi + (counts[i] - n * p) ** 2 / (n * p) : chi), 0);
}

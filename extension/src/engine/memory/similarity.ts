/**
 * sim(·,·) of Eq. 2 and Eq. 4. The paper names cosine similarity as its example ("e.g., cosine
 * similarity"); it is the only choice for now, kept as a union so others can be added and measured.
 */
import { InputError } from '../errors';

export type SimilarityName = 'cosine';
export type SimilarityFunction = (a: Float32Array, b: Float32Array) => number;

export const SIMILARITY_NAMES: readonly SimilarityName[] = ['cosine'];

/**
 * Cosine of the angle between a and b, accumulated in float64, clamped to [−1, 1] against rounding.
 * A zero vector has no direction: its similarity to anything is 0 (neither alike nor opposite).
 */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new InputError(
      'invalid-options',
      `cosine similarity: vectors differ in length (${a.length} vs ${b.length})`,
    );
  }
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  if (normA === 0 || normB === 0) return 0;
  return Math.max(-1, Math.min(1, dot / Math.sqrt(normA * normB)));
}

export function similarityFunction(name: SimilarityName): SimilarityFunction {
  switch (name) {
    case 'cosine':
      return cosineSimilarity;
  }
}

/**
 * Remembers sim(a, b) per pair of arrays (by identity), so the bank compares each pair of stored
 * keys once, not once per offer: with K = 6 an offer then costs 6 comparisons instead of 21.
 * Keys must not be mutated after they are offered (MemoryEntry declares them readonly).
 */
export function memoizeSimilarity(sim: SimilarityFunction): SimilarityFunction {
  const cache = new WeakMap<Float32Array, WeakMap<Float32Array, number>>();
  return (a, b) => {
    const hit = cache.get(a)?.get(b);
    if (hit !== undefined) return hit;
    const value = sim(a, b);
    for (const [x, y] of [
      [a, b],
      [b, a],
    ]) {
      let row = cache.get(x);
      if (!row) cache.set(x, (row = new WeakMap()));
      row.set(y, value);
    }
    return value;
  };
}

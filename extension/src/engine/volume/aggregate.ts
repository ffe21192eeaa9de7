/**
 * Per-voxel aggregation of the orientations' predictions (paper §3.3:
 * Y_3D = Aggregate({Y^(o)}), "averaging or majority voting applied pixel-wise").
 *
 * Foreground is `p > 0.5` everywhere in the engine — SAM2's `logits > 0` — so a voxel the model is
 * exactly undecided about (p = 0.5) is background, and an orientation votes for a voxel only when its
 * probability is strictly above 0.5.
 */
import { InputError } from '../errors';

export const FOREGROUND_THRESHOLD = 0.5;

export type AggregationMethod = 'mean' | 'majority';

/**
 * - `mean`: the average probability.
 * - `majority`: the fraction of orientations voting foreground (p > 0.5). A tie (exactly half the
 *   votes, e.g. 3 of 6) gives 0.5, which `binarize` turns into background: the object needs a strict
 *   majority.
 */
export function aggregateProbabilities(
  perOrientation: readonly Float32Array[],
  method: AggregationMethod,
): Float32Array {
  const n = perOrientation.length;
  if (n === 0) throw new InputError('invalid-options', 'aggregation: no orientation results given');
  const size = perOrientation[0].length;
  perOrientation.forEach((p, i) => {
    if (p.length !== size) {
      throw new InputError(
        'invalid-options',
        `aggregation: result ${i} has ${p.length} voxels, result 0 has ${size}`,
      );
    }
  });
  if (method !== 'mean' && method !== 'majority') {
    throw new InputError(
      'invalid-options',
      `aggregation: unknown method '${String(method)}' (mean or majority)`,
    );
  }
  const out = new Float32Array(size);
  for (const p of perOrientation) {
    if (method === 'mean') for (let i = 0; i < size; i++) out[i] += p[i];
    else for (let i = 0; i < size; i++) if (p[i] > FOREGROUND_THRESHOLD) out[i] += 1;
  }
  for (let i = 0; i < size; i++) out[i] /= n;
  return out;
}

/** 1 where p > threshold (default 0.5), else 0. */
export function binarize(probabilities: Float32Array, threshold = FOREGROUND_THRESHOLD): Uint8Array {
  const out = new Uint8Array(probabilities.length);
  for (let i = 0; i < out.length; i++) out[i] = probabilities[i] > threshold ? 1 : 0;
  return out;
}

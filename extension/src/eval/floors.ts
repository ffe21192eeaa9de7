/**
 * Floors: what a method must beat. `copyKeySlice` copies the key slice's true mask to every slice of
 * the structure's axial extent (no model at all); `keySliceOnly` is the prompted slice alone
 * (propagation adds nothing). Both are built from the ground truth.
 */
import { axialExtent, type Dims3 } from './structure';

export function copyKeySliceMask(truth: ArrayLike<number>, dims: Dims3, key: number): Uint8Array {
  const plane = dims[0] * dims[1];
  const out = new Uint8Array(truth.length);
  const extent = axialExtent(truth, dims);
  if (!extent) return out;
  for (let z = extent.first; z <= extent.last; z++)
    for (let i = 0; i < plane; i++) out[z * plane + i] = truth[key * plane + i] ? 1 : 0;
  return out;
}

export function keySliceOnlyMask(truth: ArrayLike<number>, dims: Dims3, key: number): Uint8Array {
  const plane = dims[0] * dims[1];
  const out = new Uint8Array(truth.length);
  for (let i = 0; i < plane; i++) out[key * plane + i] = truth[key * plane + i] ? 1 : 0;
  return out;
}

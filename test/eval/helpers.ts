/** Shared helpers for the eval tests: seeded masks, AAL loading, voxel indexing. */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createRng } from '../../extension/src/engine/memory/rng';
import type { Volume } from '../../extension/src/engine/types';
import { parseNifti } from '../../extension/src/io/nifti';

export const MRICRON = '/usr/share/mricron/templates';
export const CH2 = `${MRICRON}/ch2.nii.gz`;
export const AAL = `${MRICRON}/aal.nii.gz`;

export const voxelIndex = (dims: readonly number[], x: number, y: number, z = 0) =>
  x + dims[0] * (y + dims[1] * z);

export function seededMask(n: number, density: number, seed: number): Uint8Array {
  const rng = createRng(seed);
  return Uint8Array.from({ length: n }, () => (rng.next() < density ? 1 : 0));
}

/** A NIfTI from Debian's mricron-data; fails loudly (naming the package) when it is not installed. */
export function readMricron(path: string): Volume {
  if (!existsSync(path))
    throw new Error(
      `${path} is missing: install the Debian package mricron-data (apt-get install mricron-data)`,
    );
  const b = gunzipSync(readFileSync(path));
  return parseNifti(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), path).volume;
}

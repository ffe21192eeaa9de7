/**
 * A labelled structure as a binary mask on the volume grid, its axial extent and per-slice areas,
 * and cropping a volume + mask to a box around it. "Axial" means the volume's third array axis, as
 * in the engine (engine/volume/orientations.ts).
 */
import type { Volume } from '../engine/types';

export type Dims3 = readonly [number, number, number];

/** Voxels whose label equals `id` (labels are compared after rounding: label volumes may be float). */
export function structureMask(labels: ArrayLike<number>, id: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (Math.round(labels[i]) === id) out[i] = 1;
  return out;
}

/** Object voxels on each axial slice. */
export function sliceAreas(mask: ArrayLike<number>, dims: Dims3): number[] {
  const plane = dims[0] * dims[1];
  const areas = new Array<number>(dims[2]).fill(0);
  for (let i = 0; i < mask.length; i++) if (mask[i]) areas[Math.floor(i / plane)]++;
  return areas;
}

/** First and last axial slice holding the object, or null for an empty mask. */
export function axialExtent(mask: ArrayLike<number>, dims: Dims3): { first: number; last: number } | null {
  const areas = sliceAreas(mask, dims);
  const first = areas.findIndex((a) => a > 0);
  if (first < 0) return null;
  let last = areas.length - 1;
  while (areas[last] === 0) last--;
  return { first, last };
}

export function axialSlice(mask: ArrayLike<number>, dims: Dims3, z: number): Uint8Array {
  const plane = dims[0] * dims[1];
  const out = new Uint8Array(plane);
  for (let i = 0; i < plane; i++) out[i] = mask[z * plane + i] ? 1 : 0;
  return out;
}

export interface VoxelBox {
  /** Inclusive lower and exclusive upper voxel corners. */
  readonly lo: Dims3;
  readonly hi: Dims3;
}

/** The object's bounding box grown by `margin` voxels on every side, clipped to the volume. */
export function boxAround(mask: ArrayLike<number>, dims: Dims3, margin: number): VoxelBox | null {
  const lo = [dims[0], dims[1], dims[2]];
  const hi = [-1, -1, -1];
  for (let z = 0, i = 0; z < dims[2]; z++)
    for (let y = 0; y < dims[1]; y++)
      for (let x = 0; x < dims[0]; x++, i++) {
        if (!mask[i]) continue;
        const c = [x, y, z];
        for (let a = 0; a < 3; a++) {
          if (c[a] < lo[a]) lo[a] = c[a];
          if (c[a] > hi[a]) hi[a] = c[a];
        }
      }
  if (hi[0] < 0) return null;
  return {
    lo: [0, 1, 2].map((a) => Math.max(0, lo[a] - margin)) as unknown as Dims3,
    hi: [0, 1, 2].map((a) => Math.min(dims[a], hi[a] + 1 + margin)) as unknown as Dims3,
  };
}

export function boxDims(box: VoxelBox): Dims3 {
  return [box.hi[0] - box.lo[0], box.hi[1] - box.lo[1], box.hi[2] - box.lo[2]];
}

/** Copies `box` out of an array on the `dims` grid. */
export function cropArray<T extends Float32Array | Uint8Array>(src: T, dims: Dims3, box: VoxelBox): T {
  const [nx, ny, nz] = boxDims(box);
  const out = new (src.constructor as { new (n: number): T })(nx * ny * nz);
  let o = 0;
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++) {
      const start = box.lo[0] + dims[0] * (box.lo[1] + y + dims[1] * (box.lo[2] + z));
      out.set(src.subarray(start, start + nx), o);
      o += nx;
    }
  return out;
}

/** The volume inside `box`, with the affine moved to the box's first voxel. */
export function cropVolume(volume: Volume, box: VoxelBox): Volume {
  const dims = boxDims(box);
  let affine = volume.affine;
  if (affine) {
    const a = [...affine];
    for (let r = 0; r < 3; r++)
      a[4 * r + 3] =
        affine[4 * r + 3] +
        affine[4 * r] * box.lo[0] +
        affine[4 * r + 1] * box.lo[1] +
        affine[4 * r + 2] * box.lo[2];
    affine = a;
  }
  return { ...volume, data: cropArray(volume.data, volume.dims, box), dims, affine };
}

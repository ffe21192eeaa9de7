import type { SliceImage, Volume } from '../../extension/src/engine/types';

/** A bright ellipsoid (or several) on a dark background: the test model segments "bright and supported". */
export interface Blob {
  readonly center: readonly [number, number, number];
  /** Radii in voxels along x, y, z. */
  readonly radii: readonly [number, number, number];
}

export function blobVolume(
  dims: readonly [number, number, number],
  blobs: readonly Blob[],
  modality: Volume['modality'] = 'MR',
): {
  volume: Volume;
  truth: Uint8Array[];
} {
  const [nx, ny, nz] = dims;
  const data = new Float32Array(nx * ny * nz).fill(100);
  const truth = blobs.map(() => new Uint8Array(nx * ny * nz));
  for (let z = 0; z < nz; z++)
    for (let y = 0; y < ny; y++)
      for (let x = 0; x < nx; x++) {
        const i = x + nx * (y + ny * z);
        blobs.forEach((b, j) => {
          const r =
            ((x - b.center[0]) / b.radii[0]) ** 2 +
            ((y - b.center[1]) / b.radii[1]) ** 2 +
            ((z - b.center[2]) / b.radii[2]) ** 2;
          if (r <= 1) {
            data[i] = 1000;
            truth[j][i] = 1;
          }
        });
      }
  return { volume: { data, dims: [nx, ny, nz], spacing: [1, 1, 2], modality }, truth };
}

export function dice(a: Uint8Array, b: Uint8Array): number {
  let inter = 0;
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i]) sa++;
    if (b[i]) sb++;
    if (a[i] && b[i]) inter++;
  }
  return sa + sb === 0 ? 1 : (2 * inter) / (sa + sb);
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** A bright disk centred in an image of the given size, radius as a fraction of the smaller side. */
export function disk(
  width: number,
  height: number,
  fraction: number,
): { image: SliceImage; truth: Uint8Array } {
  const data = new Float32Array(width * height).fill(50);
  const truth = new Uint8Array(width * height);
  const r = fraction * Math.min(width, height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if ((x + 0.5 - width / 2) ** 2 + (y + 0.5 - height / 2) ** 2 <= r * r) {
        data[x + y * width] = 900;
        truth[x + y * width] = 1;
      }
  return { image: { data, width, height }, truth };
}

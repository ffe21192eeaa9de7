/**
 * A volume as six slice sequences (paper §3.3): axial, coronal, sagittal and each reversed.
 *
 * The names are **array-axis based**: 'axial' slices along the third array axis (z), 'coronal' along
 * the second (y), 'sagittal' along the first (x). For standard acquisitions (NIfTI/DICOM with the
 * slice axis last, rows ≈ anterior–posterior) they match anatomy; an oblique or reformatted
 * series keeps the array meaning.
 *
 * In-plane axes are the two remaining array axes in array order, the first one as columns (width),
 * the second as rows (height), with no display flip:
 *   axial    (fixed z): width = X, height = Y, pixel (u, v) = voxel (u, v, z)
 *   coronal  (fixed y): width = X, height = Z, pixel (u, v) = voxel (u, y, v)
 *   sagittal (fixed x): width = Y, height = Z, pixel (u, v) = voxel (x, u, v)
 * A reversed sequence visits the same slices from the last to the first: position k holds volume
 * slice n − 1 − k. A viewer showing coronal/sagittal with superior at the top must flip rows itself.
 */
import { InputError } from '../errors';
import type { SliceImage, Volume } from '../types';

export type OrientationName =
  'axial' | 'axial-reversed' | 'coronal' | 'coronal-reversed' | 'sagittal' | 'sagittal-reversed';

export const ORIENTATIONS: readonly OrientationName[] = [
  'axial',
  'axial-reversed',
  'coronal',
  'coronal-reversed',
  'sagittal',
  'sagittal-reversed',
];

export type ArrayAxis = 0 | 1 | 2;

/** The array axis a sequence of this orientation walks along. */
export function orientationAxis(o: OrientationName): ArrayAxis {
  if (o.startsWith('axial')) return 2;
  if (o.startsWith('coronal')) return 1;
  return 0;
}

export function isReversed(o: OrientationName): boolean {
  return o.endsWith('-reversed');
}

export interface OrientedSequence {
  readonly orientation: OrientationName;
  /** The array axis the sequence walks along. */
  readonly axis: ArrayAxis;
  /** Dims of the source volume (X, Y, Z). */
  readonly volumeDims: readonly [number, number, number];
  readonly length: number;
  readonly width: number;
  readonly height: number;
  /** The slice at sequence position k (reversed sequences run backwards), as a fresh copy. */
  slice(k: number): SliceImage;
  /** Linear index in the source volume's data of pixel (x, y) of the slice at position k. */
  toVolumeIndex(k: number, x: number, y: number): number;
  /** Voxel (i, j, l) of pixel (x, y) at position k. */
  toVoxel(k: number, x: number, y: number): [number, number, number];
  /** Position and pixel of voxel (i, j, l) in this sequence. */
  fromVoxel(i: number, j: number, l: number): { k: number; x: number; y: number };
  /** Sequence position of the volume slice with the given fixed index along `axis`. */
  sliceIndexOf(volumeSlice: { axis: ArrayAxis; index: number }): number;
}

export function orientedSequence(volume: Volume, o: OrientationName): OrientedSequence {
  const dims = checkVolume(volume);
  if (!ORIENTATIONS.includes(o)) {
    throw new InputError(
      'invalid-options',
      `unknown orientation '${String(o)}' (one of ${ORIENTATIONS.join(', ')})`,
    );
  }
  const axis = orientationAxis(o);
  const reversed = isReversed(o);
  const [uAxis, vAxis] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
  const strides = [1, dims[0], dims[0] * dims[1]];
  const length = dims[axis];
  const width = dims[uAxis];
  const height = dims[vAxis];
  const su = strides[uAxis];
  const sv = strides[vAxis];
  const sk = strides[axis];
  const fixedIndex = (k: number) => (reversed ? length - 1 - k : k);
  const where = `${o} sequence of a ${dims.join('×')} volume`;
  const checkK = (k: number) => {
    if (!Number.isInteger(k) || k < 0 || k >= length) {
      throw new InputError('invalid-options', `${where}: slice position ${k} is outside 0..${length - 1}`);
    }
  };
  const checkXY = (x: number, y: number) => {
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= width || y >= height) {
      throw new InputError(
        'invalid-options',
        `${where}: pixel (${x}, ${y}) is outside the ${width}×${height} slice`,
      );
    }
  };

  return {
    orientation: o,
    axis,
    volumeDims: dims,
    length,
    width,
    height,
    slice(k) {
      checkK(k);
      const data = new Float32Array(width * height);
      const base = fixedIndex(k) * sk;
      if (axis === 2) {
        data.set(volume.data.subarray(base, base + width * height));
      } else {
        for (let y = 0; y < height; y++) {
          const row = base + y * sv;
          for (let x = 0; x < width; x++) data[y * width + x] = volume.data[row + x * su];
        }
      }
      return { data, width, height };
    },
    toVolumeIndex(k, x, y) {
      checkK(k);
      checkXY(x, y);
      return fixedIndex(k) * sk + x * su + y * sv;
    },
    toVoxel(k, x, y) {
      checkK(k);
      checkXY(x, y);
      const v: [number, number, number] = [0, 0, 0];
      v[axis] = fixedIndex(k);
      v[uAxis] = x;
      v[vAxis] = y;
      return v;
    },
    fromVoxel(i, j, l) {
      const v = [i, j, l];
      v.forEach((c, a) => {
        if (!Number.isInteger(c) || c < 0 || c >= dims[a]) {
          throw new InputError('invalid-options', `${where}: voxel (${i}, ${j}, ${l}) is outside the volume`);
        }
      });
      return { k: fixedIndex(v[axis]), x: v[uAxis], y: v[vAxis] };
    },
    sliceIndexOf({ axis: a, index }) {
      if (a !== axis) {
        throw new InputError('invalid-options', `${where}: it walks array axis ${axis}, not axis ${a}`);
      }
      if (!Number.isInteger(index) || index < 0 || index >= length) {
        throw new InputError('invalid-options', `${where}: slice index ${index} is outside 0..${length - 1}`);
      }
      return fixedIndex(index);
    },
  };
}

/** Writes one slice's values (width·height, row-major) back into a volume-shaped buffer. */
export function writeSliceToVolume(
  seq: OrientedSequence,
  k: number,
  values: Float32Array,
  target: Float32Array,
): void {
  const { width, height } = seq;
  if (values.length !== width * height) {
    throw new InputError(
      'invalid-options',
      `${seq.orientation} slice ${k}: ${values.length} values, the ${width}×${height} slice needs ${width * height}`,
    );
  }
  const [nx, ny, nz] = seq.volumeDims;
  if (target.length !== nx * ny * nz) {
    throw new InputError(
      'invalid-options',
      `${seq.orientation} slice ${k}: target buffer has ${target.length} values, the ${nx}×${ny}×${nz} volume needs ${nx * ny * nz}`,
    );
  }
  const origin = seq.toVolumeIndex(k, 0, 0);
  const su = width > 1 ? seq.toVolumeIndex(k, 1, 0) - origin : 0;
  const sv = height > 1 ? seq.toVolumeIndex(k, 0, 1) - origin : 0;
  for (let y = 0; y < height; y++) {
    const row = origin + y * sv;
    for (let x = 0; x < width; x++) target[row + x * su] = values[y * width + x];
  }
}

function checkVolume(volume: Volume): [number, number, number] {
  const [x, y, z] = volume.dims;
  if (![x, y, z].every((d) => Number.isInteger(d) && d > 0)) {
    throw new InputError(
      'invalid-volume',
      `volume dims ${volume.dims.join('×')} are not three positive integers`,
    );
  }
  if (volume.data.length !== x * y * z) {
    throw new InputError(
      'invalid-volume',
      `volume has ${volume.data.length} voxels, dims ${x}×${y}×${z} need ${x * y * z}`,
    );
  }
  return [x, y, z];
}

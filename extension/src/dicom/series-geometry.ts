/**
 * Where the slices of a voxel grid lie as DICOM images: a NIfTI voxel→world matrix (RAS+, mm) →
 * ImageOrientationPatient, PixelSpacing and one ImagePositionPatient per slice, in DICOM's LPS.
 *
 * Axis order: voxel (i, j, k) of the grid is column i, row j of the image of grid slice k, so a
 * slice's pixels are the grid's x-fastest plane unchanged. DICOM readers sort slices along
 * row × column (the normal); when the grid's third axis points against it (a left-handed
 * voxel→world matrix, NIfTI qfac −1), the series read back holds the grid slices in reverse order
 * (`reversed`), in-plane order unchanged.
 */
import { InputError } from '../engine/errors';
import {
  type Orientation,
  type Vec3,
  add,
  dot,
  norm,
  sameOrientation,
  scale,
  sliceNormal,
  sub,
} from './geometry';
import { decimalString } from './values';
import type { DicomVolume } from './volume';

export interface SeriesGeometry {
  readonly orientation: Orientation;
  /** (row spacing, column spacing) as in PixelSpacing. */
  readonly pixelSpacing: readonly [number, number];
  /** ImagePositionPatient of each grid slice k (LPS, as the DS strings written hold them). */
  readonly positions: readonly Vec3[];
  /** Unit row × column. */
  readonly normal: Vec3;
  /** Distance between neighbouring slices along the normal (SliceThickness). */
  readonly sliceSpacing: number;
  /** True when reading the series back orders the grid's slices k = n−1 … 0. */
  readonly reversed: boolean;
}

/** A value as it reads back from the DS string written for it. */
export const asWritten = (v: number): number => Number(decimalString(v));

/** NIfTI RAS+ voxel→world (4×4 row-major) → DICOM LPS: negate the x and y rows. */
const rasToLps = (affine: readonly number[]): number[] => affine.map((v, i) => (i < 8 ? -v : v));

export function seriesGeometry(
  affineRas: readonly number[],
  dims: readonly [number, number, number],
  name: string,
): SeriesGeometry {
  const m = rasToLps(affineRas);
  const column = (j: number): Vec3 => [m[j], m[4 + j], m[8 + j]];
  const fail = (why: string) => new InputError('invalid-volume', `${name}: ${why}`);
  if (m.some((v) => !Number.isFinite(v))) throw fail('the voxel→world matrix has non-finite entries');
  const [ax, ay, step] = [column(0), column(1), column(2)];
  const [dc, dr] = [norm(ax), norm(ay)];
  if (!(dc > 0 && dr > 0 && norm(step) > 0))
    throw fail('a voxel axis of the voxel→world matrix has zero length');
  const rowDir = scale(ax, 1 / dc);
  const colDir = scale(ay, 1 / dr);
  if (Math.abs(dot(rowDir, colDir)) > 1e-4)
    throw fail(
      `voxel axes x and y are not orthogonal (cos ${dot(rowDir, colDir).toFixed(5)}); DICOM image rows and ` +
        `columns must be (resample the volume first)`,
    );
  const orientation = [...rowDir, ...colDir].map(asWritten) as unknown as Orientation;
  const normal = sliceNormal(orientation);
  const along = dot(step, normal);
  if (Math.abs(along) < 1e-6 * norm(step))
    throw fail('the third voxel axis lies in the image plane: slices would share one position');
  const origin: Vec3 = [m[3], m[7], m[11]];
  const positions = Array.from({ length: dims[2] }, (_, k) =>
    add(origin, scale(step, k)).map(asWritten),
  ) as unknown as Vec3[];
  return {
    orientation,
    pixelSpacing: [asWritten(dr), asWritten(dc)],
    positions,
    normal,
    sliceSpacing: asWritten(Math.abs(along)),
    reversed: along < 0,
  };
}

/** The grid slice index of series slice s (the order a reader sorts the slices in). */
export const gridSlice = (g: SeriesGeometry, s: number): number =>
  g.reversed ? g.positions.length - 1 - s : s;

/**
 * A grid-ordered x-fastest array in series order (slices reversed when the geometry says so),
 * e.g. a label volume for a SEG on the converted series. The mapping is its own inverse.
 */
export function toSeriesOrder<T extends Float32Array | Uint8Array>(
  data: T,
  dims: readonly [number, number, number],
  g: SeriesGeometry,
): T {
  if (!g.reversed) return data;
  const plane = dims[0] * dims[1];
  const out = new (data.constructor as new (n: number) => T)(data.length);
  for (let s = 0; s < dims[2]; s++)
    out.set(data.subarray(gridSlice(g, s) * plane, (gridSlice(g, s) + 1) * plane), s * plane);
  return out;
}

/**
 * The geometry of a NIfTI grid checked against a DICOM volume's: the same dims, orientation,
 * pixel spacing and first/last slice positions (within a tenth of a voxel). Use `toSeriesOrder`
 * with it to bring the grid's arrays into the volume's slice order.
 */
export function geometryOnVolume(
  affineRas: readonly number[],
  dims: readonly [number, number, number],
  volume: DicomVolume,
  name: string,
): SeriesGeometry {
  const g = seriesGeometry(affineRas, dims, name);
  const tolerance = 0.1 * Math.min(...volume.spacing);
  const near = (a: Vec3, b: Vec3) => norm(sub(a, b)) <= tolerance;
  const ends = [0, dims[2] - 1].map((s) => g.positions[gridSlice(g, s)]);
  const problem = dims.some((d, i) => d !== volume.dims[i])
    ? `it is ${dims.join('×')}, the series ${volume.dims.join('×')}`
    : !sameOrientation(g.orientation, volume.imageOrientationPatient)
      ? `its orientation ${g.orientation.join('\\')} differs from the series' ${volume.imageOrientationPatient.join('\\')}`
      : g.pixelSpacing.some((v, i) => Math.abs(v - volume.pixelSpacing[i]) > 1e-3 * volume.pixelSpacing[i])
        ? `its pixel spacing ${g.pixelSpacing.join('\\')} differs from the series' ${volume.pixelSpacing.join('\\')}`
        : !near(ends[0], volume.slices[0].imagePositionPatient) ||
            !near(ends[1], volume.slices[volume.slices.length - 1].imagePositionPatient)
          ? `its first/last slices lie at ${ends.map((p) => p.join('\\')).join(' / ')}, the series' elsewhere`
          : undefined;
  if (problem)
    throw new InputError(
      'invalid-volume',
      `${name} is not on the grid of series ${volume.seriesInstanceUID}: ${problem}`,
    );
  return g;
}

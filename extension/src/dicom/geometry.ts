/**
 * Patient-space (LPS, mm) vector helpers and the slice geometry rules of a series: the slice normal
 * is rowDirection × columnDirection of ImageOrientationPatient, and slices are ordered by the
 * projection of ImagePositionPatient on that normal (never by InstanceNumber or SliceLocation).
 */

export type Vec3 = readonly [number, number, number];
/** ImageOrientationPatient: row direction cosines then column direction cosines. */
export type Orientation = readonly [number, number, number, number, number, number];

export const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add = (a: Vec3, b: Vec3): Vec3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale = (a: Vec3, s: number): Vec3 => [a[0] * s, a[1] * s, a[2] * s];
export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const norm = (a: Vec3): number => Math.sqrt(dot(a, a));
export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

export const rowDirection = (o: Orientation): Vec3 => [o[0], o[1], o[2]];
export const columnDirection = (o: Orientation): Vec3 => [o[3], o[4], o[5]];

/** Unit normal of the image plane (row × column); slices are sorted ascending along it. */
export function sliceNormal(o: Orientation): Vec3 {
  const n = cross(rowDirection(o), columnDirection(o));
  const len = norm(n);
  return len > 0 ? scale(n, 1 / len) : n;
}

/** Direction cosines must be unit length and orthogonal (within the precision DS strings keep). */
export function orientationProblem(o: Orientation): string | undefined {
  const r = rowDirection(o);
  const c = columnDirection(o);
  if (Math.abs(norm(r) - 1) > 1e-3 || Math.abs(norm(c) - 1) > 1e-3) {
    return 'direction cosines are not unit vectors';
  }
  if (Math.abs(dot(r, c)) > 1e-3) return 'row and column directions are not orthogonal';
  return undefined;
}

/** Same plane orientation within `tolerance` per direction cosine. */
export const sameOrientation = (a: Orientation, b: Orientation, tolerance = 1e-3): boolean =>
  a.every((v, i) => Math.abs(v - b[i]) <= tolerance);

/**
 * 4×4 row-major voxel → patient (LPS) matrix for voxel (column, row, slice):
 * P = origin + column·Δc·rowDir + row·Δr·colDir + slice·sliceStep.
 */
export function voxelToPatient(
  origin: Vec3,
  orientation: Orientation,
  pixelSpacing: readonly [number, number],
  sliceStep: Vec3,
): number[] {
  const [dr, dc] = pixelSpacing; // PixelSpacing is (row spacing, column spacing)
  const r = rowDirection(orientation);
  const c = columnDirection(orientation);
  // prettier-ignore
  return [
    r[0] * dc, c[0] * dr, sliceStep[0], origin[0],
    r[1] * dc, c[1] * dr, sliceStep[1], origin[1],
    r[2] * dc, c[2] * dr, sliceStep[2], origin[2],
    0, 0, 0, 1,
  ];
}

/**
 * NIfTI voxel→world matrices (4×4, row-major). The three methods of nifti1.h, in the order a reader
 * should prefer them: sform (srow_x/y/z), qform (quaternion + qoffset + pixdim with qfac), and
 * the ANALYZE fallback diag(pixdim). World space is NIfTI's RAS+ (DICOM's LPS with x and y negated).
 */

export type Mat4 = number[];

export function affineFromSform(
  srowX: readonly number[],
  srowY: readonly number[],
  srowZ: readonly number[],
): Mat4 {
  return [...srowX.slice(0, 4), ...srowY.slice(0, 4), ...srowZ.slice(0, 4), 0, 0, 0, 1];
}

/** nifti1.h method 2: R(b, c, d) · diag(dx, dy, qfac·dz) + qoffset. */
export function affineFromQform(
  quatern: readonly number[],
  qoffset: readonly number[],
  pixdim: readonly number[],
): Mat4 {
  let [b, c, d] = quatern;
  let a = 1 - (b * b + c * c + d * d);
  if (a < 1e-7) {
    // (b, c, d) is (numerically) a unit vector: a 180° rotation; renormalise it.
    const n = 1 / Math.sqrt(b * b + c * c + d * d);
    b *= n;
    c *= n;
    d *= n;
    a = 0;
  } else {
    a = Math.sqrt(a);
  }
  const positive = (v: number) => (v > 0 && Number.isFinite(v) ? v : 1);
  const dx = positive(pixdim[1]);
  const dy = positive(pixdim[2]);
  const dz = positive(pixdim[3]) * (pixdim[0] < 0 ? -1 : 1);
  const r = [
    [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
    [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
    [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
  ];
  // prettier-ignore
  return [
    r[0][0] * dx, r[0][1] * dy, r[0][2] * dz, qoffset[0],
    r[1][0] * dx, r[1][1] * dy, r[1][2] * dz, qoffset[1],
    r[2][0] * dx, r[2][1] * dy, r[2][2] * dz, qoffset[2],
    0, 0, 0, 1,
  ];
}

/** nifti1.h method 1 (ANALYZE 7.5): scaling only, origin at voxel 0. */
export function affineFromPixdim(pixdim: readonly number[]): Mat4 {
  const s = (v: number) => (v > 0 && Number.isFinite(v) ? v : 1);
  return [s(pixdim[1]), 0, 0, 0, 0, s(pixdim[2]), 0, 0, 0, 0, s(pixdim[3]), 0, 0, 0, 0, 1];
}

export interface Qform {
  quatern: [number, number, number];
  qoffset: [number, number, number];
  /** Column lengths (voxel sizes). */
  spacing: [number, number, number];
  /** pixdim[0]: −1 when the matrix is a reflection (left-handed), else 1. */
  qfac: 1 | -1;
}

/**
 * The qform that represents `affine`'s rotation, voxel sizes and offset. Assumes the 3×3 part is a
 * rotation times a diagonal scaling (no shear); only the sform can carry shear.
 */
export function qformFromAffine(affine: readonly number[]): Qform {
  const col = (j: number) => [affine[j], affine[4 + j], affine[8 + j]];
  const cols = [col(0), col(1), col(2)];
  const spacing = cols.map((c) => Math.hypot(c[0], c[1], c[2]) || 1) as [number, number, number];
  const u = cols.map((c, j) => c.map((v) => v / spacing[j]));
  const det =
    u[0][0] * (u[1][1] * u[2][2] - u[1][2] * u[2][1]) -
    u[1][0] * (u[0][1] * u[2][2] - u[0][2] * u[2][1]) +
    u[2][0] * (u[0][1] * u[1][2] - u[0][2] * u[1][1]);
  const qfac: 1 | -1 = det < 0 ? -1 : 1;
  if (qfac < 0) u[2] = u[2].map((v) => -v);
  // r[i][j] = row i, column j of the rotation.
  const r = (i: number, j: number) => u[j][i];
  let a = r(0, 0) + r(1, 1) + r(2, 2) + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (r(2, 1) - r(1, 2))) / a;
    c = (0.25 * (r(0, 2) - r(2, 0))) / a;
    d = (0.25 * (r(1, 0) - r(0, 1))) / a;
  } else {
    const xd = 1 + r(0, 0) - (r(1, 1) + r(2, 2));
    const yd = 1 + r(1, 1) - (r(0, 0) + r(2, 2));
    const zd = 1 + r(2, 2) - (r(0, 0) + r(1, 1));
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (r(0, 1) + r(1, 0))) / b;
      d = (0.25 * (r(0, 2) + r(2, 0))) / b;
      a = (0.25 * (r(2, 1) - r(1, 2))) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (r(0, 1) + r(1, 0))) / c;
      d = (0.25 * (r(1, 2) + r(2, 1))) / c;
      a = (0.25 * (r(0, 2) - r(2, 0))) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (r(0, 2) + r(2, 0))) / d;
      c = (0.25 * (r(1, 2) + r(2, 1))) / d;
      a = (0.25 * (r(1, 0) - r(0, 1))) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { quatern: [b, c, d], qoffset: [affine[3], affine[7], affine[11]], spacing, qfac };
}

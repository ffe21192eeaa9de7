/**
 * Patient/world coordinates (mm, LPS — what cornerstone's tool events carry) → continuous voxel
 * coordinates (column, row, slice) of a volume, by inverting its voxel → patient affine.
 * Voxel centres are at integers, as the engine's prompts expect.
 */
export type WorldToVoxel = (world: readonly [number, number, number]) => [number, number, number];

export function worldToVoxel(affine: readonly number[]): WorldToVoxel {
  if (affine.length !== 16) throw new Error(`affine must have 16 values, got ${affine.length}`);
  const [a, b, c, tx, d, e, f, ty, g, h, i, tz] = affine;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error('the volume affine is singular');
  // Inverse of the 3×3 part (adjugate / determinant).
  const inv = [
    (e * i - f * h) / det,
    (c * h - b * i) / det,
    (b * f - c * e) / det,
    (f * g - d * i) / det,
    (a * i - c * g) / det,
    (c * d - a * f) / det,
    (d * h - e * g) / det,
    (b * g - a * h) / det,
    (a * e - b * d) / det,
  ];
  return ([x, y, z]) => {
    const px = x - tx;
    const py = y - ty;
    const pz = z - tz;
    return [
      inv[0] * px + inv[1] * py + inv[2] * pz,
      inv[3] * px + inv[4] * py + inv[5] * pz,
      inv[6] * px + inv[7] * py + inv[8] * pz,
    ];
  };
}

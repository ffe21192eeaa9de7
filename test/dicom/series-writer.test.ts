/**
 * NIfTI-style volume → DICOM series (series-writer.ts) and label volume → SEG (label-seg.ts):
 * values and geometry survive a read-back through the DICOM layer, the files pass dciodvfy, and
 * the reference labels come back from the SEG by their ids. Real data: Debian's Colin27 + AAL.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DicomError,
  type DicomVolume,
  geometryOnVolume,
  labelSegmentLabel,
  labelsFromSeg,
  parseLabelSegmentLabel,
  readSeg,
  toSeriesOrder,
  volumeFromPart10,
  writeLabelSeg,
  writeSeg,
  writeSeries,
} from '../../extension/src/dicom';
import { InputError } from '../../extension/src/engine/errors';
import type { Volume } from '../../extension/src/engine/types';
import { AAL, CH2, readMricron } from '../eval/helpers';
import { dciodvfy } from '../support/validators';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'series-writer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const save = (name: string, bytes: ArrayBuffer): string => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Buffer.from(bytes));
  return file;
};

/** Voxel (i, j, k) → world of a 4×4 row-major matrix. */
const apply = (m: readonly number[], i: number, j: number, k: number) =>
  [0, 1, 2].map((r) => m[4 * r] * i + m[4 * r + 1] * j + m[4 * r + 2] * k + m[4 * r + 3]);
/** DICOM LPS ↔ NIfTI RAS. */
const flip = (p: number[]) => [-p[0], -p[1], p[2]];

function synthetic(affine: number[], value: (i: number) => number, dims = [5, 4, 3] as const): Volume {
  const n = dims[0] * dims[1] * dims[2];
  return {
    data: Float32Array.from({ length: n }, (_, i) => value(i)),
    dims,
    spacing: [1, 1, 1],
    affine,
    modality: 'OTHER',
  };
}

// 30° about z, voxels 0.8 × 0.9 × 2.5 mm, origin off zero.
const c = Math.cos(Math.PI / 6);
const s = Math.sin(Math.PI / 6);
// prettier-ignore
const OBLIQUE = [
  0.8 * c, -0.9 * s, 0, -20.5,
  0.8 * s, 0.9 * c, 0, 13.25,
  0, 0, 2.5, 40,
  0, 0, 0, 1,
];
// prettier-ignore
const LEFT_HANDED = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -2, 10, 0, 0, 0, 1];

/** Index of the first element where two arrays differ, −1 when equal (jest's toEqual is slow on 7 M voxels). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function readBack(files: readonly { name: string; bytes: ArrayBuffer }[]): DicomVolume {
  return volumeFromPart10(files);
}

function expectSameGeometry(back: DicomVolume, written: DicomVolume) {
  expect(back.dims).toEqual(written.dims);
  back.spacing.forEach((v, i) => expect(v).toBeCloseTo(written.spacing[i], 9));
  back.affine.forEach((v, i) => expect(v).toBeCloseTo(written.affine[i], 9));
  expect(back.imageOrientationPatient).toEqual(written.imageOrientationPatient);
  expect(back.slices).toEqual(written.slices);
  expect([back.seriesInstanceUID, back.studyInstanceUID, back.frameOfReferenceUID]).toEqual([
    written.seriesInstanceUID,
    written.studyInstanceUID,
    written.frameOfReferenceUID,
  ]);
}

describe('writeSeries on small volumes', () => {
  it('keeps integer values exactly (slope 1, intercept 0) and maps every voxel to the NIfTI world point', () => {
    const volume = synthetic(OBLIQUE, (i) => ((i * 37) % 2000) - 1000);
    const written = writeSeries(volume, { name: 'oblique.nii' });
    expect(written.rescale).toMatchObject({ slope: 1, intercept: 0, maxError: 0 });
    expect(written.geometry.reversed).toBe(false);
    const back = readBack(written.files);
    expect(Array.from(back.data)).toEqual(Array.from(volume.data));
    expectSameGeometry(back, written.volume);
    for (const [i, j, k] of [
      [0, 0, 0],
      [4, 3, 2],
      [2, 1, 1],
    ]) {
      const world = apply(volume.affine!, i, j, k);
      flip(apply(back.affine, i, j, k)).forEach((v, a) => expect(v).toBeCloseTo(world[a], 9));
    }
    expect(back.spacing.map((v) => +v.toFixed(9))).toEqual([0.8, 0.9, 2.5]);
  });

  it('shifts integer ranges outside int16 with the intercept, still exactly', () => {
    const volume = synthetic(OBLIQUE, (i) => 60000 - i * 1000);
    const written = writeSeries(volume, { name: 'uint16.nii' });
    expect(written.rescale.slope).toBe(1);
    expect(written.rescale.intercept).not.toBe(0);
    expect(Array.from(readBack(written.files).data)).toEqual(Array.from(volume.data));
  });

  it('keeps real values within the rescale step (maxError ≤ slope / 2)', () => {
    const volume = synthetic(OBLIQUE, (i) => Math.sin(i) * 3.7 + 0.25);
    const written = writeSeries(volume, { name: 'float.nii' });
    const { slope, maxError } = written.rescale;
    expect(maxError).toBeLessThanOrEqual(slope / 2 + 1e-12);
    const back = readBack(written.files);
    let worst = 0;
    for (let i = 0; i < volume.data.length; i++)
      worst = Math.max(worst, Math.abs(back.data[i] - volume.data[i]));
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(maxError + 1e-6);
  });

  it('reads a left-handed grid back with its slices reversed (in-plane order unchanged), as documented', () => {
    const volume = synthetic(LEFT_HANDED, (i) => i);
    const written = writeSeries(volume, { name: 'left.nii' });
    expect(written.geometry.reversed).toBe(true);
    const back = readBack(written.files);
    expect(Array.from(back.data)).toEqual(
      Array.from(toSeriesOrder(volume.data, volume.dims, written.geometry)),
    );
    expect(back.data[0]).toBe(volume.data[2 * 20]); // series slice 0 = grid slice 2
    expectSameGeometry(back, written.volume);
    // Series slice s is grid slice 2 − s, at the same world point.
    flip(apply(back.affine, 3, 1, 0)).forEach((v, a) =>
      expect(v).toBeCloseTo(apply(LEFT_HANDED, 3, 1, 2)[a], 9),
    );
  });

  it('refuses NaN and Infinity, naming the file and the voxel', () => {
    const bad = synthetic(OBLIQUE, (i) => (i === 7 ? NaN : i));
    expect(() => writeSeries(bad, { name: 'nan.nii.gz' })).toThrow(InputError);
    expect(() => writeSeries(bad, { name: 'nan.nii.gz' })).toThrow(/nan\.nii\.gz: voxel 7 is NaN/);
    expect(() =>
      writeSeries(
        synthetic(OBLIQUE, (i) => (i ? i : -Infinity)),
        { name: 'inf.nii' },
      ),
    ).toThrow(/inf\.nii: voxel 0 is -Infinity/);
  });

  it('refuses a sheared grid (rows and columns not orthogonal)', () => {
    const sheared = [1, 0.5, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
    expect(() =>
      writeSeries(
        synthetic(sheared, (i) => i),
        { name: 'shear.nii' },
      ),
    ).toThrow(/shear\.nii: voxel axes x and y are not orthogonal/);
  });
});

describe('Colin27 + AAL → DICOM series + SEG', () => {
  const ch2 = readMricron(CH2);
  const aal = readMricron(AAL);
  const written = writeSeries(ch2, { name: CH2, seriesDescription: 'Colin27' });
  const back = readBack(written.files);
  const names = new Map([
    [77, 'Thalamus_L'],
    [73, 'Putamen_L'],
  ]);
  const seg = writeLabelSeg(written.volume, aal.data, [77, 73], {
    name: AAL,
    labelNames: names,
    softwareVersions: 'test',
  });

  it('reads back voxel for voxel (uint8 values: no rescale error) on the same grid as the NIfTI', () => {
    expect(written.files).toHaveLength(181);
    expect(written.geometry.reversed).toBe(false);
    expect(firstDifference(back.data, ch2.data)).toBe(-1);
    expect(back.dims).toEqual(ch2.dims);
    expect(back.spacing).toEqual(ch2.spacing);
    // The DICOM affine is the NIfTI one in LPS.
    expect(back.affine.map((v, i) => (i < 8 ? -v : v) + 0)).toEqual(ch2.affine!.map((v) => v + 0));
    expectSameGeometry(back, written.volume);
    expect(back.dicomModality).toBe('MR');
  });

  it.each([
    ['first', 0],
    ['middle', 90],
    ['last', 180],
  ])('passes dciodvfy without errors: %s MR instance', (_, k) => {
    const report = dciodvfy(save(`mr-${k}.dcm`, written.files[k].bytes));
    expect(report.output).toContain('MRImage');
    expect(report.errors).toEqual([]);
  });

  it('passes dciodvfy without errors as CT Image Storage', () => {
    const plane = ch2.dims[0] * ch2.dims[1];
    const slab: Volume = { ...ch2, data: ch2.data.subarray(90 * plane, 93 * plane), dims: [181, 217, 3] };
    const ct = writeSeries(slab, { name: CH2, modality: 'CT' });
    const report = dciodvfy(save('ct-90.dcm', ct.files[1].bytes));
    expect(report.output).toContain('CTImage');
    expect(report.errors).toEqual([]);
    expect(readBack(ct.files).dicomModality).toBe('CT');
  });

  it('writes a labels SEG that passes dciodvfy without errors, segments named by label id', () => {
    const report = dciodvfy(save('aal-seg.dcm', seg));
    expect(report.output).toContain('Segmentation');
    expect(report.errors).toEqual([]);
    const onto = readSeg(seg, back, 'aal-seg.dcm');
    expect(onto.segments.map((x) => [x.number, x.label, x.algorithmType])).toEqual([
      [1, 'label 77 Thalamus_L', 'MANUAL'],
      [2, 'label 73 Putamen_L', 'MANUAL'],
    ]);
  });

  it('gives the AAL labels back from the SEG read onto the read-back series', () => {
    const { labels, names: got } = labelsFromSeg(readSeg(seg, back, 'aal-seg.dcm'), [73, 77], 'aal-seg.dcm');
    const expected = aal.data.map((v) => (v === 77 || v === 73 ? v : 0));
    expect(firstDifference(labels, expected)).toBe(-1);
    expect(got).toEqual(new Map([...names].reverse()));
  });

  it('refuses a label id the SEG does not hold, naming the SEG and the id', () => {
    const onto = readSeg(seg, back, 'aal-seg.dcm');
    expect(() => labelsFromSeg(onto, [77, 1], 'aal-seg.dcm')).toThrow(InputError);
    expect(() => labelsFromSeg(onto, [77, 1], 'aal-seg.dcm')).toThrow(
      /aal-seg\.dcm: no segment for label id 1 \(matched by the id in SegmentLabel/,
    );
  });

  it('refuses to read the SEG onto a series with another grid', () => {
    const other = writeSeries(
      synthetic(OBLIQUE, (i) => i),
      { name: 'small.nii' },
    ).volume;
    let error: unknown;
    try {
      readSeg(seg, other, 'aal-seg.dcm');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DicomError);
    expect(error).toMatchObject({ kind: 'seg-grid-mismatch' });
    expect((error as Error).message).toMatch(/aal-seg\.dcm: frames are 217×181/);
  });
});

describe('label ↔ SegmentLabel mapping', () => {
  it('round-trips ids and names, and caps the label at 64 characters', () => {
    expect(parseLabelSegmentLabel(labelSegmentLabel(77, 'Thalamus_L'))).toEqual({
      id: 77,
      name: 'Thalamus_L',
    });
    expect(parseLabelSegmentLabel(labelSegmentLabel(5))).toEqual({ id: 5 });
    expect(labelSegmentLabel(1, 'x'.repeat(100))).toHaveLength(64);
    expect(parseLabelSegmentLabel('Liver')).toBeUndefined();
  });

  it('refuses a label id with no voxels when writing, naming the label file', () => {
    const small = synthetic(OBLIQUE, (i) => i % 3);
    const series = writeSeries(small, { name: 'small.nii' }).volume;
    expect(() =>
      writeLabelSeg(series, small.data, [1, 7], { name: 'labels.nii', softwareVersions: 't' }),
    ).toThrow(/labels\.nii: label 7 has no voxels/);
  });

  it("maps ids to SegmentNumber in another tool's SEG (no 'label N' labels)", () => {
    const volume = writeSeries(
      synthetic(OBLIQUE, (i) => i),
      { name: 'small.nii' },
    ).volume;
    const mask = (k: number) => Uint8Array.from({ length: 60 }, (_, i) => (Math.floor(i / 20) === k ? 1 : 0));
    const bytes = writeSeg(
      volume,
      [
        { label: 'Liver', mask: mask(0) },
        { label: 'Spleen', mask: mask(2) },
      ],
      { format: 'binary', algorithmVersion: '1', modelHash: 'ab' },
    );
    const { labels, names } = labelsFromSeg(readSeg(bytes, volume), [2], 'other.dcm');
    expect(Array.from(labels)).toEqual(Array.from(mask(2)).map((v) => v * 2));
    expect(names).toEqual(new Map([[2, 'Spleen']]));
    expect(() => labelsFromSeg(readSeg(bytes, volume), [3], 'other.dcm')).toThrow(/matched by SegmentNumber/);
  });
});

describe('geometryOnVolume: a NIfTI label volume on a converted series', () => {
  it('accepts the NIfTI grid the series came from, and says when its slices run reversed', () => {
    const volume = synthetic(LEFT_HANDED, (i) => i);
    const series = writeSeries(volume, { name: 'left.nii' }).volume;
    const g = geometryOnVolume(LEFT_HANDED, volume.dims, series, 'labels.nii');
    expect(g.reversed).toBe(true);
    expect(Array.from(toSeriesOrder(volume.data, volume.dims, g))).toEqual(Array.from(series.data));
  });

  it('refuses another grid, naming the file and what differs', () => {
    const series = writeSeries(
      synthetic(OBLIQUE, (i) => i),
      { name: 'oblique.nii' },
    ).volume;
    const shifted = [...OBLIQUE];
    shifted[11] += 5;
    expect(() => geometryOnVolume(shifted, [5, 4, 3], series, 'labels.nii')).toThrow(
      /labels\.nii is not on the grid of series .*: its first\/last slices lie at/,
    );
    expect(() => geometryOnVolume(OBLIQUE, [5, 4, 4], series, 'labels.nii')).toThrow(
      /it is 5×4×4, the series 5×4×3/,
    );
    expect(() => geometryOnVolume(LEFT_HANDED, [5, 4, 3], series, 'labels.nii')).toThrow(/its orientation/);
  });
});

/**
 * The same case through both input paths: Colin27 + AAL as NIfTI, and converted by
 * `medsam2 convert` into a DICOM series + labels SEG. `eval` on either gives the same numbers
 * (CI-sized: baseline model, one structure, paper policy, crop margin 4, key slice ± 3).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../../extension/src/cli/args';
import { runConvert } from '../../extension/src/cli/convert';
import { runEval } from '../../extension/src/cli/eval';
import { EXIT, main } from '../../extension/src/cli/main';
import { DicomError } from '../../extension/src/dicom';
import { InputError } from '../../extension/src/engine/errors';
import type { EvalReport } from '../../extension/src/eval/report';
import { headerForVolume, writeNiftiFloat } from '../../extension/src/io/nifti-write';
import { buildBaselineModel } from '../../models/baseline/generator/baseline-model';
import { SERIES } from '../support/dicom-data';
import { AAL, CH2 } from './helpers';

const RUN = ['--label-ids', '77', '--policies', 'paper', '--orientations', 'single'];
const CROP = ['--crop-margin', '4', '--slab', '3', '--quiet'];

let dir: string;
let modelDir: string;
let seriesDir: string;
let segPath: string;
const convertLog: string[] = [];

async function evalReport(image: string, labels: string, name: string): Promise<EvalReport> {
  const out = path.join(dir, name, 'report.json');
  await runEval(
    ['--image', image, '--labels', labels, '--model', modelDir, ...RUN, ...CROP, '--out', out],
    () => {},
  );
  return JSON.parse(readFileSync(out, 'utf8')) as EvalReport;
}

const failure = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => new Error('expected a failure'),
    (e: unknown) => e,
  );

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'eval-dicom-'));
  modelDir = path.join(dir, 'baseline');
  mkdirSync(modelDir);
  for (const [name, bytes] of buildBaselineModel()) writeFileSync(path.join(modelDir, name), bytes);
  seriesDir = path.join(dir, 'ch2-series');
  segPath = path.join(dir, 'aal-seg.dcm');
  await runConvert(
    ['--nifti', CH2, '--out', seriesDir, '--labels', AAL, '--label-ids', '77,73', '--seg-out', segPath],
    (l) => convertLog.push(l),
  );
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('medsam2 convert on Colin27 + AAL', () => {
  it('writes one file per slice and a SEG, and says what it wrote', () => {
    expect(readdirSync(seriesDir)).toHaveLength(181);
    expect(readdirSync(seriesDir)[0]).toBe('IM0001.dcm');
    expect(convertLog[0]).toMatch(
      /wrote 181 MR instances .*181×217×181; rescale slope 1 intercept 0, max error 0\)$/,
    );
    // The SegmentLabels as written, names from aal.nii.txt beside the labels.
    expect(convertLog[1]).toMatch(
      /aal-seg\.dcm: SEG with segments "label 77 Thalamus_L", "label 73 Putamen_L"$/,
    );
  });
});

describe('eval through the DICOM path', () => {
  it('gives the same structure, slices, Dice, IoU and HD95 on (DICOM series, SEG) as on (NIfTI, NIfTI)', async () => {
    const nifti = await evalReport(CH2, AAL, 'nifti');
    const dicom = await evalReport(seriesDir, segPath, 'dicom');
    const essentials = (r: EvalReport) =>
      r.structures.map((s) => ({
        id: s.id,
        name: s.name,
        keySlice: s.keySlice,
        crop: s.crop,
        floors: s.floors.map((f) => [f.name, f.dice, f.iou, f.hd95]),
        runs: s.results.map((x) => x.seeds.map((run) => [run.dice, run.iou, run.hd95, run.promptedSlices])),
      }));
    expect(essentials(nifti)[0].name).toBe('Thalamus_L');
    expect(essentials(nifti)[0].runs[0][0][0]).toBeGreaterThan(0);
    expect(essentials(dicom)).toEqual(essentials(nifti));
    expect(dicom.inputs).toMatchObject({ image: seriesDir, labels: segPath });
  }, 120_000);
});

describe('eval and convert: bad input', () => {
  const evalArgs = (image: string, labels: string, ids = '77') => [
    ...['--image', image, '--labels', labels, '--label-ids', ids, '--model', modelDir],
    ...['--out', path.join(dir, 'never', 'report.json'), '--quiet'],
  ];

  it('refuses a label id the SEG does not hold, naming the SEG', async () => {
    const e = await failure(runEval(evalArgs(seriesDir, segPath, '77,5'), () => {}));
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/aal-seg\.dcm: no segment for label id 5 .*"label 77 Thalamus_L"/);
  });

  it('refuses a SEG that is not on the image series grid (another series)', async () => {
    const e = await failure(runEval(evalArgs(SERIES.ct5, segPath), () => {}));
    expect(e).toBeInstanceOf(DicomError);
    expect(e).toMatchObject({ kind: 'seg-grid-mismatch' });
    expect((e as Error).message).toMatch(/aal-seg\.dcm: frames are 217×181 .*volume's slices 16×16/);
  });

  it('refuses NIfTI labels that are not on the DICOM series grid, naming the file', async () => {
    const e = await failure(
      runEval(evalArgs(seriesDir, path.join(__dirname, '../fixtures/sphere-truth.nii.gz')), () => {}),
    );
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(
      /sphere-truth\.nii\.gz is not on the grid of series .*: it is \d+×\d+×\d+, the series 181×217×181/,
    );
  });

  it('refuses a SEG as labels for a NIfTI image', async () => {
    const e = await failure(runEval(evalArgs(CH2, segPath), () => {}));
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(
      /aal-seg\.dcm is DICOM \(a SEG\) but .*ch2\.nii\.gz is not a DICOM series/,
    );
  });

  it('refuses a folder without DICOM files, naming it (exit code 3 from the command line)', async () => {
    const empty = path.join(dir, 'no-dicom');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'notes.txt'), 'not DICOM');
    const e = await failure(runEval(evalArgs(empty, segPath), () => {}));
    expect(e).toBeInstanceOf(DicomError);
    expect(e).toMatchObject({ kind: 'empty-series' });
    expect((e as Error).message).toMatch(/no-dicom: no DICOM Part-10 files .*notes\.txt/);
    const lines: string[] = [];
    expect(await main(['eval', ...evalArgs(empty, segPath)], (l) => lines.push(l))).toBe(EXIT.input);
    expect(lines.join('\n')).toMatch(/empty-series: .*no-dicom/);
  });

  it('refuses to convert a NIfTI holding NaN, naming the file', async () => {
    const volume = {
      data: Float32Array.from({ length: 27 }, (_, i) => (i === 13 ? NaN : i)),
      dims: [3, 3, 3] as const,
      spacing: [1, 1, 1] as const,
      affine: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
      modality: 'OTHER' as const,
    };
    const file = path.join(dir, 'nan.nii');
    writeFileSync(file, writeNiftiFloat(volume.data, headerForVolume(volume)));
    const out = path.join(dir, 'nan-series');
    const e = await failure(runConvert(['--nifti', file, '--out', out], () => {}));
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(/nan\.nii: voxel 13 is NaN/);
    expect(() => readdirSync(out)).toThrow(/ENOENT/); // nothing written
  });

  it('refuses labels on another grid, incomplete label flags and a non-empty output folder', async () => {
    const sphere = path.join(__dirname, '../fixtures/sphere.nii.gz');
    const out = path.join(dir, 'other-grid');
    const labelFlags = ['--labels', AAL, '--label-ids', '77', '--seg-out', path.join(dir, 'x.dcm')];
    const e = await failure(runConvert(['--nifti', sphere, '--out', out, ...labelFlags], () => {}));
    expect(e).toBeInstanceOf(InputError);
    expect((e as Error).message).toMatch(
      /aal\.nii\.gz is not on the grid of series .*: it is 181×217×181, the series \d+×\d+×\d+$/,
    );
    await expect(runConvert(['--nifti', CH2, '--out', out, '--labels', AAL], () => {})).rejects.toThrow(
      UsageError,
    );
    await expect(runConvert(['--nifti', CH2, '--out', seriesDir], () => {})).rejects.toThrow(
      /ch2-series is not empty/,
    );
  });
});

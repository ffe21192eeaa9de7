import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DicomWebClient, readSeg, volumeFromPart10 } from '../../extension/src/dicom';
import { SegmentationSession } from '../../extension/src/engine/session';
import { readDicomDirectory } from '../../extension/src/node/dicom-files';
import { SERIES, requirePath } from '../support/dicom-data';
import { startOrthanc, type Orthanc } from '../support/orthanc';
import { collect } from '../support/synthetic';
import { loadTestModel, TEST_MODEL_DIR } from '../support/test-model';
import { dciodvfy, pixelmedValidate } from '../support/validators';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'extension/bin/medsam2.cjs');

function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT }, (error, _stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

/** `medsam2 segment` on a series with the test model; extra flags follow. */
const segment = (input: string, promptFile: string, output: string, ...extra: string[]) =>
  cli([
    'segment',
    '--input',
    input,
    '--model',
    TEST_MODEL_DIR,
    '--prompt',
    promptFile,
    '--output',
    output,
    ...extra,
  ]);

/** A real 5-slice CT series (pydicom's test data), a click on the brightest pixel of its middle slice. */
async function ctSeriesAndPrompt(dir: string) {
  const input = requirePath(SERIES.ct5);
  const volume = volumeFromPart10((await readDicomDirectory(input)).files);
  const [nx, ny] = volume.dims;
  const k = 2;
  let best = 0;
  for (let i = 1; i < nx * ny; i++)
    if (volume.data[k * nx * ny + i] > volume.data[k * nx * ny + best]) best = i;
  const prompt = { slice: volume.slices[k].sopInstanceUID, points: [[best % nx, Math.floor(best / nx), 1]] };
  const promptFile = path.join(dir, 'prompt.json');
  writeFileSync(promptFile, JSON.stringify(prompt));
  return { input, volume, k, click: { x: best % nx, y: Math.floor(best / nx) }, promptFile };
}

describe('medsam2 segment (DICOM series in, DICOM SEG out)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'medsam2-segment-'));
  let orthanc: Orthanc;
  beforeAll(async () => {
    orthanc = await startOrthanc();
  });
  afterAll(async () => {
    await orthanc?.stop();
  });

  it('writes a SEG that validates, references the source frames and round-trips to the engine mask', async () => {
    const { input, volume, k, click, promptFile } = await ctSeriesAndPrompt(dir);
    const output = path.join(dir, 'seg.dcm');
    const r = await segment(input, promptFile, output, '--label', 'Test structure', '--quiet');
    expect(r).toEqual({ code: 0, stderr: '' });

    const dv = dciodvfy(output);
    expect(dv.errors).toEqual([]);
    expect(dv.warnings).toEqual([]);
    expect(pixelmedValidate(output).errors).toEqual([]);

    // The same engine run in-process: the SEG must carry exactly its mask, frame by frame.
    const model = await loadTestModel();
    const session = new SegmentationSession(model, volume);
    const id = session.addObject();
    await session.setPrompt(id, k, { points: [{ ...click, label: 1 }] });
    await collect(session.propagate());
    const expected = session.mask(id);
    await model.release();
    const bytes = readFileSync(output);
    const back = readSeg(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), volume);
    expect(back.segments).toHaveLength(1);
    expect(back.segments[0].label).toBe('Test structure');
    expect(expected.reduce((n, v) => n + v, 0)).toBeGreaterThan(0);
    expect(Buffer.from(back.segments[0].mask).equals(Buffer.from(expected))).toBe(true);
  });

  it('--stow stores the SEG in a real PACS, where QIDO finds it in the source study', async () => {
    const { input, volume, promptFile } = await ctSeriesAndPrompt(dir);
    const output = path.join(dir, 'stored.dcm');
    const r = await segment(input, promptFile, output, '--stow', orthanc.dicomWeb, '--quiet');
    expect(r).toEqual({ code: 0, stderr: '' });
    const series = await new DicomWebClient({ baseUrl: orthanc.dicomWeb }).qidoSeries(
      volume.studyInstanceUID,
    );
    const modalities = series.map((s) => s.Modality);
    expect(modalities).toContain('SEG');
  });

  it('a failed store exits 5 and keeps the SEG on disk', async () => {
    const { input, promptFile } = await ctSeriesAndPrompt(dir);
    const output = path.join(dir, 'kept.dcm');
    const r = await segment(input, promptFile, output, '--stow', `${orthanc.url}/no-such-root`, '--quiet');
    expect(r.code).toBe(5);
    expect(r.stderr).toContain(`the SEG is kept at ${output}`);
    expect(readFileSync(output).length).toBeGreaterThan(1000);
  });

  it('bad input exits 3 naming the problem: no DICOM in the folder, a SOPInstanceUID not in the series', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'medsam2-empty-'));
    writeFileSync(path.join(empty, 'notes.txt'), 'not dicom');
    const { input, promptFile } = await ctSeriesAndPrompt(dir);
    const a = await segment(empty, promptFile, path.join(dir, 'a.dcm'));
    expect(a.code).toBe(3);
    const badPrompt = path.join(dir, 'bad.json');
    writeFileSync(badPrompt, JSON.stringify({ slice: '1.2.3.4', points: [[1, 1, 1]] }));
    const b = await segment(input, badPrompt, path.join(dir, 'b.dcm'));
    expect(b.code).toBe(3);
    expect(b.stderr).toMatch(/has SOPInstanceUID 1\.2\.3\.4/);
  });
});

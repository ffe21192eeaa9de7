import { execFile } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DicomWebClient, readSeg, volumeFromPart10 } from '../../extension/src/dicom';
import { SegmentationSession } from '../../extension/src/engine/session';
import { readDicomDirectory } from '../../extension/src/node/dicom-files';
import { startOrthanc as startServeOrthanc } from '../../extension/serve/orthanc';
import { craft } from '../fixtures/dicom/craft';
import { SERIES, readSeries, requirePath } from '../support/dicom-data';
import { startOrthanc, type Orthanc } from '../support/orthanc';
import { collect } from '../support/synthetic';
import { loadTestModel, TEST_MODEL_DIR } from '../support/test-model';
import { dciodvfy, pixelmedValidate } from '../support/validators';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'extension/bin/medsam2.cjs');

function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: { ...process.env, MEDSAM2_PACS_CREDENTIALS: '', ...env } },
      (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
  });
}

/** `medsam2 segment` on a series with the test model; extra flags follow. */
const segment = (input: string, promptFile: string, output: string, ...extra: string[]) =>
  segmentWith({}, input, promptFile, output, ...extra);

const segmentWith = (
  env: NodeJS.ProcessEnv,
  input: string,
  promptFile: string,
  output: string,
  ...extra: string[]
) =>
  cli(
    [
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
    ],
    env,
  );

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

/** A loopback DICOMweb stand-in (a mock of a remote PACS that misbehaves; Orthanc cannot do these). */
async function loopback(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dicom-web`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('medsam2 segment --stow: the store is confirmed, bounded in time, and credentials stay out of argv', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'medsam2-stow-'));
  const running: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const r of running) await r.stop();
  });
  const keptSeg = (output: string) =>
    expect(readFileSync(output).subarray(128, 132).toString('latin1')).toBe('DICM');

  it('Orthanc with a Lua filter refusing SEGs answers the STOW with success: exit 5, not confirmed, SEG kept', async () => {
    const orthanc = await startServeOrthanc({
      lua: "function ReceivedInstanceFilter(dicom, origin, info)\n  return dicom.Modality ~= 'SEG'\nend\n",
    });
    running.push(orthanc);
    const { input, promptFile } = await ctSeriesAndPrompt(dir);
    const output = path.join(dir, 'refused.dcm');
    const r = await segment(input, promptFile, output, '--stow', orthanc.dicomWebUrl, '--quiet');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(
      /not confirmed \(not-listed\): STOW-RS answered success, but the PACS accepted the upload but does not list series/,
    );
    expect(r.stderr).toContain(`the SEG is kept at ${output}`);
    keptSeg(output);
  });

  it('a server that answers 200 (listing the SEG) and drops it: exit 5, SEG kept', async () => {
    const pacs = await loopback((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
        if (req.method === 'POST')
          res.end(
            JSON.stringify({
              '00081199': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2.3'] } }] },
            }),
          );
        else res.end('[]');
      });
    });
    running.push({ stop: pacs.close });
    const { input, promptFile } = await ctSeriesAndPrompt(dir);
    const output = path.join(dir, 'dropped.dcm');
    const r = await segment(input, promptFile, output, '--stow', pacs.url, '--quiet');
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('not confirmed (not-listed)');
    keptSeg(output);
  });

  it('a server that never answers: --timeout bounds the wait, exit 5, SEG kept', async () => {
    const pacs = await loopback((req) => req.resume()); // never answers
    running.push({ stop: pacs.close });
    const { input, promptFile } = await ctSeriesAndPrompt(dir);
    const output = path.join(dir, 'silent.dcm');
    const r = await segment(input, promptFile, output, '--stow', pacs.url, '--timeout', '1', '--quiet');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/failed \(timeout\).*no complete answer within 1 s/);
    keptSeg(output);
  });

  it('credentials from MEDSAM2_PACS_CREDENTIALS or --pacs-credentials <file>; without them the PACS refuses (exit 5); never printed', async () => {
    const orthanc = await startOrthanc({ users: { alice: 's3cret-pw' } });
    running.push(orthanc);
    const { input, promptFile, volume } = await ctSeriesAndPrompt(dir);
    const env = await segmentWith(
      { MEDSAM2_PACS_CREDENTIALS: 'alice:s3cret-pw' },
      input,
      promptFile,
      path.join(dir, 'env.dcm'),
      '--stow',
      orthanc.dicomWeb,
    );
    expect(env.code).toBe(0);
    expect(env.stderr).toContain('(listed and retrieved back)');
    const file = path.join(dir, 'pacs.cred');
    writeFileSync(file, 'alice:s3cret-pw\n', { mode: 0o600 });
    const fromFile = await segment(
      input,
      promptFile,
      path.join(dir, 'file.dcm'),
      '--stow',
      orthanc.dicomWeb,
      '--pacs-credentials',
      file,
      '--quiet',
    );
    expect(fromFile).toEqual({ code: 0, stderr: '' });
    const none = await segment(
      input,
      promptFile,
      path.join(dir, 'none.dcm'),
      '--stow',
      orthanc.dicomWeb,
      '--quiet',
    );
    expect(none.code).toBe(5);
    expect(none.stderr).toMatch(/HTTP 401/);
    for (const r of [env, fromFile, none]) expect(r.stderr).not.toContain('s3cret');
    const series = await new DicomWebClient({
      baseUrl: orthanc.dicomWeb,
      headers: { Authorization: orthanc.authorization! },
    }).qidoSeries(volume.studyInstanceUID);
    expect(series.filter((s) => s.Modality === 'SEG')).toHaveLength(2);
  });

  it('user:password@ in the URL and --user/--password are refused before any work (exit 2), the password never echoed', async () => {
    const { input, promptFile } = await ctSeriesAndPrompt(dir);
    const inUrl = await segment(
      input,
      promptFile,
      path.join(dir, 'u.dcm'),
      '--stow',
      'http://alice:s3cret-pw@127.0.0.1:9/dicom-web',
    );
    expect(inUrl.code).toBe(2);
    expect(inUrl.stderr).toContain('MEDSAM2_PACS_CREDENTIALS');
    expect(inUrl.stderr).not.toContain('s3cret');
    const flags = await segment(
      input,
      promptFile,
      path.join(dir, 'p.dcm'),
      '--stow',
      'http://127.0.0.1:9/dicom-web',
      '--user',
      'alice',
      '--password',
      's3cret-pw',
    );
    expect(flags.code).toBe(2);
    expect(flags.stderr).toContain('--pacs-credentials <file>');
    expect(flags.stderr).not.toContain('s3cret');
  });

  it('a series with RescaleSlope "NaN" in one file: exit 3 naming the file and the tag (it used to run with slope 1)', async () => {
    const series = mkdtempSync(path.join(tmpdir(), 'medsam2-nan-'));
    const files = readSeries(SERIES.ct5);
    files.forEach((f, i) => {
      const bytes = i === 2 ? craft(f, (e) => void (e.dataset.RescaleSlope = 'NaN'), f.name).bytes : f.bytes;
      writeFileSync(path.join(series, f.name), new Uint8Array(bytes));
    });
    const { promptFile } = await ctSeriesAndPrompt(dir);
    const r = await segment(series, promptFile, path.join(dir, 'nan.dcm'));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(
      `${files[2].name}: (0028,1053) RescaleSlope is unparsable as a finite number: "NaN"`,
    );
  });
});

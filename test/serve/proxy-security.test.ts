/**
 * `npm start --pacs` under attack: the real server proxying to a private Orthanc (Debian orthanc +
 * orthanc-dicomweb, authentication on) loaded with the sample study. Only DICOMweb requests reach
 * it; Orthanc's own REST API (patients, tools, DELETE) is never reachable through the proxy.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type RunningOrthanc, startOrthanc } from '../../extension/serve/orthanc';
import { CREDENTIALS_ENV, readPacsCredentials } from '../../extension/serve/pacs-credentials';
import { isDicomWebRoute } from '../../extension/serve/pacs-proxy';
import { loadSampleStudy } from '../../extension/serve/sample-data';
import { type RunningServer, startServer } from '../../extension/serve/server';
import { STOW_TYPE, headersOnly, instanceWith, raw, stowBody } from './support/instances';

const STUDY = '0.0.0.0.2.8811.20010413115754.12432';
const USER = 'medsam2';
const PASSWORD = 'pacs-secret-4711';
const ROOT = path.resolve(__dirname, '..', '..');

let dir: string;
let orthanc: RunningOrthanc;
let proxy: RunningServer;
const seen: string[] = [];
const asAdmin = { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };

async function patients(): Promise<string[]> {
  const r = await fetch(`${orthanc.url}/patients`, { headers: asAdmin });
  expect(r.status).toBe(200);
  return (await r.json()) as string[];
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medsam2-proxy-security-'));
  orthanc = await startOrthanc({ users: { [USER]: PASSWORD } });
  await loadSampleStudy(orthanc);
  proxy = await startServer({
    ohifDist: dir,
    extensionDist: dir,
    pacsUrl: orthanc.dicomWebUrl,
    pacsCredentials: { username: USER, password: PASSWORD },
    port: 0,
    maxUploadBytes: 4 << 20,
    onRequest: (method, url, status) => seen.push(`${method} ${url} ${status}`),
  });
}, 60000);

afterAll(async () => {
  await proxy?.close();
  await orthanc?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('what the proxy forwards', () => {
  it('forwards QIDO and WADO GETs with the configured credentials (Orthanc refuses them without)', async () => {
    expect((await fetch(`${orthanc.dicomWebUrl}/studies`)).status).toBe(401);
    const studies = await raw(proxy.url, 'GET', '/dicom-web/studies?PatientID=123565');
    expect(studies.status).toBe(200);
    expect(studies.body).toContain(STUDY);
    const series = JSON.parse((await raw(proxy.url, 'GET', `/dicom-web/studies/${STUDY}/series`)).body) as {
      '0020000E': { Value: string[] };
    }[];
    const seriesUid = series[0]['0020000E'].Value[0];
    const meta = await raw(proxy.url, 'GET', `/dicom-web/studies/${STUDY}/series/${seriesUid}/metadata`);
    expect(meta.status).toBe(200);
    expect(JSON.parse(meta.body)).toHaveLength(20);
  });

  it('forwards a STOW-RS POST', async () => {
    const instance = instanceWith({ sop: `${STUDY}.777` });
    const r = await raw(proxy.url, 'POST', '/dicom-web/studies', { 'Content-Type': STOW_TYPE }, [
      stowBody([instance]),
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toContain(`${STUDY}.777`);
  });

  it("passes on no answer header beyond DICOMweb's (no WWW-Authenticate from a PACS refusing the login)", async () => {
    const anonymous = await startServer({
      ohifDist: dir,
      extensionDist: dir,
      pacsUrl: orthanc.dicomWebUrl,
      port: 0,
    });
    try {
      const r = await raw(anonymous.url, 'GET', '/dicom-web/studies');
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBeUndefined();
    } finally {
      await anonymous.close();
    }
  });

  it('accepts exactly the DICOMweb resource paths', () => {
    const uid = '1.2.3';
    const inst = `studies/${uid}/series/${uid}/instances/${uid}`;
    const ok = [
      'studies',
      'series',
      'instances',
      `studies/${uid}`,
      `studies/${uid}/metadata`,
      `studies/${uid}/series`,
      `studies/${uid}/series/${uid}/metadata`,
      inst,
      `${inst}/metadata`,
      `${inst}/frames/1,2,3`,
      `${inst}/frames/1/rendered`,
      `${inst}/bulk/7fe00010`,
      `${inst}/bulk/0040A730/1/7FE00010`,
      `${inst}/thumbnail`,
    ];
    for (const p of ok) expect([p, isDicomWebRoute('GET', p.split('/'))]).toEqual([p, true]);
    const refused = [
      'patients',
      'studies/1.2.3/x',
      `studies/${uid}/series/${uid}/instances/${uid}/frames/0`,
      `${inst}/bulk/../x`,
      'studies/%2e%2e',
      'tools/execute-script',
      `studies/${uid}/series/${uid}/frames/1`,
    ];
    for (const p of refused) expect([p, isDicomWebRoute('GET', p.split('/'))]).toEqual([p, false]);
    expect(isDicomWebRoute('POST', ['studies'])).toBe(true);
    expect(isDicomWebRoute('POST', ['studies', uid])).toBe(true);
    for (const m of ['DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'])
      expect(isDicomWebRoute(m, ['studies', uid])).toBe(false);
  });
});

describe('attacks through the proxy', () => {
  it("refuses DELETE, and Orthanc's REST API behind encoded traversal, with 403: every patient stays", async () => {
    const [patient] = await patients();
    expect(patient).toBeDefined();
    const attacks: [string, string][] = [
      ['DELETE', `/dicom-web/studies/${STUDY}`],
      ['DELETE', `/dicom-web/..%2fpatients/${patient}`],
      ['DELETE', `/dicom-web/%2e%2e%2fpatients/${patient}`],
      ['DELETE', `/dicom-web/%252e%252e%252fpatients/${patient}`],
      ['DELETE', `/dicom-web/studies/../../patients/${patient}`],
      ['GET', `/dicom-web/..%2fpatients/${patient}`],
      ['GET', `/dicom-web/..%5cpatients`],
      ['GET', `/dicom-web/%252e%252e/patients`],
      ['GET', '/dicom-web/../system'],
      ['POST', '/dicom-web/..%2ftools%2fexecute-script'],
      ['POST', `/dicom-web/studies/${STUDY}/series`],
      ['PUT', `/dicom-web/studies/${STUDY}`],
      ['OPTIONS', '/dicom-web/studies'],
    ];
    for (const [method, p] of attacks) {
      const r = await raw(proxy.url, method, p, { 'Content-Type': 'text/plain' }, [Buffer.from('x')]);
      expect([method, p, r.status]).toEqual([method, p, 403]);
    }
    expect(await patients()).toContain(patient);
    expect((await raw(proxy.url, 'GET', '/dicom-web/studies')).body).toContain(STUDY);
  });

  it('answers 400 to a malformed URL and keeps proxying', async () => {
    for (const p of ['/%', '/dicom-web/%', '/dicom-web/studies/%E0%A4%A'])
      expect((await raw(proxy.url, 'GET', p)).status).toBe(400);
    expect((await raw(proxy.url, 'GET', '/dicom-web/studies')).status).toBe(200);
  });

  it('answers 403 to a DNS-rebinding page (a Host header naming another host)', async () => {
    seen.length = 0;
    const r = await raw(proxy.url, 'GET', '/dicom-web/studies', { Host: 'rebind.attacker.example' });
    expect(r.status).toBe(403);
    expect(seen).toEqual(['GET /dicom-web/studies 403']);
  });

  it('answers 413 to an upload past the cap without forwarding it', async () => {
    const r = await headersOnly(proxy.url, '/dicom-web/studies', {
      'Content-Type': STOW_TYPE,
      'Content-Length': String(500 * 2 ** 20),
    });
    expect(r.status).toBe(413);
    const pieces = Array.from({ length: 48 }, () => Buffer.alloc(128 * 1024, '-'));
    const chunked = await raw(
      proxy.url,
      'POST',
      '/dicom-web/studies',
      { 'Content-Type': STOW_TYPE },
      pieces,
      2,
    );
    expect(chunked.status).toBe(413);
    expect((await raw(proxy.url, 'GET', '/dicom-web/studies')).status).toBe(200);
  });
});

describe('PACS credentials', () => {
  it('are refused in the PACS URL, by startServer and by npm start (argv is public)', async () => {
    await expect(
      startServer({
        ohifDist: dir,
        extensionDist: dir,
        pacsUrl: `http://u:${PASSWORD}@127.0.0.1:1/dicom-web`,
        port: 0,
      }),
    ).rejects.toThrow('must not carry credentials');
    const run = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'tsx'),
      [
        path.join(ROOT, 'extension', 'serve', 'main.ts'),
        '--pacs',
        `http://u:${PASSWORD}@127.0.0.1:1/dicom-web`,
      ],
      { encoding: 'utf8', env: { ...process.env, MEDSAM2_PACS: '' } },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`--pacs carries credentials`);
    expect(run.stderr).toContain(CREDENTIALS_ENV);
    expect(run.stderr + run.stdout).not.toContain(PASSWORD);
  });

  it('come from a file (warned about when others can read it) or the environment', () => {
    const file = path.join(dir, 'pacs-credentials');
    fs.writeFileSync(file, `${USER}:pa:ss\n`, { mode: 0o600 });
    const warnings: string[] = [];
    expect(readPacsCredentials({}, file, (m) => warnings.push(m))).toEqual({
      username: USER,
      password: 'pa:ss',
    });
    expect(warnings).toEqual([]);
    fs.chmodSync(file, 0o644);
    readPacsCredentials({}, file, (m) => warnings.push(m));
    expect(warnings).toEqual([expect.stringContaining('can be read by other users')]);
    expect(readPacsCredentials({ [CREDENTIALS_ENV]: 'a:b' }, undefined, () => undefined)).toEqual({
      username: 'a',
      password: 'b',
    });
    expect(readPacsCredentials({}, undefined, () => undefined)).toBeUndefined();
    fs.writeFileSync(file, 'no-colon-here');
    expect(() => readPacsCredentials({}, file, () => undefined)).toThrow('must hold one line user:password');
    expect(() => readPacsCredentials({}, path.join(dir, 'absent'), () => undefined)).toThrow('ENOENT');
  });
});

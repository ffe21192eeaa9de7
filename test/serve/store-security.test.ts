/**
 * The folder store server under attack, one test per attack found probing it from outside: the
 * real server on a free loopback port, spoken to with raw HTTP. Each test also checks the server
 * still answers afterwards.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FolderStore } from '../../extension/serve/folder-store';
import { isValidUid } from '../../extension/serve/store-paths';
import { type RunningServer, startServer } from '../../extension/serve/server';
import { STOW_TYPE, headersOnly, instanceWith, raw, stowBody } from './support/instances';

let dir: string;
let storeDir: string;
let server: RunningServer;
let url: string;

const STUDY = '1.2.826.0.1.3680043.10.1011.1';
const SERIES = `${STUDY}.2`;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medsam2-store-security-'));
  storeDir = path.join(dir, 'a', 'b', 'store');
  const store = await FolderStore.open(storeDir);
  server = await startServer({ ohifDist: dir, extensionDist: dir, store, port: 0, maxUploadBytes: 1 << 20 });
  url = server.url;
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every file under `folder`, relative to it. */
const filesUnder = (folder: string): string[] =>
  fs.existsSync(folder) ? (fs.readdirSync(folder, { recursive: true }) as string[]).sort() : [];

async function stillServing(): Promise<void> {
  const r = await raw(url, 'GET', '/dicom-web/studies');
  expect(r.status).toBe(200);
}

async function stow(instances: Uint8Array[], target = '/dicom-web/studies') {
  const r = await raw(url, 'POST', target, { 'Content-Type': STOW_TYPE }, [stowBody(instances)]);
  return { ...r, json: r.body ? (JSON.parse(r.body) as Record<string, { Value?: unknown[] }>) : {} };
}

const failureReasons = (json: Record<string, { Value?: unknown[] }>) =>
  (json['00081198']?.Value ?? []).map(
    (item) => (item as Record<string, { Value: number[] }>)['00081197'].Value[0],
  );

describe('UIDs as paths', () => {
  it('takes only the UID grammar: digits and dots, no leading zeros, at most 64 characters', () => {
    for (const uid of [
      '0',
      '1.2.840.10008.1.2.1',
      '0.0.0.0.2.8811.20010413115754.12432',
      `1.${'2'.repeat(62)}`,
    ])
      expect(isValidUid(uid)).toBe(true);
    for (const uid of [
      '',
      '.',
      '..',
      '1..2',
      '1.2.',
      '.1',
      '1.02',
      '01',
      '1.2\\1.3',
      '1.2/3',
      `1.${'2'.repeat(63)}`,
      '1.2 ',
    ])
      expect(isValidUid(uid)).toBe(false);
  });

  it("refuses an instance whose study and series UIDs are '..', writing nothing outside the store", async () => {
    const before = filesUnder(dir);
    const r = await stow([instanceWith({ study: '..', series: '..', sop: `${STUDY}.99` })]);
    expect(r.status).toBe(409);
    expect(failureReasons(r.json)).toEqual([0xc000]);
    expect(r.headers.warning).toContain("part 1: (0020,000D) StudyInstanceUID '..' is not a valid UID");
    expect(filesUnder(dir)).toEqual(before);
    await stillServing();
  });

  it("refuses a '..\\1.2' multi-valued UID and UIDs breaking the grammar", async () => {
    for (const uids of [{ study: '..\\1.2' }, { series: '1.02.3' }, { sop: '1.2./x' }]) {
      const r = await stow([instanceWith(uids)]);
      expect(r.status).toBe(409);
      expect(r.headers.warning).toContain('is not a valid UID');
    }
    expect(filesUnder(storeDir).filter((f) => f.endsWith('.dcm'))).toEqual([]);
  });

  it('answers 403 to a path that climbs, plain or %-encoded, and 400 to an invalid UID in a path', async () => {
    const climbing = [
      '/dicom-web/studies/../../etc/passwd',
      '/dicom-web/studies/..%2f..%2fetc/series',
      '/dicom-web/studies/%2e%2e/series',
      '/dicom-web/studies/1.2%5c..%5c..%5cx',
    ];
    for (const p of climbing) expect((await raw(url, 'GET', p)).status).toBe(403);
    const r = await raw(url, 'GET', '/dicom-web/studies/%252e%252e/series');
    expect(r.status).toBe(400);
    expect(r.body).toContain('not a valid UID');
    expect((await raw(url, 'GET', '/dicom-web/studies/1.02/series')).status).toBe(400);
    await stillServing();
  });
});

describe('malformed URLs', () => {
  it.each(['/%', '/dicom-web/%', '/dicom-web/studies/%E0%A4%A', '/medsam2/%zz', '/%00'])(
    'answers GET %s with 400 or 403, and keeps serving',
    async (p) => {
      const r = await raw(url, 'GET', p);
      expect([400, 403]).toContain(r.status);
      await stillServing();
    },
  );
});

describe('multipart bodies', () => {
  it('refuses an 8,000-character boundary (7,999 "-" and an "x") over 1 MB of "-" (RFC 2046 allows 70)', async () => {
    const boundary = `${'-'.repeat(7999)}x`;
    const r = await raw(
      url,
      'POST',
      '/dicom-web/studies',
      { 'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}` },
      [Buffer.alloc(1 << 20, '-')],
    );
    expect(r.status).toBe(400);
    expect(r.body).toContain('1 to 70 characters');
    await stillServing();
  });

  it('reads 1 MB of near-delimiters under a 70-character boundary in one pass while other requests are answered', async () => {
    // Every block matches the delimiter "\r\n--" + boundary but for its last byte.
    const boundary = `${'-'.repeat(69)}x`;
    const nearMiss = Buffer.from(`\r\n--${'-'.repeat(69)}y`);
    const blocks = Array.from({ length: Math.floor(((1 << 20) - 200) / nearMiss.length) }, () => nearMiss);
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\n\r\n`), ...blocks]);
    const order: string[] = [];
    const upload = raw(
      url,
      'POST',
      '/dicom-web/studies',
      { 'Content-Type': `multipart/related; type="application/dicom"; boundary="${boundary}"` },
      [body.subarray(0, 1000), body.subarray(1000)],
      200,
    ).then((r) => {
      order.push('upload');
      return r;
    });
    const query = raw(url, 'GET', '/dicom-web/studies').then((r) => {
      order.push('query');
      return r;
    });
    const [u, q] = await Promise.all([upload, query]);
    expect(q.status).toBe(200);
    expect(order).toEqual(['query', 'upload']);
    // No closing boundary: a cut upload, refused whole.
    expect(u.status).toBe(400);
    expect(u.headers.warning).toContain('truncated upload');
  });
});

describe('uploads', () => {
  it('refuses the first 3,000 bytes of an instance in FailedSOPSequence, with the reason, and stores nothing', async () => {
    const whole = instanceWith({ study: STUDY, series: SERIES, sop: `${SERIES}.3000` });
    const r = await stow([whole.subarray(0, 3000)]);
    expect(r.status).toBe(409);
    expect(failureReasons(r.json)).toEqual([0xc000]);
    expect(r.headers.warning).toMatch(/part 1: \(7FE0,0010\) PixelData holds \d+ bytes, 131072 expected/);
    expect((await raw(url, 'GET', `/dicom-web/studies/${STUDY}/series`)).status).toBe(404);
    expect(filesUnder(storeDir).filter((f) => f.endsWith('.dcm') || f.endsWith('.partial'))).toEqual([]);
  });

  it('stops writing a part as soon as its first 132 bytes show it is no Part-10 file', async () => {
    const r = await stow([Buffer.alloc(600 * 1024, 'j')]);
    expect(r.status).toBe(409);
    expect(r.headers.warning).toContain(`part 1: not a DICOM Part-10 instance (no 'DICM' marker`);
    expect(fs.readdirSync(path.join(storeDir, '.incoming'))).toEqual([]);
  });

  it('answers 413 past the size cap without reading on (declared or chunked), storing nothing', async () => {
    const big = stowBody([instanceWith({ sop: `${SERIES}.413` })]);
    const declared = await headersOnly(url, '/dicom-web/studies', {
      'Content-Type': STOW_TYPE,
      'Content-Length': String(500 * 2 ** 20),
    });
    expect(declared.status).toBe(413);
    // 8 MB sent chunked (no Content-Length) against a 1 MB cap.
    const pieces = Array.from({ length: 64 }, () => big.subarray(0, 128 * 1024));
    const chunked = await raw(url, 'POST', '/dicom-web/studies', { 'Content-Type': STOW_TYPE }, pieces, 5);
    expect(chunked.status).toBe(413);
    expect(chunked.body).toContain('larger than 1048576 bytes');
    expect(filesUnder(storeDir).filter((f) => f.endsWith('.dcm') || f.endsWith('.partial'))).toEqual([]);
    await stillServing();
  });

  it('stores whole instances, and refuses to serve one cut on disk afterwards (500, then no longer listed)', async () => {
    const sop = `${SERIES}.7`;
    const r = await stow([instanceWith({ study: STUDY, series: SERIES, sop })]);
    expect(r.status).toBe(200);
    const instancePath = `/dicom-web/studies/${STUDY}/series/${SERIES}/instances/${sop}`;
    expect((await raw(url, 'GET', instancePath)).status).toBe(200);
    const file = path.join(storeDir, STUDY, SERIES, `${sop}.dcm`);
    fs.truncateSync(file, 3000);
    const served = await raw(url, 'GET', instancePath);
    expect(served.status).toBe(500);
    expect(served.body).toContain('PixelData holds');
    expect((await raw(url, 'GET', `/dicom-web/studies/${STUDY}/series/${SERIES}/instances`)).status).toBe(
      404,
    );
  });
});

describe('opening a folder with leftovers', () => {
  it('reports .partial files and truncated instances, and no route serves them', async () => {
    const folder = path.join(dir, 'leftovers');
    const complete = instanceWith({ study: STUDY, series: SERIES, sop: `${SERIES}.1` });
    const leftover = instanceWith({ study: STUDY, series: SERIES, sop: `${SERIES}.2` });
    fs.mkdirSync(path.join(folder, '.incoming'), { recursive: true });
    fs.mkdirSync(path.join(folder, STUDY, SERIES), { recursive: true });
    fs.writeFileSync(path.join(folder, STUDY, SERIES, `${SERIES}.1.dcm`), complete);
    // A whole instance that was never renamed into place, an older-style leftover, and a cut file.
    fs.writeFileSync(path.join(folder, '.incoming', 'abc.partial'), leftover);
    fs.writeFileSync(path.join(folder, STUDY, SERIES, `${SERIES}.2.dcm.123.partial`), leftover);
    fs.writeFileSync(path.join(folder, STUDY, SERIES, `${SERIES}.3.dcm`), leftover.subarray(0, 50000));
    const store = await FolderStore.open(folder);
    expect(store.instanceCount).toBe(1);
    expect(store.skipped).toEqual([
      { path: path.join('.incoming', 'abc.partial'), reason: expect.stringContaining('interrupted upload') },
      {
        path: path.join(STUDY, SERIES, `${SERIES}.2.dcm.123.partial`),
        reason: expect.stringContaining('interrupted upload'),
      },
      {
        path: path.join(STUDY, SERIES, `${SERIES}.3.dcm`),
        reason: expect.stringContaining('PixelData holds'),
      },
    ]);
    const other = await startServer({ ohifDist: dir, extensionDist: dir, store, port: 0 });
    try {
      const base = `/dicom-web/studies/${STUDY}/series/${SERIES}/instances`;
      const listed = JSON.parse((await raw(other.url, 'GET', base)).body) as unknown[];
      expect(listed).toHaveLength(1);
      expect((await raw(other.url, 'GET', `${base}/${SERIES}.2`)).status).toBe(404);
      expect((await raw(other.url, 'GET', `${base}/${SERIES}.3`)).status).toBe(404);
    } finally {
      await other.close();
    }
  });
});

describe('the Host header (DNS rebinding)', () => {
  it('answers 403 to a request naming another host, on every route', async () => {
    for (const p of ['/dicom-web/studies', '/app-config.js', '/']) {
      const r = await raw(url, 'GET', p, { Host: 'attacker.example:3000' });
      expect(r.status).toBe(403);
      expect(r.body).toContain('attacker.example');
    }
    const posted = await raw(
      url,
      'POST',
      '/dicom-web/studies',
      { Host: 'attacker.example', 'Content-Type': STOW_TYPE },
      [stowBody([instanceWith({ sop: `${SERIES}.403` })])],
    );
    expect(posted.status).toBe(403);
  });

  it('answers loopback names and the configured host', async () => {
    const port = new URL(url).port;
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, 'LOCALHOST'])
      expect((await raw(url, 'GET', '/dicom-web/studies', { Host: host })).status).toBe(200);
    const store = await FolderStore.open(path.join(dir, 'hosts'));
    const other = await startServer({
      ohifDist: dir,
      extensionDist: dir,
      store,
      port: 0,
      allowedHosts: ['viewer.hospital.example'],
    });
    try {
      expect(
        (await raw(other.url, 'GET', '/dicom-web/studies', { Host: 'viewer.hospital.example' })).status,
      ).toBe(200);
      expect((await raw(other.url, 'GET', '/dicom-web/studies', { Host: 'evil.example' })).status).toBe(403);
    } finally {
      await other.close();
    }
  });
});

describe('one slow upload', () => {
  it('does not hold up other requests', async () => {
    const body = stowBody([instanceWith({ study: STUDY, series: SERIES, sop: `${SERIES}.8` })]);
    const pieces = Array.from({ length: 20 }, (_, i) =>
      body.subarray((i * body.length) / 20, ((i + 1) * body.length) / 20),
    );
    const order: string[] = [];
    const upload = raw(url, 'POST', '/dicom-web/studies', { 'Content-Type': STOW_TYPE }, pieces, 100).then(
      (r) => {
        order.push('upload');
        return r;
      },
    );
    await new Promise((r) => setTimeout(r, 300));
    const queries = await Promise.all(Array.from({ length: 5 }, () => raw(url, 'GET', '/dicom-web/studies')));
    order.push('queries');
    expect(queries.map((q) => q.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await upload).status).toBe(200);
    expect(order).toEqual(['queries', 'upload']);
  });
});

/**
 * The folder store under load and across a crash: concurrent STOW-RS clients all land, byte for
 * byte; a server killed (SIGKILL) in the middle of an upload restarts with every earlier instance
 * intact and nothing half-written listed. The crash test runs the server as its own process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { FolderStore } from '../../extension/serve/folder-store';
import { type RunningServer, startServer } from '../../extension/serve/server';
import { STOW_TYPE, instanceWith, raw, stowBody } from './support/instances';

const ROOT = path.resolve(__dirname, '..', '..');
const STUDY = '1.2.826.0.1.3680043.10.1011.2';
const SERIES = `${STUDY}.1`;

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medsam2-store-durability-'));
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const instancesPath = `/dicom-web/studies/${STUDY}/series/${SERIES}/instances`;

async function listedSops(url: string): Promise<string[]> {
  const r = await raw(url, 'GET', instancesPath);
  if (r.status === 404) return [];
  expect(r.status).toBe(200);
  const items = JSON.parse(r.body) as { '00080018': { Value: string[] } }[];
  return items.map((i) => i['00080018'].Value[0]).sort();
}

/** WADO-RS of one instance as application/dicom, as bytes. */
async function retrieve(url: string, sop: string): Promise<Buffer> {
  const r = await fetch(`${url}${instancesPath}/${sop}`, { headers: { Accept: 'application/dicom' } });
  expect(r.status).toBe(200);
  return Buffer.from(await r.arrayBuffer());
}

describe('concurrent STOW-RS', () => {
  it('8 clients × 25 instances: all 200 listed and retrieved byte-identical', async () => {
    const store = await FolderStore.open(path.join(dir, 'concurrent'));
    const server: RunningServer = await startServer({ ohifDist: dir, extensionDist: dir, store, port: 0 });
    try {
      const sent = new Map<string, Uint8Array>();
      const client = async (c: number) => {
        for (let k = 0; k < 25; k++) {
          const sop = `${SERIES}.${c + 1}.${k + 1}`;
          const bytes = instanceWith({ study: STUDY, series: SERIES, sop });
          sent.set(sop, bytes);
          const r = await raw(server.url, 'POST', '/dicom-web/studies', { 'Content-Type': STOW_TYPE }, [
            stowBody([bytes]),
          ]);
          expect([sop, r.status]).toEqual([sop, 200]);
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, c) => client(c)));
      expect(await listedSops(server.url)).toEqual([...sent.keys()].sort());
      for (const [sop, bytes] of sent)
        expect((await retrieve(server.url, sop)).equals(Buffer.from(bytes))).toBe(true);
      expect(fs.readdirSync(path.join(dir, 'concurrent', '.incoming'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

/** A STOW-RS whose body is written piece by piece and never ended: resolves to how it ended. */
function unfinishedUpload(url: string, pieces: Uint8Array[]): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const req = request(
      {
        hostname,
        port,
        method: 'POST',
        path: '/dicom-web/studies',
        headers: { 'Content-Type': STOW_TYPE },
        agent: false,
      },
      (res) => resolve(`answered ${res.statusCode}`),
    );
    req.on('error', (e) => resolve(`connection lost: ${e.message}`));
    void (async () => {
      for (const piece of pieces) {
        if (req.destroyed) return;
        req.write(piece);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
  });
}

interface StoreProcess {
  child: ChildProcess;
  url: string;
  skipped: { path: string; reason: string }[];
}

/** The store server as a child process on `folder` (test/serve/support/store-server.ts). */
async function startStoreProcess(folder: string): Promise<StoreProcess> {
  // node itself (tsx as a loader, not the tsx CLI, which would run the server in a grandchild).
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'support', 'store-server.ts'), folder],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`store server exited with ${code}: ${stderr}`)));
  });
  return { child, ...(JSON.parse(first) as { url: string; skipped: StoreProcess['skipped'] }) };
}

async function kill(p: StoreProcess): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((r) => p.child.once('exit', r));
  p.child.kill('SIGKILL');
  await exited;
}

describe('a server killed during a STOW-RS', () => {
  it('restarts with the earlier instances intact and nothing of the cut upload listed', async () => {
    const folder = path.join(dir, 'crash');
    const first = await startStoreProcess(folder);
    let second: StoreProcess | undefined;
    try {
      const earlier = Array.from({ length: 5 }, (_, k) =>
        instanceWith({ study: STUDY, series: SERIES, sop: `${SERIES}.9.${k + 1}` }),
      );
      const stored = await raw(first.url, 'POST', '/dicom-web/studies', { 'Content-Type': STOW_TYPE }, [
        stowBody(earlier),
      ]);
      expect(stored.status).toBe(200);

      // Two whole instances and half a third, sent slowly; killed once the third is being written.
      const cut = [1, 2, 3].map((k) =>
        instanceWith({ study: STUDY, series: SERIES, sop: `${SERIES}.10.${k}` }),
      );
      const body = stowBody(cut);
      const upTo = body.length - Math.floor(cut[2].length / 2);
      const pieces = Array.from({ length: 40 }, (_, i) =>
        body.subarray((i * upTo) / 40, ((i + 1) * upTo) / 40),
      );
      const upload = unfinishedUpload(first.url, pieces);
      const incoming = path.join(folder, '.incoming');
      for (let waited = 0; fs.readdirSync(incoming).length < 3; waited += 50) {
        if (waited > 20000) throw new Error('the upload never reached its third part');
        await new Promise((r) => setTimeout(r, 50));
      }
      await kill(first);
      expect(await upload).toMatch(/^connection lost/);

      second = await startStoreProcess(folder);
      const leftovers = second.skipped.filter((s) => s.reason.includes('interrupted upload'));
      expect(leftovers.length).toBe(3);
      expect(await listedSops(second.url)).toEqual(earlier.map((_, k) => `${SERIES}.9.${k + 1}`));
      for (const [k, bytes] of earlier.entries())
        expect((await retrieve(second.url, `${SERIES}.9.${k + 1}`)).equals(Buffer.from(bytes))).toBe(true);
      expect((await raw(second.url, 'GET', `${instancesPath}/${SERIES}.10.1`)).status).toBe(404);
    } finally {
      await kill(first);
      if (second) await kill(second);
    }
  });
});

/**
 * The model cache behind urlModelFiles, over a real local HTTP server and the real engine loader.
 * Cache Storage itself exists only in browsers: here an in-memory store with the same four methods
 * stands in for it (the bench page's Chromium run uses the real one, test/e2e/bench.e2e.test.ts).
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sha256Hex } from '../../extension/src/engine/model/sha256';
import { loadModel } from '../../extension/src/engine/model/sam-model';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import type { DownloadProgress } from '../../extension/src/worker/protocol';
import { urlModelFiles } from '../../extension/src/worker/url-model-files';
import { MemoryStore, serveFolder as serve } from '../support/file-server';
import { TEST_MODEL_DIR } from '../support/test-model';

const GRAPHS = ['image_encoder', 'memory_attention', 'mask_decoder', 'memory_encoder'].map(
  (g) => `${g}.onnx`,
);

const gets = (requests: string[]) =>
  requests.filter((r) => r.startsWith('GET ')).map((r) => path.basename(r));
const manifestSha = (dir: string, graph: string): string =>
  (
    JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      graphs: Record<string, { sha256: string }>;
    }
  ).graphs[graph].sha256;

describe('urlModelFiles with a model cache', () => {
  let backend: WorkerBackend;
  const servers: Server[] = [];
  beforeAll(async () => {
    backend = await nodeBackends().native();
  });
  afterAll(async () => {
    await backend.close();
    for (const s of servers) s.close();
  });
  const start = async (dir = TEST_MODEL_DIR) => {
    const s = await serve(dir);
    servers.push(s.server);
    return s;
  };

  it('a second visit downloads only the manifest and reports every graph byte as cached', async () => {
    const { url, requests } = await start();
    const store = new MemoryStore();
    const first = await loadModel(urlModelFiles(url, { cache: store }), backend);
    await first.release();
    expect(gets(requests).sort()).toEqual(['manifest.json', ...GRAPHS].sort());
    expect(store.entries.size).toBe(4);
    for (const g of GRAPHS)
      expect(store.entries.has(`${url}${g}?sha256=${manifestSha(TEST_MODEL_DIR, g.slice(0, -5))}`)).toBe(
        true,
      );

    requests.length = 0;
    const reports: DownloadProgress[] = [];
    const second = await loadModel(
      urlModelFiles(url, { cache: Promise.resolve(store), onProgress: (p) => reports.push(p) }),
      backend,
    );
    expect(second.manifest.name).toBe('test-tiny');
    await second.release();
    expect(requests).toEqual(['GET /model/manifest.json']);
    const last = reports[reports.length - 1];
    const manifestBytes = readFileSync(path.join(TEST_MODEL_DIR, 'manifest.json')).byteLength;
    expect(last.loaded).toBe(last.total);
    expect(last.cached).toBe((last.total as number) - manifestBytes);
  }, 60_000);

  it('a damaged entry is dropped and the graph fetched again (and cached again)', async () => {
    const { url, requests } = await start();
    const store = new MemoryStore();
    await (await loadModel(urlModelFiles(url, { cache: store }), backend)).release();
    const key = [...store.entries.keys()].find((k) => k.includes('memory_encoder.onnx')) as string;
    store.entries.set(key, new Uint8Array([1, 2, 3]));
    requests.length = 0;
    await (await loadModel(urlModelFiles(url, { cache: store }), backend)).release();
    expect(gets(requests)).toEqual(['manifest.json', 'memory_encoder.onnx']);
    expect(await sha256Hex(store.entries.get(key) as Uint8Array)).toBe(
      manifestSha(TEST_MODEL_DIR, 'memory_encoder'),
    );
  }, 60_000);

  it("a model updated in place misses on the changed graph, and the folder's stale entry is deleted; other folders' entries stay", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'medsam2-cache-'));
    cpSync(TEST_MODEL_DIR, dir, { recursive: true });
    const { url, requests } = await start(dir);
    const store = new MemoryStore();
    const other = 'http://other.example/model/image_encoder.onnx?sha256=' + 'a'.repeat(64);
    store.entries.set(other, new Uint8Array([9]));
    const readAll = async () => {
      const files = urlModelFiles(url, { cache: store });
      await files.read('manifest.json');
      for (const g of GRAPHS) await files.read(g);
    };
    await readAll();
    const oldKey = `${url}mask_decoder.onnx?sha256=${manifestSha(dir, 'mask_decoder')}`;
    expect(store.entries.has(oldKey)).toBe(true);

    // A new release of the decoder: new bytes, new sha256 in the manifest.
    const decoder = Buffer.concat([readFileSync(path.join(dir, 'mask_decoder.onnx')), Buffer.from([0])]);
    writeFileSync(path.join(dir, 'mask_decoder.onnx'), decoder);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    manifest.graphs.mask_decoder.sha256 = await sha256Hex(new Uint8Array(decoder));
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    requests.length = 0;
    await readAll();
    expect(gets(requests)).toEqual(['manifest.json', 'mask_decoder.onnx']);
    expect(store.entries.has(oldKey)).toBe(false);
    expect(store.entries.has(`${url}mask_decoder.onnx?sha256=${manifest.graphs.mask_decoder.sha256}`)).toBe(
      true,
    );
    expect(store.entries.has(other)).toBe(true);
  }, 60_000);

  it('storage that refuses to keep a file (quota) still loads the model; the next visit downloads again', async () => {
    const { url, requests } = await start();
    const store = new MemoryStore();
    store.refusePut = true;
    await (await loadModel(urlModelFiles(url, { cache: store }), backend)).release();
    await (await loadModel(urlModelFiles(url, { cache: store }), backend)).release();
    expect(store.entries.size).toBe(0);
    expect(gets(requests).filter((f) => f !== 'manifest.json')).toHaveLength(8);
  }, 60_000);

  it('without a cache (no Cache Storage) every visit downloads every file and reports nothing cached', async () => {
    const { url, requests } = await start();
    const reports: DownloadProgress[] = [];
    await (
      await loadModel(urlModelFiles(url, { cache: null, onProgress: (p) => reports.push(p) }), backend)
    ).release();
    expect(gets(requests)).toHaveLength(5);
    expect(reports.every((r) => r.cached === undefined)).toBe(true);
  }, 60_000);
});

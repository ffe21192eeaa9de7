/**
 * Model files over HTTP from a real local server (Node http): bytes, the download progress the
 * panel shows (received / total from Content-Length), and the errors a missing file gives.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ModelError } from '../../extension/src/engine/errors';
import { loadModel } from '../../extension/src/engine/model/sam-model';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import type { DownloadProgress } from '../../extension/src/worker/protocol';
import { urlModelFiles } from '../../extension/src/worker/url-model-files';
import { TEST_MODEL_DIR } from '../support/test-model';

const BIG = new Uint8Array(5 * 1024 * 1024).map((_, i) => (i * 7) % 251);

/** Serves the test model folder and /big/big.bin; `lengths: false` sends bodies chunked, without Content-Length. */
async function serve(lengths: boolean): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const name = decodeURIComponent((req.url ?? '').replace(/^\/(model|big)\//, ''));
    const body = req.url === '/big/big.bin' ? BIG : readModelFile(name);
    if (!body) {
      res.writeHead(404, 'Not Found').end();
      return;
    }
    res.writeHead(200, lengths ? { 'Content-Length': body.byteLength } : {});
    if (req.method === 'HEAD') return void res.end();
    // Several writes, so the client sees the body arrive in pieces.
    let offset = 0;
    const next = () => {
      if (offset >= body.byteLength) return void res.end();
      const piece = body.subarray(offset, offset + 256 * 1024);
      offset += piece.byteLength;
      res.write(piece, () => setImmediate(next));
    };
    next();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests };
}

function readModelFile(name: string): Uint8Array | null {
  if (!readdirSync(TEST_MODEL_DIR).includes(name)) return null;
  return new Uint8Array(readFileSync(path.join(TEST_MODEL_DIR, name)));
}

const modelBytes = (): number =>
  readdirSync(TEST_MODEL_DIR).reduce((n, f) => n + readFileSync(path.join(TEST_MODEL_DIR, f)).byteLength, 0);

describe('urlModelFiles over a real HTTP server', () => {
  let backend: WorkerBackend;
  const servers: Server[] = [];
  beforeAll(async () => {
    backend = await nodeBackends().native();
  });
  afterAll(async () => {
    await backend.close();
    for (const s of servers) await new Promise((r) => s.close(r));
  });

  test('the model loads over HTTP (hash-checked) and progress reaches the folder total, known from the start', async () => {
    const { server, url, requests } = await serve(true);
    servers.push(server);
    const reports: DownloadProgress[] = [];
    const model = await loadModel(
      urlModelFiles(`${url}/model`, { onProgress: (p) => reports.push(p) }),
      backend,
    );
    expect(model.manifest.name).toBe('test-tiny');
    await model.release();
    const total = modelBytes();
    expect(reports.length).toBeGreaterThanOrEqual(5); // manifest + four graphs
    expect(reports.every((p) => p.total === total)).toBe(true);
    const loaded = reports.map((p) => p.loaded);
    expect(loaded).toEqual([...loaded].sort((a, b) => a - b));
    expect(reports.at(-1)).toEqual({ loaded: total, total });
    // The graphs' sizes came from HEAD requests before their downloads.
    expect(requests.filter((r) => r.startsWith('HEAD '))).toHaveLength(4);
  });

  test('a large file reports progress as it streams, ending at Content-Length', async () => {
    const { server, url } = await serve(true);
    servers.push(server);
    const reports: DownloadProgress[] = [];
    const bytes = await urlModelFiles(`${url}/big/`, { onProgress: (p) => reports.push(p) }).read('big.bin');
    expect(Buffer.from(bytes).equals(Buffer.from(BIG))).toBe(true);
    expect(reports.length).toBeGreaterThan(3);
    expect(reports.length).toBeLessThanOrEqual(201);
    expect(reports[0].loaded).toBeLessThan(BIG.byteLength);
    expect(reports.every((p) => p.total === BIG.byteLength)).toBe(true);
    expect(reports.at(-1)).toEqual({ loaded: BIG.byteLength, total: BIG.byteLength });
  });

  test('without Content-Length the total is unknown until the file is complete', async () => {
    const { server, url } = await serve(false);
    servers.push(server);
    const reports: DownloadProgress[] = [];
    await urlModelFiles(`${url}/big`, { onProgress: (p) => reports.push(p) }).read('big.bin');
    expect(reports.slice(0, -1).every((p) => p.total === null)).toBe(true);
    expect(reports.at(-1)).toEqual({ loaded: BIG.byteLength, total: BIG.byteLength });
  });

  test('a 404 is a manifest-missing ModelError that names the URL once', async () => {
    const { server, url } = await serve(true);
    servers.push(server);
    const load = loadModel(urlModelFiles(`${url}/missing-model/`), backend);
    await expect(load).rejects.toBeInstanceOf(ModelError);
    const error = (await load.catch((e: unknown) => e)) as ModelError;
    expect(error.kind).toBe('manifest-missing');
    expect(error.message).toBe(`${url}/missing-model/manifest.json: cannot be read (HTTP 404 Not Found)`);
  });

  test('a server that cannot be reached and a name outside the folder are refused', async () => {
    const { server, url } = await serve(true);
    await new Promise((r) => server.close(r));
    await expect(urlModelFiles(`${url}/model`).read('manifest.json')).rejects.toThrow(/^request failed \(/);
    await expect(urlModelFiles(`${url}/model`).read('../secret.onnx')).rejects.toThrow(
      /"\.\.\/secret\.onnx" is not a plain file name inside http:\/\/127\.0\.0\.1:\d+\/model\//,
    );
  });
});

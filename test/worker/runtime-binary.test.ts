/**
 * onnxruntime's wasm binary fetched by the worker (so start-up progress counts it), over a real
 * HTTP server, with the in-memory stand-in for Cache Storage.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ModelError } from '../../extension/src/engine/errors';
import { sha256Hex } from '../../extension/src/engine/model/sha256';
import type { DownloadProgress } from '../../extension/src/worker/protocol';
import { fetchRuntimeBinary } from '../../extension/src/worker/runtime-binary';
import { MemoryStore, serveFolder } from '../support/file-server';

const SIZE = 3 * 1024 * 1024 + 17;

describe('fetchRuntimeBinary', () => {
  const servers: Server[] = [];
  let bytes: Buffer;
  let sha256: string;
  let url: string;
  let requests: string[];
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'medsam2-ort-'));
    bytes = randomBytes(SIZE);
    writeFileSync(path.join(dir, 'ort-test.wasm'), bytes);
    sha256 = await sha256Hex(new Uint8Array(bytes));
    const served = await serveFolder(dir);
    servers.push(served.server);
    url = new URL('../ort/ort-test.wasm', served.url).href;
    requests = served.requests;
  });
  beforeEach(() => {
    requests.length = 0;
  });
  afterAll(() => servers.forEach((s) => s.close()));

  test('streams the binary with progress whose total is its size from the first report', async () => {
    const reports: DownloadProgress[] = [];
    const got = await fetchRuntimeBinary({ url }, { onProgress: (p) => reports.push(p) });
    expect(Buffer.from(got).equals(bytes)).toBe(true);
    expect(reports.length).toBeGreaterThan(2);
    expect(reports.every((r) => r.total === SIZE && r.cached === undefined)).toBe(true);
    expect(reports.at(-1)?.loaded).toBe(SIZE);
    expect(reports.map((r) => r.loaded)).toEqual([...reports.map((r) => r.loaded)].sort((a, b) => a - b));
  });

  test('with its sha256 pinned, a second visit reads it from the cache and says so', async () => {
    const store = new MemoryStore();
    await fetchRuntimeBinary({ url, sha256 }, { cache: store });
    expect(requests).toEqual(['GET /ort/ort-test.wasm']);
    requests.length = 0;
    const reports: DownloadProgress[] = [];
    const got = await fetchRuntimeBinary(
      { url, sha256 },
      { cache: store, onProgress: (p) => reports.push(p) },
    );
    expect(requests).toEqual([]);
    expect(Buffer.from(got).equals(bytes)).toBe(true);
    expect(reports.at(-1)).toEqual({ loaded: SIZE, total: SIZE, cached: SIZE });
  });

  test('a binary that is not the pinned one is used but never cached; unpinned, nothing is cached', async () => {
    const store = new MemoryStore();
    await fetchRuntimeBinary({ url, sha256: 'f'.repeat(64) }, { cache: store });
    await fetchRuntimeBinary({ url }, { cache: store });
    expect(store.entries.size).toBe(0);
    expect(requests).toHaveLength(2);
  });

  test('a missing binary is a ModelError naming its URL', async () => {
    const missing = new URL('nothing.wasm', url).href;
    const error = await fetchRuntimeBinary({ url: missing }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ kind: 'backend-unavailable' });
    expect((error as Error).message).toContain(`${missing} could not be loaded: HTTP 404`);
  });
});

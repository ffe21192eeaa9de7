/**
 * Start-up progress counts every byte (issue 12, fault 7): the runtime's wasm binary and the
 * model's files, in one total known from the first reports, over a real HTTP server; the binary is
 * in place before the first backend starts; a second visit says everything but the manifest came
 * from the cache. The backend is real (onnxruntime-node); the binary is a stand-in file (only a
 * browser runs onnxruntime-web's).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sha256Hex } from '../../extension/src/engine/model/sha256';
import { nodeBackends } from '../../extension/src/node/backends';
import type { WorkerPlatform } from '../../extension/src/worker/engine-worker';
import type { DownloadProgress } from '../../extension/src/worker/protocol';
import { fetchRuntimeBinary } from '../../extension/src/worker/runtime-binary';
import { urlModelFiles } from '../../extension/src/worker/url-model-files';
import { MemoryStore, serveFolder } from '../support/file-server';
import { inProcessWorker } from '../support/in-process-worker';
import { TEST_MODEL_DIR } from '../support/test-model';

const RUNTIME_SIZE = 2 * 1024 * 1024 + 5;
const backends = nodeBackends();

describe('engine worker: start-up progress over the runtime binary and the model', () => {
  let server: Server;
  let modelUrl: string;
  let runtimeUrl: string;
  let runtimeSha: string;
  let folderBytes: number;
  let manifestBytes: number;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'medsam2-start-'));
    cpSync(TEST_MODEL_DIR, dir, { recursive: true });
    folderBytes = readdirSync(TEST_MODEL_DIR).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0);
    manifestBytes = statSync(path.join(dir, 'manifest.json')).size;
    const runtime = randomBytes(RUNTIME_SIZE);
    writeFileSync(path.join(dir, 'runtime.wasm'), runtime);
    runtimeSha = await sha256Hex(new Uint8Array(runtime));
    const served = await serveFolder(dir);
    server = served.server;
    modelUrl = served.url;
    runtimeUrl = new URL('../ort/runtime.wasm', served.url).href;
  });
  afterAll(() => server.close());

  /** A browser-like platform: files over HTTP, the runtime binary fetched before any backend starts. */
  function platform(store: MemoryStore, events: string[], reports: DownloadProgress[]): WorkerPlatform {
    let runtime: Uint8Array | null = null;
    return {
      modelFiles: (source, onProgress) => urlModelFiles(source.location, { onProgress, cache: store }),
      prepareRuntime: async (onProgress) => {
        // The manifest is read while the runtime loads: waiting here for it cannot deadlock.
        while (!reports.some((r) => r.loaded >= manifestBytes)) await new Promise((r) => setTimeout(r, 5));
        events.push('manifest read');
        runtime = await fetchRuntimeBinary(
          { url: runtimeUrl, sha256: runtimeSha },
          { onProgress, cache: store },
        );
        events.push('runtime ready');
      },
      backendCandidates: () => [
        {
          name: 'native-cpu',
          create: async () => {
            events.push(
              runtime?.byteLength === RUNTIME_SIZE ? 'backend, runtime in place' : 'backend, no runtime',
            );
            return backends.native();
          },
        },
      ],
    };
  }

  async function load(store: MemoryStore) {
    const events: string[] = [];
    const reports: DownloadProgress[] = [];
    const { client } = inProcessWorker(platform(store, events, reports));
    await client.loadModel({ location: modelUrl }, undefined, (p) => reports.push(p));
    return { events, reports };
  }

  test('one total over the runtime and the model from the first reports, the runtime before any backend', async () => {
    const { events, reports } = await load(new MemoryStore());
    expect(events).toEqual(['manifest read', 'runtime ready', 'backend, runtime in place']);
    const total = RUNTIME_SIZE + folderBytes;
    const known = reports.filter((r) => r.total !== null);
    expect(known.length).toBeGreaterThan(0);
    expect(known.every((r) => r.total === total)).toBe(true);
    expect(reports.at(-1)).toEqual({ loaded: total, total });
    expect(reports.every((r) => r.cached === undefined)).toBe(true);
  });

  test('a second visit reads the runtime and the graphs from the cache and says so', async () => {
    const store = new MemoryStore();
    await load(store);
    const { reports } = await load(store);
    const last = reports.at(-1) as DownloadProgress;
    expect(last.total).toBe(RUNTIME_SIZE + folderBytes);
    expect(last.loaded).toBe(last.total);
    expect(last.cached).toBe(RUNTIME_SIZE + folderBytes - manifestBytes);
  });
});

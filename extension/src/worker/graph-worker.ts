/**
 * Starts the graph worker (graph-entry.ts, bundled as medsam2-graph-worker.js beside the engine
 * worker) from a Web Worker or a page, and answers it as a RemoteBackend. Browser only.
 */
import { createRemoteBackend, type GraphResponse, type RemoteBackend } from '../engine/runtime/remote-graph';
import { probeBackend } from '../engine/runtime/probe';

export const GRAPH_WORKER_FILE = 'medsam2-graph-worker.js';

/** The first message a graph worker gets: onnxruntime-web's wasm binary, when the caller has it. */
export interface GraphWorkerRuntime {
  readonly type: 'runtime';
  readonly wasmBinary?: ArrayBufferLike | Uint8Array;
}

/**
 * A wasm backend with `threads` threads on its own worker, probed before it is answered.
 * `base` is the URL of the bundle beside which the graph worker lies; `ort` (optional) where
 * onnxruntime-web's files are, as the engine worker was told; `wasmBinary` the binary the caller
 * fetched already (runtime-binary.ts), so that it is not downloaded twice.
 */
export async function startGraphWorker(
  base: string,
  threads: number,
  ort?: string,
  wasmBinary?: ArrayBufferLike | Uint8Array,
): Promise<RemoteBackend> {
  const url = new URL(GRAPH_WORKER_FILE, base);
  url.searchParams.set('threads', String(threads));
  if (ort) url.searchParams.set('ort', ort);
  const worker = new Worker(url, { type: 'module', name: 'medsam2-image-encoder' });
  const runtime: GraphWorkerRuntime = { type: 'runtime', wasmBinary };
  worker.postMessage(runtime);
  const backend = createRemoteBackend(
    {
      postMessage: (message, transfer) => worker.postMessage(message, transfer),
      onResponse: (listener) =>
        worker.addEventListener('message', (e: MessageEvent<GraphResponse>) => listener(e.data)),
      onFailure: (listener) =>
        worker.addEventListener('error', (e: ErrorEvent) =>
          listener(e.message || 'the worker did not start'),
        ),
      terminate: () => worker.terminate(),
    },
    'wasm',
    `onnxruntime-web wasm (simd, ${threads} thread${threads === 1 ? '' : 's'}) on its own worker`,
  );
  try {
    return await probeBackend(backend);
  } catch (e) {
    backend.dispose();
    throw e;
  }
}

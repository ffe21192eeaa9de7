/**
 * An onnxruntime module (onnxruntime-node or onnxruntime-web) running in a Node worker thread,
 * behind the engine's InferenceBackend interface.
 *
 * Why a worker thread, for both Node backends:
 * - onnxruntime-web's Node build loads its wasm glue (`ort-wasm-simd-threaded.mjs`, next to the
 *   `.wasm` in node_modules/onnxruntime-web/dist) with a dynamic `import()`, which throws
 *   ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG inside Jest's VM sandbox (and bundlers may rewrite it).
 * - onnxruntime-node's addon creates its output arrays in Node's main realm; inside a sandbox they fail
 *   onnxruntime-common's `instanceof Float32Array` check ("A float32 tensor's data must be type of…").
 * A worker thread is a plain Node context where both always work; it also keeps inference off the
 * caller's thread, as the browser's Web Worker does. Tensors cross the thread boundary as copies.
 */
import { Worker } from 'node:worker_threads';
import { ModelError, errorText } from '../engine/errors';
import type { BackendName, GraphSession, InferenceBackend } from '../engine/runtime/backend';
import type { Tensor } from '../engine/model/tensor';

/** The worker's source (plain CommonJS, run with `eval: true` so it survives bundling of this file). */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
if (workerData.wasmThreads !== undefined) ort.env.wasm.numThreads = workerData.wasmThreads;
const sessions = new Map();
let nextSession = 1;
const handlers = {
  info: async () => ({ result: { versions: { ...ort.env.versions }, wasmThreads: ort.env.wasm && ort.env.wasm.numThreads } }),
  create: async (m) => {
    const session = await ort.InferenceSession.create(m.bytes, workerData.sessionOptions);
    const sessionId = nextSession++;
    sessions.set(sessionId, session);
    return { result: { sessionId, inputNames: [...session.inputNames], outputNames: [...session.outputNames] } };
  },
  run: async (m) => {
    const session = sessions.get(m.sessionId);
    if (!session) throw new Error('session ' + m.sessionId + ' was released');
    const feeds = {};
    for (const [name, t] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor('float32', t.data, t.dims);
    const results = await session.run(feeds);
    const outputs = {};
    const transfer = [];
    for (const [name, t] of Object.entries(results)) {
      if (t.type !== 'float32') throw new Error('output "' + name + '" is ' + t.type + ', the contract needs float32');
      const data = new Float32Array(t.data); // own copy: the original may live in wasm memory
      outputs[name] = { data, dims: [...t.dims] };
      transfer.push(data.buffer);
    }
    return { result: outputs, transfer };
  },
  release: async (m) => {
    const session = sessions.get(m.sessionId);
    sessions.delete(m.sessionId);
    if (session) await session.release();
    return { result: null };
  },
};
parentPort.on('message', async (m) => {
  try {
    const { result, transfer } = await handlers[m.op](m);
    parentPort.postMessage({ id: m.id, ok: true, result }, transfer || []);
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: e && e.message ? e.message : String(e) });
  }
});
`;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

export interface WorkerBackend extends InferenceBackend {
  /** Stops the worker thread; sessions created by this backend stop working. */
  close(): Promise<void>;
}

export interface WorkerBackendOptions {
  readonly name: BackendName;
  /** Module path the worker `require`s: onnxruntime-node, or onnxruntime-web's node build. */
  readonly ortPath: string;
  /** Session options for every graph, including the execution provider ('cpu' or 'wasm'). */
  readonly sessionOptions: { executionProviders: string[]; intraOpNumThreads?: number };
  /** onnxruntime-web only: wasm threads (set before the first session). */
  readonly wasmThreads?: number;
  /** Builds the description from the versions onnxruntime reports inside the worker. */
  readonly describe: (
    versions: Record<string, string | undefined>,
    wasmThreads: number | undefined,
  ) => string;
}

class WorkerConnection {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor(readonly worker: Worker) {
    worker.unref(); // an idle backend must not keep the process alive
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', (code) => this.failAll(new Error(`onnxruntime worker thread exited (code ${code})`)));
  }

  request<T>(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new Error(reply.error ?? 'unknown worker error'));
  }

  private failAll(e: Error): void {
    this.failure ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}

/** Starts a worker thread that loads the onnxruntime module at `options.ortPath`. */
export async function startWorkerBackend(options: WorkerBackendOptions): Promise<WorkerBackend> {
  const { name, ortPath, sessionOptions, wasmThreads } = options;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { ortPath, sessionOptions, wasmThreads },
  });
  const connection = new WorkerConnection(worker);
  let info: { versions: Record<string, string | undefined>; wasmThreads: number | undefined };
  try {
    info = await connection.request({ op: 'info' });
  } catch (e) {
    await worker.terminate();
    throw new Error(`${ortPath} did not start in a worker thread: ${errorText(e)}`);
  }
  return {
    name,
    description: options.describe(info.versions, info.wasmThreads),
    async createSession(bytes: Uint8Array, label: string): Promise<GraphSession> {
      // A fresh ArrayBuffer to transfer: a Node Buffer's slice() is a view on its (possibly pooled,
      // untransferable) memory, which Node >= 21 refuses to transfer (DataCloneError).
      const copy = new Uint8Array(bytes);
      let created: { sessionId: number; inputNames: string[]; outputNames: string[] };
      try {
        created = await connection.request({ op: 'create', bytes: copy }, [copy.buffer]);
      } catch (e) {
        throw new ModelError(
          'inference-failed',
          `${label}: ${name} could not load the graph: ${errorText(e)}`,
        );
      }
      return {
        inputNames: created.inputNames,
        outputNames: created.outputNames,
        async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
          const sent: Record<string, { data: Float32Array; dims: number[] }> = {};
          const transfer: ArrayBuffer[] = [];
          for (const [name, t] of Object.entries(feeds)) {
            const data = t.data.slice(); // exactly this view's values, handed over without a second copy
            sent[name] = { data, dims: [...t.dims] };
            transfer.push(data.buffer);
          }
          try {
            return await connection.request(
              { op: 'run', sessionId: created.sessionId, feeds: sent },
              transfer,
            );
          } catch (e) {
            throw new ModelError('inference-failed', `${label}: ${name} inference failed: ${errorText(e)}`);
          }
        },
        async release(): Promise<void> {
          await connection.request({ op: 'release', sessionId: created.sessionId });
        },
      };
    },
    async close(): Promise<void> {
      await connection.worker.terminate();
    },
  };
}

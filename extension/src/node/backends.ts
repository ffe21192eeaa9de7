/**
 * The two Node backends behind the engine's InferenceBackend interface, so a benchmark can compare
 * them in one run: onnxruntime-node (native CPU) and onnxruntime-web's wasm build. Each runs in its
 * own worker thread (see ort-worker.ts for why) and is probed with a real graph before it is returned.
 */
import { probeBackend } from '../engine/runtime/probe';
import { startWorkerBackend, type WorkerBackend } from './ort-worker';

export type { WorkerBackend } from './ort-worker';

export interface NodeBackendOptions {
  /** Threads for onnxruntime-node's CPU provider (default: onnxruntime's choice, all cores). */
  readonly nativeThreads?: number;
  /** wasm threads (default 1). */
  readonly wasmThreads?: number;
}

async function probed(start: Promise<WorkerBackend>): Promise<WorkerBackend> {
  const backend = await start;
  try {
    return await probeBackend(backend);
  } catch (e) {
    await backend.close();
    throw e;
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function nodeBackends(options: NodeBackendOptions = {}): {
  native: () => Promise<WorkerBackend>;
  wasm: () => Promise<WorkerBackend>;
} {
  return {
    native: () =>
      probed(
        startWorkerBackend({
          name: 'native-cpu',
          ortPath: require.resolve('onnxruntime-node'),
          sessionOptions: {
            executionProviders: ['cpu'],
            ...(options.nativeThreads === undefined ? {} : { intraOpNumThreads: options.nativeThreads }),
          },
          describe: (v) =>
            `onnxruntime-node ${v.node ?? '?'} native CPU (${options.nativeThreads === undefined ? 'default threads' : plural(options.nativeThreads, 'thread')}) in a Node worker thread`,
        }),
      ),
    wasm: () =>
      probed(
        startWorkerBackend({
          name: 'wasm',
          // The "node" export (dist/ort.node.min.js) finds ort-wasm-simd-threaded.{mjs,wasm} next to itself.
          ortPath: require.resolve('onnxruntime-web'),
          sessionOptions: { executionProviders: ['wasm'] },
          wasmThreads: options.wasmThreads ?? 1,
          describe: (v, threads) =>
            `onnxruntime-web ${v.web ?? '?'} wasm (simd, ${plural(threads ?? 1, 'thread')}) in a Node worker thread`,
        }),
      ),
  };
}

/**
 * Test entry for the engine worker whose "GPU" is lost mid-inference. A GPU cannot run here, so
 * the GPU is a mock: onnxruntime-web's wasm backend under the name 'webgpu' that fails every graph
 * run from run `failAtRun` on, the way onnxruntime-web reports a lost WebGPU device. The real
 * wasm backend is the fallback, so results can be compared bit for bit with an uninterrupted run.
 */
import { workerData, parentPort } from 'node:worker_threads';
import { ModelError } from '../../extension/src/engine/errors';
import type { InferenceBackend } from '../../extension/src/engine/runtime/backend';
import { nodeBackends } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { EngineWorker } from '../../extension/src/worker/engine-worker';
import type { WorkerRequest } from '../../extension/src/worker/protocol';

/** `inner` posing as a GPU backend that is lost at graph run `failAtRun` (null: never). */
function gpuLostAt(inner: InferenceBackend, failAtRun: number | null): InferenceBackend {
  let runs = 0;
  return {
    name: 'webgpu',
    description: `mock GPU (${inner.description}), lost at graph run ${failAtRun ?? 'never'}`,
    async createSession(bytes, label) {
      const session = await inner.createSession(bytes, label);
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        release: () => session.release(),
        async run(feeds) {
          runs++;
          if (failAtRun !== null && runs >= failAtRun)
            throw new ModelError(
              'inference-failed',
              `${label}: webgpu inference failed: Device lost ("destroyed"): the GPU device was lost (mock, run ${runs})`,
            );
          return session.run(feeds);
        },
      };
    },
  };
}

if (!parentPort) throw new Error('lost-gpu-entry must run inside a worker_threads Worker');
const port = parentPort;
const { failAtRun } = workerData as { failAtRun: number | null };
const backends = nodeBackends();
const worker = new EngineWorker(
  {
    modelFiles: (source) => directoryModelFiles(source.location),
    backendCandidates: () => [
      { name: 'webgpu', create: async () => gpuLostAt(await backends.wasm(), failAtRun) },
      { name: 'wasm', create: backends.wasm },
    ],
  },
  (message, transfer) => port.postMessage(message, transfer),
);
port.on('message', (message: WorkerRequest) => void worker.handle(message));

/**
 * Test entry for the engine worker whose "GPU" is lost mid-inference. A GPU cannot run here, so
 * the GPU is a mock (mock-gpu.ts): onnxruntime-web's wasm backend under the name 'webgpu' that
 * fails every graph run from run `failAtRun` on. The real wasm backend is the fallback, so results
 * can be compared bit for bit with an uninterrupted run.
 */
import { workerData, parentPort } from 'node:worker_threads';
import { nodeBackends } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { EngineWorker } from '../../extension/src/worker/engine-worker';
import type { WorkerRequest } from '../../extension/src/worker/protocol';
import { mockGpu } from './mock-gpu';

if (!parentPort) throw new Error('lost-gpu-entry must run inside a worker_threads Worker');
const port = parentPort;
const { failAtRun } = workerData as { failAtRun: number | null };
const backends = nodeBackends();
const worker = new EngineWorker(
  {
    modelFiles: (source) => directoryModelFiles(source.location),
    backendCandidates: () => [
      {
        name: 'webgpu',
        create: async () =>
          mockGpu(
            await backends.wasm(),
            (run) => failAtRun !== null && run >= failAtRun,
            `lost at graph run ${failAtRun ?? 'never'}`,
          ),
      },
      { name: 'wasm', create: backends.wasm },
    ],
  },
  (message, transfer) => port.postMessage(message, transfer),
);
port.on('message', (message: WorkerRequest) => void worker.handle(message));

/**
 * Node worker_threads entry: the engine worker with onnxruntime-node (native CPU) first and
 * onnxruntime-web's wasm as fallback, reading models from a directory. Thin shell.
 */
import { parentPort } from 'node:worker_threads';
import { nodeBackends } from '../node/backends';
import { directoryModelFiles } from '../node/model-dir';
import { EngineWorker } from './engine-worker';
import type { WorkerRequest } from './protocol';

if (!parentPort) throw new Error('node-entry must run inside a worker_threads Worker');
const port = parentPort;
const backends = nodeBackends();
const worker = new EngineWorker(
  {
    modelFiles: (source) => directoryModelFiles(source.location),
    backendCandidates: (only) =>
      [
        { name: 'native-cpu' as const, create: backends.native },
        { name: 'wasm' as const, create: backends.wasm },
      ].filter((c) => !only || only.includes(c.name)),
  },
  (message, transfer) => port.postMessage(message, transfer),
);
port.on('message', (message: WorkerRequest) => void worker.handle(message));

/** The real engine worker in a worker_threads Worker, driven through the typed client. */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { EngineClient } from '../../extension/src/worker/client';
import type { WorkerRequest, WorkerResponse } from '../../extension/src/worker/protocol';

export const NODE_WORKER_BOOTSTRAP = path.resolve(__dirname, '../../extension/bin/node-worker.cjs');

export function startNodeWorker(): { worker: Worker; client: EngineClient } {
  const worker = new Worker(NODE_WORKER_BOOTSTRAP);
  const client = new EngineClient({
    postMessage: (m: WorkerRequest, transfer: ArrayBuffer[]) => worker.postMessage(m, transfer),
    onMessage: (listener: (m: WorkerResponse) => void) => worker.on('message', listener),
  });
  return { worker, client };
}

/** Starts the engine's module Web Worker and wraps it in the typed EngineClient. */
import { EngineClient, type WorkerPort } from '../worker/client';
import type { WorkerResponse } from '../worker/protocol';
import { engineWorkerUrl } from '../worker/worker-url';
import type { Medsam2Config } from './config';

export interface WorkerConnection {
  readonly client: EngineClient;
  /** Resolves with a message when the worker itself fails (script 404, syntax error, crash). */
  readonly failed: Promise<string>;
  terminate(): void;
}

export function startEngineWorker(config: Medsam2Config): WorkerConnection {
  const url = engineWorkerUrl(config.workerUrl, config);
  const worker = new Worker(url.href, { type: 'module', name: 'medsam2-engine' });
  const port: WorkerPort = {
    postMessage: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (listener) =>
      worker.addEventListener('message', (e: MessageEvent<WorkerResponse>) => listener(e.data)),
  };
  const failed = new Promise<string>((resolve) => {
    worker.addEventListener('error', (e: ErrorEvent) =>
      resolve(`the engine worker ${url.pathname} failed: ${e.message || 'it could not be loaded'}`),
    );
  });
  return { client: new EngineClient(port), failed, terminate: () => worker.terminate() };
}

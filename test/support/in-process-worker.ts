/**
 * The engine worker in the test's own process, behind the real EngineClient: messages cross in
 * later tasks both ways (setImmediate), as they do between a page and its worker.
 */
import { EngineClient } from '../../extension/src/worker/client';
import { EngineWorker, type WorkerPlatform } from '../../extension/src/worker/engine-worker';
import type { WorkerResponse } from '../../extension/src/worker/protocol';

export function inProcessWorker(platform: WorkerPlatform): { client: EngineClient; worker: EngineWorker } {
  const listeners: ((m: WorkerResponse) => void)[] = [];
  const worker = new EngineWorker(platform, (message) =>
    setImmediate(() => listeners.forEach((l) => l(message))),
  );
  const client = new EngineClient({
    postMessage: (m) => setImmediate(() => void worker.handle(m)),
    onMessage: (listener) => listeners.push(listener),
  });
  return { client, worker };
}

/**
 * The engine worker gives the image encoder its own thread when the platform offers one (the
 * browser does for wasm with 2 threads or more), says so in the model info, and loads the model
 * without it when that thread cannot take the encoder, instead of failing the load.
 */
import { ModelError } from '../../extension/src/engine/errors';
import type { InferenceBackend } from '../../extension/src/engine/runtime/backend';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { EngineClient } from '../../extension/src/worker/client';
import { EngineWorker } from '../../extension/src/worker/engine-worker';
import type { WorkerResponse } from '../../extension/src/worker/protocol';
import { blobVolume } from '../support/synthetic';
import { TEST_MODEL_DIR } from '../support/test-model';

const started: WorkerBackend[] = [];
afterAll(async () => {
  await Promise.all(started.map((b) => b.close()));
});

async function native(): Promise<WorkerBackend> {
  const b = await nodeBackends({ nativeThreads: 1 }).native();
  started.push(b);
  return b;
}

/** The engine worker in this process; `encoder` is what the platform offers for the encoder. */
function startWorker(encoder: () => Promise<(InferenceBackend & { dispose?(): void }) | undefined>) {
  const listeners: ((m: WorkerResponse) => void)[] = [];
  const worker = new EngineWorker(
    {
      modelFiles: (source) => directoryModelFiles(source.location),
      backendCandidates: () => [{ name: 'native-cpu', create: native }],
      encoderBackend: () => encoder(),
    },
    (message) => setImmediate(() => listeners.forEach((l) => l(message))),
  );
  return new EngineClient({
    postMessage: (m) => setImmediate(() => void worker.handle(m)),
    onMessage: (listener) => listeners.push(listener),
  });
}

async function segment(client: EngineClient): Promise<number> {
  const { volume } = blobVolume([48, 48, 12], [{ center: [24, 24, 6], radii: [10, 10, 4] }]);
  const sessionId = await client.openVolume({ ...volume }, 'series-encoder-thread');
  const objectId = await client.addObject(sessionId, 'lesion');
  await client.setPrompt(sessionId, objectId, 'axial', 6, { points: [{ x: 24, y: 24, label: 1 }] });
  let slices = 0;
  for await (const u of client.propagate(sessionId)) if (u.objectId === objectId) slices++;
  return slices;
}

test('the model runs with the image encoder on the thread the platform offers, and says so', async () => {
  let disposed = 0;
  const client = startWorker(async () => {
    const b = await native();
    return Object.assign(b, { dispose: () => void (disposed++, b.close()) });
  });
  const info = await client.loadModel({ location: TEST_MODEL_DIR });
  expect(info.backendDescription).toMatch(/; the image encoder on its own thread$/);
  expect(await segment(client)).toBe(11);
  expect(disposed).toBe(0);
});

test('an encoder thread that cannot load the encoder is ended and the model loads without it', async () => {
  let disposed = 0;
  const refusing: InferenceBackend & { dispose(): void } = {
    name: 'wasm',
    description: 'refuses every graph',
    createSession: async (_bytes, label) => {
      throw new ModelError('inference-failed', `${label}: out of memory in the encoder's thread`);
    },
    dispose: () => void disposed++,
  };
  const client = startWorker(async () => refusing);
  const info = await client.loadModel({ location: TEST_MODEL_DIR });
  expect(info.backendDescription).not.toMatch(/image encoder/);
  expect(info.fallbacks).toEqual([]);
  expect(disposed).toBe(1);
  expect(await segment(client)).toBe(11);
});

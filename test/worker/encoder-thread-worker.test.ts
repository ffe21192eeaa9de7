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
import { wrappedBackend } from '../support/wrapped-backend';
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

test('with the encoder on its own thread, a click on an encoded slice answers while a pre-encoding step is still encoding', async () => {
  // The encoder's backend holds its runs at a gate once `holding` is set: a slow encoding in flight.
  let holding = false;
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let entered = () => {};
  const heldRunStarted = new Promise<void>((resolve) => (entered = resolve));
  let heldRunsDone = 0;
  const client = startWorker(async () =>
    wrappedBackend(await native(), async (_label, run) => {
      if (!holding) return run();
      entered();
      await gate;
      const out = await run();
      heldRunsDone++;
      return out;
    }),
  );
  await client.loadModel({ location: TEST_MODEL_DIR });
  const { volume } = blobVolume([48, 48, 12], [{ center: [24, 24, 6], radii: [10, 10, 4] }]);
  const sessionId = await client.openVolume({ ...volume }, 'series-overlap');
  const objectId = await client.addObject(sessionId, 'lesion');
  const click = (x: number) => ({ points: [{ x, y: 24, label: 1 as const }] });
  await client.setPrompt(sessionId, objectId, 'axial', 6, click(24)); // slice 6 encoded
  holding = true;
  const prefetched = client.prefetch(sessionId, 'axial', 6, 1); // 6 is cached: encodes 5, held
  prefetched.catch(() => undefined); // checked below; a failed click must not leave it unhandled
  await heldRunStarted;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const waitedForStep = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the click waited for the pre-encoding step')), 5000);
    });
    const again = await Promise.race([
      client.setPrompt(sessionId, objectId, 'axial', 6, click(25)),
      waitedForStep,
    ]);
    expect(again.encoderCached).toBe(true);
    expect(again.area).toBeGreaterThan(0);
    expect(heldRunsDone).toBe(0); // answered while the step's encoding was still held
  } finally {
    clearTimeout(timer);
    open();
  }
  await expect(prefetched).resolves.toEqual([5, 7]);
  expect(heldRunsDone).toBe(2);
});

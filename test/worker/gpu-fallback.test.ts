/**
 * A GPU lost during inference: the worker reloads the model on wasm and the interrupted
 * propagation continues there, ending with the same masks as a run that was never interrupted.
 * The lost GPU is a mock (see lost-gpu-entry.ts): no GPU can run here.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SliceUpdate } from '../../extension/src/engine/session';
import { EngineClient } from '../../extension/src/worker/client';
import type { ModelInfo, WorkerRequest, WorkerResponse } from '../../extension/src/worker/protocol';
import { blobVolume } from '../support/synthetic';
import { TEST_MODEL_DIR } from '../support/test-model';

const BOOTSTRAP = path.resolve(__dirname, 'lost-gpu-worker.cjs');

function startWorker(failAtRun: number | null) {
  const worker = new Worker(BOOTSTRAP, { workerData: { failAtRun } });
  const client = new EngineClient({
    postMessage: (m: WorkerRequest, transfer: ArrayBuffer[]) => worker.postMessage(m, transfer),
    onMessage: (listener: (m: WorkerResponse) => void) => worker.on('message', listener),
  });
  return { worker, client };
}

interface Outcome {
  info: ModelInfo;
  prompted: SliceUpdate;
  updates: SliceUpdate[];
  mask: Uint8Array;
  fallback: ModelInfo | null;
  /** Slice updates received before the fallback was announced. */
  updatesBeforeFallback: number;
  /** A click after the propagation (the worker keeps serving). */
  after: SliceUpdate;
}

/** Click, propagate through the whole volume, then click again on another slice. */
async function segment(failAtRun: number | null): Promise<Outcome> {
  const { worker, client } = startWorker(failAtRun);
  try {
    let fallback: ModelInfo | null = null;
    let updatesBeforeFallback = -1;
    const updates: SliceUpdate[] = [];
    client.onBackendFallback((model) => {
      fallback = model;
      updatesBeforeFallback = updates.length;
    });
    const info = await client.loadModel({ location: TEST_MODEL_DIR });
    const { volume } = blobVolume([48, 48, 24], [{ center: [24, 24, 12], radii: [10, 10, 8] }]);
    const sessionId = await client.openVolume({ ...volume }, 'series-gpu');
    const objectId = await client.addObject(sessionId, 'lesion');
    const prompted = await client.setPrompt(sessionId, objectId, 'axial', 12, {
      points: [{ x: 24, y: 24, label: 1 }],
    });
    for await (const u of client.propagate(sessionId)) updates.push(u);
    const mask = await client.getMask(sessionId, objectId);
    const after = await client.setPrompt(sessionId, objectId, 'axial', 6, {
      points: [{ x: 24, y: 24, label: 1 }],
    });
    return { info, prompted, updates, mask, fallback, updatesBeforeFallback, after };
  } finally {
    await worker.terminate();
  }
}

const summary = (u: SliceUpdate) => ({
  slice: u.slice,
  present: u.present,
  confidence: u.confidence,
  mask: Buffer.from(u.mask).toString('base64'),
});

describe('GPU lost during inference (mock GPU)', () => {
  let reference: Outcome;
  let interrupted: Outcome;
  beforeAll(async () => {
    reference = await segment(null);
    // Run 40 falls inside the propagation (asserted below), after the click and some slices.
    interrupted = await segment(40);
  });

  test('both runs start on the GPU backend', () => {
    expect(reference.info.backend).toBe('webgpu');
    expect(interrupted.info.backend).toBe('webgpu');
    expect(reference.fallback).toBeNull();
  });

  test('the worker reloads the model on wasm and says why, in the middle of the propagation', () => {
    const fallback = interrupted.fallback as ModelInfo | null;
    expect(fallback).not.toBeNull();
    expect(fallback?.backend).toBe('wasm');
    expect(fallback?.backendDescription).toMatch(/wasm/);
    expect(fallback?.fallbacks).toEqual([
      {
        name: 'webgpu',
        duringInference: true,
        error: expect.stringMatching(/webgpu inference failed: Device lost/),
      },
    ]);
    expect(interrupted.updatesBeforeFallback).toBeGreaterThan(0);
    expect(interrupted.updatesBeforeFallback).toBeLessThan(interrupted.updates.length);
  });

  test('the propagation continues on wasm and equals an uninterrupted run, slice by slice', () => {
    expect(interrupted.updates).toHaveLength(23);
    expect(interrupted.updates.map(summary)).toEqual(reference.updates.map(summary));
    expect(interrupted.updates.at(-1)?.progress).toEqual({ done: 23, total: 23 });
    expect(Buffer.from(interrupted.mask).equals(Buffer.from(reference.mask))).toBe(true);
    expect(interrupted.mask.reduce((n, v) => n + v, 0)).toBeGreaterThan(1000);
  });

  test('the worker keeps serving on wasm after the fallback', () => {
    expect(summary(interrupted.prompted)).toEqual(summary(reference.prompted));
    expect(summary(interrupted.after)).toEqual(summary(reference.after));
    expect(interrupted.after.area).toBeGreaterThan(100);
  });
});

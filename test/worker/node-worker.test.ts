import { DEFAULT_BANK_OPTIONS } from '../../extension/src/engine/memory/policies';
import { WorkerRequestError } from '../../extension/src/worker/client';
import type { WorkerResponse } from '../../extension/src/worker/protocol';
import { blobVolume, collect, dice } from '../support/synthetic';
import { startNodeWorker } from '../support/node-worker';
import { TEST_MODEL_DIR } from '../support/test-model';

describe('engine worker (worker_threads, typed protocol, transferable buffers)', () => {
  let w: ReturnType<typeof startNodeWorker>;
  beforeEach(() => {
    w = startNodeWorker();
  });
  afterEach(async () => {
    await w.worker.terminate();
  });

  it('loads the model, reports the backend, segments a click and streams propagation', async () => {
    const info = await w.client.loadModel({ location: TEST_MODEL_DIR });
    expect(info).toMatchObject({ name: 'test-tiny', testModel: true, backend: 'native-cpu', imageSize: 128 });
    const { volume, truth } = blobVolume([48, 48, 24], [{ center: [24, 24, 12], radii: [10, 10, 6] }]);
    const data = volume.data;
    const sessionId = await w.client.openVolume({ ...volume }, 'series-1');
    expect(data.byteLength).toBe(0); // transferred, not copied
    const objectId = await w.client.addObject(sessionId, 'lesion');
    const first = await w.client.setPrompt(sessionId, objectId, 'axial', 12, {
      points: [{ x: 24, y: 24, label: 1 }],
    });
    expect(first.area).toBeGreaterThan(200);
    const updates = await collect(w.client.propagate(sessionId));
    expect(updates).toHaveLength(23);
    expect(updates.every((u) => u.mask instanceof Uint8Array || ArrayBuffer.isView(u.mask))).toBe(true);
    const mask = await w.client.getMask(sessionId, objectId);
    expect(dice(new Uint8Array(mask), truth[0])).toBeGreaterThan(0.85);
  });

  it('cancel stops a running propagation and the worker keeps serving', async () => {
    await w.client.loadModel({ location: TEST_MODEL_DIR });
    const { volume } = blobVolume([48, 48, 60], [{ center: [24, 24, 30], radii: [10, 10, 25] }]);
    const sessionId = await w.client.openVolume({ ...volume }, 'series-2');
    const objectId = await w.client.addObject(sessionId);
    await w.client.setPrompt(sessionId, objectId, 'axial', 30, { points: [{ x: 24, y: 24, label: 1 }] });
    const controller = new AbortController();
    let received = 0;
    for await (const _ of w.client.propagate(sessionId, undefined, controller.signal)) {
      received++;
      if (received === 3) controller.abort();
    }
    expect(received).toBeGreaterThanOrEqual(3);
    expect(received).toBeLessThan(59);
    const rest = await collect(w.client.propagate(sessionId));
    expect(received + rest.length).toBeGreaterThanOrEqual(59);
  });

  it('pending-slices names what the next propagate redoes; propagate-between streams only its range', async () => {
    await w.client.loadModel({ location: TEST_MODEL_DIR });
    const { volume } = blobVolume([48, 48, 24], [{ center: [24, 24, 12], radii: [10, 10, 6] }]);
    const sessionId = await w.client.openVolume({ ...volume }, 'series-between');
    const objectId = await w.client.addObject(sessionId);
    for (const slice of [9, 15])
      await w.client.setPrompt(sessionId, objectId, 'axial', slice, { points: [{ x: 24, y: 24, label: 1 }] });
    expect(await w.client.pendingSlices(sessionId, objectId)).toHaveLength(22);
    const between = await collect(w.client.propagateBetween(sessionId, objectId, 9, 15));
    expect(between.map((u) => u.slice)).toEqual([10, 11, 12, 13, 14]);
    const pending = await w.client.pendingSlices(sessionId, objectId);
    expect(pending.filter((s) => s > 9 && s < 15)).toEqual([]);
    const rest = await collect(w.client.propagate(sessionId));
    expect(rest.map((u) => u.slice).sort((a, b) => a - b)).toEqual(pending);
    expect(await w.client.pendingSlices(sessionId, objectId)).toEqual([]);
    await expect(collect(w.client.propagateBetween(sessionId, objectId, 9, 12))).rejects.toThrow(
      /slice 12 of object 1 has no prompt/,
    );
  });

  it('new settings apply to the next propagation of an open volume, as if it had been opened with them', async () => {
    await w.client.loadModel({ location: TEST_MODEL_DIR });
    const blob = () => blobVolume([40, 40, 20], [{ center: [20, 20, 10], radii: [9, 9, 7] }]).volume;
    const click = { points: [{ x: 20, y: 20, label: 1 as const }] };
    const fifo = { bank: { ...DEFAULT_BANK_OPTIONS, policy: 'sam2-fifo' as const, capacity: 2 } };
    // Reference: a volume opened with the new settings from the start.
    const fresh = await w.client.openVolume({ ...blob() }, 'series-fresh', fifo);
    const freshObject = await w.client.addObject(fresh);
    await w.client.setPrompt(fresh, freshObject, 'axial', 10, click);
    const expected = (await collect(w.client.propagate(fresh))).map((u) => [u.slice, u.confidence]);
    // Opened with the defaults, two objects (the first removed), propagated, then re-configured.
    const sessionId = await w.client.openVolume({ ...blob() }, 'series-settings');
    await w.client.addObject(sessionId);
    const objectId = await w.client.addObject(sessionId);
    await w.client.setPrompt(sessionId, objectId, 'axial', 10, click);
    const before = (await collect(w.client.propagate(sessionId))).map((u) => [u.slice, u.confidence]);
    expect(before).not.toEqual(expected); // the settings matter for this volume
    await w.client.updateSettings(sessionId, fifo);
    const after = await collect(w.client.propagate(sessionId, [objectId]));
    expect(after.every((u) => u.objectId === objectId)).toBe(true);
    expect(after.map((u) => [u.slice, u.confidence])).toEqual(expected);
    expect(Buffer.from(await w.client.getMask(sessionId, objectId))).toEqual(
      Buffer.from(await w.client.getMask(fresh, freshObject)),
    );
    // Nothing is left to do until something changes again.
    expect(await collect(w.client.propagate(sessionId))).toEqual([]);
  });

  it('bad requests answer typed errors and the worker survives them', async () => {
    await expect(w.client.loadModel({ location: '/nonexistent/model' })).rejects.toMatchObject({
      kind: 'manifest-missing',
    });
    await expect(
      w.client.openVolume(
        { data: new Float32Array(8), dims: [2, 2, 2], spacing: [1, 1, 1], modality: 'CT' },
        'x',
      ),
    ).rejects.toThrow(/no model loaded/);
    await w.client.loadModel({ location: TEST_MODEL_DIR });
    await expect(
      w.client.openVolume(
        { data: new Float32Array(7), dims: [2, 2, 2], spacing: [1, 1, 1], modality: 'CT' },
        'y',
      ),
    ).rejects.toMatchObject({
      kind: 'invalid-volume',
    });
    const { volume } = blobVolume([32, 32, 8], [{ center: [16, 16, 4], radii: [6, 6, 3] }]);
    const sessionId = await w.client.openVolume({ ...volume }, 'z');
    const objectId = await w.client.addObject(sessionId);
    const bad = w.client.setPrompt(sessionId, objectId, 'axial', 4, { points: [{ x: 99, y: 1, label: 1 }] });
    await expect(bad).rejects.toBeInstanceOf(WorkerRequestError);
    await expect(bad).rejects.toMatchObject({ kind: 'invalid-prompt' });
    const ok = await w.client.setPrompt(sessionId, objectId, 'axial', 4, {
      points: [{ x: 16, y: 16, label: 1 }],
    });
    expect(ok.area).toBeGreaterThan(0);
  });

  it('messages that are no request are answered "error" (with their id where they have one), and the worker keeps serving', async () => {
    const answers: WorkerResponse[] = [];
    w.worker.on('message', (m: WorkerResponse) => answers.push(m));
    let exited = false;
    w.worker.on('exit', () => (exited = true));
    w.worker.on('error', () => undefined); // a dead worker shows as `exited` below
    await w.client.loadModel({ location: TEST_MODEL_DIR });
    const { volume } = blobVolume([32, 32, 8], [{ center: [16, 16, 4], radii: [6, 6, 3] }]);
    const sessionId = await w.client.openVolume({ ...volume }, 'malformed');
    for (const message of [
      null,
      42,
      'set-prompt',
      { id: 901 },
      { type: 'set-prompt', id: 902 },
      { type: 'set-prompt', id: 903, sessionId, objectId: 'x', slice: 'y', prompt: null, axis: 'up' },
      { type: 'no-such-request', id: 904 },
    ])
      w.worker.postMessage(message);
    const objectId = await w.client.addObject(sessionId);
    const errors = answers.filter((m) => m.type === 'error');
    expect(errors).toHaveLength(7);
    expect(errors.map((m) => m.id)).toEqual([undefined, undefined, undefined, 901, 902, 903, 904]);
    expect(errors.slice(0, 4).map((m) => m.type === 'error' && m.error)).toEqual(
      Array(4).fill({
        kind: 'invalid-options',
        message: expect.stringMatching(/^malformed request: (null|42|"set-prompt"|an object without a type)/),
      }),
    );
    expect(exited).toBe(false);
    expect(objectId).toBe(1);
  });
});

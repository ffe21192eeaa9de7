/**
 * An object opened from an existing segmentation (session.giveMasks): every slice is kept exactly
 * as given, propagation leaves it alone, and a click corrects only its slice, as SAM 2 corrects a
 * mask-prompted frame (add_new_mask, then add_new_points on it). Undo and settings changes keep
 * the given slices; bad masks are refused by name.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../extension/src/engine/errors';
import type { SamModel } from '../../extension/src/engine/model/sam-model';
import { SegmentationSession } from '../../extension/src/engine/session';
import { EngineClient } from '../../extension/src/worker/client';
import type { WorkerRequest, WorkerResponse } from '../../extension/src/worker/protocol';
import { blobVolume, collect } from '../support/synthetic';
import { TEST_MODEL_DIR, loadTestModel } from '../support/test-model';

let model: SamModel;
beforeAll(async () => {
  model = await loadTestModel('native');
});
afterAll(() => model.release());

const DIMS = [48, 48, 24] as const;
const N = DIMS[0] * DIMS[1];
const { volume, truth } = blobVolume(DIMS, [{ center: [24, 22, 12], radii: [10, 10, 5] }]);

/** The blob's truth plus a second, separate part on slices 3-4 (a segment another tool drew). */
function opened(): Uint8Array {
  const m = truth[0].slice();
  for (const z of [3, 4])
    for (let y = 2; y < 6; y++) for (let x = 2; x < 6; x++) m[x + DIMS[0] * y + N * z] = 1;
  return m;
}
const slice = (m: Uint8Array, k: number) => Array.from(m.subarray(k * N, (k + 1) * N));

describe('an object given its masks', () => {
  it('keeps every voxel (all its parts, under every workflow) and leaves nothing to propagate', async () => {
    for (const workflow of ['sam2', 'medsam2'] as const) {
      const session = new SegmentationSession(model, volume, { workflow, orientations: 'all' });
      const id = session.addObject('Liver');
      session.giveMasks(id, opened());
      expect(Array.from(session.mask(id))).toEqual(Array.from(opened()));
      expect(session.pendingSlices(id)).toEqual([]);
      await expect(collect(session.propagate())).resolves.toEqual([]);
      expect(Array.from(session.mask(id))).toEqual(Array.from(opened()));
    }
  });

  it('a click corrects its slice only, as SAM 2 corrects a mask-prompted frame', async () => {
    const session = new SegmentationSession(model, volume);
    const id = session.addObject();
    session.giveMasks(id, opened());
    const click = { points: [{ x: 30, y: 22, label: 0 as const }] };
    const update = await session.setPrompt(id, 12, click);

    // The same steps spelled out on a plain object: the slice's mask as its prompt, then the click.
    const reference = new SegmentationSession(model, volume);
    const ref = reference.addObject();
    await reference.setPrompt(ref, 12, { mask: Uint8Array.from(slice(opened(), 12)) });
    const expected = await reference.setPrompt(ref, 12, click);
    expect(Array.from(update.mask)).toEqual(Array.from(expected.mask));
    expect(update.confidence).toBe(expected.confidence);

    const after = session.mask(id);
    expect(slice(after, 12)).toEqual(Array.from(update.mask));
    expect(slice(after, 12)).not.toEqual(slice(opened(), 12));
    for (let k = 0; k < DIMS[2]; k++) if (k !== 12) expect(slice(after, k)).toEqual(slice(opened(), k));
    await expect(collect(session.propagate())).resolves.toEqual([]);
  });

  it('Undo (snapshot/restore) and removing the prompt put the given slice back exactly', async () => {
    const session = new SegmentationSession(model, volume);
    const id = session.addObject();
    session.giveMasks(id, opened());
    const before = session.snapshot(id);
    await session.setPrompt(id, 12, { points: [{ x: 30, y: 22, label: 0 }] });
    session.restore(before);
    expect(Array.from(session.mask(id))).toEqual(Array.from(opened()));
    await session.setPrompt(id, 12, { points: [{ x: 30, y: 22, label: 0 }] });
    session.removePrompt(id, 12);
    expect(Array.from(session.mask(id))).toEqual(Array.from(opened()));
    expect(session.prompts(id)).toEqual([]);
  });

  it('refuses a mask of the wrong size, values other than 0/1, and an object that has prompts', async () => {
    const session = new SegmentationSession(model, volume);
    const id = session.addObject();
    expect(() => session.giveMasks(id, new Uint8Array(10))).toThrow(
      new InputError(
        'invalid-prompt',
        `object ${id}: a given mask needs 48×48×24 = ${N * 24} values, got 10`,
      ),
    );
    const two = opened();
    two[100] = 2;
    expect(() => session.giveMasks(id, two)).toThrow('given mask value 2 at voxel 100 is not 0 or 1');
    const other = session.addObject();
    await session.setPrompt(other, 12, { points: [{ x: 24, y: 22, label: 1 }] });
    expect(() => session.giveMasks(other, opened())).toThrow(`object ${other} already has prompts or masks`);
  });
});

describe('given masks through the worker', () => {
  it('survive new settings (the session is rebuilt with them and the corrections replayed)', async () => {
    const worker = new Worker(path.resolve(__dirname, '../../extension/bin/node-worker.cjs'));
    try {
      const client = new EngineClient({
        postMessage: (m: WorkerRequest, transfer: ArrayBuffer[]) => worker.postMessage(m, transfer),
        onMessage: (listener: (m: WorkerResponse) => void) => worker.on('message', listener),
      });
      await client.loadModel({ location: TEST_MODEL_DIR });
      const sessionId = await client.openVolume({ ...volume, data: volume.data.slice() }, 'given-1');
      const id = await client.addObject(sessionId, 'Opened');
      await client.giveMasks(sessionId, id, opened());
      const corrected = await client.setPrompt(sessionId, id, 'axial', 12, {
        points: [{ x: 30, y: 22, label: 0 }],
      });
      const before = await client.getMask(sessionId, id);
      expect(slice(before, 12)).toEqual(Array.from(corrected.mask));
      await client.updateSettings(sessionId, { workflow: 'medsam2' });
      expect(Array.from(await client.getMask(sessionId, id))).toEqual(Array.from(before));
      await expect(collect(client.propagate(sessionId))).resolves.toEqual([]);
    } finally {
      await worker.terminate();
    }
  });
});

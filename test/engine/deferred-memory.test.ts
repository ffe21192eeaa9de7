/**
 * A prompted frame's memory is encoded when it is first needed, as SAM 2 does (its add_new_points
 * runs the decoder with run_mem_encoder=False; propagate_in_video_preflight encodes the prompted
 * frames): a click answers after the decoder alone, clicks on one slice cost no memory encoding,
 * and propagation, a correction on a tracked slice and Undo find every memory they read encoded.
 * The graph runs are recorded where the engine calls them (onnxruntime-node, the test model).
 */
import { loadModel, type SamModel } from '../../extension/src/engine/model/sam-model';
import { SegmentationSession } from '../../extension/src/engine/session';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { blobVolume, collect } from '../support/synthetic';
import { TEST_MODEL_DIR } from '../support/test-model';
import { wrappedBackend } from '../support/wrapped-backend';

let native: WorkerBackend;
let model: SamModel;
const log: string[] = [];
beforeAll(async () => {
  native = await nodeBackends({ nativeThreads: 1 }).native();
  // Each graph run's name, in order.
  const recording = wrappedBackend(native, (label, run) => {
    log.push(label);
    return run();
  });
  model = await loadModel(directoryModelFiles(TEST_MODEL_DIR), recording);
});
afterAll(async () => {
  await model.release();
  await native.close();
});

const sphere = () => blobVolume([64, 64, 16], [{ center: [32, 30, 8], radii: [14, 14, 5] }]).volume;
const runs = (graph: string, from = 0) => log.slice(from).filter((g) => g.includes(graph)).length;

describe("a prompted frame's memory, encoded when first needed", () => {
  it('a click runs no memory encoder; propagation encodes the prompted frame once, first', async () => {
    const session = new SegmentationSession(model, sphere());
    const id = session.addObject();
    const start = log.length;
    for (const x of [32, 34, 30]) await session.setPrompt(id, 8, { points: [{ x, y: 30, label: 1 }] });
    expect(runs('mask_decoder', start)).toBe(3);
    expect(runs('memory_encoder', start)).toBe(0);

    const before = log.length;
    const updates = await collect(session.propagate());
    const propagation = log.slice(before).filter((g) => !g.includes('image_encoder'));
    // The prompted slice's memory is encoded before any slice attends it, and only once.
    expect(propagation[0]).toContain('memory_encoder');
    expect(
      propagation.indexOf(propagation.find((g) => g.includes('memory_attention')) ?? ''),
    ).toBeGreaterThan(0);
    const tracked = updates.filter((u) => u.slice !== 8).length;
    expect(runs('memory_encoder', before)).toBe(1 + tracked);
  });

  it('a correction on a tracked slice attends encoded memories; Update encodes the correction first', async () => {
    const session = new SegmentationSession(model, sphere());
    const id = session.addObject();
    await session.setPrompt(id, 8, { points: [{ x: 32, y: 30, label: 1 }] });
    await collect(session.propagate());
    const start = log.length;
    await session.setPrompt(id, 11, { points: [{ x: 40, y: 30, label: 0 }] });
    expect(log.slice(start).filter((g) => !g.includes('image_encoder'))).toEqual([
      expect.stringContaining('memory_attention'),
      expect.stringContaining('mask_decoder'),
    ]);
    const before = log.length;
    await collect(session.propagate());
    expect(log.slice(before).find((g) => !g.includes('image_encoder'))).toContain('memory_encoder');
  });

  it('Undo puts back states whose memory was never encoded; the next run encodes what it reads', async () => {
    const session = new SegmentationSession(model, sphere());
    const id = session.addObject();
    await session.setPrompt(id, 8, { points: [{ x: 32, y: 30, label: 1 }] });
    const snapshot = session.snapshot(id);
    await session.setPrompt(id, 8, { points: [{ x: 36, y: 30, label: 1 }] });
    session.restore(snapshot);
    const restored = await collect(session.propagate());
    // The same masks as a session that never had the second click.
    const fresh = new SegmentationSession(model, sphere());
    const other = fresh.addObject();
    await fresh.setPrompt(other, 8, { points: [{ x: 32, y: 30, label: 1 }] });
    const expected = await collect(fresh.propagate());
    expect(restored.map((u) => [u.slice, u.area, u.confidence])).toEqual(
      expected.map((u) => [u.slice, u.area, u.confidence]),
    );
    expect(Buffer.from(session.mask(id)).equals(Buffer.from(fresh.mask(other)))).toBe(true);
  });
});

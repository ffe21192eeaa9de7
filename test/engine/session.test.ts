import { CancelledError, InputError } from '../../extension/src/engine/errors';
import type { SamModel } from '../../extension/src/engine/model/sam-model';
import {
  SegmentationSession,
  type SessionOptions,
  type SliceUpdate,
} from '../../extension/src/engine/session';
import { blobVolume, collect, dice } from '../support/synthetic';
import { loadTestModel } from '../support/test-model';

let model: SamModel;
beforeAll(async () => {
  model = await loadTestModel('native');
});
afterAll(() => model.release());

// An ellipsoid spanning slices 13..27 (radius 7.5 along z) centred on slice 20.
const sphere = () => blobVolume([64, 64, 40], [{ center: [32, 30, 20], radii: [14, 14, 7.5] }]);
const click = (x: number, y: number, label: 0 | 1 = 1) => ({ points: [{ x, y, label }] });

async function segmentSphere(options: Partial<SessionOptions> = {}) {
  const { volume, truth } = sphere();
  const session = new SegmentationSession(model, volume, { trace: true, ...options });
  const id = session.addObject();
  const first = await session.setPrompt(id, 20, click(32, 30));
  const updates = await collect(session.propagate());
  return { session, id, first, updates, truth: truth[0] };
}

describe('SegmentationSession on the test model', () => {
  it('a click segments its slice at once, then propagation tracks the object through the volume', async () => {
    const { session, id, first, updates, truth } = await segmentSphere();
    expect(first.slice).toBe(20);
    expect(first.direction).toBe(0);
    expect(first.area).toBeGreaterThan(400);
    expect(dice(session.mask(id), truth)).toBeGreaterThan(0.9);
    // every other slice streamed exactly once: SAM 2's forward pass, then the backward one
    expect(updates.map((u) => u.slice)).toEqual([
      ...Array.from({ length: 19 }, (_, i) => 21 + i),
      ...Array.from({ length: 20 }, (_, i) => 19 - i),
    ]);
    expect(updates[0]).toMatchObject({ slice: 21, direction: 1 });
    expect(updates[19]).toMatchObject({ slice: 19, direction: -1 });
    expect(updates.at(-1)?.progress).toEqual({ done: 39, total: 39 });
  });

  it('stops a run after N consecutive object-absent slices and reports the rest as skipped', async () => {
    const { updates } = await segmentSphere({ stopAfterAbsent: 2 });
    const backward = updates.filter((u) => u.direction === -1);
    const predictedAbsent = backward.filter((u) => !u.present && !u.skipped).map((u) => u.slice);
    expect(predictedAbsent).toEqual([12, 11]);
    expect(backward.filter((u) => u.skipped).map((u) => u.slice)).toEqual([...Array(11).keys()].reverse());
    expect(backward.filter((u) => u.skipped).every((u) => u.area === 0)).toBe(true);
  });

  it("sam2-fifo attends SAM 2's window: the conditioning frame plus the num_maskmem − 1 frames before, farthest first", async () => {
    const { updates } = await segmentSphere({
      bank: { policy: 'sam2-fifo', capacity: 3, confidenceThreshold: 0.5, similarity: 'cosine', seed: 0 },
    });
    const w = model.manifest.numMaskmem - 1;
    const at = (slice: number) => updates.find((u) => u.slice === slice) as SliceUpdate;
    expect(at(21).trace?.attended).toEqual([20]);
    expect(at(22).trace?.attended).toEqual([20, 21]);
    expect(at(30).trace?.attended).toEqual([20, ...Array.from({ length: w }, (_, i) => 30 - w + i)]);
    // The backward pass starts next to the forward pass's frames and attends them, as SAM 2 does.
    // (20 is the conditioning frame, attended once as such.)
    expect(at(19).trace?.attended).toEqual([20, ...Array.from({ length: w - 1 }, (_, i) => 19 + w - i)]);
    expect(at(19).trace?.bankAfter).toEqual([]);
  });

  it('paper policy: absent slices never enter the bank; the bank never exceeds K; resampled draws are K', async () => {
    const { updates } = await segmentSphere({
      bank: { policy: 'paper', capacity: 4, confidenceThreshold: 0.5, similarity: 'cosine', seed: 3 },
    });
    for (const u of updates.filter((v) => !v.skipped)) {
      expect(u.trace?.bankAfter.length).toBeLessThanOrEqual(4);
      if (!u.present) expect(u.trace?.offer.accepted).toBe(false);
    }
    const absent = new Set(updates.filter((u) => !u.present).map((u) => u.slice));
    for (const u of updates) for (const f of u.trace?.bankAfter ?? []) expect(absent.has(f)).toBe(false);
    const late = updates.find((u) => u.slice === 16) as SliceUpdate;
    expect(late.trace?.drawn).toHaveLength(4);
    expect(late.trace?.attended).toEqual([20, ...(late.trace?.drawn ?? [])]);
  });

  it('is reproducible: same inputs and seed give identical masks and draws; another seed draws differently', async () => {
    const bank = {
      policy: 'paper' as const,
      capacity: 4,
      confidenceThreshold: 0.5,
      similarity: 'cosine' as const,
      seed: 7,
    };
    const a = await segmentSphere({ bank });
    const b = await segmentSphere({ bank });
    const c = await segmentSphere({ bank: { ...bank, seed: 8 } });
    expect(Buffer.from(a.session.mask(a.id)).equals(Buffer.from(b.session.mask(b.id)))).toBe(true);
    expect(a.updates.map((u) => u.trace?.drawn)).toEqual(b.updates.map((u) => u.trace?.drawn));
    expect(a.updates.map((u) => u.trace?.drawn)).not.toEqual(c.updates.map((u) => u.trace?.drawn));
  });

  it('cancellation stops mid-volume; what streamed stays; the next propagate finishes to the same result', async () => {
    const { volume } = sphere();
    const session = new SegmentationSession(model, volume);
    const id = session.addObject();
    await session.setPrompt(id, 20, click(32, 30));
    const controller = new AbortController();
    const seen: SliceUpdate[] = [];
    await expect(
      (async () => {
        for await (const u of session.propagate({ signal: controller.signal })) {
          seen.push(u);
          if (seen.length === 5) controller.abort();
        }
      })(),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toHaveLength(5);
    const rest = await collect(session.propagate());
    expect(rest.length).toBeGreaterThan(0);
    const reference = await segmentSphere({ trace: false });
    expect(Buffer.from(session.mask(id)).equals(Buffer.from(reference.session.mask(reference.id)))).toBe(
      true,
    );
  });

  it('a correction on a tracked slice is kept by the next propagate, which re-predicts every other slice', async () => {
    const { session, id } = await segmentSphere({ trace: false });
    const corrected = await session.setPrompt(id, 24, click(32, 30, 0));
    expect(corrected.direction).toBe(0);
    const redone = await collect(session.propagate());
    // SAM 2 looks memories up by slice index: the forward pass now also attends the earlier backward
    // pass's slices below 20, so every slice but the prompted 20 and the corrected 24 is predicted again.
    expect(redone.map((u) => u.slice)).toEqual([
      21,
      22,
      23,
      ...Array.from({ length: 15 }, (_, i) => 25 + i),
      ...Array.from({ length: 20 }, (_, i) => 19 - i),
    ]);
    const at24 = session.outcomes(id).find((o) => o.frame === 24);
    expect(at24?.lowResLogits).toBeDefined();
  });

  it('medsam2 workflow: passes are isolated, so a repeated propagate keeps every slice and a correction redoes only what follows it', async () => {
    const { session, id, updates } = await segmentSphere({ trace: false, workflow: 'medsam2' });
    expect(updates).toHaveLength(39);
    expect(await collect(session.propagate())).toHaveLength(0);
    await session.setPrompt(id, 24, click(32, 30, 0));
    const redone = await collect(session.propagate());
    expect(redone.map((u) => u.slice)).toEqual(Array.from({ length: 15 }, (_, i) => 25 + i));
  });

  it("medsam2 workflow: a box becomes the slice's mask prompt (its thresholded result, object score ±10)", async () => {
    const { volume } = sphere();
    const session = new SegmentationSession(model, volume, { workflow: 'medsam2' });
    const id = session.addObject();
    const u = await session.setPrompt(id, 20, { box: [18, 16, 46, 44] });
    expect(u.confidence).toBe(1);
    expect(Math.abs(u.objectScore)).toBe(10);
    expect(u.area).toBeGreaterThan(100);
  });

  it('medsam2-box workflow: the box stays the prompt; the volume mask is one 26-connected component', async () => {
    const { volume } = blobVolume(
      [64, 64, 40],
      [
        { center: [32, 30, 20], radii: [14, 14, 7.5] },
        { center: [6, 6, 3], radii: [3, 3, 2] },
      ],
    );
    const session = new SegmentationSession(model, volume, { workflow: 'medsam2-box' });
    const id = session.addObject();
    const u = await session.setPrompt(id, 20, { box: [18, 16, 46, 44] });
    expect(u.confidence).not.toBe(1); // decoded from the box, not a mask taken as output
    await collect(session.propagate());
    const mask = session.mask(id);
    const { largestComponent } = await import('../../extension/src/engine/volume/largest-component');
    expect(Buffer.from(largestComponent(mask, volume.dims)).equals(Buffer.from(mask))).toBe(true);
    expect(mask.some((v) => v > 0)).toBe(true);
  });

  it('snapshot/restore puts back exactly the masks and the pending work before a correction (Undo)', async () => {
    const { session, id } = await segmentSphere({ trace: false, workflow: 'medsam2' });
    const before = Buffer.from(session.mask(id));
    expect(session.pendingSlices(id)).toEqual([]);
    const snap = session.snapshot(id);
    await session.setPrompt(id, 24, click(32, 30, 0));
    // The correction makes the slices after it stale (the isolated backward pass does not see it).
    expect(session.pendingSlices(id)).toEqual(Array.from({ length: 15 }, (_, i) => 25 + i));
    const logits24 = () => session.outcomes(id).find((o) => o.frame === 24)?.lowResLogits;
    const corrected = logits24();
    session.restore(snap);
    expect(logits24()).not.toBe(corrected);
    expect(Buffer.from(session.mask(id)).equals(before)).toBe(true);
    expect(session.pendingSlices(id)).toEqual([]);
    expect(session.prompts(id).map((p) => p.slice)).toEqual([20]);
    expect(await collect(session.propagate())).toHaveLength(0);
  });

  it('pendingSlices lists what the next propagate predicts again', async () => {
    const { session, id } = await segmentSphere({ trace: false });
    await session.setPrompt(id, 24, click(32, 30, 0));
    const pending = session.pendingSlices(id);
    const redone = await collect(session.propagate());
    expect(redone.map((u) => u.slice).sort((a, b) => a - b)).toEqual(pending);
  });

  it('a correction click on a propagated slice counts: exclude gives less than include there', async () => {
    const a = await segmentSphere({ trace: false });
    const b = await segmentSphere({ trace: false });
    const before = a.updates.find((u) => u.slice === 22) as SliceUpdate;
    const excluded = await a.session.setPrompt(a.id, 22, { points: [{ x: 32, y: 30, label: 0 }] });
    const included = await b.session.setPrompt(b.id, 22, { points: [{ x: 32, y: 30, label: 1 }] });
    expect(before.mask[32 + 30 * 64]).toBe(1);
    expect(excluded.area).toBeLessThanOrEqual(included.area);
    const total = (s: SegmentationSession, id: number) =>
      (s.outcomes(id).find((o) => o.frame === 22) as { lowResLogits: Float32Array }).lowResLogits.reduce(
        (acc, v) => acc + v,
        0,
      );
    expect(total(a.session, a.id)).toBeLessThan(total(b.session, b.id));
  });

  it('several targets: each object has its own prompts and memory and they share the encoder cache', async () => {
    const { volume, truth } = blobVolume(
      [64, 64, 30],
      [
        { center: [18, 18, 15], radii: [9, 9, 6] },
        { center: [46, 44, 15], radii: [7, 7, 5] },
      ],
    );
    const session = new SegmentationSession(model, volume);
    const a = session.addObject('left');
    const b = session.addObject('right');
    await session.setPrompt(a, 15, click(18, 18));
    await session.setPrompt(b, 15, click(46, 44));
    await collect(session.propagate());
    expect(dice(session.mask(a), truth[0])).toBeGreaterThan(0.85);
    expect(dice(session.mask(b), truth[1])).toBeGreaterThan(0.85);
    expect(session.cache.stats().misses).toBeLessThanOrEqual(30);
    const labels = session.labelVolume();
    expect(labels.reduce((n, v) => n + (v === 2 ? 1 : 0), 0)).toBe(
      session.mask(b).reduce((n, v) => n + v, 0),
    );
  });

  it("'all' orientations seed coronal and sagittal from the prompted result and aggregate three axes", async () => {
    const { volume, truth } = blobVolume([40, 40, 30], [{ center: [20, 20, 15], radii: [10, 10, 8] }]);
    const session = new SegmentationSession(model, volume, { orientations: 'all', aggregation: 'mean' });
    const id = session.addObject();
    await session.setPrompt(id, 15, click(20, 20));
    const updates = await collect(session.propagate());
    const axes = new Set(updates.map((u) => u.axis));
    expect(axes).toEqual(new Set(['axial', 'coronal', 'sagittal']));
    expect(updates.filter((u) => u.axis !== 'axial' && u.direction === 0)).toHaveLength(2);
    expect(dice(session.mask(id), truth[0])).toBeGreaterThan(0.85);
    expect(updates.at(-1)?.progress.done).toBe(updates.at(-1)?.progress.total);
  });

  describe('bad input gets a typed error naming the problem', () => {
    it('volume data that does not match its dims', () => {
      expect(
        () =>
          new SegmentationSession(model, {
            data: new Float32Array(10),
            dims: [2, 2, 2],
            spacing: [1, 1, 1],
            modality: 'CT',
          }),
      ).toThrow(/10 values but dims 2×2×2 need 8/);
    });
    it('unknown object, slice outside the volume, prompt outside the image, second axis', async () => {
      const { volume } = sphere();
      const session = new SegmentationSession(model, volume);
      await expect(session.setPrompt(99, 1, click(1, 1))).rejects.toThrow(/no object with id 99/);
      const id = session.addObject();
      await expect(session.setPrompt(id, 40, click(1, 1))).rejects.toThrow(
        /axial slice 40 is outside the volume \(0..39\)/,
      );
      await expect(session.setPrompt(id, 3, click(70, 1))).rejects.toBeInstanceOf(InputError);
      await session.setPrompt(id, 20, click(32, 30));
      await expect(session.setPrompt(id, 20, click(32, 20), 'coronal')).rejects.toThrow(
        /already has prompts on the axial axis/,
      );
    });
    it('invalid options', () => {
      const { volume } = sphere();
      expect(() => new SegmentationSession(model, volume, { stopAfterAbsent: -1 })).toThrow(
        /stopAfterAbsent/,
      );
    });
  });
});

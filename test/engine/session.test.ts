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
    // every other slice streamed exactly once, backward run then forward run
    expect(updates.map((u) => u.slice).sort((a, b) => a - b)).toEqual(
      [...Array(40).keys()].filter((k) => k !== 20),
    );
    expect(updates[0]).toMatchObject({ slice: 19, direction: -1 });
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

  it('sam2-fifo attends the conditioning frame plus the K most recent frames, oldest first', async () => {
    const { updates } = await segmentSphere({
      bank: { policy: 'sam2-fifo', capacity: 3, confidenceThreshold: 0.5, similarity: 'cosine', seed: 0 },
    });
    const at = (slice: number) => updates.find((u) => u.slice === slice) as SliceUpdate;
    expect(at(19).trace?.attended).toEqual([20]);
    expect(at(18).trace?.attended).toEqual([20, 19]);
    expect(at(16).trace?.attended).toEqual([20, 19, 18, 17]);
    expect(at(15).trace?.attended).toEqual([20, 18, 17, 16]);
    expect(at(15).trace?.bankAfter).toEqual([17, 16, 15]);
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

  it('a corrective prompt re-propagates only the runs it affects, matching a fresh session with both prompts', async () => {
    const { session, id } = await segmentSphere({ trace: false });
    const correction = click(32, 30);
    await session.setPrompt(id, 24, correction);
    const redone = await collect(session.propagate());
    // slices below 20 keep their run; only the gap 21..23 and the run above 24 are predicted again
    expect(redone.map((u) => u.slice).sort((a, b) => a - b)).toEqual([
      21,
      22,
      23,
      ...Array.from({ length: 15 }, (_, i) => 25 + i),
    ]);

    const { volume } = sphere();
    const fresh = new SegmentationSession(model, volume);
    const fid = fresh.addObject();
    await fresh.setPrompt(fid, 20, click(32, 30));
    await collect(fresh.propagate());
    await fresh.setPrompt(fid, 24, correction);
    await collect(fresh.propagate());
    expect(Buffer.from(session.mask(id)).equals(Buffer.from(fresh.mask(fid)))).toBe(true);
  });

  it('an exclude click on a propagated slice removes the region around it', async () => {
    const { session, id, updates } = await segmentSphere({ trace: false });
    const before = updates.find((u) => u.slice === 22) as SliceUpdate;
    const after = await session.setPrompt(id, 22, { points: [{ x: 32, y: 30, label: 0 }] });
    expect(before.mask[32 + 30 * 64]).toBe(1);
    expect(after.mask[32 + 30 * 64]).toBe(0);
    expect(after.area).toBeLessThan(before.area);
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

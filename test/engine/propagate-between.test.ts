import { InputError } from '../../extension/src/engine/errors';
import type { BankPolicyName } from '../../extension/src/engine/memory/policies';
import { DEFAULT_BANK_OPTIONS } from '../../extension/src/engine/memory/policies';
import type { SamModel } from '../../extension/src/engine/model/sam-model';
import { SegmentationSession, type SliceUpdate, type Workflow } from '../../extension/src/engine/session';
import { blobVolume, collect } from '../support/synthetic';
import { loadTestModel } from '../support/test-model';

let model: SamModel;
beforeAll(async () => {
  model = await loadTestModel('native');
});
afterAll(() => model.release());

// An ellipsoid over slices 13..27 of 40, prompted on slices 14 and 26.
const click = (x: number, y: number, label: 0 | 1 = 1) => ({ points: [{ x, y, label }] });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function twoPrompts(policy: BankPolicyName, workflow: Workflow = 'sam2') {
  const { volume } = blobVolume([64, 64, 40], [{ center: [32, 30, 20], radii: [14, 14, 7.5] }]);
  const session = new SegmentationSession(model, volume, {
    bank: { ...DEFAULT_BANK_OPTIONS, policy },
    workflow,
  });
  const id = session.addObject();
  await session.setPrompt(id, 14, click(32, 30));
  await session.setPrompt(id, 26, click(32, 31));
  return { session, id };
}

const bySlice = (updates: SliceUpdate[]) => new Map(updates.map((u) => [u.slice, u]));

describe.each<BankPolicyName>(['paper', 'sam2-fifo'])('propagateBetween (%s memory)', (policy) => {
  it('predicts only the slices between the two prompts, forward, exactly as the full forward pass does', async () => {
    const a = await twoPrompts(policy);
    const between = await collect(a.session.propagateBetween(a.id, 26, 14));
    expect(between.map((u) => u.slice)).toEqual(range(15, 25));
    expect(between.every((u) => u.direction === 1)).toBe(true);
    expect(between.at(-1)?.progress).toEqual({ done: 11, total: 11 });

    // SAM 2's propagate_in_video starts at the earliest prompt: its first 11 frames are the same.
    const b = await twoPrompts(policy);
    const full = bySlice(await collect(b.session.propagate()));
    for (const u of between)
      expect(Buffer.from(u.mask).equals(Buffer.from(full.get(u.slice)!.mask))).toBe(true);
  });

  it('leaves the rest stale, and the next propagate redoes exactly that and gives the full result', async () => {
    const a = await twoPrompts(policy);
    await collect(a.session.propagateBetween(a.id, 14, 26));
    const pending = a.session.pendingSlices(a.id);
    expect(pending).toEqual([...range(0, 13), ...range(27, 39)]);
    const rest = await collect(a.session.propagate());
    expect(rest.map((u) => u.slice).sort((x, y) => x - y)).toEqual(pending);
    expect(rest[0].progress.total).toBe(pending.length);
    expect(a.session.pendingSlices(a.id)).toEqual([]);

    const b = await twoPrompts(policy);
    await collect(b.session.propagate());
    expect(Buffer.from(a.session.mask(a.id)).equals(Buffer.from(b.session.mask(b.id)))).toBe(true);
  });
});

describe('after a correction', () => {
  it('pendingSlices is what Update redoes, the progress total says how many, and a second Update has nothing', async () => {
    const { session, id } = await twoPrompts('paper');
    await collect(session.propagate());
    await session.setPrompt(id, 20, click(32, 30, 0));
    const stale = session.pendingSlices(id);
    expect(stale.length).toBeGreaterThan(0);
    expect(stale).not.toContain(20); // the corrected slice keeps its answer
    const redone = await collect(session.propagate());
    expect(redone.map((u) => u.slice).sort((x, y) => x - y)).toEqual(stale);
    expect(redone.map((u) => u.progress.total)).toEqual(redone.map(() => stale.length));
    expect(await collect(session.propagate())).toEqual([]);
  });

  it('between two prompts after a correction between them redoes only the stale slices there', async () => {
    // MedSAM2's isolated passes: in SAM 2's workflow a second forward pass would also attend the
    // backward pass's slices, so nearly every slice is stale after any correction.
    const { session, id } = await twoPrompts('sam2-fifo', 'medsam2');
    await collect(session.propagate());
    await session.setPrompt(id, 18, click(32, 30, 0)); // tracked forward: later slices attend it
    const staleBetween = session.pendingSlices(id).filter((s) => s > 14 && s < 26);
    expect(staleBetween).toEqual(range(19, 25)); // 15..17 came before the correction
    const redone = await collect(session.propagateBetween(id, 14, 26));
    expect(redone.map((u) => u.slice)).toEqual(staleBetween);
    expect(session.pendingSlices(id).every((s) => s < 14 || s > 26)).toBe(true);
  });
});

describe('below the earliest conditioning slice (the backward pass)', () => {
  it.each<BankPolicyName>(['paper', 'sam2-fifo'])(
    'runs backward as the full propagation does there, and gives what it gives (%s memory)',
    async (policy) => {
      // One conditioning slice (26), then two corrections on slices the backward pass tracked.
      const setUp = async () => {
        const { volume } = blobVolume([64, 64, 40], [{ center: [32, 30, 20], radii: [14, 14, 7.5] }]);
        const session = new SegmentationSession(model, volume, { bank: { ...DEFAULT_BANK_OPTIONS, policy } });
        const id = session.addObject();
        await session.setPrompt(id, 26, click(32, 31));
        await collect(session.propagate());
        await session.setPrompt(id, 12, click(32, 30, 0));
        await session.setPrompt(id, 19, click(32, 30, 0));
        return { session, id };
      };
      const a = await setUp();
      const stale = a.session.pendingSlices(a.id);
      const between = await collect(a.session.propagateBetween(a.id, 12, 19));
      expect(between.every((u) => u.direction === -1)).toBe(true);
      expect(between.map((u) => u.slice)).toEqual(stale.filter((s) => s > 12 && s < 19).reverse());
      expect(between.length).toBeGreaterThan(0);
      const b = await setUp();
      const full = bySlice(await collect(b.session.propagate()));
      for (const u of between)
        expect(Buffer.from(u.mask).equals(Buffer.from(full.get(u.slice)!.mask))).toBe(true);
      // What is left is redone by the next propagate, and the result is the full propagation's.
      await collect(a.session.propagate());
      expect(Buffer.from(a.session.mask(a.id)).equals(Buffer.from(b.session.mask(b.id)))).toBe(true);
    },
  );
});

describe('propagateBetween refuses what it cannot do, naming it', () => {
  it('a slice without a prompt, the same slice twice, all six orientations', async () => {
    const { session, id } = await twoPrompts('paper');
    await expect(collect(session.propagateBetween(id, 14, 20))).rejects.toThrow(
      /axial slice 20 of object 1 has no prompt \(prompted: 14, 26\)/,
    );
    await expect(collect(session.propagateBetween(id, 14, 14))).rejects.toThrow(InputError);
    const empty = session.addObject();
    await expect(collect(session.propagateBetween(empty, 1, 2))).rejects.toThrow(/no prompted slices/);
    const { volume } = blobVolume([32, 32, 12], [{ center: [16, 16, 6], radii: [6, 6, 3] }]);
    const all = new SegmentationSession(model, volume, { orientations: 'all' });
    const o = all.addObject();
    await all.setPrompt(o, 3, click(16, 16));
    await all.setPrompt(o, 8, click(16, 16));
    await expect(collect(all.propagateBetween(o, 3, 8))).rejects.toThrow(/prompted plane only/);
  });
});

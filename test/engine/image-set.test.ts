import { InputError } from '../../extension/src/engine/errors';
import { segmentImageSet } from '../../extension/src/engine/image-set';
import type { SamModel } from '../../extension/src/engine/model/sam-model';
import { collect, disk } from '../support/synthetic';
import { loadTestModel } from '../support/test-model';

let model: SamModel;
beforeAll(async () => {
  model = await loadTestModel('native');
});
afterAll(() => model.release());

const iou = (a: Uint8Array, b: Uint8Array) => {
  let i = 0;
  let u = 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k] && b[k]) i++;
    if (a[k] || b[k]) u++;
  }
  return u ? i / u : 1;
};

describe('2D one-prompt segmentation (paper §3.3)', () => {
  const set = [disk(96, 80, 0.18), disk(64, 64, 0.18), disk(120, 90, 0.17), disk(50, 70, 0.18)];

  it('one prompt on a template segments every other image of different sizes from memory alone', async () => {
    const updates = await collect(
      segmentImageSet(
        model,
        set.map((s) => s.image),
        { index: 1, prompt: { points: [{ x: 32, y: 32, label: 1 }] } },
      ),
    );
    expect(updates.map((u) => u.image)).toEqual([1, 0, 2, 3]);
    expect(updates[0].prompted).toBe(true);
    for (const u of updates) {
      expect([u.width, u.height]).toEqual([set[u.image].image.width, set[u.image].image.height]);
      expect(iou(u.mask, set[u.image].truth)).toBeGreaterThan(0.8);
    }
    expect(updates.at(-1)?.progress).toEqual({ done: 4, total: 4 });
  });

  it('traces name input images, not the pseudo-video frames (template first)', async () => {
    const updates = await collect(
      segmentImageSet(
        model,
        set.map((s) => s.image),
        { index: 2, prompt: { points: [{ x: 60, y: 45, label: 1 }] } },
      ),
    );
    expect(updates[0].trace).toBeUndefined();
    let accepted = 0;
    for (const u of updates.slice(1)) {
      expect(u.trace?.attended[0]).toBe(2);
      if (u.trace?.offer.accepted) {
        accepted++;
        expect(u.trace.bankAfter).toContain(u.image);
      }
      for (const e of u.trace?.probabilities ?? []) expect(e.similarity).toBeGreaterThan(0);
    }
    expect(accepted).toBeGreaterThan(0);
  });

  it('a correction is one more conditioning image: predicted from its prompt, attended by every other image', async () => {
    const images = set.map((s) => s.image);
    const updates = await collect(
      segmentImageSet(
        model,
        images,
        { index: 0, prompt: { points: [{ x: 48, y: 40, label: 1 }] } },
        { corrections: [{ index: 2, prompt: { points: [{ x: 60, y: 45, label: 1 }] } }] },
      ),
    );
    // Template, then the correction, then the others from memory.
    expect(updates.map((u) => [u.image, u.prompted])).toEqual([
      [0, true],
      [2, true],
      [1, false],
      [3, false],
    ]);
    expect(updates[1].trace).toBeUndefined();
    expect(iou(updates[1].mask, set[2].truth)).toBeGreaterThan(0.8);
    for (const u of updates.slice(2)) expect(u.trace?.attended.slice(0, 2)).toEqual([0, 2]);
    expect(updates.at(-1)?.progress).toEqual({ done: 4, total: 4 });
  });

  it('refuses a correction outside the set or on an image already prompted, naming the image', async () => {
    const images = set.map((s) => s.image);
    const prompt = { points: [{ x: 10, y: 10, label: 1 as const }] };
    await expect(
      collect(segmentImageSet(model, images, { index: 0, prompt }, { corrections: [{ index: 4, prompt }] })),
    ).rejects.toThrow(/correction on image 4: outside the set/);
    await expect(
      collect(segmentImageSet(model, images, { index: 1, prompt }, { corrections: [{ index: 1, prompt }] })),
    ).rejects.toThrow(/image 1 is prompted twice/);
  });

  it('rejects an empty set, a template outside it, and an image whose data does not match its size', async () => {
    const prompt = { points: [{ x: 1, y: 1, label: 1 as const }] };
    await expect(collect(segmentImageSet(model, [], { index: 0, prompt }))).rejects.toThrow(/empty/);
    await expect(collect(segmentImageSet(model, [set[0].image], { index: 3, prompt }))).rejects.toThrow(
      /template index 3/,
    );
    await expect(
      collect(
        segmentImageSet(model, [{ data: new Float32Array(5), width: 2, height: 2 }], { index: 0, prompt }),
      ),
    ).rejects.toBeInstanceOf(InputError);
  });
});

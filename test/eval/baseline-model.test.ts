/**
 * The non-learned baseline model: deterministic bytes, honest labelling, accepted by the engine's
 * contract checks, and the behaviour its formulas promise on a synthetic volume (a prompted slice
 * segments the uniform region under the click; tracked slices follow a slowly moving disc; the
 * object ends where the disc does).
 */
import { loadModel, type SamModel } from '../../extension/src/engine/model/sam-model';
import { SegmentationSession } from '../../extension/src/engine/session';
import type { Volume } from '../../extension/src/engine/types';
import { overlap } from '../../extension/src/eval/overlap';
import { axialSlice, type Dims3 } from '../../extension/src/eval/structure';
import { nodeBackends } from '../../extension/src/node/backends';
import type { ModelFiles } from '../../extension/src/engine/model/sam-model';
import { buildBaselineModel } from '../../models/baseline/generator/baseline-model';

const memoryFiles = (files: Map<string, Uint8Array>): ModelFiles => ({
  origin: 'memory:baseline',
  async read(name: string) {
    const f = files.get(name);
    if (!f) throw new Error(`no ${name}`);
    return f;
  },
});

/** 64×64×14: background 0.3, a disc (0.8) of radius 12 whose centre moves 1 px per slice, on slices 2..11. */
function movingDisc(): { volume: Volume; truth: Uint8Array } {
  const dims: Dims3 = [64, 64, 14];
  const data = new Float32Array(64 * 64 * 14).fill(0.3);
  const truth = new Uint8Array(data.length);
  for (let z = 2; z <= 11; z++)
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++)
        if ((x - 26 - z) ** 2 + (y - 32) ** 2 <= 144) {
          data[x + 64 * (y + 64 * z)] = 0.8;
          truth[x + 64 * (y + 64 * z)] = 1;
        }
  return { volume: { data, dims, spacing: [1, 1, 1], modality: 'OTHER' }, truth };
}

describe('baseline model', () => {
  let model: SamModel;
  beforeAll(async () => {
    model = await loadModel(memoryFiles(buildBaselineModel()), await nodeBackends().native());
  });
  afterAll(() => model.release());

  it('is byte-identical on every build and labelled a non-learned baseline', () => {
    const a = buildBaselineModel();
    const b = buildBaselineModel();
    expect([...a.keys()].sort()).toEqual(
      [
        'image_encoder.onnx',
        'manifest.json',
        'mask_decoder.onnx',
        'memory_attention.onnx',
        'memory_encoder.onnx',
      ].sort(),
    );
    for (const [name, bytes] of a)
      expect(Buffer.compare(Buffer.from(bytes), Buffer.from(b.get(name)!))).toBe(0);
    expect(model.manifest).toMatchObject({
      name: 'baseline-prototype-matching',
      testModel: true,
      source: { checkpoint: null, variant: 'non-learned-baseline' },
    });
    expect(model.manifest.description).toMatch(/^NON-LEARNED BASELINE, not MedSAM-2/);
  });

  it('segments the disc under a click and tracks it while it moves, then stops', async () => {
    const { volume, truth } = movingDisc();
    const dims = volume.dims as Dims3;
    const session = new SegmentationSession(model, volume, {
      bank: { policy: 'sam2-fifo', capacity: 6, confidenceThreshold: 0.5, similarity: 'cosine', seed: 0 },
    });
    const id = session.addObject();
    const first = await session.setPrompt(id, 6, { points: [{ x: 32, y: 32, label: 1 }] });
    // A click alone has no background prototype: the tolerance test drops the disc's blurred rim
    // (about one pixel of the radius-12 disc), so the prompted slice alone stays below 0.9.
    const clicked = overlap(first.mask, axialSlice(truth, dims, 6));
    expect(clicked.dice).toBeGreaterThan(0.8);
    expect(clicked.predicted).toBeLessThanOrEqual(clicked.truth);
    const updates = [];
    for await (const u of session.propagate()) updates.push(u);
    const mask = session.mask(id);
    for (let z = 2; z <= 11; z++)
      expect(overlap(axialSlice(mask, dims, z), axialSlice(truth, dims, z)).dice).toBeGreaterThan(0.85);
    // Slices 0, 1, 12, 13 hold no disc: nothing there looks like the object's prototype.
    for (const z of [0, 1, 12, 13]) expect(axialSlice(mask, dims, z).every((v) => v === 0)).toBe(true);
    expect(updates.filter((u) => u.slice >= 12 || u.slice <= 1).every((u) => !u.present)).toBe(true);
  });

  it('follows a box prompt and a mask prompt on the prompted slice', async () => {
    const { volume, truth } = movingDisc();
    const dims = volume.dims as Dims3;
    const session = new SegmentationSession(model, volume, {});
    const slice = axialSlice(truth, dims, 8);
    const byBox = await session.setPrompt(session.addObject(), 8, { box: [21.5, 19.5, 46.5, 44.5] });
    expect(overlap(byBox.mask, slice).dice).toBeGreaterThan(0.9);
    const byMask = await session.setPrompt(session.addObject(), 8, { mask: slice });
    expect(overlap(byMask.mask, slice).dice).toBeGreaterThan(0.9);
  });
});

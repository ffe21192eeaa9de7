/**
 * The generated test model computes exactly what models/README.md ("The test model") says, through
 * the real loader and onnxruntime-node: each graph against an independent TypeScript reference, and
 * the behaviours the propagation tests rely on (click segments the bright region, memory carries the
 * mask, absent object scores ≤ 0, iou in (0,1]).
 */
import { loadModel, type SamModel } from '../../extension/src/engine/model/sam-model';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { nodeBackends } from '../../extension/src/node/backends';
import { pointerDirections, TEST_TINY } from '../../models/onnx/test-tiny';
import { avgPool, referenceDecoder } from './analytic-reference';
import {
  channel,
  cleanupModelDirs,
  diskIntensity,
  F,
  L,
  maxAbsDiff,
  normalisedImage,
  randomTensor,
  S,
  writeModelDir,
} from './fixtures';
import type { Tensor } from '../../extension/src/engine/model/tensor';

let model: SamModel;

beforeAll(async () => {
  model = await loadModel(directoryModelFiles(writeModelDir()), await nodeBackends().native());
});
afterAll(async () => {
  await model.release();
  cleanupModelDirs();
});

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Plane 0 of the decoder's logits as a boolean mask on the L×L grid. */
const plane = (t: Tensor, k: number) => t.data.subarray(k * L * L, (k + 1) * L * L);

/** IoU of two boolean masks. */
function overlap(a: ArrayLike<boolean>, b: ArrayLike<boolean>): number {
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** The disk rasterised on the L×L grid: cells whose pooled intensity is above 0.5. */
const diskOnMaskGrid = (g: Float32Array) => Array.from(avgPool(g, S, S / L), (v) => v > TEST_TINY.brightness);

describe('test model: image_encoder', () => {
  it('puts the pooled [0,1] intensity in channel 0 of every level and 0 in vision_feats channel 1', async () => {
    const g = Float32Array.from(randomTensor([S * S], 7, 0.5).data, (v) => v + 0.5);
    const feats = await model.encodeImage(normalisedImage(g));
    expect(maxAbsDiff(channel(feats.visionFeats, 0), avgPool(g, S, 16))).toBeLessThan(1e-5);
    expect(maxAbsDiff(channel(feats.visionFeats, 1), new Float32Array(F * F))).toBe(0);
    expect(maxAbsDiff(channel(feats.highRes0, 0), avgPool(g, S, 4))).toBeLessThan(1e-5);
    expect(maxAbsDiff(channel(feats.highRes1, 0), avgPool(g, S, 8))).toBeLessThan(1e-5);
    expect(feats.visionPos.dims).toEqual([1, 256, F, F]);
  });
});

describe('test model: memory_encoder', () => {
  it('stores pooled sigmoid(mask), that times pix_feat channel 0, and sigmoid(object score)', async () => {
    const pixFeat = randomTensor([1, 256, F, F], 11);
    const maskLogits = randomTensor([1, 1, L, L], 12, 6);
    const { features, posEnc } = await model.encodeMemory({
      pixFeat,
      maskLogits,
      objectScore: 1.5,
      binarize: false,
    });
    const m = avgPool(Array.from(maskLogits.data, sigmoid), L, 4);
    const inside = m.map((v, i) => v * channel(pixFeat, 0)[i]);
    expect(maxAbsDiff(channel(features, 0), m)).toBeLessThan(1e-5);
    expect(maxAbsDiff(channel(features, 1), inside)).toBeLessThan(1e-5);
    expect(maxAbsDiff(channel(features, 2), new Float64Array(F * F).fill(sigmoid(1.5)))).toBeLessThan(1e-6);
    expect(posEnc.dims).toEqual([1, 64, F, F]);
  });
});

describe('test model: memory_attention', () => {
  it.each([
    [3, 2],
    [1, 5],
  ])('replaces channel 1 with the mean memory channel 0 (N=%i memories, P=%i pointers)', async (n, p) => {
    const curr = randomTensor([1, 256, F, F], 21);
    const memory = randomTensor([n, 64, F, F], 22);
    const out = await model.attendMemory({
      curr,
      currPos: randomTensor([1, 256, F, F], 23),
      memory,
      memoryPos: randomTensor([n, 64, F, F], 24),
      objPtrs: randomTensor([p, 256], 25),
      objPtrPos: randomTensor([p, 256], 26),
    });
    const prior = new Float64Array(F * F);
    for (let i = 0; i < n; i++)
      channel({ data: memory.data, dims: [1, n * 64, F, F] }, i * 64).forEach((v, j) => (prior[j] += v / n));
    expect(maxAbsDiff(channel(out, 1), prior)).toBeLessThan(1e-5);
    const expected = Float32Array.from(curr.data);
    expected.set(channel(out, 1), F * F);
    expect(maxAbsDiff(out.data, expected)).toBeLessThan(1e-5);
  });
});

describe('test model: mask_decoder', () => {
  const disk = diskIntensity(64, 64, 16);
  const intensityL = avgPool(disk, S, S / L);

  async function decode(coords: number[], labels: number[], priorF?: Float32Array, maskInput?: Float32Array) {
    const feats = await model.encodeImage(normalisedImage(disk));
    const imageEmbed = { data: Float32Array.from(feats.visionFeats.data), dims: feats.visionFeats.dims };
    if (priorF) imageEmbed.data.set(priorF, F * F);
    const out = await model.decodeMask({
      imageEmbed,
      highRes0: feats.highRes0,
      highRes1: feats.highRes1,
      pointCoords: new Float32Array(coords),
      pointLabels: new Float32Array(labels),
      ...(maskInput ? { maskInput: { data: maskInput, dims: [1, 1, L, L] } } : {}),
    });
    const ref = referenceDecoder({
      intensity: intensityL,
      priorF: priorF ?? new Float32Array(F * F),
      coords: coords.length ? coords : [0, 0],
      labels: labels.length ? labels : [-1],
      maskInput,
      S,
    });
    return { out, ref };
  }

  const prompts: [string, number[], number[]][] = [
    ['one include click', [64, 64], [1]],
    ['include and exclude clicks', [64, 64, 70, 60], [1, 0]],
    ['a box', [40, 40, 90, 90], [2, 3]],
    ['a box plus a click', [40, 40, 90, 90, 60, 66], [2, 3, 1]],
    ['only the padding point', [], []],
  ];

  it.each(prompts)('matches the reference formulas for %s', async (_name, coords, labels) => {
    const { out, ref } = await decode(coords, labels);
    expect(maxAbsDiff(out.lowResMasks.data, ref.logits)).toBeLessThan(1e-3);
    expect(maxAbsDiff(out.iou, ref.iou)).toBeLessThan(1e-5);
    expect(Math.abs(out.objectScore - ref.objectScore)).toBeLessThan(1e-3);
    const { dirA, dirB } = pointerDirections();
    const ptr = new Float64Array(4 * 256).map(
      (_, i) => ref.meanP[i >> 8] * dirA[i & 255] + ref.meanPI[i >> 8] * dirB[i & 255],
    );
    expect(maxAbsDiff(out.objPtr.data, ptr)).toBeLessThan(1e-5);
  });

  it('adds the memory prior (bilinear) and a mask prompt to the support', async () => {
    const priorF = Float32Array.from(randomTensor([F * F], 31, 0.5).data, (v) => v + 0.5);
    const maskInput = randomTensor([L * L], 32, 4).data;
    const { out, ref } = await decode([], [], priorF, maskInput);
    expect(maxAbsDiff(out.lowResMasks.data, ref.logits)).toBeLessThan(1e-3);
    expect(maxAbsDiff(out.iou, ref.iou)).toBeLessThan(1e-5);
  });

  it('segments the bright disk around an include click (plane 0 ≈ the disk on the L×L grid)', async () => {
    const { out } = await decode([64, 64], [1]);
    const mask = Array.from(plane(out.lowResMasks, 0), (v) => v > 0);
    expect(overlap(mask, diskOnMaskGrid(disk))).toBeGreaterThan(0.9);
    expect(out.objectScore).toBeGreaterThan(0);
  });

  it('scores the object absent (≤ 0) for a click on dark background', async () => {
    const { out } = await decode([10, 118], [1]);
    expect(out.objectScore).toBeLessThanOrEqual(0);
  });

  it('keeps every iou prediction in (0, 1], near 1 for a crisp mask', async () => {
    for (const [, coords, labels] of prompts) {
      const { out } = await decode(coords, labels);
      for (const v of out.iou) {
        expect(v).toBeGreaterThan(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    const { out } = await decode([64, 64], [1]);
    expect(out.iou[0]).toBeGreaterThan(0.8);
  });
});

describe('test model: memory carries a mask to the next slice', () => {
  it('tracks a slightly moved disk from memory alone and scores an empty slice absent', async () => {
    const first = diskIntensity(64, 64, 16);
    const f1 = await model.encodeImage(normalisedImage(first));
    // First (prompted) frame: no memory, pix_feat_with_mem = vision_feats + no_mem_embed.
    const embed1 = Float32Array.from(f1.visionFeats.data);
    model.manifest.constants.noMemEmbed.forEach((v, c) => {
      for (let i = 0; i < F * F; i++) embed1[c * F * F + i] += v;
    });
    const d1 = await model.decodeMask({
      imageEmbed: { data: embed1, dims: f1.visionFeats.dims },
      highRes0: f1.highRes0,
      highRes1: f1.highRes1,
      pointCoords: new Float32Array([64, 64]),
      pointLabels: new Float32Array([1]),
    });
    const mem = await model.encodeMemory({
      pixFeat: f1.visionFeats,
      maskLogits: { data: Float32Array.from(plane(d1.lowResMasks, 0)), dims: [1, 1, L, L] },
      objectScore: d1.objectScore,
      binarize: false,
    });

    const track = async (intensity: Float32Array) => {
      const f = await model.encodeImage(normalisedImage(intensity));
      const attended = await model.attendMemory({
        curr: f.visionFeats,
        currPos: f.visionPos,
        memory: mem.features,
        memoryPos: mem.posEnc,
        objPtrs: { data: Float32Array.from(d1.objPtr.data.subarray(0, 256)), dims: [1, 256] },
        objPtrPos: { data: new Float32Array(256), dims: [1, 256] },
      });
      return model.decodeMask({
        imageEmbed: attended,
        highRes0: f.highRes0,
        highRes1: f.highRes1,
        pointCoords: new Float32Array(0),
        pointLabels: new Float32Array(0),
      });
    };

    const next = diskIntensity(68, 62, 14);
    const tracked = await track(next);
    expect(tracked.objectScore).toBeGreaterThan(0);
    const mask = Array.from(plane(tracked.lowResMasks, 0), (v) => v > 0);
    expect(overlap(mask, diskOnMaskGrid(next))).toBeGreaterThan(0.8);

    const empty = await track(new Float32Array(S * S).fill(0.05));
    expect(empty.objectScore).toBeLessThanOrEqual(0);
  });
});

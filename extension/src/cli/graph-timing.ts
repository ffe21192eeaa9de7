/**
 * Median time per call of each contract graph, with N attended memories and P object pointers:
 * shared by `npm run bench` (Node and Chromium) and the export tooling's per-graph timing of
 * real-size models. Uses the global `performance` only, so it also runs in the browser bench page.
 */
import type { GraphName } from '../engine/model/contract';
import type { SamModel } from '../engine/model/sam-model';
import type { Tensor } from '../engine/model/tensor';

export interface GraphTimingOptions {
  readonly repeats: number;
  /** Spatial memories attended (SAM2: 1 conditioning + 6 recent = 7). */
  readonly memories: number;
  /** Object pointers attended (SAM2: up to 16). */
  readonly pointers: number;
}

/** Deterministic values in [-1, 1) (a fixed LCG): realistic magnitudes, no data-dependent shortcuts. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

const tensor = (dims: number[], seed: number): Tensor => ({
  data: values(
    dims.reduce((a, b) => a * b, 1),
    seed,
  ),
  dims,
});

/** Median milliseconds of `repeats` calls after one untimed warm-up call. */
export async function medianMs(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export async function timeGraphs(model: SamModel, o: GraphTimingOptions): Promise<Record<GraphName, number>> {
  const { image: S, feature: F, mask: L } = model.grid;
  const f = await model.encodeImage(tensor([1, 3, S, S], 1));
  return {
    image_encoder: await medianMs(o.repeats, () => model.encodeImage(tensor([1, 3, S, S], 2))),
    memory_attention: await medianMs(o.repeats, () =>
      model.attendMemory({
        curr: f.visionFeats,
        currPos: f.visionPos,
        memory: tensor([o.memories, 64, F, F], 3),
        memoryPos: tensor([o.memories, 64, F, F], 4),
        objPtrs: tensor([o.pointers, 256], 5),
        objPtrPos: tensor([o.pointers, 256], 6),
      }),
    ),
    mask_decoder: await medianMs(o.repeats, () =>
      model.decodeMask({
        imageEmbed: f.visionFeats,
        highRes0: f.highRes0,
        highRes1: f.highRes1,
        pointCoords: new Float32Array([S / 2, S / 2]),
        pointLabels: new Float32Array([1]),
      }),
    ),
    memory_encoder: await medianMs(o.repeats, () =>
      model.encodeMemory({
        pixFeat: f.visionFeats,
        maskLogits: tensor([1, 1, L, L], 7),
        objectScore: 1,
        binarize: false,
      }),
    ),
  };
}

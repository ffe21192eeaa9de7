/**
 * The evaluation loop on the engine: for each structure, derive prompts from the truth, run a
 * SegmentationSession per (bank policy × orientation mode × seed), and measure the mask against the
 * truth next to the floors. No Node imports: the caller reads files and writes the report.
 */
import { type BankPolicyName } from '../engine/memory/policies';
import { EncoderCache } from '../engine/cache/encoder-cache';
import { InputError } from '../engine/errors';
import type { SamModel } from '../engine/model/sam-model';
import { SegmentationSession } from '../engine/session';
import type { Volume } from '../engine/types';
import { copyKeySliceMask, keySliceOnlyMask } from './floors';
import { overlap } from './overlap';
import type {
  ConfigResult,
  EvalReport,
  FloorResult,
  MaskMetrics,
  OrientationMode,
  SeedResult,
  SliceResult,
  StructureReport,
} from './report';
import { REPORT_FORMAT, REPORT_FORMAT_VERSION } from './report';
import { meanSd } from './stats';
import {
  axialExtent,
  axialSlice,
  boxAround,
  cropArray,
  cropVolume,
  sliceAreas,
  structureMask,
  type Dims3,
  type VoxelBox,
} from './structure';
import { surfaceDistances } from './surface-distance';
import { keySlice, truthPrompts, type PromptKind } from './truth-prompts';

export interface EvalOptions {
  readonly prompt: PromptKind;
  readonly policies: readonly BankPolicyName[];
  readonly orientations: readonly OrientationMode[];
  readonly seeds: readonly number[];
  readonly boxJitter: number;
  readonly frequency: number;
  readonly capacity: number;
  readonly confidenceThreshold: number;
  readonly stopAfterAbsent: number;
  readonly aggregation: 'mean' | 'majority';
  /** Evaluate each structure inside its bounding box grown by this many voxels; null = whole volume. */
  readonly cropMargin: number | null;
  /**
   * Keep only the axial slices within this many slices of the key slice (image and truth alike): a
   * short sub-volume for quick runs (CI). null = the whole extent.
   */
  readonly slab?: number | null;
  readonly signal?: AbortSignal;
}

export interface EvalInputs {
  readonly image: Volume;
  /** Label volume on the image's grid. */
  readonly labels: Float32Array;
  readonly labelIds: readonly number[];
  readonly labelNames?: ReadonlyMap<number, string>;
  readonly imageName: string;
  readonly labelsName: string;
  readonly backendDescription: string;
}

export const METRICS_DEFINITION =
  'Dice and IoU over voxels; HD95 = 95th percentile (linear) of the surface distances in mm in both directions pooled ' +
  '(surface = voxels with a 6-neighbour outside the mask); per-slice Dice on axial slices.';

export function maskMetrics(
  predicted: Uint8Array,
  truth: Uint8Array,
  dims: Dims3,
  spacing: readonly number[],
): MaskMetrics {
  const o = overlap(predicted, truth);
  const sd = surfaceDistances(predicted, truth, dims, spacing);
  return {
    dice: o.dice,
    iou: o.iou,
    hd95: Number.isFinite(sd.hd95) ? sd.hd95 : null,
    assd: Number.isFinite(sd.assd) ? sd.assd : null,
    predictedVoxels: o.predicted,
  };
}

/** Per axial slice where the truth or the prediction is non-empty (plus prompted/predicted ones). */
function perSliceResults(
  predicted: Uint8Array,
  truth: Uint8Array,
  dims: Dims3,
  confidences: ReadonlyMap<number, { confidence: number; present: boolean }>,
  prompted: ReadonlySet<number>,
): SliceResult[] {
  const truthAreas = sliceAreas(truth, dims);
  const predAreas = sliceAreas(predicted, dims);
  const out: SliceResult[] = [];
  for (let z = 0; z < dims[2]; z++) {
    const c = confidences.get(z);
    if (truthAreas[z] === 0 && predAreas[z] === 0 && !c) continue;
    const both = truthAreas[z] + predAreas[z];
    out.push({
      slice: z,
      truthArea: truthAreas[z],
      predictedArea: predAreas[z],
      dice: both === 0 ? null : overlap(axialSlice(predicted, dims, z), axialSlice(truth, dims, z)).dice,
      confidence: c ? c.confidence : null,
      present: c ? c.present : false,
      prompted: prompted.has(z),
    });
  }
  return out;
}

function summarise(seeds: readonly SeedResult[]): ConfigResult['summary'] {
  const hd = seeds.map((s) => s.hd95 ?? Infinity);
  const hdStats = meanSd(hd);
  return {
    dice: meanSd(seeds.map((s) => s.dice)),
    iou: meanSd(seeds.map((s) => s.iou)),
    hd95: { mean: hdStats.mean, sd: hdStats.sd, n: hdStats.n },
    hd95Infinite: hdStats.nonFinite,
  };
}

const elapsed = (t0: number) => (Date.now() - t0) / 1000;

async function runOnce(
  model: SamModel,
  volume: Volume,
  truth: Uint8Array,
  policy: BankPolicyName,
  orientations: OrientationMode,
  seed: number,
  options: EvalOptions,
  cache: EncoderCache,
  volumeId: string,
  key: number,
): Promise<SeedResult> {
  const t0 = Date.now();
  const dims = volume.dims as Dims3;
  const prompts = truthPrompts(truth, dims, {
    kind: options.prompt,
    spacing: volume.spacing,
    boxJitter: options.boxJitter,
    frequency: options.frequency,
    seed,
    keySlice: key,
  });
  const session = new SegmentationSession(model, volume, {
    bank: {
      policy,
      capacity: options.capacity,
      confidenceThreshold: options.confidenceThreshold,
      similarity: 'cosine',
      seed,
    },
    orientations,
    aggregation: options.aggregation,
    stopAfterAbsent: options.stopAfterAbsent,
    cache,
    volumeId,
  });
  const id = session.addObject('structure');
  for (const p of prompts) await session.setPrompt(id, p.slice, p.prompt, 'axial');
  for await (const _ of session.propagate({ signal: options.signal })) void _;
  const predicted = session.mask(id);
  const confidences = new Map(
    session
      .outcomes(id)
      .filter((o) => !o.skipped)
      .map((o) => [o.frame, { confidence: o.confidence, present: o.present }] as const),
  );
  const promptedSlices = prompts.map((p) => p.slice);
  return {
    seed,
    ...maskMetrics(predicted, truth, dims, volume.spacing),
    promptedSlices,
    seconds: elapsed(t0),
    perSlice: perSliceResults(predicted, truth, dims, confidences, new Set(promptedSlices)),
  };
}

function floors(truth: Uint8Array, dims: Dims3, spacing: readonly number[], key: number): FloorResult[] {
  const floor = (name: FloorResult['name'], description: string, mask: Uint8Array): FloorResult => ({
    name,
    description,
    ...maskMetrics(mask, truth, dims, spacing),
    perSlice: perSliceResults(mask, truth, dims, new Map(), new Set([key])),
  });
  return [
    floor(
      'copy-key-slice',
      "the key slice's true mask copied to every slice of the structure's axial extent",
      copyKeySliceMask(truth, dims, key),
    ),
    floor(
      'key-slice-only',
      "the key slice's true mask alone (no propagation)",
      keySliceOnlyMask(truth, dims, key),
    ),
  ];
}

export async function evaluateStructure(
  model: SamModel,
  inputs: EvalInputs,
  id: number,
  options: EvalOptions,
  cache: EncoderCache,
  log: (line: string) => void,
): Promise<StructureReport> {
  const fullDims = inputs.image.dims as Dims3;
  const fullTruth = structureMask(inputs.labels, id);
  const voxels = fullTruth.reduce((n, v) => n + v, 0);
  if (voxels === 0)
    throw new InputError('invalid-options', `label ${id} has no voxels in ${inputs.labelsName}`);
  const name = inputs.labelNames?.get(id) ?? `label ${id}`;
  // The key slice of the whole structure, also when only a slab around it is evaluated.
  const fullKey = keySlice(fullTruth, fullDims);
  let volume = inputs.image;
  let truth = fullTruth;
  let crop: StructureReport['crop'] = null;
  const slab = options.slab ?? null;
  if (options.cropMargin !== null || slab !== null) {
    let box = boxAround(fullTruth, fullDims, options.cropMargin ?? Math.max(...fullDims)) as VoxelBox;
    if (slab !== null) {
      box = {
        lo: [box.lo[0], box.lo[1], Math.max(0, fullKey - slab)],
        hi: [box.hi[0], box.hi[1], Math.min(fullDims[2], fullKey + slab + 1)],
      };
    }
    volume = cropVolume(inputs.image, box);
    truth = cropArray(fullTruth, fullDims, box);
    crop = { lo: [...box.lo], hi: [...box.hi], margin: options.cropMargin, slab };
  }
  const dims = volume.dims as Dims3;
  const offset = crop ? crop.lo[2] : 0;
  const key = fullKey - offset;
  const extent = axialExtent(truth, dims) as { first: number; last: number };
  const volumeId = `eval:${inputs.imageName}:${id}:${crop ? crop.lo.join(',') + '-' + crop.hi.join(',') : 'full'}`;
  const results: ConfigResult[] = [];
  for (const orientations of options.orientations)
    for (const policy of options.policies) {
      const seeds: SeedResult[] = [];
      for (const seed of options.seeds) {
        const r = await runOnce(
          model,
          volume,
          truth,
          policy,
          orientations,
          seed,
          options,
          cache,
          volumeId,
          key,
        );
        // Report slices in the input volume's numbering.
        seeds.push(
          offset === 0
            ? r
            : {
                ...r,
                promptedSlices: r.promptedSlices.map((z) => z + offset),
                perSlice: r.perSlice.map((s) => ({ ...s, slice: s.slice + offset })),
              },
        );
        log(
          `  ${name} ${policy} ${orientations} seed ${seed}: Dice ${r.dice.toFixed(3)} HD95 ${r.hd95 === null ? '∞' : r.hd95.toFixed(2)} mm (${r.seconds.toFixed(1)} s)`,
        );
      }
      results.push({ policy, orientations, seeds, summary: summarise(seeds) });
    }
  return {
    id,
    name,
    voxels,
    extent: { first: extent.first + offset, last: extent.last + offset },
    keySlice: key + offset,
    crop,
    floors: floors(truth, dims, volume.spacing, key).map((f) => ({
      ...f,
      perSlice: f.perSlice.map((p) => ({ ...p, slice: p.slice + offset })),
    })),
    results,
  };
}

export async function evaluate(
  model: SamModel,
  inputs: EvalInputs,
  options: EvalOptions,
  log: (line: string) => void = () => {},
): Promise<EvalReport> {
  const t0 = Date.now();
  const { image, labels } = inputs;
  if (labels.length !== image.data.length)
    throw new InputError(
      'invalid-volume',
      `${inputs.labelsName} has ${labels.length} voxels but ${inputs.imageName} has ${image.data.length}: the labels must be on the image's grid`,
    );
  if (options.seeds.length === 0) throw new InputError('invalid-options', 'at least one seed is needed');
  const cache = new EncoderCache();
  const structures: StructureReport[] = [];
  for (const id of inputs.labelIds) {
    log(`structure ${id} (${inputs.labelNames?.get(id) ?? 'unnamed'})`);
    structures.push(await evaluateStructure(model, inputs, id, options, cache, log));
  }
  const m = model.manifest;
  return {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    model: {
      name: m.name,
      version: m.version,
      variant: m.source.variant,
      generated: m.testModel,
      description: m.description ?? '',
    },
    backend: inputs.backendDescription,
    inputs: {
      image: inputs.imageName,
      labels: inputs.labelsName,
      dims: [...image.dims],
      spacing: [...image.spacing],
    },
    protocol: {
      prompt: options.prompt,
      keySlice: 'largest axial cross-section of the truth (ties: nearest the middle of the extent)',
      boxJitter: options.boxJitter,
      frequency: options.frequency,
      seeds: [...options.seeds],
      policies: [...options.policies],
      orientations: [...options.orientations],
      capacity: options.capacity,
      confidenceThreshold: options.confidenceThreshold,
      stopAfterAbsent: options.stopAfterAbsent,
      aggregation: options.aggregation,
      cropMargin: options.cropMargin,
      slab: options.slab ?? null,
      metrics: METRICS_DEFINITION,
    },
    structures,
    seconds: elapsed(t0),
  };
}

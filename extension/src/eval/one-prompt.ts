/**
 * One-prompt 2D evaluation (paper §3.3) built from a labelled volume: the axial slices that hold a
 * structure, every `stride`-th, are taken as unrelated 2D images — shuffled (seeded), so their
 * order says nothing about anatomy — the key slice (largest area) is the prompted template, and
 * `segmentImageSet` segments the rest from memory alone. Each image is scored by Dice against its
 * true slice, beside the copy-template floor: the template's true mask copied onto every image.
 *
 * This is a check of the harness and the loop with whatever model is given; with the project's test
 * or baseline model it says nothing about MedSAM-2's accuracy (the paper's Table 2 is on other data
 * with the trained model). No Node imports: the caller reads files and writes the report.
 */
import { EncoderCache } from '../engine/cache/encoder-cache';
import { InputError } from '../engine/errors';
import { segmentImageSet } from '../engine/image-set';
import { createRng } from '../engine/memory/rng';
import { DEFAULT_BANK_OPTIONS, type BankPolicyName } from '../engine/memory/policies';
import type { SamModel } from '../engine/model/sam-model';
import type { SliceImage, Volume } from '../engine/types';
import { overlap } from './overlap';
import { mean, meanSd, type MeanSd } from './stats';
import {
  axialSlice,
  boxAround,
  cropArray,
  cropVolume,
  sliceAreas,
  structureMask,
  type Dims3,
  type VoxelBox,
} from './structure';
import { keySlice, promptOnSlice, type PromptKind } from './truth-prompts';

export const ONE_PROMPT_NOTE =
  'Harness check: a 2D set made of axial slices of one labelled volume, scored with the model given. ' +
  "With the project's test or baseline model this is not MedSAM-2 and not the paper's Table 2.";

export interface OnePromptOptions {
  readonly prompt: PromptKind;
  readonly policies: readonly BankPolicyName[];
  /** One shuffle of the images (and bank seed) per seed; per-image Dice is the mean over seeds. */
  readonly seeds: readonly number[];
  /** Every `stride`-th slice of the structure's extent (1 = all). */
  readonly stride: number;
  /** Slices whose true area is below this many pixels are left out (the paper drops tiny targets). */
  readonly minArea: number;
  readonly capacity: number;
  readonly confidenceThreshold: number;
  /**
   * Cut every image to the structure's in-plane bounding box (over all its slices, so one box for
   * every image, as the volume evaluation crops) grown by this many pixels; null = whole slices.
   */
  readonly cropMargin: number | null;
  readonly signal?: AbortSignal;
}

export interface OnePromptImageResult {
  /** Axial slice of the source volume the image was cut from. */
  readonly slice: number;
  readonly area: number;
  /** Dice of the copy-template floor. */
  readonly floor: number;
  /** Dice per policy, mean over seeds. */
  readonly dice: Readonly<Record<string, number>>;
}

export interface OnePromptStructureReport {
  readonly id: number;
  readonly name: string;
  readonly templateSlice: number;
  readonly prompt: PromptKind;
  /** The in-plane crop [x0, y0]..[x1, y1) every image was cut to, or null for whole slices. */
  readonly crop: { readonly lo: readonly number[]; readonly hi: readonly number[] } | null;
  readonly images: readonly OnePromptImageResult[];
  /** Dice of the template itself per policy (prompted, not from memory; not in the means). */
  readonly templateDice: Readonly<Record<string, number>>;
  readonly summary: { readonly floor: MeanSd; readonly dice: Readonly<Record<string, MeanSd>> };
}

/** Fisher–Yates with the project's seeded generator. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rng = createRng(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const summary = (values: readonly number[]): MeanSd => {
  const { mean, sd, n } = meanSd(values);
  return { mean, sd, n };
};

export async function evaluateOnePromptStructure(
  model: SamModel,
  image: Volume,
  labels: Float32Array,
  id: number,
  name: string,
  options: OnePromptOptions,
  log: (line: string) => void = () => {},
): Promise<OnePromptStructureReport> {
  const fullDims = image.dims as Dims3;
  const fullTruth = structureMask(labels, id);
  const box = options.cropMargin === null ? null : boxAround(fullTruth, fullDims, options.cropMargin);
  // The box spans every slice, so slice numbers stay those of the source volume.
  const inPlane: VoxelBox | null = box && {
    lo: [box.lo[0], box.lo[1], 0],
    hi: [box.hi[0], box.hi[1], fullDims[2]],
  };
  const volume = inPlane ? cropVolume(image, inPlane) : image;
  const truth = inPlane ? cropArray(fullTruth, fullDims, inPlane) : fullTruth;
  const dims = volume.dims as Dims3;
  const key = keySlice(truth, dims);
  if (key < 0) throw new InputError('invalid-volume', `label ${id} (${name}) has no voxel in the labels`);
  const prompt = promptOnSlice(truth, dims, key, { kind: options.prompt, spacing: volume.spacing }, 0);
  if (!prompt) throw new InputError('invalid-volume', `label ${id} (${name}): the key slice ${key} is empty`);
  const areas = sliceAreas(truth, dims);
  const slices = areas
    .map((area, z) => ({ z, area }))
    .filter(({ z, area }) => z !== key && area >= options.minArea && (z - key) % options.stride === 0)
    .map(({ z }) => z);
  if (slices.length === 0)
    throw new InputError(
      'invalid-volume',
      `label ${id} (${name}): no slice besides the template has ${options.minArea}+ pixels at stride ${options.stride}`,
    );
  const [w, h] = dims;
  const cut = (z: number): SliceImage => ({
    data: volume.data.subarray(z * w * h, (z + 1) * w * h),
    width: w,
    height: h,
  });
  const truthOf = (z: number) => axialSlice(truth, dims, z);
  const templateTruth = truthOf(key);
  const perImage = new Map<number, Map<string, number[]>>(slices.map((z) => [z, new Map()]));
  const templateDice: Record<string, number[]> = {};
  const cache = new EncoderCache();
  for (const seed of options.seeds) {
    const order = shuffled(slices, seed);
    const images = [cut(key), ...order.map(cut)];
    for (const policy of options.policies) {
      const bank = {
        ...DEFAULT_BANK_OPTIONS,
        policy,
        seed,
        capacity: options.capacity,
        confidenceThreshold: options.confidenceThreshold,
      };
      const run = segmentImageSet(
        model,
        images,
        { index: 0, prompt },
        {
          bank,
          modality: volume.modality,
          cache,
          setId: `one-prompt:${id}:${seed}`,
          signal: options.signal,
        },
      );
      for await (const u of run) {
        const z = u.image === 0 ? key : order[u.image - 1];
        const dice = overlap(u.mask, truthOf(z)).dice;
        if (u.image === 0) (templateDice[policy] ??= []).push(dice);
        else {
          const byPolicy = perImage.get(z) as Map<string, number[]>;
          byPolicy.set(policy, [...(byPolicy.get(policy) ?? []), dice]);
        }
      }
      log(`one-prompt ${name}: seed ${seed}, ${policy}: ${slices.length + 1} images`);
    }
  }
  const images: OnePromptImageResult[] = slices.map((z) => ({
    slice: z,
    area: areas[z],
    floor: overlap(templateTruth, truthOf(z)).dice,
    dice: Object.fromEntries(options.policies.map((p) => [p, mean(perImage.get(z)?.get(p) ?? [])])),
  }));
  return {
    id,
    name,
    templateSlice: key,
    prompt: options.prompt,
    crop: inPlane && { lo: inPlane.lo.slice(0, 2), hi: inPlane.hi.slice(0, 2) },
    images,
    templateDice: Object.fromEntries(options.policies.map((p) => [p, mean(templateDice[p] ?? [])])),
    summary: {
      floor: summary(images.map((r) => r.floor)),
      dice: Object.fromEntries(options.policies.map((p) => [p, summary(images.map((r) => r.dice[p]))])),
    },
  };
}

/** The report as Markdown: a summary with the floor as the baseline row, then Dice per image. */
export function onePromptMarkdown(
  structures: readonly OnePromptStructureReport[],
  context: { model: string; image: string; seeds: readonly number[]; stride: number },
): string {
  const f = (x: number) => x.toFixed(3);
  const ms = (m: MeanSd) => `${f(m.mean)} ± ${f(m.sd)}`;
  const lines = [
    '# One-prompt 2D evaluation (harness check)',
    '',
    `**${ONE_PROMPT_NOTE}**`,
    '',
    `Model: ${context.model}. Image: ${context.image}. Axial slices of each structure (every ${context.stride}. slice), ` +
      `shuffled with seed(s) ${context.seeds.join(', ')}; template = the slice of largest area.`,
  ];
  for (const s of structures) {
    const policies = Object.keys(s.summary.dice);
    lines.push(
      '',
      `## ${s.name} (label ${s.id}): template slice ${s.templateSlice}, ${s.prompt} prompt, ${s.images.length} images, ` +
        (s.crop ? `cut to [${s.crop.lo.join(', ')}]..[${s.crop.hi.join(', ')})` : 'whole slices'),
      '',
      '| method | mean Dice ± sd over images | template Dice |',
      '|---|---|---|',
      `| baseline: copy-template floor | ${ms(s.summary.floor)} | 1.000 |`,
      ...policies.map((p) => `| ${p} | ${ms(s.summary.dice[p])} | ${f(s.templateDice[p])} |`),
      '',
      `| slice | true area (px) | copy-template floor | ${policies.join(' | ')} |`,
      `|---|---|---|${policies.map(() => '---|').join('')}`,
      ...s.images.map(
        (r) =>
          `| ${r.slice} | ${r.area} | ${f(r.floor)} | ${policies.map((p) => f(r.dice[p])).join(' | ')} |`,
      ),
      `| **mean** | | ${f(s.summary.floor.mean)} | ${policies.map((p) => f(s.summary.dice[p].mean)).join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

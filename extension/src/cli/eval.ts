/**
 * `medsam2 eval`: segment labelled structures of a volume from truth-derived prompts under each
 * memory-bank policy and orientation mode, and report Dice / IoU / HD95 next to the floors as JSON,
 * Markdown and one SVG per structure.
 *
 * Inputs: the image is a NIfTI file or a folder holding one DICOM series; the labels a NIfTI label
 * volume or (on a DICOM series) a SEG. The harness sees one grid in the image's array order: x
 * fastest; for a series, x = column, y = row, z = slices sorted along the normal. A series made by
 * `medsam2 convert` has exactly its NIfTI's array (slices reversed only for a left-handed NIfTI).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { geometryOnVolume, labelsFromSeg, readSeg, toSeriesOrder } from '../dicom';
import { InputError } from '../engine/errors';
import { BANK_POLICY_NAMES, type BankPolicyName } from '../engine/memory/policies';
import { loadModel } from '../engine/model/sam-model';
import { selectBackend } from '../engine/runtime/backend';
import type { Modality, Volume } from '../engine/types';
import { evaluate, type EvalOptions } from '../eval/harness';
import type { OrientationMode } from '../eval/report';
import { reportMarkdown } from '../eval/report-markdown';
import { structureSvg } from '../eval/report-svg';
import { PROMPT_KINDS, type PromptKind } from '../eval/truth-prompts';
import { parseNifti } from '../io/nifti';
import { nodeBackends } from '../node/backends';
import { directoryModelFiles } from '../node/model-dir';
import { writeOnePromptEval } from './eval-one-prompt';
import { choiceFlag, intFlag, numberFlag, parseFlags, requireFlag, UsageError } from './args';
import { type ImageInput, isPart10, readImage, readInput } from './volume-files';

export const EVAL_USAGE = `  eval --image <vol.nii[.gz] | dir of DICOM files> --labels <labels.nii[.gz] | seg.dcm> --label-ids 77,73 --model <dir> --out <report.json>
            [--prompt click|box|mask] [--box-jitter F] [--frequency p] [--seeds 0,1,2]
            [--policies paper,sam2-fifo,...|all] [--orientations single,all] [--crop-margin N] [--slab N]
            [--capacity K] [--threshold C] [--stop-after-absent N] [--aggregation mean|majority]
            [--label-names names.txt] [--markdown report.md] [--svg-prefix path]
            [--backend native|wasm] [--modality CT|MR|XR|US|OTHER] [--quiet]
       eval --one-prompt --image <vol> --labels <labels> --label-ids 77 --model <dir> --out <report.json>
            [--prompt click|box|mask] [--policies paper,sam2-fifo] [--seeds 0] [--stride N] [--min-area PX]
            [--crop-margin N] [--capacity K] [--threshold C] [--markdown report.md] [--backend native|wasm] [--quiet]`;

const FLAGS = {
  image: 'string',
  labels: 'string',
  'label-ids': 'string',
  'label-names': 'string',
  model: 'string',
  out: 'string',
  markdown: 'string',
  'svg-prefix': 'string',
  prompt: 'string',
  'box-jitter': 'string',
  frequency: 'string',
  seeds: 'string',
  policies: 'string',
  orientations: 'string',
  'crop-margin': 'string',
  slab: 'string',
  capacity: 'string',
  threshold: 'string',
  'stop-after-absent': 'string',
  aggregation: 'string',
  backend: 'string',
  modality: 'string',
  quiet: 'boolean',
  'one-prompt': 'boolean',
  stride: 'string',
  'min-area': 'string',
} as const;

export function intList(flag: string, text: string): number[] {
  const values = text.split(',').map((s) => s.trim());
  if (values.some((v) => !/^-?\d+$/.test(v)))
    throw new UsageError(`--${flag} must be a comma-separated list of integers, got ${JSON.stringify(text)}`);
  return values.map(Number);
}

function choiceList<T extends string>(flag: string, text: string, choices: readonly T[]): T[] {
  if (text === 'all') return [...choices];
  const values = text.split(',').map((s) => s.trim());
  const bad = values.find((v) => !choices.includes(v as T));
  if (bad !== undefined)
    throw new UsageError(`--${flag}: ${JSON.stringify(bad)} is not one of ${choices.join(', ')} (or all)`);
  return values as T[];
}

/** "id name ..." lines (the AAL/MRIcron .txt convention); other lines are ignored. */
export function parseLabelNames(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\S+)/.exec(line);
    if (m) names.set(Number(m[1]), m[2]);
  }
  return names;
}

/** The label-name file next to the label volume (aal.nii.gz → aal.nii.txt), when there is one. */
export function defaultLabelNames(labelsPath: string): string | null {
  const candidate = labelsPath.replace(/\.gz$/, '') + '.txt';
  return existsSync(candidate) ? candidate : null;
}

/**
 * The label volume on the image's grid, in the image's array order. A SEG is read onto a DICOM
 * image's series (label ids mapped as label-seg.ts documents); a NIfTI label volume on a DICOM image
 * must lie on the series' grid and is put into its slice order; on a NIfTI image it must have its dims.
 */
async function readLabels(
  path: string,
  image: ImageInput,
  imagePath: string,
  ids: readonly number[],
): Promise<{ data: Float32Array; names?: Map<number, string> }> {
  const bytes = await readInput(path, 'labels');
  if (isPart10(bytes)) {
    if (image.kind !== 'dicom')
      throw new InputError(
        'invalid-file',
        `${path} is DICOM (a SEG) but ${imagePath} is not a DICOM series: give --image the folder of the series it segments`,
      );
    const seg = readSeg(bytes.slice().buffer, image.volume, path);
    const { labels, names } = labelsFromSeg(seg, ids, path);
    return { data: labels, names };
  }
  const labels: Volume = parseNifti(bytes, path).volume;
  if (image.kind === 'dicom') {
    if (!labels.affine) throw new InputError('invalid-volume', `${path}: no voxel→world matrix`);
    const geometry = geometryOnVolume(labels.affine, labels.dims, image.volume, path);
    return { data: toSeriesOrder(labels.data, labels.dims, geometry) };
  }
  const dims = image.nifti.volume.dims;
  if (labels.dims.some((d, i) => d !== dims[i]))
    throw new InputError(
      'invalid-volume',
      `${path} is ${labels.dims.join('×')} but ${imagePath} is ${dims.join('×')}: the labels must be on the image's grid`,
    );
  return { data: labels.data };
}

export async function runEval(argv: readonly string[], log: (line: string) => void): Promise<void> {
  const flags = parseFlags(argv, FLAGS);
  const imagePath = requireFlag(flags, 'image');
  const labelsPath = requireFlag(flags, 'labels');
  const labelIds = intList('label-ids', requireFlag(flags, 'label-ids'));
  const modelDir = requireFlag(flags, 'model');
  const outPath = requireFlag(flags, 'out');
  const quiet = flags.get('quiet') === true;
  const cropFlag = flags.get('crop-margin');
  const options: EvalOptions = {
    prompt: choiceFlag<PromptKind>(flags, 'prompt', PROMPT_KINDS, 'click'),
    policies: choiceList<BankPolicyName>(
      'policies',
      (flags.get('policies') as string) ?? 'all',
      BANK_POLICY_NAMES,
    ),
    orientations: choiceList<OrientationMode>(
      'orientations',
      (flags.get('orientations') as string) ?? 'single,all',
      ['single', 'all'],
    ),
    seeds: intList('seeds', (flags.get('seeds') as string) ?? '0'),
    boxJitter: numberFlag(flags, 'box-jitter', 0),
    frequency: numberFlag(flags, 'frequency', 0),
    capacity: intFlag(flags, 'capacity', 6),
    confidenceThreshold: numberFlag(flags, 'threshold', 0.5),
    stopAfterAbsent: intFlag(flags, 'stop-after-absent', 3),
    aggregation: choiceFlag(flags, 'aggregation', ['mean', 'majority'] as const, 'mean'),
    cropMargin: cropFlag === undefined ? null : intFlag(flags, 'crop-margin', 0),
    slab: flags.has('slab') ? intFlag(flags, 'slab', 0) : null,
  };
  if (options.slab !== null && options.slab !== undefined && options.slab < 0)
    throw new UsageError(`--slab must be >= 0, got ${options.slab}`);
  if (options.cropMargin !== null && options.cropMargin < 0)
    throw new UsageError(`--crop-margin must be >= 0, got ${options.cropMargin}`);
  if (!(options.frequency >= 0 && options.frequency <= 1))
    throw new UsageError(`--frequency must be in [0, 1], got ${options.frequency}`);
  if (!(options.boxJitter >= 0 && options.boxJitter <= 1))
    throw new UsageError(`--box-jitter must be in [0, 1], got ${options.boxJitter}`);
  const backendName = choiceFlag(flags, 'backend', ['native', 'wasm'] as const, 'native');
  const onePrompt = flags.get('one-prompt') === true;
  const onePromptPolicies = choiceList<BankPolicyName>(
    'policies',
    (flags.get('policies') as string) ?? 'paper,sam2-fifo',
    BANK_POLICY_NAMES,
  );
  const volumeOnly = [
    'orientations',
    'slab',
    'frequency',
    'box-jitter',
    'aggregation',
    'stop-after-absent',
    'svg-prefix',
  ];
  const misplaced = volumeOnly.find((f) => flags.has(f));
  if (onePrompt && misplaced)
    throw new UsageError(`--${misplaced} is for the volume evaluation, not --one-prompt`);
  const twoDOnly = ['stride', 'min-area'].find((f) => flags.has(f));
  if (!onePrompt && twoDOnly) throw new UsageError(`--${twoDOnly} goes with --one-prompt`);
  if (onePrompt && intFlag(flags, 'stride', 1) < 1) throw new UsageError('--stride must be >= 1');
  if (onePrompt && intFlag(flags, 'min-area', 20) < 1) throw new UsageError('--min-area must be >= 1');

  const input = await readImage(imagePath);
  const image = input.kind === 'dicom' ? input.volume : input.nifti.volume;
  const modality = choiceFlag<Modality>(flags, 'modality', ['CT', 'MR', 'XR', 'US', 'OTHER'], image.modality);
  const labels = await readLabels(labelsPath, input, imagePath, labelIds);
  const namesPath = (flags.get('label-names') as string | undefined) ?? defaultLabelNames(labelsPath);
  const labelNames = namesPath
    ? parseLabelNames(new TextDecoder().decode(await readInput(namesPath, 'label names')))
    : labels.names;

  const backends = nodeBackends();
  const { backend } = await selectBackend([
    backendName === 'native'
      ? { name: 'native-cpu', create: backends.native }
      : { name: 'wasm', create: backends.wasm },
  ]);
  const model = await loadModel(directoryModelFiles(modelDir), backend);
  const m = model.manifest;
  if (!quiet)
    log(
      `model ${m.name} ${m.version}${m.testModel ? ` (generated by the project: ${m.source.variant}; not MedSAM-2 weights)` : ''} on ${backend.description}`,
    );
  try {
    if (onePrompt) {
      const base = outPath.replace(/\.json$/, '');
      await writeOnePromptEval(
        {
          model,
          image: { ...image, modality },
          imageName: imagePath,
          labels: labels.data,
          labelIds,
          labelNames,
        },
        {
          prompt: options.prompt,
          policies: onePromptPolicies,
          seeds: options.seeds,
          stride: intFlag(flags, 'stride', 1),
          minArea: intFlag(flags, 'min-area', 20),
          capacity: options.capacity,
          confidenceThreshold: options.confidenceThreshold,
          cropMargin: options.cropMargin,
        },
        { json: outPath, markdown: (flags.get('markdown') as string | undefined) ?? `${base}.md` },
        quiet ? () => {} : log,
      );
      return;
    }
    const report = await evaluate(
      model,
      {
        image: { ...image, modality },
        labels: labels.data,
        labelIds,
        labelNames,
        imageName: imagePath,
        labelsName: labelsPath,
        backendDescription: backend.description,
      },
      options,
      quiet ? () => {} : log,
    );
    const base = outPath.replace(/\.json$/, '');
    const mdPath = (flags.get('markdown') as string | undefined) ?? `${base}.md`;
    const svgPrefix = (flags.get('svg-prefix') as string | undefined) ?? base;
    await mkdir(dirname(outPath), { recursive: true });
    await writeFile(outPath, JSON.stringify(report, null, 1) + '\n');
    await writeFile(mdPath, reportMarkdown(report) + '\n');
    const svgs: string[] = [];
    for (const s of report.structures) {
      const path = `${svgPrefix}-${s.id}.svg`;
      await writeFile(
        path,
        structureSvg(s, `${s.name} (label ${s.id}) — ${m.name}, ${options.prompt} prompt`),
      );
      svgs.push(path);
    }
    if (!quiet) log(`wrote ${outPath}, ${mdPath}, ${svgs.join(', ')} in ${report.seconds.toFixed(1)} s`);
  } finally {
    await model.release();
  }
}

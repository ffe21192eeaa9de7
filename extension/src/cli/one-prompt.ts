/**
 * `medsam2 one-prompt`: the paper's one-prompt 2D segmentation (§3.3). A prompted template
 * segments every other image — unrelated images of any size — from memory alone, the self-sorting
 * bank choosing what to remember (engine/image-set.ts). Masks are written as each image is done,
 * so an error or Ctrl-C later keeps them; SEGs (one per DICOM source series) come at the end.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { InputError } from '../engine/errors';
import { DEFAULT_BANK_OPTIONS } from '../engine/memory/policies';
import { segmentImageSet, type ImageUpdate } from '../engine/image-set';
import { validatePrompt } from '../engine/prompts/prompt';
import type { Modality } from '../engine/types';
import { encodeMaskPng } from '../node/raster';
import { choiceFlag, parseFlags, requireFlag, UsageError } from './args';
import { cancellableBySigint, loadModelFromFlags, sessionOptionsFromFlags } from './engine-flags';
import { type InputImage, listImageFiles, readImageFile } from './image-files';
import { namedReason, outputNames, segsPerSeries, traceLine } from './one-prompt-outputs';
import { parseTemplatePrompt, resolveLasso } from './prompt-file';
import { readInput } from './volume-files';

export const ONE_PROMPT_USAGE = `  one-prompt --model <dir> --template <image> --prompt <file.json> --images <dir|file>... --out <dir>
            [--trace] [--label <name>] [--modality CT|MR|XR|US|OTHER] [--policy paper|sam2-fifo|...]
            [--seed N] [--capacity K] [--threshold C] [--backend native|wasm] [--quiet]`;

const FLAGS = {
  model: 'string',
  template: 'string',
  prompt: 'string',
  out: 'string',
  trace: 'boolean',
  label: 'string',
  modality: 'string',
  policy: 'string',
  seed: 'string',
  capacity: 'string',
  threshold: 'string',
  backend: 'string',
  quiet: 'boolean',
} as const;

/** `--images` takes every argument up to the next flag; the rest goes to the flag parser. */
export function splitImagesArgs(argv: readonly string[]): { images: string[]; rest: string[] } {
  const images: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--images') {
      rest.push(argv[i]);
      continue;
    }
    while (i + 1 < argv.length && !argv[i + 1].startsWith('--')) images.push(argv[++i]);
  }
  return { images, rest };
}

/** The template image: frame `frame` (1-based) of the template file. */
async function readTemplate(file: string, frame: number, promptPath: string): Promise<InputImage> {
  const images = await readImageFile(file);
  if (frame > images.length)
    throw new InputError(
      'invalid-prompt',
      `${promptPath}: "frame" ${frame} but the template ${file} has ${images.length} frame(s)`,
    );
  return images[frame - 1];
}

const sameImage = (a: InputImage, b: InputImage) =>
  path.resolve(a.file) === path.resolve(b.file) &&
  a.source.slice(a.file.length) === b.source.slice(b.file.length);

export async function runOnePrompt(argv: readonly string[], log: (line: string) => void): Promise<void> {
  const { images: imageArgs, rest } = splitImagesArgs(argv);
  const flags = parseFlags(rest, FLAGS);
  const modelDir = requireFlag(flags, 'model');
  const templatePath = requireFlag(flags, 'template');
  const promptPath = requireFlag(flags, 'prompt');
  const outDir = requireFlag(flags, 'out');
  if (imageArgs.length === 0) throw new UsageError('--images needs at least one folder or file');
  const quiet = flags.get('quiet') === true;
  const traced = flags.get('trace') === true;
  const bank = sessionOptionsFromFlags(flags).bank ?? DEFAULT_BANK_OPTIONS;

  // Everything is read and checked before the model is loaded: a bad input costs no inference.
  const filePrompt = parseTemplatePrompt(
    new TextDecoder().decode(await readInput(promptPath, 'prompt file')),
    promptPath,
  );
  const template = await readTemplate(templatePath, filePrompt.frame, promptPath);
  const { width, height } = template.image;
  const prompt = resolveLasso(filePrompt, width, height, `${promptPath} on ${template.source}`);
  validatePrompt(prompt, template.image.width, template.image.height, `${promptPath} on ${template.source}`);
  const { files, skipped } = await listImageFiles(imageArgs);
  if (!quiet && skipped.length)
    log(`skipped ${skipped.length} file(s) that are no image (e.g. ${skipped[0]})`);
  const others: InputImage[] = [];
  for (const file of files) others.push(...(await readImageFile(file)));
  const images = [template, ...others.filter((img) => !sameImage(img, template))];
  if (images.length < 2) throw new InputError('invalid-image', 'no image to segment besides the template');
  const modality = choiceFlag<Modality>(
    flags,
    'modality',
    ['CT', 'MR', 'XR', 'US', 'OTHER'],
    template.modality,
  );
  const names = outputNames(images);
  await mkdir(path.join(outDir, 'masks'), { recursive: true });

  const model = await loadModelFromFlags(flags, modelDir, log);
  const rows: object[] = [];
  const masks = new Map<number, Uint8Array>();
  try {
    await cancellableBySigint(async (signal) => {
      const updates = segmentImageSet(
        model,
        images.map((img) => img.image),
        { index: 0, prompt },
        { bank, modality, signal, setId: 'one-prompt' },
      );
      for await (const u of updates) {
        await writeFile(
          path.join(outDir, 'masks', `${names[u.image]}.png`),
          encodeMaskPng(u.mask, u.width, u.height),
        );
        masks.set(u.image, u.mask);
        rows.push(summaryRow(u, images[u.image], names, traced));
        if (traced) log(traceLine(names[u.image], u.trace, names));
        else if (!quiet) log(`${u.progress.done}/${u.progress.total} ${names[u.image]}: ${describe(u)}`);
      }
    });
  } finally {
    await model.release();
    await writeFile(
      path.join(outDir, 'images.json'),
      JSON.stringify({ policy: bank.policy, images: rows }, null, 1) + '\n',
    );
  }
  const m = model.manifest;
  const segs = segsPerSeries(images, masks, {
    label: (flags.get('label') as string | undefined) ?? 'MedSAM-2 segment',
    algorithmVersion: `${m.name} ${m.version}`,
    modelHash: model.modelHash,
    seriesDescription: m.testModel ? 'MedSAM-2 one-prompt (TEST MODEL)' : 'MedSAM-2 one-prompt',
  });
  for (const seg of segs) {
    if (seg.file && seg.bytes) await writeFile(path.join(outDir, seg.file), new Uint8Array(seg.bytes));
    if (!quiet)
      log(
        seg.file
          ? `wrote ${seg.file} (series ${seg.series})`
          : `no SEG for series ${seg.series}: ${seg.reason}`,
      );
  }
  if (!quiet) log(`wrote ${masks.size} mask(s) to ${path.join(outDir, 'masks')} and images.json`);
}

const describe = (u: ImageUpdate) =>
  `${u.present ? `${area(u.mask)} px` : 'object absent'}, confidence ${u.confidence.toFixed(3)}`;

const area = (mask: Uint8Array) => mask.reduce((n, v) => n + (v ? 1 : 0), 0);

function summaryRow(u: ImageUpdate, img: InputImage, names: readonly string[], traced: boolean): object {
  return {
    image: u.image,
    name: names[u.image],
    source: img.source,
    prompted: u.prompted,
    present: u.present,
    confidence: u.confidence,
    objectScore: u.objectScore,
    area: area(u.mask),
    ...(traced && u.trace
      ? {
          attended: u.trace.attended.map((i) => names[i]),
          drawn: u.trace.drawn.map((i) => names[i]),
          bank: u.trace.probabilities.map((e) => ({
            image: names[e.frame],
            similarity: e.similarity,
            p: e.p,
          })),
          offer: {
            ...u.trace.offer,
            evicted: u.trace.offer.evicted.map((i) => names[i]),
            reason: namedReason(u.trace.offer.reason, names),
          },
          bankAfter: u.trace.bankAfter.map((i) => names[i]),
        }
      : {}),
  };
}

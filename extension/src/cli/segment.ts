import { writeFile } from 'node:fs/promises';
import { sliceIndexOf, volumeFromPart10, writeSeg } from '../dicom';
import { DEFAULT_TIMEOUT_MS } from '../dicom/dicomweb/client';
import { InputError } from '../engine/errors';
import { SegmentationSession } from '../engine/session';
import { readDicomDirectory } from '../node/dicom-files';
import { choiceFlag, numberFlag, parseFlags, requireFlag, UsageError } from './args';
import {
  ENGINE_FLAGS,
  ENGINE_USAGE,
  loadModelFromFlags,
  promptAndPropagate,
  sessionOptionsFromFlags,
} from './engine-flags';
import { readInput } from './volume-files';
import { parsePromptFile } from './prompt-file';
import { StoreError, storeAndConfirm, stowTarget } from './stow';

export { StoreError };

export const SEGMENT_USAGE = `  segment --input <dir of DICOM files> --model <dir> --prompt <file.json> --output <seg.dcm>
            [--format binary|labelmap] [--label <name>] [--laterality L|R|B|U]
            [--stow <dicomweb root> [--pacs-credentials <file>] [--timeout <seconds>]] ${ENGINE_USAGE}`;

/**
 * DICOM series in, DICOM SEG out (and optionally into a PACS with STOW-RS, confirmed by a
 * search and a retrieve). The SEG is always written to --output first, so a failed store loses
 * nothing.
 */
export async function runSegment(argv: readonly string[], log: (line: string) => void): Promise<void> {
  const flags = parseFlags(argv, {
    ...ENGINE_FLAGS,
    input: 'string',
    output: 'string',
    format: 'string',
    label: 'string',
    laterality: 'string',
    stow: 'string',
    'pacs-credentials': 'string',
    timeout: 'string',
    // Refused with a message saying where credentials go (kept here so the message is specific).
    user: 'string',
    password: 'string',
  });
  const inputDir = requireFlag(flags, 'input');
  const modelDir = requireFlag(flags, 'model');
  const promptPath = requireFlag(flags, 'prompt');
  const output = requireFlag(flags, 'output');
  const format = choiceFlag(flags, 'format', ['binary', 'labelmap'] as const, 'binary');
  const laterality = choiceFlag(flags, 'laterality', ['L', 'R', 'B', 'U'] as const, 'U');
  const stow = flags.get('stow') as string | undefined;
  if (flags.has('user') || flags.has('password'))
    throw new UsageError(
      '--user/--password are not accepted: the process list shows the command line to every user. ' +
        'Put user:password in the MEDSAM2_PACS_CREDENTIALS environment variable or in a file given with ' +
        '--pacs-credentials <file>',
    );
  if ((flags.has('pacs-credentials') || flags.has('timeout')) && !stow)
    throw new UsageError('--pacs-credentials and --timeout go with --stow');
  // Checked before any work: a bad URL or unreadable credentials must not cost a segmentation.
  const target = stow
    ? stowTarget(
        stow,
        flags.get('pacs-credentials') as string | undefined,
        numberFlag(flags, 'timeout', DEFAULT_TIMEOUT_MS / 1000),
        process.env,
        log,
      )
    : undefined;
  const options = sessionOptionsFromFlags(flags);
  const quiet = flags.get('quiet') === true;

  const { files, skipped } = await readDicomDirectory(inputDir);
  if (!quiet && skipped.length) log(`skipped ${skipped.length} non-DICOM file(s) in ${inputDir}`);
  const volume = volumeFromPart10(files);
  const entries = parsePromptFile(
    new TextDecoder().decode(await readInput(promptPath, 'prompt file')),
    promptPath,
  ).map((e) => {
    if (typeof e.slice === 'number') return { ...e, slice: e.slice };
    const k = sliceIndexOf(volume, e.slice);
    if (k < 0)
      throw new InputError(
        'invalid-prompt',
        `${promptPath}: no slice of series ${volume.seriesInstanceUID} has SOPInstanceUID ${e.slice}`,
      );
    return { ...e, slice: k };
  });
  if (!quiet) log(`series ${volume.seriesInstanceUID}: ${volume.dims.join('×')} ${volume.dicomModality}`);

  const model = await loadModelFromFlags(flags, modelDir, log);
  let seg: ArrayBuffer;
  try {
    const session = new SegmentationSession(model, volume, {
      ...options,
      volumeId: volume.seriesInstanceUID,
    });
    const objectIds = await promptAndPropagate(session, entries, flags, log);
    const baseLabel = (flags.get('label') as string | undefined) ?? 'MedSAM-2 segment';
    const segments = [...objectIds]
      .sort((a, b) => a[0] - b[0])
      .map(([n, id]) => ({
        label: objectIds.size === 1 ? baseLabel : `${baseLabel} ${n}`,
        mask: session.mask(id),
      }));
    seg = writeSeg(volume, segments, {
      format,
      algorithmVersion: `${model.manifest.name} ${model.manifest.version}`,
      modelHash: model.modelHash,
      laterality,
      seriesDescription: model.manifest.testModel ? 'MedSAM-2 (TEST MODEL)' : 'MedSAM-2',
    });
  } finally {
    await model.release();
  }
  await writeFile(output, new Uint8Array(seg));
  if (!quiet) log(`wrote ${output} (${format} SEG)`);
  if (!target) return;
  await storeAndConfirm(seg, volume.studyInstanceUID, target, output);
  if (!quiet) log(`stored in ${target.url} (listed and retrieved back)`);
}

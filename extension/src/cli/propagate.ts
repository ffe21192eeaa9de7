import { writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { InputError } from '../engine/errors';
import { SegmentationSession } from '../engine/session';
import { writeNiftiMask } from '../io/nifti-write';
import { choiceFlag, parseFlags, requireFlag } from './args';
import {
  ENGINE_FLAGS,
  ENGINE_USAGE,
  loadModelFromFlags,
  promptAndPropagate,
  sessionOptionsFromFlags,
} from './engine-flags';
import { parsePromptFile } from './prompt-file';
import { readInput, readNifti } from './volume-files';

export const PROPAGATE_USAGE = `  propagate --model <dir> --volume <file.nii|file.nii.gz> --prompt <file.json> --out <mask.nii[.gz]>
            [--modality CT|MR|XR|US|OTHER] ${ENGINE_USAGE}`;

export async function runPropagate(argv: readonly string[], log: (line: string) => void): Promise<void> {
  const flags = parseFlags(argv, { ...ENGINE_FLAGS, volume: 'string', out: 'string', modality: 'string' });
  const modelDir = requireFlag(flags, 'model');
  const volumePath = requireFlag(flags, 'volume');
  const promptPath = requireFlag(flags, 'prompt');
  const outPath = requireFlag(flags, 'out');
  const options = sessionOptionsFromFlags(flags);

  const { volume: parsed, header } = await readNifti(volumePath, 'volume');
  const volume = {
    ...parsed,
    modality: choiceFlag(flags, 'modality', ['CT', 'MR', 'XR', 'US', 'OTHER'] as const, parsed.modality),
  };
  const entries = parsePromptFile(
    new TextDecoder().decode(await readInput(promptPath, 'prompt file')),
    promptPath,
  ).map((e) => {
    if (typeof e.slice !== 'number')
      throw new InputError(
        'invalid-prompt',
        `${promptPath}: a NIfTI volume has no SOPInstanceUIDs; give "slice" as an index`,
      );
    return { ...e, slice: e.slice };
  });

  const model = await loadModelFromFlags(flags, modelDir, log);
  try {
    const session = new SegmentationSession(model, volume, { ...options, volumeId: volumePath });
    const objectIds = await promptAndPropagate(session, entries, flags, log);
    // Object labels in the output follow the prompt file's "object" numbers.
    const labels = new Uint8Array(volume.data.length);
    for (const [label, id] of [...objectIds].sort((a, b) => a[0] - b[0])) {
      const m = session.mask(id);
      for (let i = 0; i < m.length; i++) if (m[i]) labels[i] = label;
    }
    const nifti = writeNiftiMask(labels, header);
    await writeFile(outPath, outPath.endsWith('.gz') ? gzipSync(nifti) : nifti);
    const voxels = labels.reduce((n, v) => n + (v ? 1 : 0), 0);
    if (flags.get('quiet') !== true)
      log(`wrote ${outPath}: ${voxels} voxels segmented in ${objectIds.size} object(s)`);
  } finally {
    await model.release();
  }
}

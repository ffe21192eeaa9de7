import { readFile, writeFile } from 'node:fs/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InputError } from '../engine/errors';
import { BANK_POLICY_NAMES, type BankPolicyName } from '../engine/memory/policies';
import { loadModel } from '../engine/model/sam-model';
import { selectBackend } from '../engine/runtime/backend';
import { SegmentationSession, type SliceUpdate } from '../engine/session';
import { isGzip, parseNifti, writeNiftiMask } from '../io/nifti';
import { nodeBackends } from '../node/backends';
import { directoryModelFiles } from '../node/model-dir';
import { choiceFlag, intFlag, numberFlag, parseFlags, requireFlag } from './args';
import { parsePromptFile } from './prompt-file';

export const PROPAGATE_USAGE = `  propagate --model <dir> --volume <file.nii|file.nii.gz> --prompt <file.json> --out <mask.nii[.gz]>
            [--policy paper|sam2-fifo|threshold-only|dissimilarity-only|resampling-only] [--seed N]
            [--capacity K] [--threshold C] [--orientations single|all] [--aggregation mean|majority]
            [--stop-after-absent N] [--backend native|wasm] [--modality CT|MR|XR|US|OTHER]
            [--trace trace.json] [--quiet]`;

const FLAGS = {
  model: 'string',
  volume: 'string',
  prompt: 'string',
  out: 'string',
  policy: 'string',
  seed: 'string',
  capacity: 'string',
  threshold: 'string',
  orientations: 'string',
  aggregation: 'string',
  'stop-after-absent': 'string',
  backend: 'string',
  modality: 'string',
  trace: 'string',
  quiet: 'boolean',
} as const;

async function readInput(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new InputError(
      'invalid-file',
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

export async function runPropagate(argv: readonly string[], log: (line: string) => void): Promise<void> {
  const flags = parseFlags(argv, FLAGS);
  const modelDir = requireFlag(flags, 'model');
  const volumePath = requireFlag(flags, 'volume');
  const promptPath = requireFlag(flags, 'prompt');
  const outPath = requireFlag(flags, 'out');
  const policy = choiceFlag<BankPolicyName>(flags, 'policy', BANK_POLICY_NAMES, 'paper');
  const backendName = choiceFlag(flags, 'backend', ['native', 'wasm'] as const, 'native');
  const quiet = flags.get('quiet') === true;

  const raw = await readInput(volumePath, 'volume');
  const bytes = isGzip(raw) ? gunzipSync(raw) : raw;
  const { volume: parsed, header } = parseNifti(
    new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    volumePath,
  );
  const modality = choiceFlag(flags, 'modality', ['CT', 'MR', 'XR', 'US', 'OTHER'] as const, parsed.modality);
  const volume = { ...parsed, modality };
  const entries = parsePromptFile((await readInput(promptPath, 'prompt file')).toString('utf8'), promptPath);

  const backends = nodeBackends();
  const { backend } = await selectBackend([
    backendName === 'native'
      ? { name: 'native-cpu', create: backends.native }
      : { name: 'wasm', create: backends.wasm },
  ]);
  const model = await loadModel(directoryModelFiles(modelDir), backend);
  if (!quiet)
    log(
      `model ${model.manifest.name} ${model.manifest.version}${model.manifest.testModel ? ' (TEST MODEL, not MedSAM-2 weights)' : ''} on ${backend.description}`,
    );

  const session = new SegmentationSession(model, volume, {
    bank: {
      policy,
      seed: intFlag(flags, 'seed', 0),
      capacity: intFlag(flags, 'capacity', 6),
      confidenceThreshold: numberFlag(flags, 'threshold', 0.5),
      similarity: 'cosine',
    },
    orientations: choiceFlag(flags, 'orientations', ['single', 'all'] as const, 'single'),
    aggregation: choiceFlag(flags, 'aggregation', ['mean', 'majority'] as const, 'mean'),
    stopAfterAbsent: intFlag(flags, 'stop-after-absent', 3),
    trace: flags.has('trace'),
    volumeId: volumePath,
  });

  const objectIds = new Map<number, number>();
  const trace: object[] = [];
  const record = (u: SliceUpdate) => {
    if (flags.has('trace'))
      trace.push({
        order: u.order,
        object: u.objectId,
        axis: u.axis,
        slice: u.slice,
        direction: u.direction,
        confidence: u.confidence,
        objectScore: u.objectScore,
        present: u.present,
        skipped: u.skipped,
        area: u.area,
        attended: u.trace?.attended ?? [],
        resampled: u.trace?.drawn ?? [],
        probabilities: u.trace?.probabilities ?? [],
        bank: u.trace?.bankAfter ?? [],
        offer: u.trace?.offer ?? null,
      });
  };
  for (const entry of [...entries].sort((a, b) => a.object - b.object)) {
    if (!objectIds.has(entry.object))
      objectIds.set(entry.object, session.addObject(`object ${entry.object}`));
    record(
      await session.setPrompt(objectIds.get(entry.object) as number, entry.slice, entry.prompt, 'axial'),
    );
  }

  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  let last = -1;
  try {
    for await (const u of session.propagate({ signal: controller.signal })) {
      record(u);
      const pct = Math.floor((100 * u.progress.done) / Math.max(1, u.progress.total));
      if (!quiet && pct >= last + 10) {
        log(`propagating: ${u.progress.done}/${u.progress.total} slices (${pct}%)`);
        last = pct;
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }

  // Object labels in the output follow the prompt file's "object" numbers.
  const labels = new Uint8Array(volume.data.length);
  for (const [label, id] of [...objectIds].sort((a, b) => a[0] - b[0])) {
    const m = session.mask(id);
    for (let i = 0; i < m.length; i++) if (m[i]) labels[i] = label;
  }
  const nifti = writeNiftiMask(labels, header);
  await writeFile(outPath, outPath.endsWith('.gz') ? gzipSync(nifti) : nifti);
  if (flags.has('trace'))
    await writeFile(flags.get('trace') as string, JSON.stringify({ policy, slices: trace }, null, 1));
  const voxels = labels.reduce((n, v) => n + (v ? 1 : 0), 0);
  if (!quiet) log(`wrote ${outPath}: ${voxels} voxels segmented in ${objectIds.size} object(s)`);
  await model.release();
}

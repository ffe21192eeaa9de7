/**
 * What `propagate` and `segment` share: the engine flags, loading the model on the chosen Node
 * backend, prompting and propagating a session with progress, Ctrl-C cancellation and a trace.
 */
import { writeFile } from 'node:fs/promises';
import { BANK_POLICY_NAMES, type BankPolicyName } from '../engine/memory/policies';
import { loadModel, type SamModel } from '../engine/model/sam-model';
import { selectBackend } from '../engine/runtime/backend';
import {
  type SessionOptions,
  type SegmentationSession,
  type SliceUpdate,
  WORKFLOWS,
} from '../engine/session';
import { nodeBackends } from '../node/backends';
import { directoryModelFiles } from '../node/model-dir';
import { choiceFlag, intFlag, numberFlag, type FlagSpec } from './args';
import { type PromptEntry, resolveLasso } from './prompt-file';

export const ENGINE_FLAGS: FlagSpec = {
  model: 'string',
  prompt: 'string',
  policy: 'string',
  seed: 'string',
  capacity: 'string',
  threshold: 'string',
  orientations: 'string',
  aggregation: 'string',
  'stop-after-absent': 'string',
  workflow: 'string',
  backend: 'string',
  trace: 'string',
  quiet: 'boolean',
};

export const ENGINE_USAGE = `[--policy paper|sam2-fifo|threshold-only|dissimilarity-only|resampling-only] [--seed N]
            [--capacity K] [--threshold C] [--orientations single|all] [--aggregation mean|majority]
            [--stop-after-absent N] [--workflow sam2|medsam2|medsam2-box] [--backend native|wasm] [--trace trace.json] [--quiet]`;

type Flags = Map<string, string | true>;

export function sessionOptionsFromFlags(flags: Flags): Partial<SessionOptions> {
  return {
    bank: {
      policy: choiceFlag<BankPolicyName>(flags, 'policy', BANK_POLICY_NAMES, 'paper'),
      seed: intFlag(flags, 'seed', 0),
      capacity: intFlag(flags, 'capacity', 6),
      confidenceThreshold: numberFlag(flags, 'threshold', 0.5),
      similarity: 'cosine',
    },
    orientations: choiceFlag(flags, 'orientations', ['single', 'all'] as const, 'single'),
    aggregation: choiceFlag(flags, 'aggregation', ['mean', 'majority'] as const, 'mean'),
    stopAfterAbsent: intFlag(flags, 'stop-after-absent', 0),
    workflow: choiceFlag(flags, 'workflow', WORKFLOWS, 'sam2'),
    trace: flags.has('trace'),
  };
}

export async function loadModelFromFlags(
  flags: Flags,
  modelDir: string,
  log: (line: string) => void,
): Promise<SamModel> {
  const which = choiceFlag(flags, 'backend', ['native', 'wasm'] as const, 'native');
  const backends = nodeBackends();
  const { backend } = await selectBackend([
    which === 'native'
      ? { name: 'native-cpu', create: backends.native }
      : { name: 'wasm', create: backends.wasm },
  ]);
  const model = await loadModel(directoryModelFiles(modelDir), backend);
  const m = model.manifest;
  if (flags.get('quiet') !== true)
    log(
      `model ${m.name} ${m.version}${m.testModel ? ' (TEST MODEL, not MedSAM-2 weights)' : ''} on ${backend.description}`,
    );
  return model;
}

/**
 * Prompts every entry (objects created in the order of their numbers), propagates with progress
 * on stderr, and returns the session object id of each prompt-file object number.
 */
export async function promptAndPropagate(
  session: SegmentationSession,
  entries: readonly (PromptEntry & { slice: number })[],
  flags: Flags,
  log: (line: string) => void,
): Promise<Map<number, number>> {
  const quiet = flags.get('quiet') === true;
  const objectIds = new Map<number, number>();
  const trace: object[] = [];
  const record = (u: SliceUpdate) => {
    if (!flags.has('trace')) return;
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
  const { width, height } = session.axisShape('axial');
  for (const entry of [...entries].sort((a, b) => a.object - b.object)) {
    if (!objectIds.has(entry.object))
      objectIds.set(entry.object, session.addObject(`object ${entry.object}`));
    record(
      await session.setPrompt(
        objectIds.get(entry.object) as number,
        entry.slice,
        resolveLasso(entry, width, height, `prompt on slice ${entry.slice}`),
        'axial',
      ),
    );
  }
  let last = -1;
  await cancellableBySigint(async (signal) => {
    for await (const u of session.propagate({ signal })) {
      record(u);
      const pct = Math.floor((100 * u.progress.done) / Math.max(1, u.progress.total));
      if (!quiet && pct >= last + 10) {
        log(`propagating: ${u.progress.done}/${u.progress.total} slices (${pct}%)`);
        last = pct;
      }
    }
  });
  const tracePath = flags.get('trace');
  if (typeof tracePath === 'string')
    await writeFile(
      tracePath,
      JSON.stringify({ policy: session.options.bank.policy, slices: trace }, null, 1),
    );
  return objectIds;
}

/** Runs `work` with a signal that Ctrl-C (SIGINT) aborts; the engine then stops with CancelledError. */
export async function cancellableBySigint<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}

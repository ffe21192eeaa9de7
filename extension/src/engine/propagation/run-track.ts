import { CancelledError } from '../errors';
import { MemoryBank } from '../memory/memory-bank';
import type { BankOptions } from '../memory/policies';
import type { ImageFeatures, SamModel } from '../model/sam-model';
import type { FrameState } from './frame-state';
import { assembleMemory } from './memory-assembly';
import { type Run, framesOf } from './plan';
import { type DecoderPrompt, predictFrame } from './predict-frame';

/** One padding point: the decoder's "no prompt" input on tracked frames (models/README.md). */
export const TRACKING_PROMPT: DecoderPrompt = {
  coords: new Float32Array([0, 0]),
  labels: new Float32Array([-1]),
  clickCount: 0,
  maskInput: null,
};

/** Per-frame record of what the bank did, for traces and tests. */
export interface BankTrace {
  readonly attended: readonly number[];
  readonly drawn: readonly number[];
  readonly probabilities: readonly { frame: number; p: number }[];
  readonly offer: { candidate: boolean; accepted: boolean; evicted: readonly number[]; reason: string };
  readonly bankAfter: readonly number[];
}

export type RunEvent =
  | { readonly kind: 'predicted'; readonly state: FrameState; readonly trace: BankTrace }
  | { readonly kind: 'skipped'; readonly frame: number };

export interface RunTrackArgs {
  readonly model: SamModel;
  readonly run: Run;
  readonly conditioning: ReadonlyMap<number, FrameState>;
  readonly features: (frame: number) => Promise<ImageFeatures>;
  readonly bank: BankOptions;
  /** Stop after this many consecutive object-absent frames (0 = never). */
  readonly stopAfterAbsent: number;
  readonly signal?: AbortSignal;
}

/**
 * Each run gets its own bank, seeded from the session seed and the run's origin and direction, so
 * re-running one run after a corrective prompt reproduces exactly what a full re-run would give.
 */
export function runSeed(seed: number, run: Run): number {
  return (Math.imul(seed ^ 0x9e3779b9, 31) + run.origin * 2 + (run.direction > 0 ? 1 : 0)) >>> 0;
}

/** Tracks one object through one run: the SAM2 video loop with a pluggable memory bank. */
export async function* runTrack(args: RunTrackArgs): AsyncGenerator<RunEvent> {
  const { model, run, signal } = args;
  const bank = new MemoryBank<FrameState>({ ...args.bank, seed: runSeed(args.bank.seed, run) });
  const conditioning = run.bounds.map((f) => {
    const s = args.conditioning.get(f);
    if (!s) throw new Error(`internal: conditioning frame ${f} has no prediction`);
    return s;
  });
  const recent: FrameState[] = [];
  let absentStreak = 0;
  let stopped = false;
  for (const t of framesOf(run)) {
    if (signal?.aborted) throw new CancelledError(`cancelled at frame ${t}`);
    if (stopped) {
      yield { kind: 'skipped', frame: t };
      continue;
    }
    const features = await args.features(t);
    const selection = bank.size > 0 ? bank.select(features.visionFeats.data) : null;
    const selected = selection ? selection.entries.map((e) => e.payload) : [];
    const memory = assembleMemory(model.manifest, t, conditioning, selected, recent);
    const state = await predictFrame(model, t, features, memory, TRACKING_PROMPT, false);
    const offer = bank.offer({
      frame: t,
      confidence: state.confidence,
      objectPresent: state.present,
      key: state.memory.data,
      matchKey: state.conditionedEmbedding,
      payload: state,
    });
    recent.unshift(state);
    if (recent.length > model.manifest.maxObjPtrs) recent.pop();
    yield {
      kind: 'predicted',
      state,
      trace: {
        attended: memory.memoryFrames,
        drawn: selection ? selection.drawnFrames : [],
        probabilities: selection ? selection.probabilities : [],
        offer,
        bankAfter: bank.snapshot().frames,
      },
    };
    absentStreak = state.present ? 0 : absentStreak + 1;
    if (args.stopAfterAbsent > 0 && absentStreak >= args.stopAfterAbsent) stopped = true;
  }
}

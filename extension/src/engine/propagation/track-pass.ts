/**
 * One propagation pass of a track: SAM 2's `propagate_in_video` over a list of frames in one
 * direction. A frame whose attended memories are all unchanged since it was last predicted keeps
 * its output (SAM 2 would compute it again: runs are deterministic); every other frame is predicted
 * from memory (attended-memory.ts) and, under a bank policy, offered to the pass's bank (the
 * paper's Eq. 2–5 in memory/). `staleFrames` is the same decision made without running anything.
 */
import { CancelledError } from '../errors';
import { MemoryBank } from '../memory/memory-bank';
import { lookup, sameStates, selectMemories, settleMemories } from './attended-memory';
import type { FrameState } from './frame-state';
import { assembleMemory } from './memory-assembly';
import { NO_POINTS, predictFrame } from './predict-frame';
import type { Direction, PassRecord, TrackContext } from './track-state';

/** Per-frame record of what the memory did, for traces and tests. */
export interface BankTrace {
  readonly attended: readonly number[];
  readonly drawn: readonly number[];
  readonly probabilities: readonly { frame: number; p: number; similarity: number }[];
  readonly offer: { candidate: boolean; accepted: boolean; evicted: readonly number[]; reason: string };
  readonly bankAfter: readonly number[];
}

export type TrackEvent =
  | {
      readonly kind: 'predicted';
      readonly state: FrameState;
      readonly direction: Direction;
      readonly trace: BankTrace;
    }
  | { readonly kind: 'skipped'; readonly frame: number; readonly direction: Direction };

/**
 * Each pass gets its own bank, seeded from the session seed, its start frame and direction, so a
 * pass re-run gives the same draws.
 */
export function runSeed(seed: number, run: { origin: number; direction: Direction }): number {
  return (Math.imul(seed ^ 0x9e3779b9, 31) + run.origin * 2 + (run.direction > 0 ? 1 : 0)) >>> 0;
}

/**
 * Runs `frames` in `direction` from `start` (the earliest conditioning frame), streaming each frame
 * predicted or skipped (stopAfterAbsent), and records what each frame attended.
 */
export async function* runPass(
  ctx: TrackContext,
  start: number,
  direction: Direction,
  frames: readonly number[],
  signal: AbortSignal | undefined,
  /**
   * A pass over part of the frames (propagateBetween): the record of the frames it does not visit
   * is kept, and the bank starts as given (as it stood before the first frame).
   */
  part?: { readonly bank: MemoryBank<FrameState> | undefined },
): AsyncGenerator<TrackEvent> {
  const { model, options, state: track } = ctx;
  const usesBank = options.bank.policy !== 'sam2-fifo';
  const previous = track.passes.get(direction);
  const record: PassRecord = { stamps: new Map(), banks: new Map() };
  if (part && previous) {
    const visited = new Set(frames);
    for (const [t, stamp] of previous.stamps) if (!visited.has(t)) record.stamps.set(t, stamp);
    for (const [t, b] of previous.banks) if (!visited.has(t)) record.banks.set(t, b);
  }
  track.passes.set(direction, record);
  await settleMemories(track);
  let bank = usesBank
    ? (part?.bank ??
      new MemoryBank<FrameState>({
        ...options.bank,
        seed: runSeed(options.bank.seed, { origin: start, direction }),
      }))
    : null;
  let prefixKept = true;
  let absentStreak = 0;
  let stopped = false;
  for (const [i, t] of frames.entries()) {
    if (signal?.aborted) throw new CancelledError(`cancelled at frame ${t}`);
    if (stopped) {
      track.nonCond.delete(t);
      track.tracked.delete(t);
      yield { kind: 'skipped', frame: t, direction };
      continue;
    }
    const outputs = lookup(ctx, direction, start);
    let state: FrameState;
    let event: TrackEvent | null = null;
    const kept = track.nonCond.get(t);
    if (track.corrected.has(t) && kept) {
      state = kept;
      record.stamps.set(t, []);
    } else {
      const before = previous?.stamps.get(t);
      const checkpoint = previous?.banks.get(t);
      const reusable =
        kept !== undefined &&
        before !== undefined &&
        track.tracked.get(t) === direction &&
        (!bank || (prefixKept && checkpoint !== undefined)) &&
        sameStates(before, selectMemories(ctx, t, direction, bank ? [] : null, outputs).stamp);
      if (reusable && kept) {
        // Same memories as last time: SAM 2 would compute the same output again.
        state = kept;
        record.stamps.set(t, before as readonly FrameState[]);
        if (bank && checkpoint) {
          bank = checkpoint.clone();
          record.banks.set(t, checkpoint);
        }
        track.tracked.set(t, direction);
        absentStreak = state.present ? 0 : absentStreak + 1;
        if (options.stopAfterAbsent > 0 && absentStreak >= options.stopAfterAbsent) stopped = true;
        continue;
      }
      prefixKept = false;
      const features = await ctx.features(t);
      // The next frame is encoded on the encoder's own thread while this one is attended and
      // decoded (the cache hands the result over); on a single thread that would only delay it.
      if (model.encoderRunsApart && i + 1 < frames.length)
        void ctx.features(frames[i + 1]).catch(() => undefined);
      const selection = bank && bank.size > 0 ? bank.select(features.visionFeats.data) : null;
      const drawn = selection ? selection.entries.map((e) => e.payload) : bank ? [] : null;
      const chosen = selectMemories(ctx, t, direction, drawn, outputs);
      const memory = assembleMemory(model.manifest, chosen.spatial, chosen.pointers);
      state = await predictFrame(model, {
        frame: t,
        features,
        memory,
        points: NO_POINTS,
        maskInput: null,
        initialConditioning: false,
      });
      // The memory-conditioned embedding is kept only where the bank needs it (its match key).
      track.nonCond.set(t, { ...state, conditionedEmbedding: EMPTY });
      record.stamps.set(t, chosen.stamp);
      event = {
        kind: 'predicted',
        state,
        direction,
        trace: {
          attended: memory.memoryFrames,
          drawn: selection ? selection.drawnFrames : [],
          probabilities: selection ? selection.probabilities : [],
          offer: { candidate: false, accepted: false, evicted: [], reason: bank ? '' : 'sam2 window' },
          bankAfter: [],
        },
      };
    }
    track.tracked.set(t, direction);
    if (bank) {
      const offer = bank.offer({
        frame: t,
        confidence: state.confidence,
        objectPresent: state.present,
        key: state.memory.data,
        matchKey: state.conditionedEmbedding,
        payload: state,
      });
      record.banks.set(t, bank.clone());
      if (event?.kind === 'predicted')
        event = { ...event, trace: { ...event.trace, offer, bankAfter: bank.snapshot().frames } };
    }
    if (event) yield event;
    absentStreak = state.present ? 0 : absentStreak + 1;
    if (options.stopAfterAbsent > 0 && absentStreak >= options.stopAfterAbsent) stopped = true;
  }
}

/**
 * Frames the passes of `plan` would predict again: in each pass, a frame whose attended memories
 * or pointers differ from last time or depend on a frame that will be predicted again (under a
 * bank policy, every frame after the first such one too). Conditioning and corrected frames never.
 */
export function staleFrames(
  ctx: TrackContext,
  plan: readonly { direction: Direction; frames: readonly number[] }[],
): number[] {
  const track = ctx.state;
  const stale = new Set<number>();
  if (track.cond.size === 0) return [];
  const start = Math.min(...track.cond.keys());
  const usesBank = ctx.options.bank.policy !== 'sam2-fifo';
  for (const { direction, frames } of plan) {
    const previous = track.passes.get(direction);
    const outputs = lookup(ctx, direction, start);
    let chained = false;
    for (const t of frames) {
      if (track.corrected.has(t) && track.nonCond.has(t)) continue;
      const before = previous?.stamps.get(t);
      const { stamp } = selectMemories(ctx, t, direction, usesBank ? [] : null, outputs);
      const dirty =
        chained ||
        !track.nonCond.has(t) ||
        before === undefined ||
        track.tracked.get(t) !== direction ||
        !sameStates(before, stamp) ||
        stamp.some((s) => stale.has(s.frame) && !track.cond.has(s.frame));
      if (dirty) {
        stale.add(t);
        if (usesBank) chained = true;
      }
    }
  }
  return [...stale].sort((a, b) => a - b);
}

const EMPTY = new Float32Array(0);

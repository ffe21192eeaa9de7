/**
 * What a frame of a track attends, read from the track's state: the conditioning memories plus
 * SAM 2's window of recent frames (or, under a bank policy, the bank's draw), and the object
 * pointers (memory-assembly.ts); the stamp that identifies them (a frame whose stamp is unchanged
 * keeps its output); the bank as it stood before a frame; the memory of a correction; and the
 * encoding of prompted frames' memories put off until they are attended (deferred-memory.ts).
 */
import type { MemoryBank } from '../memory/memory-bank';
import type { ImageFeatures } from '../model/sam-model';
import { settleMemory } from './deferred-memory';
import type { FrameState } from './frame-state';
import {
  assembleMemory,
  bankMemories,
  conditioningMemories,
  pointerMemories,
  type TrackOutputs,
  windowMemories,
} from './memory-assembly';
import type { Direction, TrackContext, TrackState } from './track-state';

/** What a frame visited in `direction` may look up (isolated passes see only their own side). */
export function lookup(ctx: TrackContext, direction: Direction, start: number): TrackOutputs {
  const { cond, nonCond } = ctx.state;
  if (!ctx.options.isolatePasses) return { cond, nonCond };
  const own = new Map([...nonCond].filter(([f]) => (direction > 0 ? f > start : f < start)));
  return { cond, nonCond: own };
}

/** The memories frame t attends: conditioning + (bank selection or SAM 2's window), and pointers. */
export function selectMemories(
  ctx: TrackContext,
  t: number,
  direction: Direction,
  bankSelection: readonly FrameState[] | null,
  outputs: TrackOutputs,
) {
  const m = ctx.model.manifest;
  const reverse = direction < 0;
  const cond = conditioningMemories(outputs, m.numMaskmem);
  const spatial = [
    ...cond,
    ...(bankSelection
      ? bankMemories(bankSelection, t, m.numMaskmem)
      : windowMemories(outputs, t, reverse, m.numMaskmem)),
  ];
  const pointers = pointerMemories(outputs, t, reverse, m.maxObjPtrs, ctx.length);
  // What makes the frame's prediction what it is; the bank's draws are covered by the pass prefix.
  const stamp = [
    ...(bankSelection ? cond : spatial).map((s) => s.state),
    ...pointers.pointers.map((p) => p.state),
  ];
  return { spatial, pointers, stamp };
}

/** The bank of the last pass in `direction` as it stood just before frame `t` (a copy), if any. */
export function bankBefore(
  ctx: TrackContext,
  t: number,
  direction: Direction,
): MemoryBank<FrameState> | undefined {
  if (ctx.options.bank.policy === 'sam2-fifo') return undefined;
  const banks = ctx.state.passes.get(direction)?.banks;
  let before: MemoryBank<FrameState> | undefined;
  for (let f = t - direction; f >= 0 && f < ctx.length && !before; f -= direction) before = banks?.get(f);
  return before?.clone();
}

/**
 * Memory for a correction on a tracked frame: what the frame attended when its pass reached it —
 * SAM 2's window, or a draw from the bank as it stood just before the frame (on a copy).
 */
export async function correctionMemory(
  ctx: TrackContext,
  t: number,
  direction: Direction,
  features: ImageFeatures,
) {
  await settleMemories(ctx.state);
  const { cond } = ctx.state;
  const start = cond.size > 0 ? Math.min(...cond.keys()) : t;
  const outputs = lookup(ctx, direction, start);
  let drawn: FrameState[] | null = null;
  if (ctx.options.bank.policy !== 'sam2-fifo') {
    const bank = bankBefore(ctx, t, direction);
    drawn = bank && bank.size > 0 ? bank.select(features.visionFeats.data).entries.map((e) => e.payload) : [];
  }
  const { spatial, pointers } = selectMemories(ctx, t, direction, drawn, outputs);
  return assembleMemory(ctx.model.manifest, spatial, pointers);
}

/** Encodes the memories of prompted frames put off until now (deferred-memory.ts). */
export async function settleMemories(state: TrackState): Promise<void> {
  for (const s of [...state.cond.values(), ...state.nonCond.values()]) await settleMemory(s);
}

/** Whether two stamps name the same states (identity: a replaced state is a changed one). */
export const sameStates = (a: readonly FrameState[], b: readonly FrameState[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);

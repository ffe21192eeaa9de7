/**
 * One object on one sequence of frames, tracked as SAM 2's video predictor tracks it
 * (sam2_video_predictor_legacy.py, the predictor MedSAM2 ships; differences from SAM 2's newer
 * predictor are listed in models/README.md):
 * - `addPoints` on a frame not tracked yet makes it a conditioning frame, predicted without memory;
 *   on a tracked frame it is a correction: predicted with memory in the direction it was tracked,
 *   the previous logits (clamped to ±32) as mask input, kept as a non-conditioning frame whose
 *   output later propagations keep. Either way a frame that already has an output passes it back.
 * - `addMask` gives a frame a mask prompt (mask-as-output, predict-frame.ts).
 * - `propagate` runs forward from the earliest conditioning frame to the last frame, then backward
 *   from it to frame 0 (`propagate_in_video()` then `propagate_in_video(reverse=True)`).
 *   Conditioning and corrected frames are kept; every other frame is predicted from memory
 *   (memory-assembly.ts). A frame whose attended memories are all unchanged since it was last
 *   predicted keeps its output, which is what SAM 2 would compute again (runs are deterministic).
 * The paper's bank (a non-FIFO policy) replaces only SAM 2's window of recent frames: one bank per
 * pass, seeded per pass, offered every frame the pass visits after it is predicted.
 */
import { CancelledError, InputError } from '../errors';
import { MemoryBank } from '../memory/memory-bank';
import type { BankOptions } from '../memory/policies';
import type { ImageFeatures, SamModel } from '../model/sam-model';
import type { FrameState } from './frame-state';
import { maskOutputLogits } from './mask-as-output';
import {
  assembleMemory,
  bankMemories,
  conditioningMemories,
  pointerMemories,
  type TrackOutputs,
  windowMemories,
} from './memory-assembly';
import { clampLogits, type DecoderPoints, NO_POINTS, predictFrame, predictFromMask } from './predict-frame';
import { settleMemory } from './deferred-memory';

export type Direction = 1 | -1;

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

export interface TrackOptions {
  readonly bank: BankOptions;
  /** Stop a pass after this many consecutive object-absent frames (0 = never, as SAM 2). */
  readonly stopAfterAbsent: number;
  /**
   * MedSAM2's 3D workflow: the backward pass starts from a reset state (it does not see the forward
   * pass's frames), as MedSAM2's CT/MR scripts call reset_state between the two propagations.
   */
  readonly isolatePasses: boolean;
}

/**
 * Each pass gets its own bank, seeded from the session seed, its start frame and direction, so a
 * pass re-run gives the same draws.
 */
export function runSeed(seed: number, run: { origin: number; direction: Direction }): number {
  return (Math.imul(seed ^ 0x9e3779b9, 31) + run.origin * 2 + (run.direction > 0 ? 1 : 0)) >>> 0;
}

/** A copy of a track's containers (see `ObjectTrack.snapshot`). */
export interface TrackSnapshot {
  readonly cond: ReadonlyMap<number, FrameState>;
  readonly nonCond: ReadonlyMap<number, FrameState>;
  readonly tracked: ReadonlyMap<number, Direction>;
  readonly corrected: ReadonlySet<number>;
  readonly passes: ReadonlyMap<Direction, PassRecord>;
}

interface PassRecord {
  /** The memories and pointers a frame attended when it was predicted (identity = unchanged). */
  readonly stamps: Map<number, readonly FrameState[]>;
  /** The bank after each frame of the pass (bank policies), to resume after a kept prefix. */
  readonly banks: Map<number, MemoryBank<FrameState>>;
}

export class ObjectTrack {
  private readonly cond = new Map<number, FrameState>();
  private readonly nonCond = new Map<number, FrameState>();
  /** Frames a propagation visited, with the direction it visited them in (SAM 2's frames_already_tracked). */
  private readonly tracked = new Map<number, Direction>();
  /** Non-conditioning frames that received a correction: later propagations keep their output. */
  private readonly corrected = new Set<number>();
  private readonly passes = new Map<Direction, PassRecord>();

  constructor(
    private readonly model: SamModel,
    readonly length: number,
    private readonly features: (frame: number) => Promise<ImageFeatures>,
    private readonly options: TrackOptions,
  ) {}

  get conditioningFrames(): number[] {
    return [...this.cond.keys()].sort((a, b) => a - b);
  }

  get hasConditioning(): boolean {
    return this.cond.size > 0;
  }

  /** The frame's current output, if any. */
  output(frame: number): FrameState | undefined {
    return this.cond.get(frame) ?? this.nonCond.get(frame);
  }

  outputs(): FrameState[] {
    return [...this.cond.values(), ...this.nonCond.values()].sort((a, b) => a.frame - b.frame);
  }

  /**
   * Clicks and/or a box on a frame (all of that frame's points, as SAM 2 is given them). The
   * decoder's mask input is the frame's previous logits (clamped), or — with `maskPrompt`, a binary
   * S×S mask given with the points (a lasso's filled outline) — that mask as logits ±10, the scale
   * of SAM 2's `_use_mask_as_output`.
   */
  async addPoints(frame: number, points: DecoderPoints, maskPrompt?: Uint8Array): Promise<FrameState> {
    this.checkFrame(frame);
    const previous = this.output(frame);
    const { imageSize: S } = this.model.manifest;
    const maskInput = maskPrompt
      ? maskOutputLogits(maskPrompt, S, this.model.grid.mask).lowResLogits
      : previous
        ? clampLogits(previous.lowResLogits)
        : null;
    const direction = this.tracked.get(frame);
    // A click on a conditioning frame re-predicts it as one (SAM 2 would file it as a correction and
    // then keep the old conditioning output, losing the click: models/README.md).
    if (direction === undefined || this.cond.has(frame)) {
      const state = await predictFrame(this.model, {
        frame,
        features: await this.features(frame),
        memory: null,
        points,
        maskInput,
        initialConditioning: true,
      });
      this.setConditioning(frame, state);
      return state;
    }
    const features = await this.features(frame);
    const state = await predictFrame(this.model, {
      frame,
      features,
      memory: await this.correctionMemory(frame, direction, features),
      points,
      maskInput,
      initialConditioning: false,
    });
    this.nonCond.set(frame, state);
    this.corrected.add(frame);
    return state;
  }

  /** A binary S×S mask on the model grid as the frame's prompt (SAM 2 `add_new_mask`). */
  async addMask(frame: number, maskS: Uint8Array): Promise<FrameState> {
    this.checkFrame(frame);
    const direction = this.tracked.get(frame);
    const initial = direction === undefined || this.cond.has(frame);
    const features = await this.features(frame);
    const state = await predictFromMask(this.model, {
      frame,
      features,
      memory: initial ? null : await this.correctionMemory(frame, direction, features),
      initialConditioning: initial,
      maskS,
    });
    if (initial) this.setConditioning(frame, state);
    else {
      this.nonCond.set(frame, state);
      this.corrected.add(frame);
    }
    return state;
  }

  /** Removes a frame's prompt and output; it is tracked again by the next propagation. */
  removePrompt(frame: number): void {
    this.cond.delete(frame);
    this.corrected.delete(frame);
    this.nonCond.delete(frame);
    this.tracked.delete(frame);
    if (this.cond.size === 0) this.reset();
  }

  /**
   * Everything the track holds, as containers copied (states are never changed in place, but for
   * a prompted frame's memory, filled in when first needed: the same for the snapshot).
   */
  snapshot(): TrackSnapshot {
    return {
      cond: new Map(this.cond),
      nonCond: new Map(this.nonCond),
      tracked: new Map(this.tracked),
      corrected: new Set(this.corrected),
      passes: new Map(this.passes),
    };
  }

  /** Puts back exactly what `snapshot` held (undo). */
  restore(s: TrackSnapshot): void {
    const refill = <K, V>(target: Map<K, V>, from: ReadonlyMap<K, V>) => {
      target.clear();
      for (const [k, v] of from) target.set(k, v);
    };
    refill(this.cond, s.cond);
    refill(this.nonCond, s.nonCond);
    refill(this.tracked, s.tracked);
    refill(this.passes, s.passes);
    this.corrected.clear();
    for (const f of s.corrected) this.corrected.add(f);
  }

  /**
   * Slices the next `propagate` would predict again: in each pass, a slice whose attended memories
   * or pointers differ from last time or depend on a slice that will be predicted again (under a
   * bank policy, every slice after the first such one too). Conditioning and corrected slices never.
   */
  staleFrames(): number[] {
    const stale = new Set<number>();
    if (this.cond.size === 0) return [];
    const start = Math.min(...this.cond.keys());
    const usesBank = this.options.bank.policy !== 'sam2-fifo';
    for (const { direction, frames } of this.plan()) {
      const previous = this.passes.get(direction);
      const outputs = this.lookup(direction, start);
      let chained = false;
      for (const t of frames) {
        if (this.corrected.has(t) && this.nonCond.has(t)) continue;
        const before = previous?.stamps.get(t);
        const { stamp } = this.select(t, direction, usesBank ? [] : null, outputs);
        const dirty =
          chained ||
          !this.nonCond.has(t) ||
          before === undefined ||
          this.tracked.get(t) !== direction ||
          !sameStates(before, stamp) ||
          stamp.some((s) => stale.has(s.frame) && !this.cond.has(s.frame));
        if (dirty) {
          stale.add(t);
          if (usesBank) chained = true;
        }
      }
    }
    return [...stale].sort((a, b) => a - b);
  }

  /** SAM 2's `reset_state` for this object. */
  reset(): void {
    this.cond.clear();
    this.nonCond.clear();
    this.tracked.clear();
    this.corrected.clear();
    this.passes.clear();
  }

  /** Frames a `propagate` would visit, per pass, in order (conditioning frames excluded). */
  plan(): { direction: Direction; frames: number[] }[] {
    if (this.cond.size === 0) return [];
    const start = Math.min(...this.cond.keys());
    const forward: number[] = [];
    for (let t = start; t < this.length; t++) if (!this.cond.has(t)) forward.push(t);
    const backward: number[] = [];
    for (let t = start - 1; t >= 0; t--) if (!this.cond.has(t)) backward.push(t);
    return [
      { direction: 1, frames: forward },
      { direction: -1, frames: backward },
    ];
  }

  async *propagate(signal?: AbortSignal): AsyncGenerator<TrackEvent> {
    if (this.cond.size === 0) return;
    const start = Math.min(...this.cond.keys());
    for (const { direction, frames } of this.plan()) yield* this.pass(start, direction, frames, signal);
  }

  /**
   * One `propagate_in_video(start_frame_idx=start, reverse=direction < 0)`: from `start` (default the
   * earliest conditioning frame) to the end in `direction`.
   */
  async *propagateFrom(
    direction: Direction,
    start?: number,
    signal?: AbortSignal,
  ): AsyncGenerator<TrackEvent> {
    if (this.cond.size === 0) return;
    const from = start ?? Math.min(...this.cond.keys());
    this.checkFrame(from);
    const frames: number[] = [];
    for (let t = from; t >= 0 && t < this.length; t += direction) if (!this.cond.has(t)) frames.push(t);
    yield* this.pass(from, direction, frames, signal);
  }

  /**
   * Propagation between two prompted frames only: SAM 2's `propagate_in_video` passes restricted
   * to the frames between them — `start_frame_idx` = the end nearer the earliest conditioning
   * frame, `max_frame_num_to_track` = their distance, forward where the full propagation goes
   * forward (above that frame), `reverse=True` where it goes backward. Each frame attends what it
   * would attend in the full pass (same memories, same bank seed, the bank as it stood just before
   * the range), so a frame predicted here gets the output the full propagation would give it.
   * Both ends keep their outputs (a corrected end is offered to the bank as the full pass does).
   * What the frames outside the range attended stays on record: `staleFrames` then names those
   * whose memories this changed, and the next `propagate` redoes only them.
   */
  async *propagateBetween(from: number, to: number, signal?: AbortSignal): AsyncGenerator<TrackEvent> {
    this.checkFrame(from);
    this.checkFrame(to);
    if (this.cond.size === 0) return;
    const [lo, hi] = from < to ? [from, to] : [to, from];
    const start = Math.min(...this.cond.keys());
    for (const { direction, frames } of this.plan()) {
      const part = frames.filter((t) => t >= lo && t <= hi);
      if (part.length > 0)
        yield* this.pass(start, direction, part, signal, { bank: this.bankBefore(part[0], direction) });
    }
  }

  /** The frames `propagateBetween(from, to)` visits: strictly between, conditioning ones excluded. */
  framesBetween(from: number, to: number): number[] {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    const frames: number[] = [];
    for (let t = lo + 1; t < hi; t++) if (!this.cond.has(t)) frames.push(t);
    return frames;
  }

  // ---- internals --------------------------------------------------------------------------

  /** The bank of the last pass in `direction` as it stood just before frame `t` (a copy), if any. */
  private bankBefore(t: number, direction: Direction): MemoryBank<FrameState> | undefined {
    if (this.options.bank.policy === 'sam2-fifo') return undefined;
    const banks = this.passes.get(direction)?.banks;
    let before: MemoryBank<FrameState> | undefined;
    for (let f = t - direction; f >= 0 && f < this.length && !before; f -= direction) before = banks?.get(f);
    return before?.clone();
  }

  private checkFrame(frame: number): void {
    if (!Number.isInteger(frame) || frame < 0 || frame >= this.length)
      throw new InputError(
        'invalid-prompt',
        `frame ${frame} is outside the sequence (0..${this.length - 1})`,
      );
  }

  private setConditioning(frame: number, state: FrameState): void {
    this.cond.set(frame, state);
    this.nonCond.delete(frame);
    this.corrected.delete(frame);
  }

  /** What a frame visited in `direction` may look up (isolated passes see only their own side). */
  private lookup(direction: Direction, start: number): TrackOutputs {
    if (!this.options.isolatePasses) return { cond: this.cond, nonCond: this.nonCond };
    const own = new Map([...this.nonCond].filter(([f]) => (direction > 0 ? f > start : f < start)));
    return { cond: this.cond, nonCond: own };
  }

  /** The memories frame t attends: conditioning + (bank selection or SAM 2's window), and pointers. */
  private select(
    t: number,
    direction: Direction,
    bankSelection: readonly FrameState[] | null,
    outputs: TrackOutputs,
  ) {
    const m = this.model.manifest;
    const reverse = direction < 0;
    const cond = conditioningMemories(outputs, m.numMaskmem);
    const spatial = [
      ...cond,
      ...(bankSelection
        ? bankMemories(bankSelection, t, m.numMaskmem)
        : windowMemories(outputs, t, reverse, m.numMaskmem)),
    ];
    const pointers = pointerMemories(outputs, t, reverse, m.maxObjPtrs, this.length);
    // What makes the frame's prediction what it is; the bank's draws are covered by the pass prefix.
    const stamp = [
      ...(bankSelection ? cond : spatial).map((s) => s.state),
      ...pointers.pointers.map((p) => p.state),
    ];
    return { spatial, pointers, stamp };
  }

  /**
   * Memory for a correction on a tracked frame: what the frame attended when its pass reached it —
   * SAM 2's window, or a draw from the bank as it stood just before the frame (on a copy).
   */
  private async correctionMemory(t: number, direction: Direction, features: ImageFeatures) {
    await this.settleMemories();
    const start = this.cond.size > 0 ? Math.min(...this.cond.keys()) : t;
    const outputs = this.lookup(direction, start);
    let drawn: FrameState[] | null = null;
    if (this.options.bank.policy !== 'sam2-fifo') {
      const bank = this.bankBefore(t, direction);
      drawn =
        bank && bank.size > 0 ? bank.select(features.visionFeats.data).entries.map((e) => e.payload) : [];
    }
    const { spatial, pointers } = this.select(t, direction, drawn, outputs);
    return assembleMemory(this.model.manifest, spatial, pointers);
  }

  /** Encodes the memories of prompted frames put off until now (deferred-memory.ts). */
  private async settleMemories(): Promise<void> {
    for (const state of [...this.cond.values(), ...this.nonCond.values()]) await settleMemory(state);
  }

  private async *pass(
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
    const usesBank = this.options.bank.policy !== 'sam2-fifo';
    const previous = this.passes.get(direction);
    const record: PassRecord = { stamps: new Map(), banks: new Map() };
    if (part && previous) {
      const visited = new Set(frames);
      for (const [t, stamp] of previous.stamps) if (!visited.has(t)) record.stamps.set(t, stamp);
      for (const [t, b] of previous.banks) if (!visited.has(t)) record.banks.set(t, b);
    }
    this.passes.set(direction, record);
    await this.settleMemories();
    let bank = usesBank
      ? (part?.bank ??
        new MemoryBank<FrameState>({
          ...this.options.bank,
          seed: runSeed(this.options.bank.seed, { origin: start, direction }),
        }))
      : null;
    let prefixKept = true;
    let absentStreak = 0;
    let stopped = false;
    for (const [i, t] of frames.entries()) {
      if (signal?.aborted) throw new CancelledError(`cancelled at frame ${t}`);
      if (stopped) {
        this.nonCond.delete(t);
        this.tracked.delete(t);
        yield { kind: 'skipped', frame: t, direction };
        continue;
      }
      const outputs = this.lookup(direction, start);
      let state: FrameState;
      let event: TrackEvent | null = null;
      const kept = this.nonCond.get(t);
      if (this.corrected.has(t) && kept) {
        state = kept;
        record.stamps.set(t, []);
      } else {
        const before = previous?.stamps.get(t);
        const checkpoint = previous?.banks.get(t);
        const reusable =
          kept !== undefined &&
          before !== undefined &&
          this.tracked.get(t) === direction &&
          (!bank || (prefixKept && checkpoint !== undefined)) &&
          sameStates(before, this.select(t, direction, bank ? [] : null, outputs).stamp);
        if (reusable && kept) {
          // Same memories as last time: SAM 2 would compute the same output again.
          state = kept;
          record.stamps.set(t, before as readonly FrameState[]);
          if (bank && checkpoint) {
            bank = checkpoint.clone();
            record.banks.set(t, checkpoint);
          }
          this.tracked.set(t, direction);
          absentStreak = state.present ? 0 : absentStreak + 1;
          if (this.options.stopAfterAbsent > 0 && absentStreak >= this.options.stopAfterAbsent)
            stopped = true;
          continue;
        }
        prefixKept = false;
        const features = await this.features(t);
        // The next frame is encoded on the encoder's own thread while this one is attended and
        // decoded (the cache hands the result over); on a single thread that would only delay it.
        if (this.model.encoderRunsApart && i + 1 < frames.length)
          void this.features(frames[i + 1]).catch(() => undefined);
        const selection = bank && bank.size > 0 ? bank.select(features.visionFeats.data) : null;
        const drawn = selection ? selection.entries.map((e) => e.payload) : bank ? [] : null;
        const chosen = this.select(t, direction, drawn, outputs);
        const memory = assembleMemory(this.model.manifest, chosen.spatial, chosen.pointers);
        state = await predictFrame(this.model, {
          frame: t,
          features,
          memory,
          points: NO_POINTS,
          maskInput: null,
          initialConditioning: false,
        });
        // The memory-conditioned embedding is kept only where the bank needs it (its match key).
        this.nonCond.set(t, { ...state, conditionedEmbedding: EMPTY });
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
      this.tracked.set(t, direction);
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
      if (this.options.stopAfterAbsent > 0 && absentStreak >= this.options.stopAfterAbsent) stopped = true;
    }
  }
}

const EMPTY = new Float32Array(0);

const sameStates = (a: readonly FrameState[], b: readonly FrameState[]): boolean =>
  a.length === b.length && a.every((s, i) => s === b[i]);

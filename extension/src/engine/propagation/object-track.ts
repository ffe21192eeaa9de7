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
 * This file holds the prompts and the pass schedule; the state is in track-state.ts, what a frame
 * attends in attended-memory.ts, one pass in track-pass.ts.
 */
import { InputError } from '../errors';
import type { ImageFeatures, SamModel } from '../model/sam-model';
import { bankBefore, correctionMemory } from './attended-memory';
import type { FrameState } from './frame-state';
import { maskOutputLogits } from './mask-as-output';
import { clampLogits, type DecoderPoints, predictFrame, predictFromMask } from './predict-frame';
import { runPass, staleFrames, type TrackEvent } from './track-pass';
import {
  type Direction,
  type TrackContext,
  type TrackOptions,
  type TrackSnapshot,
  TrackState,
} from './track-state';

export { type BankTrace, runSeed, type TrackEvent } from './track-pass';
export type { Direction, TrackOptions, TrackSnapshot } from './track-state';

export class ObjectTrack {
  private readonly state = new TrackState();
  private readonly ctx: TrackContext;

  constructor(
    private readonly model: SamModel,
    readonly length: number,
    private readonly features: (frame: number) => Promise<ImageFeatures>,
    options: TrackOptions,
  ) {
    this.ctx = { model, length, features, options, state: this.state };
  }

  get conditioningFrames(): number[] {
    return [...this.state.cond.keys()].sort((a, b) => a - b);
  }

  get hasConditioning(): boolean {
    return this.state.cond.size > 0;
  }

  /** The frame's current output, if any. */
  output(frame: number): FrameState | undefined {
    return this.state.output(frame);
  }

  outputs(): FrameState[] {
    return this.state.outputs();
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
    const direction = this.state.tracked.get(frame);
    // A click on a conditioning frame re-predicts it as one (SAM 2 would file it as a correction and
    // then keep the old conditioning output, losing the click: models/README.md).
    if (direction === undefined || this.state.cond.has(frame)) {
      const state = await predictFrame(this.model, {
        frame,
        features: await this.features(frame),
        memory: null,
        points,
        maskInput,
        initialConditioning: true,
      });
      this.state.setConditioning(frame, state);
      return state;
    }
    const features = await this.features(frame);
    const state = await predictFrame(this.model, {
      frame,
      features,
      memory: await correctionMemory(this.ctx, frame, direction, features),
      points,
      maskInput,
      initialConditioning: false,
    });
    this.state.setCorrection(frame, state);
    return state;
  }

  /** A binary S×S mask on the model grid as the frame's prompt (SAM 2 `add_new_mask`). */
  async addMask(frame: number, maskS: Uint8Array): Promise<FrameState> {
    this.checkFrame(frame);
    const direction = this.state.tracked.get(frame);
    const initial = direction === undefined || this.state.cond.has(frame);
    const features = await this.features(frame);
    const state = await predictFromMask(this.model, {
      frame,
      features,
      memory: initial ? null : await correctionMemory(this.ctx, frame, direction, features),
      initialConditioning: initial,
      maskS,
    });
    if (initial) this.state.setConditioning(frame, state);
    else this.state.setCorrection(frame, state);
    return state;
  }

  /** Removes a frame's prompt and output; it is tracked again by the next propagation. */
  removePrompt(frame: number): void {
    this.state.remove(frame);
    if (this.state.cond.size === 0) this.reset();
  }

  /**
   * Everything the track holds, as containers copied (states are never changed in place, but for
   * a prompted frame's memory, filled in when first needed: the same for the snapshot).
   */
  snapshot(): TrackSnapshot {
    return this.state.snapshot();
  }

  /** Puts back exactly what `snapshot` held (undo). */
  restore(s: TrackSnapshot): void {
    this.state.restore(s);
  }

  /**
   * Slices the next `propagate` would predict again: in each pass, a slice whose attended memories
   * or pointers differ from last time or depend on a slice that will be predicted again (under a
   * bank policy, every slice after the first such one too). Conditioning and corrected slices never.
   */
  staleFrames(): number[] {
    return staleFrames(this.ctx, this.plan());
  }

  /** SAM 2's `reset_state` for this object. */
  reset(): void {
    this.state.clear();
  }

  /** Frames a `propagate` would visit, per pass, in order (conditioning frames excluded). */
  plan(): { direction: Direction; frames: number[] }[] {
    const { cond } = this.state;
    if (cond.size === 0) return [];
    const start = Math.min(...cond.keys());
    const forward: number[] = [];
    for (let t = start; t < this.length; t++) if (!cond.has(t)) forward.push(t);
    const backward: number[] = [];
    for (let t = start - 1; t >= 0; t--) if (!cond.has(t)) backward.push(t);
    return [
      { direction: 1, frames: forward },
      { direction: -1, frames: backward },
    ];
  }

  async *propagate(signal?: AbortSignal): AsyncGenerator<TrackEvent> {
    const { cond } = this.state;
    if (cond.size === 0) return;
    const start = Math.min(...cond.keys());
    for (const { direction, frames } of this.plan())
      yield* runPass(this.ctx, start, direction, frames, signal);
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
    const { cond } = this.state;
    if (cond.size === 0) return;
    const from = start ?? Math.min(...cond.keys());
    this.checkFrame(from);
    const frames: number[] = [];
    for (let t = from; t >= 0 && t < this.length; t += direction) if (!cond.has(t)) frames.push(t);
    yield* runPass(this.ctx, from, direction, frames, signal);
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
    const { cond } = this.state;
    if (cond.size === 0) return;
    const [lo, hi] = from < to ? [from, to] : [to, from];
    const start = Math.min(...cond.keys());
    for (const { direction, frames } of this.plan()) {
      const part = frames.filter((t) => t >= lo && t <= hi);
      if (part.length > 0)
        yield* runPass(this.ctx, start, direction, part, signal, {
          bank: bankBefore(this.ctx, part[0], direction),
        });
    }
  }

  /** The frames `propagateBetween(from, to)` visits: strictly between, conditioning ones excluded. */
  framesBetween(from: number, to: number): number[] {
    const [lo, hi] = from < to ? [from, to] : [to, from];
    const frames: number[] = [];
    for (let t = lo + 1; t < hi; t++) if (!this.state.cond.has(t)) frames.push(t);
    return frames;
  }

  private checkFrame(frame: number): void {
    if (!Number.isInteger(frame) || frame < 0 || frame >= this.length)
      throw new InputError(
        'invalid-prompt',
        `frame ${frame} is outside the sequence (0..${this.length - 1})`,
      );
  }
}

/**
 * What one object's track holds, as SAM 2's inference state holds it per object: the outputs of
 * conditioning and non-conditioning frames (`output_dict`'s cond_frame_outputs and
 * non_cond_frame_outputs), the frames a propagation visited with their direction
 * (`frames_already_tracked`), the corrected frames, and per pass direction the record of what each
 * frame attended. Also what the track's passes and memory selection share (`TrackContext`).
 */
import type { MemoryBank } from '../memory/memory-bank';
import type { BankOptions } from '../memory/policies';
import type { ImageFeatures, SamModel } from '../model/sam-model';
import type { FrameState } from './frame-state';

export type Direction = 1 | -1;

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

export interface PassRecord {
  /** The memories and pointers a frame attended when it was predicted (identity = unchanged). */
  readonly stamps: Map<number, readonly FrameState[]>;
  /** The bank after each frame of the pass (bank policies), to resume after a kept prefix. */
  readonly banks: Map<number, MemoryBank<FrameState>>;
}

/** A copy of a track's containers (see `ObjectTrack.snapshot`). */
export interface TrackSnapshot {
  readonly cond: ReadonlyMap<number, FrameState>;
  readonly nonCond: ReadonlyMap<number, FrameState>;
  readonly tracked: ReadonlyMap<number, Direction>;
  readonly corrected: ReadonlySet<number>;
  readonly passes: ReadonlyMap<Direction, PassRecord>;
}

export class TrackState {
  readonly cond = new Map<number, FrameState>();
  readonly nonCond = new Map<number, FrameState>();
  /** Frames a propagation visited, with the direction it visited them in (SAM 2's frames_already_tracked). */
  readonly tracked = new Map<number, Direction>();
  /** Non-conditioning frames that received a correction: later propagations keep their output. */
  readonly corrected = new Set<number>();
  readonly passes = new Map<Direction, PassRecord>();

  /** The frame's current output, if any. */
  output(frame: number): FrameState | undefined {
    return this.cond.get(frame) ?? this.nonCond.get(frame);
  }

  outputs(): FrameState[] {
    return [...this.cond.values(), ...this.nonCond.values()].sort((a, b) => a.frame - b.frame);
  }

  setConditioning(frame: number, state: FrameState): void {
    this.cond.set(frame, state);
    this.nonCond.delete(frame);
    this.corrected.delete(frame);
  }

  /** A tracked frame's corrected output: non-conditioning, kept by later propagations. */
  setCorrection(frame: number, state: FrameState): void {
    this.nonCond.set(frame, state);
    this.corrected.add(frame);
  }

  /** Forgets a frame's output and that it was tracked. */
  remove(frame: number): void {
    this.cond.delete(frame);
    this.corrected.delete(frame);
    this.nonCond.delete(frame);
    this.tracked.delete(frame);
  }

  clear(): void {
    this.cond.clear();
    this.nonCond.clear();
    this.tracked.clear();
    this.corrected.clear();
    this.passes.clear();
  }

  /**
   * Everything the state holds, as containers copied (states are never changed in place, but for a
   * prompted frame's memory, filled in when first needed: deferred-memory.ts).
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

  /** Puts back exactly what `snapshot` held. */
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
}

/** What a track's passes and memory selection read: the model, the sequence, the options, the state. */
export interface TrackContext {
  readonly model: SamModel;
  readonly length: number;
  readonly features: (frame: number) => Promise<ImageFeatures>;
  readonly options: TrackOptions;
  readonly state: TrackState;
}

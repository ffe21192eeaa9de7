/**
 * One slice's result as the session streams it: the binary mask on the slice grid (logits > 0),
 * the slice's confidence and object score, numbered in the order of prediction within the session.
 */
import type { FrameOutcome } from '../propagation/frame-state';
import type { BankTrace } from '../propagation/object-track';
import type { AxisName, VolumeAxes } from './volume-axes';

/** One slice's result, streamed as soon as it is predicted. */
export interface SliceUpdate {
  readonly objectId: number;
  readonly axis: AxisName;
  /** Slice index along `axis` (for 'axial': the volume's third array axis). */
  readonly slice: number;
  /** 0 for a prompted slice, else the run's direction along the axis. */
  readonly direction: 0 | 1 | -1;
  /** Position in the order of prediction within this session. */
  readonly order: number;
  readonly confidence: number;
  readonly objectScore: number;
  readonly present: boolean;
  readonly skipped: boolean;
  readonly width: number;
  readonly height: number;
  /** Binary mask on the slice grid (x + width·y). */
  readonly mask: Uint8Array;
  readonly area: number;
  readonly progress: { readonly done: number; readonly total: number };
  readonly trace?: BankTrace;
}

/** The outcome of a slice a pass stopped before (not predicted). */
export const skippedOutcome = (frame: number): FrameOutcome => ({
  frame,
  lowResLogits: new Float32Array(0),
  confidence: 0,
  objectScore: 0,
  present: false,
  skipped: true,
});

/** Makes the session's slice updates, numbering them in the order they are made. */
export class SliceUpdates {
  private order = 0;

  constructor(private readonly axes: VolumeAxes) {}

  next(
    objectId: number,
    axis: AxisName,
    direction: 0 | 1 | -1,
    outcome: FrameOutcome,
    progress: { done: number; total: number },
    trace?: BankTrace,
  ): SliceUpdate {
    const { seq } = this.axes.frames(axis);
    const mask = new Uint8Array(seq.width * seq.height);
    let area = 0;
    if (outcome.present && !outcome.skipped) {
      const logits = this.axes.sliceLogits(axis, outcome.lowResLogits);
      for (let i = 0; i < mask.length; i++)
        if (logits[i] > 0) {
          mask[i] = 1;
          area++;
        }
    }
    return {
      objectId,
      axis,
      slice: outcome.frame,
      direction,
      order: this.order++,
      confidence: outcome.confidence,
      objectScore: outcome.objectScore,
      present: outcome.present,
      skipped: outcome.skipped,
      width: seq.width,
      height: seq.height,
      mask,
      area,
      progress: { done: progress.done, total: progress.total },
      trace,
    };
  }
}

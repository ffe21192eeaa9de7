/**
 * What Undo puts back on screen: before each prompt, the segment's labelmap slices (as drawn, run-
 * length coded: binary masks shrink ~100×) and its per-slice results. The engine keeps its own side
 * (worker 'undo-prompt'); together they restore exactly the state before the undone prompt.
 */
import type { SliceResult } from './controller-state';

/** A 0/1 mask as alternating run lengths, starting with a run of zeros. */
export function encodeRuns(mask: Uint8Array): Uint32Array {
  const runs: number[] = [];
  let value = 0;
  let length = 0;
  for (let i = 0; i < mask.length; i++) {
    const v = mask[i] ? 1 : 0;
    if (v === value) length++;
    else {
      runs.push(length);
      value = v;
      length = 1;
    }
  }
  runs.push(length);
  return Uint32Array.from(runs);
}

export function decodeRuns(runs: Uint32Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  runs.forEach((length, i) => {
    if (at + length > size) throw new Error(`undo: a stored mask is longer than its slice (${size} pixels)`);
    if (i % 2 === 1) out.fill(1, at, at + length);
    at += length;
  });
  return out;
}

export interface UndoFrame {
  readonly objectId: number;
  /** Per OHIF image index, as the panel showed them. */
  readonly results: readonly (SliceResult | null)[];
  /** Per volume slice, the segment's labelmap pixels. */
  readonly masks: readonly Uint32Array[];
  readonly sliceSize: number;
}

export class UndoStack {
  private readonly frames: UndoFrame[] = [];

  constructor(private readonly depth = 50) {}

  push(frame: UndoFrame): void {
    this.frames.push(frame);
    if (this.frames.length > this.depth) this.frames.shift();
  }

  /** The newest frame of `objectId`, removed. */
  pop(objectId: number): UndoFrame | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--)
      if (this.frames[i].objectId === objectId) return this.frames.splice(i, 1)[0];
    return undefined;
  }

  clear(): void {
    this.frames.length = 0;
  }
}

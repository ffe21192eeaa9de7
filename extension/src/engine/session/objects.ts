/**
 * The session's objects (segments) and what it keeps for each: its label, the axis it was prompted
 * on, masks it was given (given-masks.ts), and per axis its ObjectTrack with the user's prompts,
 * the slices a pass stopped before and whether a propagation is up to date.
 */
import { InputError } from '../errors';
import type { SlicePrompt } from '../prompts/prompt';
import type { ObjectTrack } from '../propagation/object-track';
import type { GivenMasks } from '../volume/given-masks';
import type { AxisName } from './volume-axes';

export interface AxisTrack {
  readonly track: ObjectTrack;
  /** The user's prompt per slice (what the track was given, for `prompts()` and redo). */
  readonly prompts: Map<number, SlicePrompt>;
  /** Slices a pass stopped before (object absent for stopAfterAbsent slices). */
  readonly skipped: Set<number>;
  /**
   * True once a propagation finished and no prompt changed since. Propagating again would not be a
   * no-op in SAM 2 (its forward pass would now also attend the backward pass's slices), so the
   * session does not: Propagate without a new prompt keeps what the user sees.
   */
  upToDate: boolean;
}

export interface TrackedObject {
  readonly id: number;
  label: string;
  promptAxis: AxisName | null;
  readonly tracks: Map<AxisName, AxisTrack>;
  /** An object opened from an existing segmentation: its slices as given (given-masks.ts). */
  given?: GivenMasks;
}

export class SessionObjects {
  private readonly objects = new Map<number, TrackedObject>();
  private nextObjectId = 1;

  /** `newTrack` makes an object's ObjectTrack on one axis (the session's model, frames and options). */
  constructor(private readonly newTrack: (axis: AxisName) => ObjectTrack) {}

  add(label = `Segment ${this.nextObjectId}`): number {
    const id = this.nextObjectId++;
    this.objects.set(id, { id, label, promptAxis: null, tracks: new Map() });
    return id;
  }

  remove(objectId: number): void {
    this.get(objectId);
    this.objects.delete(objectId);
  }

  get ids(): number[] {
    return [...this.objects.keys()];
  }

  get(objectId: number): TrackedObject {
    const o = this.objects.get(objectId);
    if (!o)
      throw new InputError(
        'unknown-object',
        `no object with id ${objectId} (known: ${this.ids.join(', ') || 'none'})`,
      );
    return o;
  }

  /** The object's track on `axis`, made (empty) on first use. */
  track(object: TrackedObject, axis: AxisName): AxisTrack {
    let t = object.tracks.get(axis);
    if (!t) {
      t = { track: this.newTrack(axis), prompts: new Map(), skipped: new Set(), upToDate: false };
      object.tracks.set(axis, t);
    }
    return t;
  }
}

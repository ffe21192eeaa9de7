/**
 * A segmentation session on one volume: the engine's public entry for volumes. Its parts, one
 * concept each, are in session/: options.ts (options and checks), volume-axes.ts (oriented slices,
 * transforms, cached encoder outputs), objects.ts (objects and their tracks per axis), prompts.ts,
 * propagation.ts (+ seed-axis.ts for the other orientations), slice-updates.ts and
 * object-results.ts (what comes out), object-snapshot.ts (undo).
 */
import { EncoderCache } from './cache/encoder-cache';
import type { SamModel } from './model/sam-model';
import { defaultIntensityPolicy, intensityRange } from './preprocess/intensity';
import type { SlicePrompt } from './prompts/prompt';
import type { FrameOutcome } from './propagation/frame-state';
import { ObjectTrack } from './propagation/object-track';
import { labelVolume, objectMask, objectOutcomes, objectProbabilities } from './session/object-results';
import { type ObjectSnapshot, restoreObject, snapshotObject } from './session/object-snapshot';
import { SessionObjects } from './session/objects';
import { isMedsam2, resolveSessionOptions, type SessionOptions, validateVolume } from './session/options';
import type { SessionParts } from './session/parts';
import { pendingSlices, propagate, propagateBetween, type PropagateOptions } from './session/propagation';
import { giveMasks, givenMasksOf, promptsOf, removePrompt, setPrompt } from './session/prompts';
import { type SliceUpdate, SliceUpdates } from './session/slice-updates';
import { type AxisName, VolumeAxes } from './session/volume-axes';
import type { Volume } from './types';

export type { ObjectSnapshot } from './session/object-snapshot';
export { DEFAULT_SESSION_OPTIONS, type SessionOptions, type Workflow, WORKFLOWS } from './session/options';
export type { PropagateOptions } from './session/propagation';
export type { SliceUpdate } from './session/slice-updates';
export { AXES, type AxisName } from './session/volume-axes';

let sessionCounter = 0;

/**
 * A segmentation session on one volume: several objects, each with its own prompts and memory,
 * sharing the cached encoder outputs. Prompted slices are predicted at once (`setPrompt`);
 * `propagate` streams every other slice and re-runs only what changed since the last call.
 */
export class SegmentationSession {
  readonly options: SessionOptions;
  readonly cache: EncoderCache;
  private readonly parts: SessionParts;

  constructor(
    readonly model: SamModel,
    readonly volume: Volume,
    options: Partial<SessionOptions> = {},
  ) {
    validateVolume(volume);
    this.options = resolveSessionOptions(options);
    this.cache = options.cache ?? new EncoderCache();
    const volumeId = options.volumeId ?? `volume-${++sessionCounter}`;
    const range = intensityRange(
      volume.data,
      this.options.intensity ?? defaultIntensityPolicy(volume.modality),
    );
    const axes = new VolumeAxes(model, volume, this.cache, volumeId, range);
    const objects = new SessionObjects(
      (axis) =>
        new ObjectTrack(model, axes.frames(axis).seq.length, (k) => axes.features(axis, k), {
          bank: this.options.bank,
          stopAfterAbsent: this.options.stopAfterAbsent,
          isolatePasses: isMedsam2(this.options.workflow),
        }),
    );
    this.parts = { model, volume, options: this.options, axes, objects, updates: new SliceUpdates(axes) };
  }

  addObject(label?: string): number {
    return this.parts.objects.add(label);
  }

  /**
   * Gives a new object its mask on every slice along `axis` (volume grid, 0/1), kept as it is until
   * a slice is corrected (given-masks.ts): propagation leaves the object alone.
   */
  giveMasks(objectId: number, mask: Uint8Array, axis: AxisName = 'axial'): void {
    giveMasks(this.parts, objectId, mask, axis);
  }

  /** The masks an object was given (for rebuilding a session), if any. */
  givenMasks(objectId: number): { axis: AxisName; mask: Uint8Array } | undefined {
    return givenMasksOf(this.parts, objectId);
  }

  removeObject(objectId: number): void {
    this.parts.objects.remove(objectId);
  }

  get objectIds(): number[] {
    return this.parts.objects.ids;
  }

  /** Dimensions of a slice along `axis` and the number of slices. */
  axisShape(axis: AxisName): { width: number; height: number; length: number } {
    const { seq } = this.parts.axes.frames(axis);
    return { width: seq.width, height: seq.height, length: seq.length };
  }

  /**
   * Sets (replaces) the prompt of one slice — all of its points, as SAM 2's `add_new_points_or_box`
   * is given them — and predicts that slice at once. A slice that already has an output passes it
   * back as the decoder's mask input. An untracked slice becomes a conditioning frame; a slice a
   * propagation already tracked is corrected with memory (object-track.ts). Under the 'medsam2'
   * workflow a box-only prompt's result, thresholded, becomes the slice's mask prompt.
   */
  setPrompt(
    objectId: number,
    slice: number,
    prompt: SlicePrompt,
    axis: AxisName = 'axial',
  ): Promise<SliceUpdate> {
    return setPrompt(this.parts, objectId, slice, prompt, axis);
  }

  /** Removes a slice's prompt and its output; the slice is tracked again by the next `propagate`. */
  removePrompt(objectId: number, slice: number, axis: AxisName = 'axial'): void {
    removePrompt(this.parts, objectId, slice, axis);
  }

  /** Prompts currently set for an object, by slice. */
  prompts(objectId: number): { axis: AxisName; slice: number; prompt: SlicePrompt }[] {
    return promptsOf(this.parts, objectId);
  }

  /**
   * Propagates every object (or the given ones) from its prompted slices through the volume,
   * streaming each slice as it is predicted. Cancelling (signal) stops at the next slice; what was
   * streamed stays valid and the interrupted runs are redone by the next call.
   */
  propagate(options: PropagateOptions = {}): AsyncGenerator<SliceUpdate> {
    return propagate(this.parts, options);
  }

  /**
   * Propagates one object only between two of its prompted slices on its prompted axis (SAM 2's
   * `propagate_in_video(start_frame_idx=from, max_frame_num_to_track=to - from)`, object-track.ts
   * `propagateBetween`): the slices strictly between are predicted forward, both ends and every
   * slice outside keep their results. Slices outside whose memories this changes are reported by
   * `pendingSlices` and redone by the next `propagate`. The prompted plane only ('single'
   * orientations): the other axes are seeded from a whole-volume result.
   */
  propagateBetween(
    objectId: number,
    from: number,
    to: number,
    options: Pick<PropagateOptions, 'signal' | 'onProgress'> = {},
  ): AsyncGenerator<SliceUpdate> {
    return propagateBetween(this.parts, objectId, from, to, options);
  }

  /**
   * Everything the session holds for one object (prompts, every slice's output, what propagation
   * already did), for Undo: `restore` puts exactly that back. Containers are copied; the states in
   * them are shared (the engine replaces states, it never changes one in place).
   */
  snapshot(objectId: number): ObjectSnapshot {
    return snapshotObject(this.parts.objects, objectId);
  }

  restore(snapshot: ObjectSnapshot): void {
    restoreObject(this.parts.objects, snapshot);
  }

  /**
   * Slices along the object's prompted axis that the next `propagate` would predict again (stale
   * after a correction or a new prompt); [] when nothing changed since the last propagation.
   */
  pendingSlices(objectId: number): number[] {
    return pendingSlices(this.parts, objectId);
  }

  /** The object's mask on the volume grid (x fastest), aggregated over axes in 'all' mode. */
  mask(objectId: number): Uint8Array {
    return objectMask(this.parts, objectId);
  }

  /**
   * Per-voxel probability of the object: the prompted axis's sigmoid(logits) in 'single' mode; in
   * 'all' mode the aggregation (mean probability or majority vote) over the three axes, both
   * directions of each axis having covered its half of the volume.
   */
  probabilities(objectId: number): Float32Array {
    return objectProbabilities(this.parts, objectId);
  }

  /** All objects as one label volume (object i → label i in `objectIds` order; later objects win overlaps). */
  labelVolume(): Uint8Array {
    return labelVolume(this.parts);
  }

  /** Per-slice outcome along the object's prompted axis (confidence strip, traces). */
  outcomes(objectId: number): FrameOutcome[] {
    return objectOutcomes(this.parts, objectId);
  }

  /** Whether slice `k`'s encoder outputs are in the cache (a prompt there skips the image encoder). */
  isEncoded(k: number, axis: AxisName = 'axial'): boolean {
    return this.parts.axes.isEncoded(axis, k);
  }

  /**
   * Runs the image encoder on slice `k` ahead of need (pre-encoding in idle time): the next prompt
   * or propagation step there reads the cache. Nothing else of the session changes.
   */
  encodeSlice(k: number, axis: AxisName = 'axial'): Promise<void> {
    return this.parts.axes.encodeSlice(axis, k);
  }
}

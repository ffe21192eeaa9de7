import { EncoderCache } from './cache/encoder-cache';
import { InputError } from './errors';
import { DEFAULT_BANK_OPTIONS, type BankOptions, validateBankOptions } from './memory/policies';
import type { ImageFeatures, SamModel } from './model/sam-model';
import { nonZeroBox } from './preprocess/crop';
import {
  defaultIntensityPolicy,
  type IntensityPolicy,
  type IntensityRange,
  intensityRange,
} from './preprocess/intensity';
import { maskLogitsToSlice, prepareSlice, sliceMaskToModel } from './preprocess/prepare-slice';
import { resizeBilinear } from './preprocess/resize';
import { createSliceTransform, type SliceTransform } from './preprocess/slice-transform';
import { encodePrompt, type SlicePrompt, validatePrompt } from './prompts/prompt';
import { type FrameOutcome, type FrameState, outcomeOf } from './propagation/frame-state';
import { type BankTrace, ObjectTrack, type TrackSnapshot } from './propagation/object-track';
import type { Volume } from './types';
import { aggregateProbabilities, binarize, FOREGROUND_THRESHOLD } from './volume/aggregate';
import { GivenMasks } from './volume/given-masks';
import { largestComponent } from './volume/largest-component';
import { type OrientedSequence, orientedSequence } from './volume/orientations';

/** The three slice axes of a volume; each is propagated in both directions (= the six orientations). */
export type AxisName = 'axial' | 'coronal' | 'sagittal';
export const AXES: readonly AxisName[] = ['axial', 'coronal', 'sagittal'];

export type Workflow = 'sam2' | 'medsam2' | 'medsam2-box';
export const WORKFLOWS: readonly Workflow[] = ['sam2', 'medsam2', 'medsam2-box'];
const isMedsam2 = (w: Workflow): boolean => w !== 'sam2';

export interface SessionOptions {
  readonly bank: BankOptions;
  /**
   * 'single': the prompted axis only, both directions (default until measured otherwise).
   * 'all': the paper's six orientations (§3.3): the two other axes are seeded from the prompted
   * axis's result (its largest cross-section on each, as a mask prompt) and the three axes'
   * probabilities are aggregated per voxel.
   */
  readonly orientations: 'single' | 'all';
  readonly aggregation: 'mean' | 'majority';
  /** Stop a pass after this many consecutive object-absent slices (0 = never stop, as SAM 2). */
  readonly stopAfterAbsent: number;
  /**
   * 'sam2': SAM 2's video predictor (forward from the earliest prompted slice, then backward, on one
   * state). 'medsam2': MedSAM2's 3D inference as the issue-era scripts run it — a box prompt's
   * thresholded result becomes the slice's mask prompt; 'medsam2-box': as the current
   * medsam2_infer_3D_CT.py — the box itself in both passes. In both MedSAM2 workflows the backward
   * pass starts from a reset state and the volume mask keeps its largest 26-connected component
   * (`getLargestCC`) (models/README.md).
   */
  readonly workflow: Workflow;
  readonly intensity?: IntensityPolicy;
  /** Encoder outputs cache; pass one to share it between sessions (e.g. in the worker). */
  readonly cache?: EncoderCache;
  /** Identity of the volume in cache keys (e.g. the SeriesInstanceUID). */
  readonly volumeId?: string;
  /** Attach the memory bank's trace to every update. */
  readonly trace?: boolean;
}

export const DEFAULT_SESSION_OPTIONS: Omit<SessionOptions, 'cache' | 'volumeId'> = {
  bank: DEFAULT_BANK_OPTIONS,
  orientations: 'single',
  aggregation: 'mean',
  stopAfterAbsent: 0,
  workflow: 'sam2',
};

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

export interface PropagateOptions {
  readonly objectIds?: readonly number[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

interface AxisTrack {
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

interface AxisTrackSnapshot {
  readonly track: TrackSnapshot;
  readonly prompts: ReadonlyMap<number, SlicePrompt>;
  readonly skipped: ReadonlySet<number>;
  readonly upToDate: boolean;
}

/** What `snapshot` returns: opaque to callers, given back to `restore`. */
export interface ObjectSnapshot {
  readonly objectId: number;
  readonly label: string;
  readonly promptAxis: AxisName | null;
  readonly tracks: ReadonlyMap<AxisName, AxisTrackSnapshot>;
}

interface TrackedObject {
  readonly id: number;
  label: string;
  promptAxis: AxisName | null;
  readonly tracks: Map<AxisName, AxisTrack>;
  /** An object opened from an existing segmentation: its slices as given (given-masks.ts). */
  given?: GivenMasks;
}

interface AxisFrames {
  readonly seq: OrientedSequence;
  readonly transform: SliceTransform;
}

let sessionCounter = 0;

/**
 * A segmentation session on one volume: several objects, each with its own prompts and memory,
 * sharing the cached encoder outputs. Prompted slices are predicted at once (`setPrompt`);
 * `propagate` streams every other slice and re-runs only what changed since the last call.
 */
export class SegmentationSession {
  readonly options: SessionOptions;
  readonly cache: EncoderCache;
  private readonly range: IntensityRange;
  private readonly volumeId: string;
  private readonly axes = new Map<AxisName, AxisFrames>();
  private readonly objects = new Map<number, TrackedObject>();
  private nextObjectId = 1;
  private order = 0;

  constructor(
    readonly model: SamModel,
    readonly volume: Volume,
    options: Partial<SessionOptions> = {},
  ) {
    validateVolume(volume);
    this.options = {
      ...DEFAULT_SESSION_OPTIONS,
      ...options,
      bank: validateBankOptions({ ...DEFAULT_BANK_OPTIONS, ...options.bank }),
    };
    if (!Number.isInteger(this.options.stopAfterAbsent) || this.options.stopAfterAbsent < 0)
      throw new InputError(
        'invalid-options',
        `stopAfterAbsent must be an integer >= 0, got ${this.options.stopAfterAbsent}`,
      );
    if (!WORKFLOWS.includes(this.options.workflow))
      throw new InputError(
        'invalid-options',
        `workflow must be one of ${WORKFLOWS.join(', ')}, got ${JSON.stringify(this.options.workflow)}`,
      );
    this.cache = options.cache ?? new EncoderCache();
    this.volumeId = options.volumeId ?? `volume-${++sessionCounter}`;
    this.range = intensityRange(
      volume.data,
      this.options.intensity ?? defaultIntensityPolicy(volume.modality),
    );
  }

  addObject(label = `Segment ${this.nextObjectId}`): number {
    const id = this.nextObjectId++;
    this.objects.set(id, { id, label, promptAxis: null, tracks: new Map() });
    return id;
  }

  /**
   * Gives a new object its mask on every slice along `axis` (volume grid, 0/1), kept as it is until
   * a slice is corrected (given-masks.ts): propagation leaves the object alone.
   */
  giveMasks(objectId: number, mask: Uint8Array, axis: AxisName = 'axial'): void {
    const object = this.object(objectId);
    if (object.promptAxis || object.given)
      throw new InputError(
        'invalid-prompt',
        `object ${objectId} already has prompts or masks; give masks to a new object`,
      );
    object.given = GivenMasks.of(mask, this.frames(axis).seq, objectId);
    object.promptAxis = axis;
    this.track(object, axis).upToDate = true;
  }

  /** The masks an object was given (for rebuilding a session), if any. */
  givenMasks(objectId: number): { axis: AxisName; mask: Uint8Array } | undefined {
    const object = this.object(objectId);
    return object.given && object.promptAxis
      ? { axis: object.promptAxis, mask: object.given.volumeMask }
      : undefined;
  }

  removeObject(objectId: number): void {
    this.object(objectId);
    this.objects.delete(objectId);
  }

  get objectIds(): number[] {
    return [...this.objects.keys()];
  }

  /** Dimensions of a slice along `axis` and the number of slices. */
  axisShape(axis: AxisName): { width: number; height: number; length: number } {
    const { seq } = this.frames(axis);
    return { width: seq.width, height: seq.height, length: seq.length };
  }

  /**
   * Sets (replaces) the prompt of one slice — all of its points, as SAM 2's `add_new_points_or_box`
   * is given them — and predicts that slice at once. A slice that already has an output passes it
   * back as the decoder's mask input. An untracked slice becomes a conditioning frame; a slice a
   * propagation already tracked is corrected with memory (object-track.ts). Under the 'medsam2'
   * workflow a box-only prompt's result, thresholded, becomes the slice's mask prompt.
   */
  async setPrompt(
    objectId: number,
    slice: number,
    prompt: SlicePrompt,
    axis: AxisName = 'axial',
  ): Promise<SliceUpdate> {
    const object = this.object(objectId);
    if (object.promptAxis && object.promptAxis !== axis)
      throw new InputError(
        'invalid-prompt',
        `object ${objectId} already has prompts on the ${object.promptAxis} axis; prompts on ${axis} need a new object`,
      );
    const { seq, transform } = this.frames(axis);
    if (!Number.isInteger(slice) || slice < 0 || slice >= seq.length)
      throw new InputError(
        'invalid-prompt',
        `${axis} slice ${slice} is outside the volume (0..${seq.length - 1})`,
      );
    validatePrompt(prompt, seq.width, seq.height, `${axis} slice ${slice}`);
    const axisTrack = this.track(object, axis);
    const encoded = encodePrompt(prompt, transform);
    let state: FrameState;
    if (encoded.count > 0) {
      // A given slice is a mask-prompted frame: the click refines that mask (given-masks.ts).
      if (object.given && !axisTrack.track.output(slice))
        await axisTrack.track.addMask(slice, sliceMaskToModel(object.given.slice(slice), transform));
      state = await axisTrack.track.addPoints(slice, encoded, encoded.maskS ?? undefined);
      const boxOnly = prompt.box !== undefined && (prompt.points ?? []).length === 0;
      if (this.options.workflow === 'medsam2' && boxOnly)
        state = await axisTrack.track.addMask(slice, this.thresholdedOnModelGrid(state));
    } else {
      state = await axisTrack.track.addMask(slice, encoded.maskS as Uint8Array);
    }
    object.promptAxis = axis;
    axisTrack.prompts.set(slice, prompt);
    axisTrack.skipped.delete(slice);
    // Every slice of a given object is a prompted one: a correction leaves nothing to propagate.
    if (!object.given) axisTrack.upToDate = false;
    return this.update(objectId, axis, 0, outcomeOf(state), { done: 0, total: 0 });
  }

  /** Removes a slice's prompt and its output; the slice is tracked again by the next `propagate`. */
  removePrompt(objectId: number, slice: number, axis: AxisName = 'axial'): void {
    const object = this.object(objectId);
    const axisTrack = object.tracks.get(axis);
    if (!axisTrack?.prompts.delete(slice)) return;
    axisTrack.track.removePrompt(slice);
    if (object.given) return; // the slice's given mask stands for it again
    axisTrack.upToDate = false;
    if (!axisTrack.track.hasConditioning) {
      object.promptAxis = null;
      object.tracks.clear();
    }
  }

  /** Prompts currently set for an object, by slice. */
  prompts(objectId: number): { axis: AxisName; slice: number; prompt: SlicePrompt }[] {
    const object = this.object(objectId);
    if (!object.promptAxis) return [];
    const track = this.track(object, object.promptAxis);
    return [...track.prompts].map(([slice, prompt]) => ({
      axis: object.promptAxis as AxisName,
      slice,
      prompt,
    }));
  }

  /**
   * Propagates every object (or the given ones) from its prompted slices through the volume,
   * streaming each slice as it is predicted. Cancelling (signal) stops at the next slice; what was
   * streamed stays valid and the interrupted runs are redone by the next call.
   */
  async *propagate(options: PropagateOptions = {}): AsyncGenerator<SliceUpdate> {
    const ids = options.objectIds ?? this.objectIds;
    const objects = ids.map((id) => this.object(id)).filter((o) => o.promptAxis && !o.given);
    const progress = { done: 0, total: 0 };
    for (const o of objects) {
      progress.total += this.pendingFrames(o, o.promptAxis as AxisName);
      if (this.options.orientations === 'all')
        for (const axis of AXES) if (axis !== o.promptAxis) progress.total += this.frames(axis).seq.length;
    }
    options.onProgress?.({ ...progress });
    for (const o of objects) {
      const primary = o.promptAxis as AxisName;
      const before = progress.done;
      yield* this.runTrack(o, primary, progress, options);
      if (this.options.orientations !== 'all') continue;
      const changed = progress.done > before;
      for (const axis of AXES) {
        if (axis === primary) continue;
        const expected = this.frames(axis).seq.length;
        if (!changed && o.tracks.get(axis)) {
          progress.total -= expected;
          continue;
        }
        const seeded = await this.seedSecondaryAxis(o, axis, progress);
        if (!seeded) {
          progress.total -= expected;
          continue;
        }
        progress.done++;
        options.onProgress?.({ ...progress });
        yield seeded;
        const pending = this.pendingFrames(o, axis);
        progress.total -= expected - 1 - pending;
        yield* this.runTrack(o, axis, progress, options);
      }
    }
  }

  /**
   * Propagates one object only between two of its prompted slices on its prompted axis (SAM 2's
   * `propagate_in_video(start_frame_idx=from, max_frame_num_to_track=to - from)`, object-track.ts
   * `propagateBetween`): the slices strictly between are predicted forward, both ends and every
   * slice outside keep their results. Slices outside whose memories this changes are reported by
   * `pendingSlices` and redone by the next `propagate`. The prompted plane only ('single'
   * orientations): the other axes are seeded from a whole-volume result.
   */
  async *propagateBetween(
    objectId: number,
    from: number,
    to: number,
    options: Pick<PropagateOptions, 'signal' | 'onProgress'> = {},
  ): AsyncGenerator<SliceUpdate> {
    const object = this.object(objectId);
    if (this.options.orientations === 'all')
      throw new InputError(
        'invalid-options',
        "propagating between two slices works on the prompted plane only (orientations 'single')",
      );
    const axis = object.promptAxis;
    const axisTrack = axis ? object.tracks.get(axis) : undefined;
    if (!axis || !axisTrack || object.given)
      throw new InputError(
        'invalid-prompt',
        `object ${objectId} has no prompted slices to propagate between`,
      );
    for (const slice of [from, to])
      if (!axisTrack.prompts.has(slice))
        throw new InputError(
          'invalid-prompt',
          `${axis} slice ${slice} of object ${objectId} has no prompt (prompted: ${[...axisTrack.prompts.keys()].sort((a, b) => a - b).join(', ')})`,
        );
    if (from === to)
      throw new InputError('invalid-prompt', `propagate between two different slices, got ${from} twice`);
    const progress = { done: 0, total: axisTrack.track.framesBetween(from, to).length };
    options.onProgress?.({ ...progress });
    yield* this.runTrack(object, axis, progress, options, { from, to });
  }

  /**
   * Everything the session holds for one object (prompts, every slice's output, what propagation
   * already did), for Undo: `restore` puts exactly that back. Containers are copied; the states in
   * them are shared (the engine replaces states, it never changes one in place).
   */
  snapshot(objectId: number): ObjectSnapshot {
    const o = this.object(objectId);
    const tracks = new Map<AxisName, AxisTrackSnapshot>();
    for (const [axis, t] of o.tracks)
      tracks.set(axis, {
        track: t.track.snapshot(),
        prompts: new Map(t.prompts),
        skipped: new Set(t.skipped),
        upToDate: t.upToDate,
      });
    return { objectId, label: o.label, promptAxis: o.promptAxis, tracks };
  }

  restore(snapshot: ObjectSnapshot): void {
    const o = this.object(snapshot.objectId);
    o.label = snapshot.label;
    o.promptAxis = snapshot.promptAxis;
    o.tracks.clear();
    for (const [axis, s] of snapshot.tracks) {
      const t = this.track(o, axis);
      t.track.restore(s.track);
      t.prompts.clear();
      for (const [k, v] of s.prompts) t.prompts.set(k, v);
      t.skipped.clear();
      for (const f of s.skipped) t.skipped.add(f);
      t.upToDate = s.upToDate;
    }
  }

  /**
   * Slices along the object's prompted axis that the next `propagate` would predict again (stale
   * after a correction or a new prompt); [] when nothing changed since the last propagation.
   */
  pendingSlices(objectId: number): number[] {
    const o = this.object(objectId);
    if (!o.promptAxis) return [];
    const t = this.track(o, o.promptAxis);
    return t.upToDate ? [] : t.track.staleFrames();
  }

  /** The object's mask on the volume grid (x fastest), aggregated over axes in 'all' mode. */
  mask(objectId: number): Uint8Array {
    const mask = binarize(this.probabilities(objectId));
    // MedSAM2's post-processing is for its own results: an opened segment keeps all its parts.
    const given = this.object(objectId).given !== undefined;
    return isMedsam2(this.options.workflow) && !given ? largestComponent(mask, this.volume.dims) : mask;
  }

  /**
   * Per-voxel probability of the object: the prompted axis's sigmoid(logits) in 'single' mode; in
   * 'all' mode the aggregation (mean probability or majority vote) over the three axes, both
   * directions of each axis having covered its half of the volume.
   */
  probabilities(objectId: number): Float32Array {
    const object = this.object(objectId);
    const size = this.volume.data.length;
    if (!object.promptAxis) return new Float32Array(size);
    if (object.given) {
      // Given slices as they are, corrected ones as predicted (one axis: nothing else was run).
      const out = this.axisProbabilities(object, object.promptAxis);
      const predicted = this.track(object, object.promptAxis)
        .track.outputs()
        .map((o) => o.frame);
      object.given.fill(out, new Set(predicted));
      return out;
    }
    const axes = this.options.orientations === 'all' ? AXES : [object.promptAxis];
    const perAxis = axes.map((axis) => this.axisProbabilities(object, axis));
    return perAxis.length === 1 ? perAxis[0] : aggregateProbabilities(perAxis, this.options.aggregation);
  }

  /** All objects as one label volume (object i → label i in `objectIds` order; later objects win overlaps). */
  labelVolume(): Uint8Array {
    const out = new Uint8Array(this.volume.data.length);
    this.objectIds.forEach((id, i) => {
      const m = this.mask(id);
      for (let v = 0; v < m.length; v++) if (m[v]) out[v] = i + 1;
    });
    return out;
  }

  /** Per-slice outcome along the object's prompted axis (confidence strip, traces). */
  outcomes(objectId: number): FrameOutcome[] {
    const object = this.object(objectId);
    if (!object.promptAxis) return [];
    return this.axisOutcomes(this.track(object, object.promptAxis));
  }

  // ---- internals --------------------------------------------------------------------------

  private get lowResSize(): number {
    return this.model.manifest.imageSize / 4;
  }

  private object(objectId: number): TrackedObject {
    const o = this.objects.get(objectId);
    if (!o)
      throw new InputError(
        'unknown-object',
        `no object with id ${objectId} (known: ${this.objectIds.join(', ') || 'none'})`,
      );
    return o;
  }

  private track(object: TrackedObject, axis: AxisName): AxisTrack {
    let t = object.tracks.get(axis);
    if (!t) {
      const track = new ObjectTrack(this.model, this.frames(axis).seq.length, (k) => this.features(axis, k), {
        bank: this.options.bank,
        stopAfterAbsent: this.options.stopAfterAbsent,
        isolatePasses: isMedsam2(this.options.workflow),
      });
      t = { track, prompts: new Map(), skipped: new Set(), upToDate: false };
      object.tracks.set(axis, t);
    }
    return t;
  }

  private axisOutcomes(axisTrack: AxisTrack): FrameOutcome[] {
    const outcomes = axisTrack.track.outputs().map(outcomeOf);
    for (const frame of axisTrack.skipped) outcomes.push(skippedOutcome(frame));
    return outcomes.sort((a, b) => a.frame - b.frame);
  }

  /**
   * Slices the next propagation of this axis predicts (the progress total): exactly the stale ones;
   * with stopAfterAbsent an upper bound (a stopped pass reports every slice after it as skipped).
   */
  private pendingFrames(object: TrackedObject, axis: AxisName): number {
    const t = object.tracks.get(axis);
    if (!t || t.upToDate) return 0;
    if (this.options.stopAfterAbsent > 0) return t.track.plan().reduce((n, p) => n + p.frames.length, 0);
    return t.track.staleFrames().length;
  }

  /**
   * The low-res result of a prompted slice as a binary S×S mask (MedSAM2's `out_mask_logits > 0`
   * at the model's input resolution, then `add_new_mask`).
   */
  private thresholdedOnModelGrid(state: FrameState): Uint8Array {
    const { image: S, mask: L } = this.model.grid;
    const up = resizeBilinear(state.lowResLogits, L, L, S, S);
    return Uint8Array.from(up, (v) => (v > 0 ? 1 : 0));
  }

  private frames(axis: AxisName): AxisFrames {
    let f = this.axes.get(axis);
    if (!f) {
      const seq = orientedSequence(this.volume, axis);
      const transform = createSliceTransform(
        seq.width,
        seq.height,
        nonZeroBox(seq),
        this.model.manifest.imageSize,
      );
      f = { seq, transform };
      this.axes.set(axis, f);
    }
    return f;
  }

  /** Whether slice `k`'s encoder outputs are in the cache (a prompt there skips the image encoder). */
  isEncoded(k: number, axis: AxisName = 'axial'): boolean {
    return this.cache.has(this.featureKey(axis, k));
  }

  /**
   * Runs the image encoder on slice `k` ahead of need (pre-encoding in idle time): the next prompt
   * or propagation step there reads the cache. Nothing else of the session changes.
   */
  async encodeSlice(k: number, axis: AxisName = 'axial'): Promise<void> {
    const { length } = this.frames(axis).seq;
    if (!Number.isInteger(k) || k < 0 || k >= length)
      throw new InputError('invalid-options', `${axis} slice ${k} is outside the volume (0..${length - 1})`);
    await this.features(axis, k);
  }

  private featureKey(axis: AxisName, k: number): string {
    return `${this.model.modelHash}:${this.volumeId}:${axis}:${k}`;
  }

  private features(axis: AxisName, k: number): Promise<ImageFeatures> {
    return this.cache.getOrCompute(this.featureKey(axis, k), async () => {
      const { seq, transform } = this.frames(axis);
      const S = this.model.manifest.imageSize;
      const image = prepareSlice(seq.slice(k), this.range, transform, this.model.manifest.input);
      return this.model.encodeImage({ data: image, dims: [1, 3, S, S] });
    });
  }

  /**
   * Streams one axis's propagation (all of it, or only between two slices: `range`) as slice
   * updates, counting progress; slices whose memories had not changed keep their output unsent.
   */
  private async *runTrack(
    object: TrackedObject,
    axis: AxisName,
    progress: { done: number; total: number },
    options: PropagateOptions,
    range?: { readonly from: number; readonly to: number },
  ): AsyncGenerator<SliceUpdate> {
    const axisTrack = this.track(object, axis);
    if (!range && axisTrack.upToDate) return;
    const { track } = axisTrack;
    const expected = range
      ? track.framesBetween(range.from, range.to).length
      : this.pendingFrames(object, axis);
    const events = range
      ? track.propagateBetween(range.from, range.to, options.signal)
      : track.propagate(options.signal);
    let visited = 0;
    try {
      for await (const event of events) {
        visited++;
        let outcome: FrameOutcome;
        if (event.kind === 'predicted') {
          axisTrack.skipped.delete(event.state.frame);
          outcome = outcomeOf(event.state);
        } else {
          axisTrack.skipped.add(event.frame);
          outcome = skippedOutcome(event.frame);
        }
        progress.done++;
        options.onProgress?.({ ...progress });
        yield this.update(
          object.id,
          axis,
          event.direction,
          outcome,
          progress,
          this.options.trace && event.kind === 'predicted' ? event.trace : undefined,
        );
      }
    } finally {
      // A part of the volume redone leaves the rest to the next full propagate.
      if (range && visited > 0) axisTrack.upToDate = false;
    }
    if (!range) axisTrack.upToDate = true;
    // Slices whose memories had not changed kept their output: count them as done.
    progress.total -= expected - visited;
    options.onProgress?.({ ...progress });
  }

  /**
   * Seeds a secondary axis from the prompted axis's result (paper §3.3 leaves this open): the slice
   * of that axis where the current result has the largest cross-section becomes a conditioning
   * frame with that cross-section as a mask prompt. Returns the seed's update, or null when the
   * result is empty (nothing to seed; the axis contributes probability 0).
   */
  private async seedSecondaryAxis(
    object: TrackedObject,
    axis: AxisName,
    progress: { done: number; total: number },
  ): Promise<SliceUpdate | null> {
    const primary = object.promptAxis as AxisName;
    const probabilities = this.axisProbabilities(object, primary);
    const { seq } = this.frames(axis);
    let best = -1;
    let bestArea = 0;
    const masks: Uint8Array[] = [];
    for (let k = 0; k < seq.length; k++) {
      const m = new Uint8Array(seq.width * seq.height);
      let area = 0;
      for (let y = 0; y < seq.height; y++)
        for (let x = 0; x < seq.width; x++)
          if (probabilities[seq.toVolumeIndex(k, x, y)] > FOREGROUND_THRESHOLD) {
            m[x + y * seq.width] = 1;
            area++;
          }
      masks.push(m);
      if (area > bestArea) {
        bestArea = area;
        best = k;
      }
    }
    object.tracks.delete(axis);
    if (best < 0) return null;
    const axisTrack = this.track(object, axis);
    const { transform } = this.frames(axis);
    const prompt: SlicePrompt = { mask: masks[best] };
    const encoded = encodePrompt(prompt, transform);
    const state = await axisTrack.track.addMask(best, encoded.maskS as Uint8Array);
    axisTrack.prompts.set(best, prompt);
    return this.update(object.id, axis, 0, outcomeOf(state), progress);
  }

  private axisProbabilities(object: TrackedObject, axis: AxisName): Float32Array {
    const out = new Float32Array(this.volume.data.length);
    const axisTrack = object.tracks.get(axis);
    if (!axisTrack) return out;
    const { seq, transform } = this.frames(axis);
    const L = this.lowResSize;
    for (const outcome of this.axisOutcomes(axisTrack)) {
      if (!outcome.present || outcome.skipped) continue;
      const logits = maskLogitsToSlice(outcome.lowResLogits, L, transform);
      for (let y = 0; y < seq.height; y++)
        for (let x = 0; x < seq.width; x++) {
          const z = logits[x + y * seq.width];
          out[seq.toVolumeIndex(outcome.frame, x, y)] = 1 / (1 + Math.exp(-z));
        }
    }
    return out;
  }

  private update(
    objectId: number,
    axis: AxisName,
    direction: 0 | 1 | -1,
    outcome: FrameOutcome,
    progress: { done: number; total: number },
    trace?: BankTrace,
  ): SliceUpdate {
    const { seq, transform } = this.frames(axis);
    const mask = new Uint8Array(seq.width * seq.height);
    let area = 0;
    if (outcome.present && !outcome.skipped) {
      const logits = maskLogitsToSlice(outcome.lowResLogits, this.lowResSize, transform);
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

const skippedOutcome = (frame: number): FrameOutcome => ({
  frame,
  lowResLogits: new Float32Array(0),
  confidence: 0,
  objectScore: 0,
  present: false,
  skipped: true,
});

function validateVolume(volume: Volume): void {
  const [nx, ny, nz] = volume.dims;
  if (![nx, ny, nz].every((d) => Number.isInteger(d) && d > 0))
    throw new InputError(
      'invalid-volume',
      `volume dims must be positive integers, got ${volume.dims.join('×')}`,
    );
  if (volume.data.length !== nx * ny * nz)
    throw new InputError(
      'invalid-volume',
      `volume data has ${volume.data.length} values but dims ${nx}×${ny}×${nz} need ${nx * ny * nz}`,
    );
}

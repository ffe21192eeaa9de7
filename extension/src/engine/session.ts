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
import { maskLogitsToSlice, prepareSlice } from './preprocess/prepare-slice';
import { createSliceTransform, type SliceTransform } from './preprocess/slice-transform';
import { encodePrompt, type SlicePrompt, validatePrompt } from './prompts/prompt';
import { type FrameOutcome, type FrameState, outcomeOf } from './propagation/frame-state';
import { type Run, planRuns, runLength } from './propagation/plan';
import { predictFrame } from './propagation/predict-frame';
import { type BankTrace, runTrack } from './propagation/run-track';
import type { Volume } from './types';
import { aggregateProbabilities, binarize, FOREGROUND_THRESHOLD } from './volume/aggregate';
import { type OrientedSequence, orientedSequence } from './volume/orientations';

/** The three slice axes of a volume; each is propagated in both directions (= the six orientations). */
export type AxisName = 'axial' | 'coronal' | 'sagittal';
export const AXES: readonly AxisName[] = ['axial', 'coronal', 'sagittal'];

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
  /** Stop a run after this many consecutive object-absent slices (0 = never stop). */
  readonly stopAfterAbsent: number;
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
  stopAfterAbsent: 3,
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

interface Conditioning {
  readonly prompt: SlicePrompt;
  readonly version: number;
  readonly state: FrameState;
}

interface AxisTrack {
  readonly cond: Map<number, Conditioning>;
  readonly outcomes: Map<number, FrameOutcome>;
  readonly completedRuns: Set<string>;
}

interface TrackedObject {
  readonly id: number;
  label: string;
  promptAxis: AxisName | null;
  readonly tracks: Map<AxisName, AxisTrack>;
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
  private nextVersion = 1;
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
   * Sets (replaces) the prompt of one slice and predicts that slice at once. A slice that already
   * has a prediction passes it as the decoder's mask input (SAM2's corrective-click behaviour).
   * The slice becomes a conditioning frame; the next `propagate` re-runs only the affected runs.
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
    const track = this.track(object, axis);
    const previous = track.cond.get(slice)?.state ?? track.outcomes.get(slice);
    const L = this.lowResSize;
    const encoded = encodePrompt(prompt, transform, L);
    const prevLogits = previous?.present ? previous.lowResLogits : null;
    const state = await predictFrame(
      this.model,
      slice,
      await this.features(axis, slice),
      null,
      { ...encoded, maskInput: encoded.maskInput ?? prevLogits },
      true,
    );
    object.promptAxis = axis;
    track.cond.set(slice, { prompt, version: this.nextVersion++, state });
    track.outcomes.set(slice, outcomeOf(state));
    return this.update(objectId, axis, 0, outcomeOf(state), { done: 0, total: 0 });
  }

  /** Removes a slice's prompt; the slice is tracked again by the next `propagate`. */
  removePrompt(objectId: number, slice: number, axis: AxisName = 'axial'): void {
    const object = this.object(objectId);
    const track = object.tracks.get(axis);
    if (!track?.cond.delete(slice)) return;
    track.outcomes.delete(slice);
    if (track.cond.size === 0) {
      track.outcomes.clear();
      track.completedRuns.clear();
      object.promptAxis = null;
      object.tracks.clear();
    }
  }

  /** Prompts currently set for an object, by slice. */
  prompts(objectId: number): { axis: AxisName; slice: number; prompt: SlicePrompt }[] {
    const object = this.object(objectId);
    if (!object.promptAxis) return [];
    const track = this.track(object, object.promptAxis);
    return [...track.cond].map(([slice, c]) => ({
      axis: object.promptAxis as AxisName,
      slice,
      prompt: c.prompt,
    }));
  }

  /**
   * Propagates every object (or the given ones) from its prompted slices through the volume,
   * streaming each slice as it is predicted. Cancelling (signal) stops at the next slice; what was
   * streamed stays valid and the interrupted runs are redone by the next call.
   */
  async *propagate(options: PropagateOptions = {}): AsyncGenerator<SliceUpdate> {
    const ids = options.objectIds ?? this.objectIds;
    const objects = ids.map((id) => this.object(id)).filter((o) => o.promptAxis);
    const progress = { done: 0, total: 0 };
    const work = objects.map((o) => ({ o, runs: this.pendingRuns(o, o.promptAxis as AxisName) }));
    for (const { o, runs } of work) {
      progress.total += runs.reduce((n, r) => n + runLength(r), 0);
      if (this.options.orientations === 'all')
        for (const axis of AXES) if (axis !== o.promptAxis) progress.total += this.frames(axis).seq.length;
    }
    options.onProgress?.({ ...progress });
    for (const { o, runs } of work) {
      const primary = o.promptAxis as AxisName;
      const changed = runs.length > 0;
      yield* this.executeRuns(o, primary, runs, progress, options);
      if (this.options.orientations !== 'all') continue;
      for (const axis of AXES) {
        if (axis === primary) continue;
        const seeded =
          changed || !o.tracks.get(axis) ? await this.seedSecondaryAxis(o, axis, progress) : null;
        if (seeded) {
          progress.done++;
          options.onProgress?.({ ...progress });
          yield seeded;
        }
        const secondaryRuns = this.pendingRuns(o, axis);
        yield* this.executeRuns(o, axis, secondaryRuns, progress, options);
        const expected = this.frames(axis).seq.length;
        const covered = secondaryRuns.reduce((n, r) => n + runLength(r), 0) + (seeded ? 1 : 0);
        progress.total -= expected - covered; // axes that needed no work
      }
    }
  }

  /** The object's mask on the volume grid (x fastest), aggregated over axes in 'all' mode. */
  mask(objectId: number): Uint8Array {
    return binarize(this.probabilities(objectId));
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
    return [...this.track(object, object.promptAxis).outcomes.values()].sort((a, b) => a.frame - b.frame);
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
      t = { cond: new Map(), outcomes: new Map(), completedRuns: new Set() };
      object.tracks.set(axis, t);
    }
    return t;
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

  private features(axis: AxisName, k: number): Promise<ImageFeatures> {
    const key = `${this.model.modelHash}:${this.volumeId}:${axis}:${k}`;
    return this.cache.getOrCompute(key, async () => {
      const { seq, transform } = this.frames(axis);
      const S = this.model.manifest.imageSize;
      const image = prepareSlice(seq.slice(k), this.range, transform, this.model.manifest.input);
      return this.model.encodeImage({ data: image, dims: [1, 3, S, S] });
    });
  }

  private runKey(axis: AxisName, track: AxisTrack, run: Run): string {
    const bounds = run.bounds.map((b) => `${b}@${track.cond.get(b)?.version}`).join(',');
    return `${axis}|${run.origin}|${run.direction}|${run.from}|${run.to}|${bounds}`;
  }

  private pendingRuns(object: TrackedObject, axis: AxisName): Run[] {
    const track = this.track(object, axis);
    const runs = planRuns([...track.cond.keys()], this.frames(axis).seq.length);
    const keys = new Set(runs.map((r) => this.runKey(axis, track, r)));
    for (const k of track.completedRuns) if (!keys.has(k)) track.completedRuns.delete(k);
    return runs.filter((r) => !track.completedRuns.has(this.runKey(axis, track, r)));
  }

  private async *executeRuns(
    object: TrackedObject,
    axis: AxisName,
    runs: readonly Run[],
    progress: { done: number; total: number },
    options: PropagateOptions,
  ): AsyncGenerator<SliceUpdate> {
    const track = this.track(object, axis);
    const conditioning = new Map([...track.cond].map(([k, c]) => [k, c.state] as const));
    for (const run of runs) {
      const key = this.runKey(axis, track, run);
      const events = runTrack({
        model: this.model,
        run,
        conditioning,
        features: (k) => this.features(axis, k),
        bank: this.options.bank,
        stopAfterAbsent: this.options.stopAfterAbsent,
        signal: options.signal,
      });
      for await (const event of events) {
        const outcome: FrameOutcome =
          event.kind === 'predicted'
            ? outcomeOf(event.state)
            : {
                frame: event.frame,
                lowResLogits: new Float32Array(0),
                confidence: 0,
                objectScore: 0,
                present: false,
                skipped: true,
              };
        track.outcomes.set(outcome.frame, outcome);
        progress.done++;
        options.onProgress?.({ ...progress });
        yield this.update(
          object.id,
          axis,
          run.direction,
          outcome,
          progress,
          this.options.trace && event.kind === 'predicted' ? event.trace : undefined,
        );
      }
      track.completedRuns.add(key);
    }
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
    const track = this.track(object, axis);
    const { transform } = this.frames(axis);
    const prompt: SlicePrompt = { mask: masks[best] };
    const encoded = encodePrompt(prompt, transform, this.lowResSize);
    const state = await predictFrame(this.model, best, await this.features(axis, best), null, encoded, true);
    track.cond.set(best, { prompt, version: this.nextVersion++, state });
    track.outcomes.set(best, outcomeOf(state));
    return this.update(object.id, axis, 0, outcomeOf(state), progress);
  }

  private axisProbabilities(object: TrackedObject, axis: AxisName): Float32Array {
    const out = new Float32Array(this.volume.data.length);
    const track = object.tracks.get(axis);
    if (!track) return out;
    const { seq, transform } = this.frames(axis);
    const L = this.lowResSize;
    for (const outcome of track.outcomes.values()) {
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

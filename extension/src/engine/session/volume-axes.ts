/**
 * The volume as the model sees it along each of its three axes: the oriented slice sequence
 * (orientations.ts), the slice ↔ model-grid transform (crop to the non-zero box, then resize:
 * App. C.1), and each slice's image-encoder outputs, computed once and kept in the encoder cache.
 */
import type { EncoderCache } from '../cache/encoder-cache';
import { InputError } from '../errors';
import type { ImageFeatures, SamModel } from '../model/sam-model';
import { nonZeroBox } from '../preprocess/crop';
import type { IntensityRange } from '../preprocess/intensity';
import { maskLogitsToSlice, prepareSlice } from '../preprocess/prepare-slice';
import { createSliceTransform, type SliceTransform } from '../preprocess/slice-transform';
import type { Volume } from '../types';
import { type OrientedSequence, orientedSequence } from '../volume/orientations';

/** The three slice axes of a volume; each is propagated in both directions (= the six orientations). */
export type AxisName = 'axial' | 'coronal' | 'sagittal';
export const AXES: readonly AxisName[] = ['axial', 'coronal', 'sagittal'];

export interface AxisFrames {
  readonly seq: OrientedSequence;
  readonly transform: SliceTransform;
}

export class VolumeAxes {
  private readonly axes = new Map<AxisName, AxisFrames>();

  constructor(
    private readonly model: SamModel,
    private readonly volume: Volume,
    private readonly cache: EncoderCache,
    /** Identity of the volume in cache keys. */
    private readonly volumeId: string,
    private readonly range: IntensityRange,
  ) {}

  frames(axis: AxisName): AxisFrames {
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

  /** A frame's low-res mask logits (model grid, L = S/4) as logits on its slice along `axis`. */
  sliceLogits(axis: AxisName, lowResLogits: Float32Array): Float32Array {
    return maskLogitsToSlice(lowResLogits, this.model.manifest.imageSize / 4, this.frames(axis).transform);
  }

  /** Whether slice `k`'s encoder outputs are in the cache. */
  isEncoded(axis: AxisName, k: number): boolean {
    return this.cache.has(this.featureKey(axis, k));
  }

  /** Runs the image encoder on slice `k` ahead of need; the slice is checked first. */
  async encodeSlice(axis: AxisName, k: number): Promise<void> {
    const { length } = this.frames(axis).seq;
    if (!Number.isInteger(k) || k < 0 || k >= length)
      throw new InputError('invalid-options', `${axis} slice ${k} is outside the volume (0..${length - 1})`);
    await this.features(axis, k);
  }

  /** Slice `k`'s encoder outputs, from the cache or computed (normalised, cropped, resized first). */
  features(axis: AxisName, k: number): Promise<ImageFeatures> {
    return this.cache.getOrCompute(this.featureKey(axis, k), async () => {
      const { seq, transform } = this.frames(axis);
      const S = this.model.manifest.imageSize;
      const image = prepareSlice(seq.slice(k), this.range, transform, this.model.manifest.input);
      return this.model.encodeImage({ data: image, dims: [1, 3, S, S] });
    });
  }

  private featureKey(axis: AxisName, k: number): string {
    return `${this.model.modelHash}:${this.volumeId}:${axis}:${k}`;
  }
}

import { EncoderCache } from './cache/encoder-cache';
import { InputError } from './errors';
import { DEFAULT_BANK_OPTIONS, type BankOptions, validateBankOptions } from './memory/policies';
import type { SamModel } from './model/sam-model';
import { nonZeroBox } from './preprocess/crop';
import { defaultIntensityPolicy, type IntensityPolicy, intensityRange } from './preprocess/intensity';
import { maskLogitsToSlice, prepareSlice } from './preprocess/prepare-slice';
import { createSliceTransform, type SliceTransform } from './preprocess/slice-transform';
import { encodePrompt, type SlicePrompt, validatePrompt } from './prompts/prompt';
import { type BankTrace, ObjectTrack } from './propagation/object-track';
import type { Modality, SliceImage } from './types';

/**
 * 2D one-prompt segmentation (paper §3.3): a set of unrelated images (sizes may differ) is a
 * pseudo-video. The prompted template is the conditioning frame; every other image is segmented
 * from memory alone, in the order given, with the self-sorting bank choosing what to remember.
 */
export interface ImageSetOptions {
  readonly bank: BankOptions;
  readonly modality: Modality;
  readonly intensity?: IntensityPolicy;
  readonly cache?: EncoderCache;
  readonly signal?: AbortSignal;
  /** Cache-key prefix identifying this image set. */
  readonly setId?: string;
  /**
   * Corrections: more prompted images, each a conditioning frame like the template (SAM 2's
   * add-points on a frame not tracked yet), so every other image attends them too.
   */
  readonly corrections?: readonly ImagePrompt[];
}

/** A prompt on one image of the set (its index in the input array, the prompt in its pixels). */
export interface ImagePrompt {
  readonly index: number;
  readonly prompt: SlicePrompt;
}

export interface ImageUpdate {
  /** Index of the image in the input array. */
  readonly image: number;
  readonly prompted: boolean;
  readonly confidence: number;
  readonly objectScore: number;
  readonly present: boolean;
  readonly width: number;
  readonly height: number;
  readonly mask: Uint8Array;
  readonly progress: { readonly done: number; readonly total: number };
  /** What this image's prediction drew from memory, in input-image indices (absent for the template). */
  readonly trace?: BankTrace;
}

/**
 * A track's trace speaks of virtual frames (0 = the template, then the others in input order);
 * users and tools speak of the input images, so every frame number is mapped back.
 */
export function toImageTrace(trace: BankTrace, order: readonly number[]): BankTrace {
  const image = (frame: number) => order[frame];
  return {
    attended: trace.attended.map(image),
    drawn: trace.drawn.map(image),
    probabilities: trace.probabilities.map((e) => ({ ...e, frame: image(e.frame) })),
    offer: {
      ...trace.offer,
      evicted: trace.offer.evicted.map(image),
      reason: trace.offer.reason.replace(/frame (\d+)/g, (_, f: string) => `image ${image(Number(f))}`),
    },
    bankAfter: trace.bankAfter.map(image),
  };
}

let setCounter = 0;

export async function* segmentImageSet(
  model: SamModel,
  images: readonly SliceImage[],
  template: ImagePrompt,
  options: Partial<ImageSetOptions> = {},
): AsyncGenerator<ImageUpdate> {
  if (images.length === 0) throw new InputError('invalid-image', 'the image set is empty');
  if (!Number.isInteger(template.index) || template.index < 0 || template.index >= images.length)
    throw new InputError(
      'invalid-prompt',
      `template index ${template.index} is outside the set (0..${images.length - 1})`,
    );
  const corrections = options.corrections ?? [];
  const prompted = new Set([template.index]);
  for (const c of corrections) {
    if (!Number.isInteger(c.index) || c.index < 0 || c.index >= images.length)
      throw new InputError(
        'invalid-prompt',
        `correction on image ${c.index}: outside the set (0..${images.length - 1})`,
      );
    if (prompted.has(c.index))
      throw new InputError('invalid-prompt', `image ${c.index} is prompted twice (one prompt per image)`);
    prompted.add(c.index);
  }
  images.forEach((img, i) => {
    if (img.width <= 0 || img.height <= 0 || img.data.length !== img.width * img.height)
      throw new InputError(
        'invalid-image',
        `image ${i}: ${img.data.length} values for ${img.width}×${img.height}`,
      );
  });
  const bank = validateBankOptions({ ...DEFAULT_BANK_OPTIONS, ...options.bank });
  const policy = options.intensity ?? defaultIntensityPolicy(options.modality ?? 'OTHER');
  const cache = options.cache ?? new EncoderCache();
  const setId = options.setId ?? `set-${++setCounter}`;
  const S = model.manifest.imageSize;
  const L = S / 4;
  // Virtual frame 0 is the template; frames 1..n-1 are the other images in input order.
  const order = [template.index, ...images.map((_, i) => i).filter((i) => i !== template.index)];
  const transforms: SliceTransform[] = order.map((i) =>
    createSliceTransform(images[i].width, images[i].height, nonZeroBox([images[i]]), S),
  );
  const features = (frame: number) =>
    cache.getOrCompute(`${model.modelHash}:${setId}:${order[frame]}`, async () => {
      const img = images[order[frame]];
      const data = prepareSlice(
        img,
        intensityRange(img.data, policy),
        transforms[frame],
        model.manifest.input,
      );
      return model.encodeImage({ data, dims: [1, 3, S, S] });
    });
  const toUpdate = (
    frame: number,
    s: { confidence: number; objectScore: number; present: boolean; lowResLogits: Float32Array },
    done: number,
    trace?: BankTrace,
  ): ImageUpdate => {
    const img = images[order[frame]];
    const logits = maskLogitsToSlice(s.lowResLogits, L, transforms[frame]);
    const mask = new Uint8Array(logits.length);
    if (s.present) for (let i = 0; i < mask.length; i++) mask[i] = logits[i] > 0 ? 1 : 0;
    return {
      image: order[frame],
      prompted: prompted.has(order[frame]),
      confidence: s.confidence,
      objectScore: s.objectScore,
      present: s.present,
      width: img.width,
      height: img.height,
      mask,
      progress: { done, total: images.length },
      trace: trace && toImageTrace(trace, order),
    };
  };

  for (const p of [template, ...corrections]) {
    const img = images[p.index];
    validatePrompt(p.prompt, img.width, img.height, `image ${p.index}`);
  }
  const track = new ObjectTrack(model, images.length, features, {
    bank,
    stopAfterAbsent: 0, // unrelated images: an absent object on one says nothing about the next
    isolatePasses: false,
  });
  let done = 0;
  // The template (frame 0), then each correction: conditioning frames, predicted without memory.
  for (const p of [template, ...corrections]) {
    const frame = order.indexOf(p.index);
    const encoded = encodePrompt(p.prompt, transforms[frame]);
    const state =
      encoded.count > 0
        ? await track.addPoints(frame, encoded, encoded.maskS ?? undefined)
        : await track.addMask(frame, encoded.maskS as Uint8Array);
    yield toUpdate(frame, state, ++done);
  }
  if (done === images.length) return;
  // The template is frame 0: SAM 2's forward pass covers every other image (conditioning frames
  // excluded); there is no backward one.
  for await (const event of track.propagate(options.signal)) {
    if (event.kind !== 'predicted') continue;
    yield toUpdate(event.state.frame, event.state, ++done, event.trace);
  }
}

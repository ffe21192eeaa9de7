/**
 * The worker's 'segment-image-set': a thin shell over the engine's `segmentImageSet` that checks
 * the request's shape and names the image an error is about (its index and the host's name for
 * it), so the panel can say which image failed.
 */
import type { EncoderCache } from '../engine/cache/encoder-cache';
import { EngineError, InputError } from '../engine/errors';
import { type ImageUpdate, segmentImageSet } from '../engine/image-set';
import type { SamModel } from '../engine/model/sam-model';
import type { WorkerRequest } from './protocol';

type ImageSetRequest = Extract<WorkerRequest, { type: 'segment-image-set' }>;

export async function* runImageSet(
  model: SamModel,
  r: ImageSetRequest,
  cache: EncoderCache,
  signal: AbortSignal,
): AsyncGenerator<ImageUpdate> {
  if (!Array.isArray(r.images) || !Array.isArray(r.prompts) || r.prompts.length === 0)
    throw new InputError('invalid-options', 'segment-image-set needs images and at least one prompt');
  if (typeof r.setId !== 'string' || r.setId === '')
    throw new InputError('invalid-options', 'segment-image-set needs a setId');
  r.images.forEach((img, i) => {
    if (!(img?.data instanceof Float32Array))
      throw new InputError('invalid-image', `image ${i} (${nameOf(img)}): data is not a Float32Array`);
  });
  const names = r.images.map(nameOf);
  const pending = processingOrder(
    r.images.length,
    r.prompts.map((p) => p.index),
  );
  let done = 0;
  try {
    const [template, ...corrections] = r.prompts;
    const run = segmentImageSet(model, r.images, template, {
      bank: r.bank,
      modality: r.modality,
      cache,
      signal,
      setId: r.setId,
      corrections,
    });
    for await (const update of run) {
      done++;
      yield update;
    }
  } catch (e) {
    if (!(e instanceof EngineError) || e.kind === 'cancelled') throw e;
    throw namingImage(e, names, pending[done]);
  }
}

/** The order the engine segments the images in: the prompted ones as given, then the rest. */
export function processingOrder(count: number, prompted: readonly number[]): number[] {
  const set = new Set(prompted);
  return [...prompted, ...Array.from({ length: count }, (_, i) => i).filter((i) => !set.has(i))];
}

/**
 * The engine names images by index ("image 3: …"); the host's names say which series and frame.
 * An error that names none (a graph failing) is said to be about the image being segmented.
 */
export function namingImage(
  e: EngineError,
  names: readonly string[],
  current: number | undefined,
): EngineError {
  const named = e.message.replace(/image (\d+)/g, (m, i: string) =>
    names[Number(i)] === undefined ? m : `image ${i} (${names[Number(i)]})`,
  );
  const message =
    named !== e.message || current === undefined
      ? named
      : `${e.message} (while segmenting image ${current} (${names[current] ?? 'unnamed'}))`;
  const Kind = e.constructor as new (kind: EngineError['kind'], message: string) => EngineError;
  return new Kind(e.kind, message);
}

const nameOf = (img: { name?: unknown } | undefined): string =>
  typeof img?.name === 'string' && img.name !== '' ? img.name : 'unnamed';

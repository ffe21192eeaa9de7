/**
 * What the page tells the engine worker before any message: the worker script's URL carries where
 * onnxruntime-web's files are (`ort`) and the encoder cache budget (`cacheMb`). The host builds the
 * URL, the worker reads it; anything the worker cannot use falls back to its default.
 */
import { BROWSER_ENCODER_CACHE_BYTES } from '../engine/cache/encoder-cache';

export interface WorkerUrlOptions {
  /** Where onnxruntime-web's wasm files are hosted. */
  readonly ortUrl?: string;
  /** Encoder cache budget in MB (the host's config reader has checked it). */
  readonly encoderCacheMb?: number;
}

/** The engine worker's script URL with the page's options as query parameters. */
export function engineWorkerUrl(workerUrl: string, options: WorkerUrlOptions): URL {
  const url = new URL(workerUrl);
  if (options.ortUrl) url.searchParams.set('ort', options.ortUrl);
  if (options.encoderCacheMb !== undefined) url.searchParams.set('cacheMb', String(options.encoderCacheMb));
  return url;
}

/** onnxruntime-web's folder for a worker at `own` (default: ort/ beside the worker). */
export function ortBaseOf(own: URL): string {
  return new URL(own.searchParams.get('ort') ?? './ort/', own).href;
}

/** The encoder cache budget in bytes for a worker at `own` (default: the browser's). */
export function encoderCacheBytesOf(own: URL): number {
  const mb = Number(own.searchParams.get('cacheMb') ?? NaN);
  return Number.isInteger(mb) && mb > 0 ? mb * 2 ** 20 : BROWSER_ENCODER_CACHE_BYTES;
}

/**
 * onnxruntime-web's WebAssembly binary (about 28 MB: on a first visit the largest wait after the
 * model), fetched here rather than by onnxruntime so that its bytes count in the start-up progress,
 * and kept in Cache Storage beside the graphs when the build pins its sha256. The caller hands the
 * bytes to onnxruntime as `env.wasm.wasmBinary` before its first session; onnxruntime then fetches
 * no .wasm file (it still imports its .mjs glue from `env.wasm.wasmPaths`).
 */
import { ModelError, errorText } from '../engine/errors';
import { DownloadTracker, readBody } from './download-tracker';
import { ModelCache, type ModelCacheStore } from './model-cache';
import type { DownloadProgress } from './protocol';

export interface RuntimeBinary {
  /** Absolute URL of the .wasm file. */
  readonly url: string;
  /** What the build pinned: with it the file is cached between visits; without, always fetched. */
  readonly sha256?: string;
}

export interface RuntimeBinaryOptions {
  readonly fetch?: typeof fetch;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Cache Storage (openModelCache() in a browser); none: fetched on every visit. */
  readonly cache?: ModelCacheStore | null | Promise<ModelCacheStore | null>;
}

/**
 * The binary's bytes, from the cache when it holds them with the pinned sha256, else from the
 * network (stored in the cache when they match the pin). A file that cannot be fetched is a
 * ModelError naming its URL: without it no backend of onnxruntime-web can start.
 */
export async function fetchRuntimeBinary(
  binary: RuntimeBinary,
  options: RuntimeBinaryOptions = {},
): Promise<Uint8Array> {
  const url = new URL(binary.url);
  const file = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  const progress = new DownloadTracker(options.onProgress);
  const store = await Promise.resolve(options.cache ?? null).catch(() => null);
  const cache = store && binary.sha256 ? new ModelCache(store, new URL('./', url).href) : null;
  if (cache && binary.sha256) {
    const size = await cache.size(file, binary.sha256);
    if (size !== null) progress.expect(file, size);
    const hit = await cache.read(file, binary.sha256);
    if (hit) {
      progress.expect(file, hit.byteLength);
      progress.received(file, hit.byteLength, true, true);
      return hit;
    }
  }
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url.href);
  } catch (e) {
    throw unavailable(url.href, `request failed (${errorText(e)})`);
  }
  if (!response.ok) throw unavailable(url.href, `HTTP ${response.status} ${response.statusText}`.trim());
  const bytes = await readBody(response, file, progress, true);
  if (cache && binary.sha256) await cache.write(file, binary.sha256, bytes);
  return bytes;
}

const unavailable = (url: string, why: string) =>
  new ModelError(
    'backend-unavailable',
    `onnxruntime's WebAssembly binary ${url} could not be loaded: ${why}`,
  );

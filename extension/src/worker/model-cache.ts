/**
 * Graph files kept between visits in the browser's Cache Storage, keyed by the model folder's URL,
 * the file name and the sha256 the manifest pins for it: a second visit reads them from disk and
 * downloads only the manifest; a model updated in place (new sha256) misses and is fetched, and
 * the stale entries of that folder are deleted. Every entry read is checked against its sha256, so
 * a damaged one is dropped and fetched again, never run.
 */
import { sha256Hex } from '../engine/model/sha256';

/** The parts of the Cache Storage API's `Cache` used here (a test can pass its own). */
export interface ModelCacheStore {
  match(request: string): Promise<Response | undefined>;
  put(request: string, response: Response): Promise<void>;
  delete(request: string): Promise<boolean>;
  keys(): Promise<ReadonlyArray<{ readonly url: string }>>;
}

/** The Cache Storage cache holding model files. */
export const MODEL_CACHE_NAME = 'medsam2-models-v1';

/**
 * The browser's model cache, or null where Cache Storage is unavailable (an insecure context, a
 * browser that refuses storage): the model is then fetched on every visit, as before.
 */
export async function openModelCache(): Promise<ModelCacheStore | null> {
  const storage = (globalThis as { caches?: { open(name: string): Promise<ModelCacheStore> } }).caches;
  if (!storage) return null;
  try {
    return await storage.open(MODEL_CACHE_NAME);
  } catch {
    return null;
  }
}

const SHA_PARAM = 'sha256';

export class ModelCache {
  constructor(
    private readonly store: ModelCacheStore,
    /** The model folder's URL, ending in '/'. */
    private readonly base: string,
  ) {}

  key(file: string, sha256: string): string {
    const url = new URL(file, this.base);
    url.searchParams.set(SHA_PARAM, sha256);
    return url.href;
  }

  /** The file's bytes when the cache holds them with this sha256; a damaged entry is deleted. */
  async read(file: string, sha256: string): Promise<Uint8Array | null> {
    const key = this.key(file, sha256);
    try {
      const hit = await this.store.match(key);
      if (!hit) return null;
      const bytes = new Uint8Array(await hit.arrayBuffer());
      if ((await sha256Hex(bytes)) === sha256) return bytes;
      await this.store.delete(key);
    } catch {
      // A cache that fails to read is a miss: the network still has the file.
    }
    return null;
  }

  /** Size of the cached file, without reading it (null when not cached or unknown). */
  async size(file: string, sha256: string): Promise<number | null> {
    try {
      const hit = await this.store.match(this.key(file, sha256));
      const n = Number(hit?.headers.get('content-length') ?? NaN);
      return Number.isFinite(n) && n >= 0 ? n : null;
    } catch {
      return null;
    }
  }

  /**
   * Keeps `bytes` when they are what the manifest pins (a wrong download is never cached). Storage
   * may refuse (quota): the file was loaded all the same, so that is not an error.
   */
  async write(file: string, sha256: string, bytes: Uint8Array): Promise<boolean> {
    try {
      if ((await sha256Hex(bytes)) !== sha256) return false;
      const body = bytes.slice();
      await this.store.put(
        this.key(file, sha256),
        new Response(body.buffer, {
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.byteLength) },
        }),
      );
      return true;
    } catch {
      return false;
    }
  }

  /** Deletes this folder's entries whose file or sha256 the current manifest no longer lists. */
  async prune(current: ReadonlyMap<string, string>): Promise<void> {
    try {
      for (const request of await this.store.keys()) {
        const url = new URL(request.url);
        const sha = url.searchParams.get(SHA_PARAM);
        url.search = '';
        if (!url.href.startsWith(this.base)) continue;
        const file = url.href.slice(this.base.length);
        if (current.get(file) !== sha) await this.store.delete(request.url);
      }
    } catch {
      // Pruning is housekeeping; a failure leaves stale entries, nothing else.
    }
  }
}

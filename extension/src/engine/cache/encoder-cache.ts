import type { ImageFeatures } from '../model/sam-model';
import { LruCache } from './lru-cache';

const MB = 2 ** 20;

/** Default budget for cached encoder outputs: enough for a few hundred slices of a real model. */
export const DEFAULT_ENCODER_CACHE_BYTES = 1024 * MB;

/**
 * The budget in the browser (the viewer's worker, the bench page). The renderer holds OHIF's own
 * volumes and onnxruntime's wasm memory besides, so the cache keeps ~50 slices of SAM 2.1 hiera-t
 * at 512 (about 5 MB of features each): the neighbourhood pre-encoded around the slice in view and
 * the slices a correction's Update redoes near it. A propagation evicts the slices it passed longest
 * ago (LRU); on a 200-slice series the full budget would be ~1 GB. `medsam2.encoderCacheMb` sets it.
 */
export const BROWSER_ENCODER_CACHE_BYTES = 256 * MB;

const featureBytes = (f: ImageFeatures): number =>
  (f.visionFeats.data.length + f.visionPos.data.length + f.highRes0.data.length + f.highRes1.data.length) * 4;

/**
 * Encoder outputs per slice, shared by every object and run of a session. Keys are built by the
 * caller from the model hash, the image identity (volume id or SOPInstanceUID) and the slice's axis
 * and index, so one cache can serve several volumes and models.
 */
export class EncoderCache {
  private readonly lru: LruCache<ImageFeatures>;
  private readonly pending = new Map<string, Promise<ImageFeatures>>();

  constructor(maxBytes = DEFAULT_ENCODER_CACHE_BYTES) {
    this.lru = new LruCache(maxBytes, featureBytes);
  }

  /** The cached features for `key`, computing them once even under concurrent requests. */
  async getOrCompute(key: string, compute: () => Promise<ImageFeatures>): Promise<ImageFeatures> {
    const hit = this.lru.get(key);
    if (hit) return hit;
    const inFlight = this.pending.get(key);
    if (inFlight) return inFlight;
    const promise = compute().then(
      (features) => {
        this.lru.set(key, features);
        this.pending.delete(key);
        return features;
      },
      (error: unknown) => {
        this.pending.delete(key);
        throw error;
      },
    );
    this.pending.set(key, promise);
    return promise;
  }

  /** Whether `key` is cached (computed, not in flight); does not count as a use. */
  has(key: string): boolean {
    return this.lru.has(key);
  }

  /**
   * Whether one more entry of the size of those cached fits without evicting any: work ahead of
   * need (pre-encoding) stops here, so it never pushes out encodings already made.
   */
  hasRoom(): boolean {
    const { entries, bytes, maxBytes } = this.lru.stats();
    return entries === 0 || bytes + bytes / entries <= maxBytes;
  }

  stats() {
    return this.lru.stats();
  }

  clear(): void {
    this.lru.clear();
  }
}

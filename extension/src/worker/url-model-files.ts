/**
 * A model folder served over HTTP as ModelFiles. The manifest is fetched on every load; with a
 * model cache (model-cache.ts: the browser's Cache Storage, keyed by the sha256s the manifest pins)
 * each graph is fetched once and read from disk on later visits. loadModel checks every graph's
 * sha256 against the manifest, so a stale or corrupt file is refused, never run.
 *
 * Bodies are streamed so the download can be reported: bytes received over the folder's total,
 * which is known up front once the manifest is read (the cached graphs' sizes, HEAD requests for
 * the others' Content-Length), and how many of those bytes came from the cache.
 */
import { MANIFEST_FILE } from '../engine/model/manifest';
import type { ModelFiles } from '../engine/model/sam-model';
import { ModelCache, type ModelCacheStore } from './model-cache';
import { DownloadTracker, contentLength, readBody } from './download-tracker';
import type { DownloadProgress } from './protocol';
import { errorText } from '../engine/errors';

export interface UrlModelFilesOptions {
  readonly fetch?: typeof fetch;
  /** Called as bytes arrive (at most about 200 times per file, and once when each file is complete). */
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Where graphs are kept between visits (openModelCache() in a browser); none: always fetched. */
  readonly cache?: ModelCacheStore | null | Promise<ModelCacheStore | null>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function urlModelFiles(folderUrl: string, options: UrlModelFilesOptions = {}): ModelFiles {
  const base = folderUrl.endsWith('/') ? folderUrl : `${folderUrl}/`;
  const fetchImpl = options.fetch ?? fetch;
  const progress = new DownloadTracker(options.onProgress);
  const cache = Promise.resolve(options.cache ?? null).then(
    (store) => (store ? new ModelCache(store, base) : null),
    () => null,
  );
  /** Graph file → the sha256 the manifest pins (known once the manifest is read). */
  const pinned = new Map<string, string>();

  const get = async (url: string, init?: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await fetchImpl(url, init);
    } catch (e) {
      // The caller names the file; the reason is enough here.
      throw new Error(`request failed (${errorText(e)})`);
    }
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    return response;
  };

  /**
   * The graphs' sizes (from the cache, else HEAD requests), so the total is right from the first
   * graph on; the cache drops this folder's entries the manifest no longer pins.
   */
  const announceGraphs = async (manifestBytes: Uint8Array): Promise<void> => {
    let files: string[];
    try {
      const manifest = JSON.parse(new TextDecoder().decode(manifestBytes)) as {
        graphs?: Record<string, { file?: unknown; sha256?: unknown }>;
      };
      const graphs = Object.values(manifest.graphs ?? {});
      files = graphs.map((g) => g.file).filter((f): f is string => typeof f === 'string' && isPlainName(f));
      pinned.clear();
      for (const g of graphs)
        if (typeof g.file === 'string' && isPlainName(g.file) && typeof g.sha256 === 'string')
          if (SHA256_HEX.test(g.sha256)) pinned.set(g.file, g.sha256);
    } catch {
      return; // loadModel reports an unreadable manifest
    }
    const kept = await cache;
    await kept?.prune(pinned);
    await Promise.all(
      files.map(async (file) => {
        const sha = pinned.get(file);
        const cachedSize = kept && sha ? await kept.size(file, sha) : null;
        if (cachedSize !== null) return progress.expect(file, cachedSize);
        try {
          const r = await fetchImpl(new URL(file, base).href, { method: 'HEAD' });
          const size = contentLength(r);
          if (r.ok && size !== null) progress.expect(file, size);
        } catch {
          // Sizes are informative; the GET reports real failures.
        }
      }),
    );
  };

  return {
    origin: base,
    async read(fileName: string): Promise<Uint8Array> {
      // The manifest restricts file names already; this keeps any caller inside the folder too.
      if (!isPlainName(fileName)) throw new Error(`"${fileName}" is not a plain file name inside ${base}`);
      const isManifest = fileName === MANIFEST_FILE;
      const sha = isManifest ? undefined : pinned.get(fileName);
      const kept = sha ? await cache : null;
      if (kept && sha) {
        const hit = await kept.read(fileName, sha);
        if (hit) {
          progress.expect(fileName, hit.byteLength);
          progress.received(fileName, hit.byteLength, true, true);
          return hit;
        }
      }
      const response = await get(new URL(fileName, base).href);
      const bytes = await readBody(response, fileName, progress, !isManifest);
      if (isManifest) {
        await announceGraphs(bytes);
        progress.received(fileName, bytes.byteLength, true);
      }
      if (kept && sha) await kept.write(fileName, sha, bytes);
      return bytes;
    },
  };
}

const isPlainName = (f: string): boolean => !f.includes('/') && !f.includes('\\') && !f.startsWith('.');

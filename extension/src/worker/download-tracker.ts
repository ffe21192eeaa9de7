/**
 * Download progress summed over several files: bytes received over the files' total (known per
 * file from Content-Length or a cache, null while some file's size is unknown), and how many of
 * those bytes came from a cache instead of the network. Bodies are read as streams so a large file
 * reports as it arrives.
 */
import type { DownloadProgress } from './protocol';

export function contentLength(r: Response): number | null {
  // A compressed body's length is not the length of what the reader sees.
  if (r.headers.get('content-encoding')) return null;
  const n = Number(r.headers.get('content-length') ?? NaN);
  return Number.isFinite(n) && n >= 0 ? n : null;
}

export async function readBody(
  response: Response,
  file: string,
  progress: DownloadTracker,
  reportEnd: boolean,
): Promise<Uint8Array> {
  progress.expect(file, contentLength(response));
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (reportEnd) progress.received(file, bytes.byteLength, true);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.byteLength;
    progress.received(file, received, false);
  }
  if (reportEnd) progress.received(file, received, true);
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

/** Sums bytes over the folder's files; reports sparingly (every 0.5 % of a file, and at its end). */
export class DownloadTracker {
  private readonly sizes = new Map<string, number | null>();
  private readonly got = new Map<string, number>();
  private readonly lastReported = new Map<string, number>();
  private readonly fromCache = new Set<string>();

  constructor(private readonly onProgress?: (p: DownloadProgress) => void) {}

  expect(file: string, size: number | null): void {
    if (size !== null || !this.sizes.has(file)) this.sizes.set(file, size);
  }

  received(file: string, bytes: number, complete: boolean, cached = false): void {
    if (!this.onProgress) return;
    this.got.set(file, bytes);
    if (cached) this.fromCache.add(file);
    if (complete && this.sizes.get(file) === null) this.sizes.set(file, bytes);
    const size = this.sizes.get(file) ?? null;
    const step = Math.max(64 * 1024, (size ?? 0) / 200);
    if (!complete && bytes - (this.lastReported.get(file) ?? 0) < step) return;
    this.lastReported.set(file, bytes);
    let loaded = 0;
    for (const n of this.got.values()) loaded += n;
    let total: number | null = 0;
    for (const [f, n] of this.sizes)
      total = n === null || total === null ? null : total + Math.max(n, this.got.get(f) ?? 0);
    let cachedBytes = 0;
    for (const f of this.fromCache) cachedBytes += this.got.get(f) ?? 0;
    this.onProgress({ loaded, total, ...(this.fromCache.size > 0 ? { cached: cachedBytes } : {}) });
  }
}

/** One of the downloads a DownloadSum adds up. */
export interface DownloadPart {
  readonly report: (p: DownloadProgress) => void;
  /** The part has nothing more to download; one that never reported counts as 0 of 0 bytes. */
  done(): void;
}

/**
 * Several downloads reported as one (the runtime's binary and the model's files at start-up):
 * loaded, total and cached bytes are the parts' sums; the total stays unknown (null) while a part
 * that is still under way has not said its size.
 */
export class DownloadSum {
  private readonly parts: { progress: DownloadProgress | null; done: boolean }[] = [];

  constructor(private readonly onProgress: (p: DownloadProgress) => void) {}

  part(): DownloadPart {
    const entry: { progress: DownloadProgress | null; done: boolean } = { progress: null, done: false };
    this.parts.push(entry);
    return {
      report: (p) => {
        entry.progress = p;
        this.report();
      },
      done: () => {
        entry.done = true;
      },
    };
  }

  private report(): void {
    let loaded = 0;
    let total: number | null = 0;
    let cached: number | undefined;
    for (const { progress: p, done } of this.parts) {
      if (!p) {
        if (!done) total = null;
        continue;
      }
      loaded += p.loaded;
      total = p.total === null || total === null ? null : total + p.total;
      if (p.cached !== undefined) cached = (cached ?? 0) + p.cached;
    }
    this.onProgress({ loaded, total, ...(cached === undefined ? {} : { cached }) });
  }
}

/**
 * Stand-ins for the browser's side of a download, for Node tests: a folder served over real HTTP
 * (Content-Length, HEAD, 404s; every request recorded) and Cache Storage's Cache in memory (Cache
 * Storage exists only in browsers; the bench page's Chromium run uses the real one).
 */
import { readFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { ModelCacheStore } from '../../extension/src/worker/model-cache';

/** Cache Storage's Cache, in memory: bodies kept as bytes, a fresh Response per match. */
export class MemoryStore implements ModelCacheStore {
  readonly entries = new Map<string, Uint8Array>();
  refusePut = false;

  async match(request: string): Promise<Response | undefined> {
    const bytes = this.entries.get(request);
    if (!bytes) return undefined;
    return new Response(bytes.slice(), { headers: { 'content-length': String(bytes.byteLength) } });
  }
  async put(request: string, response: Response): Promise<void> {
    if (this.refusePut) throw new DOMException('quota exceeded', 'QuotaExceededError');
    this.entries.set(request, new Uint8Array(await response.arrayBuffer()));
  }
  async delete(request: string): Promise<boolean> {
    return this.entries.delete(request);
  }
  async keys(): Promise<{ url: string }[]> {
    return [...this.entries.keys()].map((url) => ({ url }));
  }
}

/** Serves `dir` at /model/ with Content-Length; records every request. */
export async function serveFolder(dir: string): Promise<{ server: Server; url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    let body: Buffer;
    try {
      body = readFileSync(path.join(dir, path.basename(req.url ?? '')));
    } catch {
      return void res.writeHead(404).end();
    }
    res.writeHead(200, { 'Content-Length': body.byteLength });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/model/`, requests };
}

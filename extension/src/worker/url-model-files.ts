/**
 * A model folder served over HTTP as ModelFiles. The browser's HTTP cache keeps the files between
 * visits (served with validators); loadModel checks every graph's sha256 against the manifest, so a
 * stale or corrupt cached file is refused, never run.
 */
import type { ModelFiles } from '../engine/model/sam-model';

export function urlModelFiles(folderUrl: string, fetchImpl: typeof fetch = fetch): ModelFiles {
  const base = folderUrl.endsWith('/') ? folderUrl : `${folderUrl}/`;
  return {
    origin: base,
    async read(fileName: string): Promise<Uint8Array> {
      // The manifest restricts file names already; this keeps any caller inside the folder too.
      if (fileName.includes('/') || fileName.includes('\\') || fileName.startsWith('.')) {
        throw new Error(`"${fileName}" is not a plain file name inside ${base}`);
      }
      const url = new URL(fileName, base).href;
      let response: Response;
      try {
        response = await fetchImpl(url);
      } catch (e) {
        throw new Error(`${url}: request failed (${e instanceof Error ? e.message : String(e)})`);
      }
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`.trim());
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

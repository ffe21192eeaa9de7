/** A model folder on disk as ModelFiles (Node only). */
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ModelFiles } from '../engine/model/sam-model';

export function directoryModelFiles(dir: string): ModelFiles {
  const origin = resolve(dir);
  return {
    origin,
    async read(fileName: string): Promise<Uint8Array> {
      // The manifest already restricts file names; this keeps any caller inside the folder too.
      if (basename(fileName) !== fileName || fileName.startsWith('.')) {
        throw new Error(`"${fileName}" is not a plain file name inside ${origin}`);
      }
      const buffer = await readFile(resolve(origin, fileName));
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    },
  };
}

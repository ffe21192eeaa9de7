/** Node: the first bytes of a file, read without reading the rest (a format is told by its head). */
import { open } from 'node:fs/promises';

/** Up to `length` bytes from the start of `path` (fewer when the file is shorter). */
export async function readFileHead(path: string, length: number): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const head = new Uint8Array(length);
    const { bytesRead } = await file.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/**
 * Node-only: the DICOM Part-10 files of a directory (recursively), as the DICOM layer's
 * { name, bytes } inputs. Files without the "DICM" marker and DICOMDIR index files are skipped
 * and reported, so a folder exported from a PACS or a CD can be given as is.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { NamedBytes } from '../dicom/from-part10';
import { InputError } from '../engine/errors';
import { readFileHead } from './file-head';

export interface DicomDirectory {
  readonly files: NamedBytes[];
  /** Paths (relative to the directory) that were not DICOM Part-10 image files, with the reason. */
  readonly skipped: { path: string; reason: string }[];
}

const DICOMDIR_CLASS = '1.2.840.10008.1.3.10';

/** A DICOMDIR index: its Media Storage SOP Class UID is in the first few hundred bytes of the meta group. */
export const isDicomDirIndex = (buf: Uint8Array): boolean =>
  Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.length, 512))
    .toString('latin1', 132)
    .includes(DICOMDIR_CLASS);

async function walk(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return walk(full);
      return Promise.resolve(e.isFile() ? [full] : []);
    }),
  );
  return nested.flat().sort();
}

const cannotRead =
  (file: string) =>
  (e: NodeJS.ErrnoException): never => {
    throw new InputError('invalid-file', `cannot read DICOM file ${file}: ${e.code ?? e.message}`);
  };

/** Read every DICOM Part-10 file under `dir`; names are paths relative to `dir`. */
export async function readDicomDirectory(dir: string): Promise<DicomDirectory> {
  const files: NamedBytes[] = [];
  const skipped: { path: string; reason: string }[] = [];
  for (const full of await walk(dir)) {
    const name = path.relative(dir, full);
    // The head tells what a file is: one that is no DICOM image (a video, an archive) is never read whole.
    const head = await readFileHead(full, 132 + 512).catch(cannotRead(full));
    if (head.length < 132 || Buffer.from(head).toString('latin1', 128, 132) !== 'DICM') {
      skipped.push({ path: name, reason: 'no DICM marker (not a Part-10 file)' });
      continue;
    }
    if (isDicomDirIndex(head)) {
      skipped.push({ path: name, reason: 'DICOMDIR index' });
      continue;
    }
    const buf = await fs.readFile(full).catch(cannotRead(full));
    files.push({
      name,
      bytes: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    });
  }
  return { files, skipped };
}

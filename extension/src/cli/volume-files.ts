/**
 * Node: the CLI's volume inputs — NIfTI files (gzip-compressed or not) and folders of DICOM
 * files — read into the engine's and the DICOM layer's types, with errors naming the path.
 */
import { readFile, stat } from 'node:fs/promises';
import { constants as zlibConstants, createGunzip } from 'node:zlib';
import { type DicomVolume, DicomError, volumeFromPart10 } from '../dicom';
import { InputError } from '../engine/errors';
import { isGzip, isNifti, niftiDeclared, parseNifti, type ParsedNifti } from '../io/nifti';
import { readDicomDirectory } from '../node/dicom-files';
import { readFileHead } from '../node/file-head';

/** Largest input inflated from a gzip file that is not a NIfTI file (a NIfTI file's header bounds its own). */
export const MAX_INFLATED_BYTES = 256 * 2 ** 20;

/** Bytes a file's first bytes are read as, to tell its format (every header read here fits). */
export const HEAD_BYTES = 540;

/**
 * The first `max` bytes `gzip` inflates to (fewer when it holds fewer), and whether it holds more:
 * inflation stops there, so a small file inflating to gigabytes costs no more than `max`.
 * `truncatedOk`: a gzip stream cut short (the head of a file) gives what it holds.
 */
function gunzipAtMost(
  gzip: Uint8Array,
  max: number,
  truncatedOk = false,
): Promise<{ bytes: Uint8Array; more: boolean }> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip(truncatedOk ? { finishFlush: zlibConstants.Z_SYNC_FLUSH } : {});
    const chunks: Buffer[] = [];
    let length = 0;
    let settled = false;
    const finish = (more: boolean) => {
      if (settled) return;
      settled = true;
      const all = Buffer.concat(chunks, Math.min(length, max));
      resolve({ bytes: new Uint8Array(all.buffer, all.byteOffset, all.byteLength), more });
    };
    gunzip.on('data', (chunk: Buffer) => {
      if (settled) return;
      chunks.push(chunk);
      length += chunk.length;
      if (length > max) {
        finish(true);
        gunzip.destroy();
      }
    });
    gunzip.on('end', () => finish(false));
    gunzip.on('error', (e) => {
      if (settled) return;
      settled = true;
      reject(e);
    });
    gunzip.end(gzip);
  });
}

/**
 * A gzip file inflated, never past what its content can need: a NIfTI file up to the end of the
 * voxel data its header declares (what follows is ignored; a header declaring more than is read
 * here is refused before inflating), anything else up to MAX_INFLATED_BYTES.
 */
async function inflate(raw: Uint8Array, path: string, what: string): Promise<Uint8Array> {
  const fail = (why: string) => new InputError('invalid-file', `${what} ${path}: ${why}`);
  try {
    const { bytes: head } = await gunzipAtMost(raw, HEAD_BYTES, true);
    const niftiEnd = isNifti(head) ? niftiDeclared(head, path).dataEnd : undefined;
    const { bytes, more } = await gunzipAtMost(raw, niftiEnd ?? MAX_INFLATED_BYTES);
    if (more && niftiEnd === undefined)
      throw fail(
        `inflates to more than ${MAX_INFLATED_BYTES / 2 ** 20} MiB, which no input read here needs (a gzip bomb?)`,
      );
    return bytes;
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw fail(`not a readable gzip file (${(e as Error).message})`);
  }
}

/** A file's bytes, inflated when gzip-compressed (bounded: see `inflate`). */
export async function readInput(path: string, what: string): Promise<Uint8Array> {
  let raw: Buffer;
  try {
    raw = await readFile(path);
  } catch (e) {
    throw new InputError(
      'invalid-file',
      `cannot read ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  return isGzip(bytes) ? inflate(bytes, path, what) : bytes;
}

/**
 * The first HEAD_BYTES bytes of a file's content (inflated when gzip-compressed), read without
 * reading the rest: enough to tell its format. An unreadable file or gzip stream gives what could be read.
 */
export async function readHead(path: string): Promise<Uint8Array> {
  // 64 KiB of gzip inflate to at least the header of anything read here.
  const head = await readFileHead(path, 64 * 1024);
  if (!isGzip(head)) return head.slice(0, HEAD_BYTES);
  return (await gunzipAtMost(head, HEAD_BYTES, true).catch(() => ({ bytes: new Uint8Array() }))).bytes;
}

export const readNifti = async (path: string, what: string): Promise<ParsedNifti> =>
  parseNifti(await readInput(path, what), path);

/** A DICOM Part-10 file: "DICM" after the 128-byte preamble. */
export const isPart10 = (bytes: Uint8Array): boolean =>
  bytes.length >= 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM';

/** The one series in a folder of DICOM files (sorted along the slice normal). */
export async function readDicomSeries(dir: string): Promise<DicomVolume> {
  const { files, skipped } = await readDicomDirectory(dir);
  if (files.length === 0)
    throw new DicomError(
      'empty-series',
      `${dir}: no DICOM Part-10 files in the folder` +
        (skipped.length
          ? ` (${skipped.length} other file(s), e.g. ${skipped[0].path}: ${skipped[0].reason})`
          : ''),
    );
  return volumeFromPart10(files);
}

export type ImageInput =
  | { readonly kind: 'nifti'; readonly nifti: ParsedNifti }
  | { readonly kind: 'dicom'; readonly volume: DicomVolume };

/** A folder is read as a DICOM series, anything else as a NIfTI file. */
export async function readImage(path: string): Promise<ImageInput> {
  const isDir = await stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return isDir
    ? { kind: 'dicom', volume: await readDicomSeries(path) }
    : { kind: 'nifti', nifti: await readNifti(path, 'image') };
}

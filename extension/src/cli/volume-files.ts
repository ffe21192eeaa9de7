/**
 * Node: the CLI's volume inputs — NIfTI files (gzip-compressed or not) and folders of DICOM
 * files — read into the engine's and the DICOM layer's types, with errors naming the path.
 */
import { readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { type DicomVolume, DicomError, volumeFromPart10 } from '../dicom';
import { InputError } from '../engine/errors';
import { isGzip, parseNifti, type ParsedNifti } from '../io/nifti';
import { readDicomDirectory } from '../node/dicom-files';

/** A file's bytes, inflated when gzip-compressed. */
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
  const bytes = isGzip(raw) ? gunzipSync(raw) : raw;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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

/**
 * Node: the 2D image inputs of `one-prompt` — DICOM (every frame an image), PNG, JPEG and 2D NIfTI
 * files, told apart by their content, not their names. Folders are walked recursively in name
 * order; a file in a folder that is none of these is skipped and reported, a file named on the
 * command line must be readable. Every error names the file.
 */
import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { imagesFromPart10, type DicomImage, type NamedBytes } from '../dicom';
import { InputError } from '../engine/errors';
import type { Modality, SliceImage } from '../engine/types';
import { isNifti, niftiDeclared, parseNifti } from '../io/nifti';
import { isDicomDirIndex } from '../node/dicom-files';
import { decodeJpeg, decodePng, isJpeg, isPng } from '../node/raster';
import { isPart10, readHead, readInput } from './volume-files';

export interface InputImage {
  readonly image: SliceImage;
  readonly modality: Modality;
  /** The file as given (or found under a folder given). */
  readonly file: string;
  /** Names the image in messages: the file, plus "frame n" for a frame of a multi-frame DICOM file. */
  readonly source: string;
  /** DICOM inputs: the image's instance and frame, and the file's bytes (for the SEG of its series). */
  readonly dicom?: { readonly image: DicomImage; readonly file: NamedBytes };
}

/** What a file holds, by its first bytes; null when it is none of the formats read here. */
export function imageFormat(bytes: Uint8Array): 'dicom' | 'png' | 'jpeg' | 'nifti' | null {
  if (isPart10(bytes)) return 'dicom';
  if (isPng(bytes)) return 'png';
  if (isJpeg(bytes)) return 'jpeg';
  if (isNifti(bytes)) return 'nifti';
  return null;
}

/** The images of one file (a multi-frame DICOM file gives several). */
export async function readImageFile(file: string): Promise<InputImage[]> {
  const bytes = await readInput(file, 'image');
  const format = imageFormat(bytes);
  const one = (image: SliceImage, modality: Modality): InputImage[] => [
    { image, modality, file, source: file },
  ];
  switch (format) {
    case 'png':
      return one(decodePng(bytes, file), 'OTHER');
    case 'jpeg':
      return one(decodeJpeg(bytes, file), 'OTHER');
    case 'nifti': {
      // Refused by its header: a volume given as an image is never decoded.
      const { dims } = niftiDeclared(bytes, file);
      if (dims[2] !== 1)
        throw new InputError(
          'invalid-file',
          `${file}: a ${dims.join('×')} NIfTI volume is not a 2D image (use medsam2 propagate for volumes)`,
        );
      const { volume } = parseNifti(bytes, file);
      return one({ data: volume.data, width: volume.dims[0], height: volume.dims[1] }, volume.modality);
    }
    case 'dicom': {
      const named: NamedBytes = {
        name: file,
        bytes: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      };
      return imagesFromPart10(named).map((d) => ({
        image: d.image,
        modality: d.modality,
        file,
        source: d.source,
        dicom: { image: d, file: named },
      }));
    }
    default:
      throw new InputError('invalid-file', `${file}: not a DICOM, PNG, JPEG or NIfTI file`);
  }
}

/**
 * Files under `dir`, in name order, and what is not walked: a link to a file is read as the file,
 * a link to a folder is not followed (it may lead back up) and, like a broken link, is skipped.
 */
async function walk(dir: string): Promise<{ files: string[]; skipped: string[] }> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(async (e) => {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) return walk(full);
        if (e.isFile()) return { files: [full], skipped: [] };
        if (!e.isSymbolicLink()) return { files: [], skipped: [] };
        const target = await stat(full).catch(() => null);
        return target?.isFile() ? { files: [full], skipped: [] } : { files: [], skipped: [full] };
      }),
  );
  return { files: nested.flatMap((n) => n.files), skipped: nested.flatMap((n) => n.skipped) };
}

/**
 * The image files named by `args` (files, and folders walked recursively), in the order given.
 * Files found in folders whose content is no image format, and links not followed, are returned in
 * `skipped`.
 */
export async function listImageFiles(
  args: readonly string[],
): Promise<{ files: string[]; skipped: string[] }> {
  const files: string[] = [];
  const skipped: string[] = [];
  for (const arg of args) {
    const info = await stat(arg).catch((e: NodeJS.ErrnoException) => {
      throw new InputError('invalid-file', `cannot read image ${arg}: ${e.code ?? e.message}`);
    });
    if (!info.isDirectory()) {
      files.push(arg);
      continue;
    }
    const found = await walk(arg);
    skipped.push(...found.skipped);
    for (const file of found.files) {
      // The head tells the format: a large or compressed file that is no image is never read whole.
      const head = await readHead(file).catch((e: NodeJS.ErrnoException) => {
        throw new InputError('invalid-file', `cannot read image ${file}: ${e.code ?? e.message}`);
      });
      if (imageFormat(head) && !(isPart10(head) && isDicomDirIndex(head))) files.push(file);
      else skipped.push(file);
    }
  }
  return { files, skipped };
}

/**
 * NIfTI-1 / NIfTI-2 single-file (.nii) reader, on already-decompressed bytes (no Node
 * imports: `isGzip` tells the caller to inflate first; the CLI uses Node zlib, a browser
 * DecompressionStream).
 *
 * Reads: both byte orders; datatypes uint8, int8, int16, uint16, int32, uint32, float32, float64
 * (converted to float32); scl_slope/scl_inter; 3D volumes (a 4D+ file whose extra dims are 1, and 1D/2D
 * files as one-slice volumes); geometry from the sform, else the qform, else pixdim. Spatial units
 * (xyzt_units) are converted to mm in the returned Volume.
 * The header is read and checked in nifti-read-header.ts, voxels decoded in nifti-voxels.ts; writing
 * is nifti-write.ts.
 */
import { InputError } from '../engine/errors';
import type { Modality, Volume } from '../engine/types';
import { MAX_VOXELS } from '../dicom/volume';
import { NIFTI1, NIFTI2, type NiftiHeader } from './nifti-header';
import { readNiftiHeader, volumeDims } from './nifti-read-header';
import { datatypeInfo, decodeVoxels, type DatatypeInfo } from './nifti-voxels';

export interface ParsedNifti {
  volume: Volume;
  header: NiftiHeader;
}

/** gzip magic 1f 8b: a .nii.gz the caller must inflate before `parseNifti`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** NIfTI-1 / NIfTI-2: sizeof_hdr (348 / 540) in the first 4 bytes, in either byte order. */
export function isNifti(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return [true, false].some((le) => [NIFTI1.sizeofHdr, NIFTI2.sizeofHdr].includes(view.getInt32(0, le)));
}

interface DataLayout {
  readonly header: NiftiHeader;
  readonly littleEndian: boolean;
  readonly dims: [number, number, number];
  readonly type: DatatypeInfo;
  /** Byte offset of the voxels (vox_offset) and their count. */
  readonly offset: number;
  readonly count: number;
}

/** The header read and checked: dims, datatype, vox_offset and a volume size read here. */
function dataLayout(bytes: Uint8Array, name: string): DataLayout {
  const fail = (msg: string): InputError => new InputError('invalid-file', `${name}: ${msg}`);
  if (isGzip(bytes)) throw fail('the file is gzip-compressed; decompress it before parsing');
  if (bytes.length < 4) throw fail(`${bytes.length} bytes is too short for a NIfTI header`);
  const { header, layout, littleEndian } = readNiftiHeader(bytes, fail);

  const dims = volumeDims(header.dim, fail);
  const type = datatypeInfo(header.datatype, fail);
  const offset = Math.floor(header.voxOffset);
  if (!(offset >= layout.sizeofHdr)) {
    throw fail(`vox_offset ${header.voxOffset} points inside the ${layout.sizeofHdr}-byte header`);
  }
  const count = dims[0] * dims[1] * dims[2];
  if (count > MAX_VOXELS)
    throw fail(`dim = ${dims.join('×')} is ${count} voxels, more than the ${MAX_VOXELS} read here`);
  return { header, littleEndian, dims, type, offset, count };
}

/**
 * What a NIfTI header declares, from the header alone (the first 540 bytes are enough): the
 * volume's dims, and where its voxel data ends (vox_offset + voxels × bytes: what a compressed
 * file may inflate to before the rest is ignored). Throws what parseNifti would for a header it
 * refuses, so a caller can refuse a file by its header before reading or decoding its voxels.
 */
export function niftiDeclared(
  header: Uint8Array,
  name: string,
): { dims: [number, number, number]; dataEnd: number } {
  const { dims, offset, count, type } = dataLayout(header, name);
  return { dims, dataEnd: offset + count * type.bytes };
}

export function parseNifti(
  bytes: Uint8Array,
  name: string,
  options: { modality?: Modality } = {},
): ParsedNifti {
  const fail = (msg: string): InputError => new InputError('invalid-file', `${name}: ${msg}`);
  const { header, littleEndian, dims, type, offset, count } = dataLayout(bytes, name);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const expected = count * type.bytes;
  const got = Math.max(0, bytes.length - offset);
  if (got < expected) {
    throw fail(`truncated data: expected ${expected} bytes after vox_offset ${offset}, got ${got}`);
  }
  const data = decodeVoxels(bytes, view, offset, count, type, littleEndian, header.sclSlope, header.sclInter);

  const unit = spatialUnitToMm(header.xyztUnits);
  const spacing = [1, 2, 3].map((i) => {
    const v = Math.abs(header.pixdim[i]);
    return (v > 0 && Number.isFinite(v) ? v : 1) * unit;
  }) as [number, number, number];
  const affine = header.affine.map((v, i) => (i < 12 ? v * unit : v));
  const volume: Volume = { data, dims, spacing, affine, modality: options.modality ?? 'OTHER' };
  return { volume, header };
}

/** xyzt_units & 7: 1 metre, 2 mm, 3 micron; 0 (unknown) is read as mm. */
function spatialUnitToMm(xyztUnits: number): number {
  switch (xyztUnits & 7) {
    case 1:
      return 1000;
    case 3:
      return 0.001;
    default:
      return 1;
  }
}

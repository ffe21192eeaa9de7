/**
 * NIfTI-1 / NIfTI-2 single-file (.nii) reader and writer, on already-decompressed bytes (no Node
 * imports: `isGzip` tells the caller to inflate first; the CLI uses Node zlib, a browser
 * DecompressionStream).
 *
 * Reads: both byte orders; datatypes uint8, int8, int16, uint16, int32, uint32, float32, float64
 * (converted to float32); scl_slope/scl_inter; 3D volumes (a 4D+ file whose extra dims are 1, and 1D/2D
 * files as one-slice volumes); geometry from the sform, else the qform, else pixdim. Spatial units
 * (xyzt_units) are converted to mm in the returned Volume.
 * Writes: little-endian files of the same NIfTI version as the header they copy geometry from.
 */
import { InputError } from '../engine/errors';
import type { Modality, Volume } from '../engine/types';
import { MAX_VOXELS } from '../dicom/volume';
import { affineFromPixdim, affineFromQform, affineFromSform, qformFromAffine } from './nifti-affine';
import {
  NIFTI1,
  NIFTI2,
  readField,
  readString,
  writeField,
  writeString,
  type HeaderLayout,
  type NumericFieldName,
} from './nifti-header';

export interface NiftiHeader {
  version: 1 | 2;
  littleEndian: boolean;
  /** dim[0] = number of dimensions, dim[1..7] sizes (8 entries). */
  dim: number[];
  datatype: number;
  bitpix: number;
  /** pixdim[0] = qfac, pixdim[1..3] voxel sizes in `xyztUnits` (8 entries). */
  pixdim: number[];
  voxOffset: number;
  sclSlope: number;
  sclInter: number;
  intentCode: number;
  intentP: number[];
  intentName: string;
  calMin: number;
  calMax: number;
  dimInfo: number;
  sliceStart: number;
  sliceEnd: number;
  sliceCode: number;
  sliceDuration: number;
  toffset: number;
  xyztUnits: number;
  qformCode: number;
  sformCode: number;
  /** quatern_b, quatern_c, quatern_d */
  quatern: number[];
  qoffset: number[];
  srowX: number[];
  srowY: number[];
  srowZ: number[];
  descrip: string;
  auxFile: string;
  /** Voxel → world (RAS+, in `xyztUnits`), row-major 4×4, from `affineSource`. */
  affine: number[];
  affineSource: 'sform' | 'qform' | 'pixdim';
}

export interface ParsedNifti {
  volume: Volume;
  header: NiftiHeader;
}

export const NIFTI_TYPE = {
  UINT8: 2,
  INT16: 4,
  INT32: 8,
  FLOAT32: 16,
  FLOAT64: 64,
  INT8: 256,
  UINT16: 512,
  UINT32: 768,
} as const;

/** NIFTI_INTENT_LABEL: voxel values are labels (what a segmentation mask is). */
export const NIFTI_INTENT_LABEL = 1002;

interface DatatypeInfo {
  name: string;
  bytes: number;
  view: (buffer: ArrayBuffer) => ArrayLike<number>;
  get: (v: DataView, at: number, le: boolean) => number;
}

const DATATYPES: Record<number, DatatypeInfo> = {
  2: { name: 'uint8', bytes: 1, view: (b) => new Uint8Array(b), get: (v, at) => v.getUint8(at) },
  4: { name: 'int16', bytes: 2, view: (b) => new Int16Array(b), get: (v, at, le) => v.getInt16(at, le) },
  8: { name: 'int32', bytes: 4, view: (b) => new Int32Array(b), get: (v, at, le) => v.getInt32(at, le) },
  16: {
    name: 'float32',
    bytes: 4,
    view: (b) => new Float32Array(b),
    get: (v, at, le) => v.getFloat32(at, le),
  },
  64: {
    name: 'float64',
    bytes: 8,
    view: (b) => new Float64Array(b),
    get: (v, at, le) => v.getFloat64(at, le),
  },
  256: { name: 'int8', bytes: 1, view: (b) => new Int8Array(b), get: (v, at) => v.getInt8(at) },
  512: { name: 'uint16', bytes: 2, view: (b) => new Uint16Array(b), get: (v, at, le) => v.getUint16(at, le) },
  768: { name: 'uint32', bytes: 4, view: (b) => new Uint32Array(b), get: (v, at, le) => v.getUint32(at, le) },
};

const UNSUPPORTED_NAMES: Record<number, string> = {
  1: 'binary',
  32: 'complex64',
  128: 'rgb24',
  1024: 'int64',
  1280: 'uint64',
  1536: 'float128',
  1792: 'complex128',
  2048: 'complex256',
  2304: 'rgba32',
};

const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { layout, littleEndian } = detectLayout(view, fail);
  if (bytes.length < layout.sizeofHdr) {
    throw fail(`truncated header: expected ${layout.sizeofHdr} bytes, got ${bytes.length}`);
  }
  checkMagic(bytes, layout, fail);
  const header = readHeader(bytes, view, layout, littleEndian);

  const dims = volumeDims(header.dim, fail);
  const type = DATATYPES[header.datatype];
  if (!type) {
    const known = UNSUPPORTED_NAMES[header.datatype];
    throw fail(
      `unsupported datatype ${header.datatype}${known ? ` (${known})` : ''}; supported: ${Object.values(
        DATATYPES,
      )
        .map((d) => d.name)
        .join(', ')}`,
    );
  }
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
  const data = decode(bytes, view, offset, count, type, littleEndian, header.sclSlope, header.sclInter);

  const unit = spatialUnitToMm(header.xyztUnits);
  const spacing = [1, 2, 3].map((i) => {
    const v = Math.abs(header.pixdim[i]);
    return (v > 0 && Number.isFinite(v) ? v : 1) * unit;
  }) as [number, number, number];
  const affine = header.affine.map((v, i) => (i < 12 ? v * unit : v));
  const volume: Volume = { data, dims, spacing, affine, modality: options.modality ?? 'OTHER' };
  return { volume, header };
}

function detectLayout(
  view: DataView,
  fail: (msg: string) => InputError,
): { layout: HeaderLayout; littleEndian: boolean } {
  for (const layout of [NIFTI1, NIFTI2]) {
    if (view.getInt32(0, true) === layout.sizeofHdr) return { layout, littleEndian: true };
    if (view.getInt32(0, false) === layout.sizeofHdr) return { layout, littleEndian: false };
  }
  throw fail(
    `sizeof_hdr is ${view.getInt32(0, true)}, expected 348 (NIfTI-1) or 540 (NIfTI-2) in either byte order`,
  );
}

function checkMagic(bytes: Uint8Array, layout: HeaderLayout, fail: (msg: string) => InputError): void {
  const { offset, bytes: want } = layout.magic;
  const found = Array.from(bytes.subarray(offset, offset + want.length));
  if (found.every((b, i) => b === want[i])) return;
  const text = found
    .slice(0, 3)
    .map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
    .join('');
  if (text === `ni${layout.version}`) {
    throw fail(
      `magic 'ni${layout.version}' marks a separate .hdr/.img pair, which is not supported; convert it to a single .nii`,
    );
  }
  throw fail(
    `bad magic '${text}' at byte ${offset}, expected 'n+${layout.version}' (NIfTI-${layout.version})`,
  );
}

function readHeader(bytes: Uint8Array, view: DataView, layout: HeaderLayout, le: boolean): NiftiHeader {
  const get = (n: NumericFieldName) => readField(view, layout.fields[n], le);
  const one = (n: NumericFieldName) => get(n)[0];
  const h = {
    version: layout.version,
    littleEndian: le,
    dim: get('dim'),
    datatype: one('datatype'),
    bitpix: one('bitpix'),
    pixdim: get('pixdim'),
    voxOffset: one('voxOffset'),
    sclSlope: one('sclSlope'),
    sclInter: one('sclInter'),
    intentCode: one('intentCode'),
    intentP: get('intentP'),
    intentName: readString(bytes, layout.strings.intentName),
    calMin: one('calMin'),
    calMax: one('calMax'),
    dimInfo: one('dimInfo'),
    sliceStart: one('sliceStart'),
    sliceEnd: one('sliceEnd'),
    sliceCode: one('sliceCode'),
    sliceDuration: one('sliceDuration'),
    toffset: one('toffset'),
    xyztUnits: one('xyztUnits'),
    qformCode: one('qformCode'),
    sformCode: one('sformCode'),
    quatern: get('quatern'),
    qoffset: get('qoffset'),
    srowX: get('srowX'),
    srowY: get('srowY'),
    srowZ: get('srowZ'),
    descrip: readString(bytes, layout.strings.descrip),
    auxFile: readString(bytes, layout.strings.auxFile),
  };
  const geometry = chooseAffine(h);
  return { ...h, ...geometry };
}

function chooseAffine(
  h: Pick<
    NiftiHeader,
    'sformCode' | 'qformCode' | 'srowX' | 'srowY' | 'srowZ' | 'quatern' | 'qoffset' | 'pixdim'
  >,
): Pick<NiftiHeader, 'affine' | 'affineSource'> {
  if (h.sformCode > 0) return { affine: affineFromSform(h.srowX, h.srowY, h.srowZ), affineSource: 'sform' };
  if (h.qformCode > 0)
    return { affine: affineFromQform(h.quatern, h.qoffset, h.pixdim), affineSource: 'qform' };
  return { affine: affineFromPixdim(h.pixdim), affineSource: 'pixdim' };
}

function volumeDims(dim: number[], fail: (msg: string) => InputError): [number, number, number] {
  const n = dim[0];
  const shown = `dim = [${dim.slice(0, Math.max(1, Math.min(n, 7) + 1)).join(', ')}]`;
  if (!(n >= 1 && n <= 7)) throw fail(`${shown}: dim[0] must be 1..7`);
  for (let i = 1; i <= n; i++) {
    if (!(dim[i] >= 1)) throw fail(`${shown}: dim[${i}] = ${dim[i]} must be ≥ 1`);
  }
  for (let i = 4; i <= n; i++) {
    if (dim[i] !== 1)
      throw fail(`${shown}: only 3D volumes are supported, dimension ${i} has size ${dim[i]}`);
  }
  return [dim[1], n >= 2 ? dim[2] : 1, n >= 3 ? dim[3] : 1];
}

function decode(
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  count: number,
  type: DatatypeInfo,
  le: boolean,
  slope: number,
  inter: number,
): Float32Array {
  // nifti1.h: scaling applies when scl_slope ≠ 0 (NaN/inf count as "no scaling", as in nibabel).
  const scaled =
    slope !== 0 && Number.isFinite(slope) && !(slope === 1 && (inter === 0 || !Number.isFinite(inter)));
  const a = scaled ? slope : 1;
  const b = scaled && Number.isFinite(inter) ? inter : 0;
  const out = new Float32Array(count);
  if (le === PLATFORM_LITTLE_ENDIAN || type.bytes === 1) {
    // Copy to an aligned buffer and view it with the native typed array.
    const raw = type.view(bytes.slice(offset, offset + count * type.bytes).buffer);
    for (let i = 0; i < count; i++) out[i] = raw[i] * a + b;
  } else {
    for (let i = 0; i < count; i++) out[i] = type.get(view, offset + i * type.bytes, le) * a + b;
  }
  return out;
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

export interface WriteOptions {
  /** Free text for the header's `descrip` (ASCII, ≤ 79 characters). */
  description?: string;
}

/**
 * A uint8 label volume (NIFTI_INTENT_LABEL) with `like`'s dims, voxel sizes, units and qform/sform, so it
 * overlays the source image in any NIfTI viewer.
 */
export function writeNiftiMask(mask: Uint8Array, like: NiftiHeader, options: WriteOptions = {}): Uint8Array {
  let max = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] > max) max = mask[i];
  return writeNifti(mask, NIFTI_TYPE.UINT8, like, {
    intentCode: NIFTI_INTENT_LABEL,
    calMin: 0,
    calMax: max,
    description: options.description ?? 'MedSAM-2 segmentation',
  });
}

/** A float32 volume (e.g. probabilities) with `like`'s geometry. */
export function writeNiftiFloat(
  data: Float32Array,
  like: NiftiHeader,
  options: WriteOptions = {},
): Uint8Array {
  return writeNifti(data, NIFTI_TYPE.FLOAT32, like, {
    intentCode: 0,
    calMin: 0,
    calMax: 0,
    description: options.description ?? 'MedSAM-2',
  });
}

function writeNifti(
  data: Uint8Array | Float32Array,
  datatype: 2 | 16,
  like: NiftiHeader,
  extra: { intentCode: number; calMin: number; calMax: number; description: string },
): Uint8Array {
  const dims = volumeDims(
    like.dim,
    (msg) => new InputError('invalid-volume', `NIfTI template header: ${msg}`),
  );
  const count = dims[0] * dims[1] * dims[2];
  if (data.length !== count) {
    throw new InputError(
      'invalid-volume',
      `NIfTI write: ${data.length} values do not fill the ${dims.join('×')} volume of the template header (${count})`,
    );
  }
  const layout = like.version === 2 ? NIFTI2 : NIFTI1;
  if (layout.version === 1 && dims.some((d) => d > 32767)) {
    throw new InputError(
      'invalid-volume',
      `NIfTI write: dims ${dims.join('×')} exceed NIfTI-1's int16 limit`,
    );
  }
  // 4 bytes after the header: the extension flag (0 = no extensions); data starts right after.
  const voxOffset = layout.sizeofHdr + 4;
  const bytesPer = datatype === NIFTI_TYPE.UINT8 ? 1 : 4;
  const out = new Uint8Array(voxOffset + count * bytesPer);
  const view = new DataView(out.buffer);
  view.setInt32(0, layout.sizeofHdr, true);
  out.set(layout.magic.bytes, layout.magic.offset);
  const put = (n: NumericFieldName, values: readonly number[]) =>
    writeField(view, layout.fields[n], values, true);
  const pixdim = like.pixdim.slice(0, 8);
  pixdim[0] = pixdim[0] < 0 ? -1 : 1;
  put('dim', [3, dims[0], dims[1], dims[2], 1, 1, 1, 1]);
  put('datatype', [datatype]);
  put('bitpix', [bytesPer * 8]);
  put('pixdim', pixdim);
  put('voxOffset', [voxOffset]);
  put('sclSlope', [1]);
  put('sclInter', [0]);
  put('intentCode', [extra.intentCode]);
  put('intentP', [0, 0, 0]);
  put('calMin', [extra.calMin]);
  put('calMax', [extra.calMax]);
  put('dimInfo', [like.dimInfo]);
  put('sliceStart', [like.sliceStart]);
  put('sliceEnd', [like.sliceEnd]);
  put('sliceCode', [like.sliceCode]);
  put('sliceDuration', [like.sliceDuration]);
  put('toffset', [like.toffset]);
  put('xyztUnits', [like.xyztUnits]);
  put('qformCode', [like.qformCode]);
  put('sformCode', [like.sformCode]);
  put('quatern', like.quatern);
  put('qoffset', like.qoffset);
  put('srowX', like.srowX);
  put('srowY', like.srowY);
  put('srowZ', like.srowZ);
  writeString(out, layout.strings.descrip, extra.description);
  if (datatype === NIFTI_TYPE.UINT8) {
    out.set(data as Uint8Array, voxOffset);
  } else {
    for (let i = 0; i < count; i++) view.setFloat32(voxOffset + 4 * i, data[i], true);
  }
  return out;
}

/**
 * A NIfTI-1 header for a Volume that did not come from a NIfTI file. `volume.affine` must already be
 * in NIfTI's RAS+ world (see `lpsToRas` for DICOM's LPS); both qform and sform are set from it
 * (code 1, scanner). Without an affine only pixdim carries geometry.
 */
export function headerForVolume(volume: Volume): NiftiHeader {
  const [x, y, z] = volume.dims;
  const base = {
    version: 1 as const,
    littleEndian: true,
    dim: [3, x, y, z, 1, 1, 1, 1],
    datatype: NIFTI_TYPE.FLOAT32,
    bitpix: 32,
    voxOffset: 352,
    sclSlope: 1,
    sclInter: 0,
    intentCode: 0,
    intentP: [0, 0, 0],
    intentName: '',
    calMin: 0,
    calMax: 0,
    dimInfo: 0,
    sliceStart: 0,
    sliceEnd: 0,
    sliceCode: 0,
    sliceDuration: 0,
    toffset: 0,
    xyztUnits: 2, // NIFTI_UNITS_MM
    descrip: '',
    auxFile: '',
  };
  if (!volume.affine) {
    const pixdim = [1, ...volume.spacing, 1, 1, 1, 1];
    return {
      ...base,
      pixdim,
      qformCode: 0,
      sformCode: 0,
      quatern: [0, 0, 0],
      qoffset: [0, 0, 0],
      srowX: [0, 0, 0, 0],
      srowY: [0, 0, 0, 0],
      srowZ: [0, 0, 0, 0],
      affine: affineFromPixdim(pixdim),
      affineSource: 'pixdim',
    };
  }
  const m = [...volume.affine];
  const q = qformFromAffine(m);
  return {
    ...base,
    pixdim: [q.qfac, ...q.spacing, 1, 1, 1, 1],
    qformCode: 1,
    sformCode: 1,
    quatern: q.quatern,
    qoffset: q.qoffset,
    srowX: m.slice(0, 4),
    srowY: m.slice(4, 8),
    srowZ: m.slice(8, 12),
    affine: m,
    affineSource: 'sform',
  };
}

/** DICOM patient space (LPS) → NIfTI world (RAS): negate the x and y rows. */
export function lpsToRas(affine: readonly number[]): number[] {
  return affine.map((v, i) => (i < 8 ? -v : v));
}

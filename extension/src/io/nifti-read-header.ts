/**
 * A .nii file's header read and checked: version and byte order from sizeof_hdr, the magic, every
 * field into a `NiftiHeader` with the voxel→world affine nifti1.h says to prefer, and the dims a
 * volume is read as. Each refusal is an InputError naming the file and the field.
 */
import type { InputError } from '../engine/errors';
import { affineFromPixdim, affineFromQform, affineFromSform } from './nifti-affine';
import {
  NIFTI1,
  NIFTI2,
  readField,
  readString,
  type HeaderLayout,
  type NiftiHeader,
  type NumericFieldName,
} from './nifti-header';

/**
 * The header of `bytes` (at least 4 bytes long): its layout and byte order detected, its length and
 * magic checked, its fields read.
 */
export function readNiftiHeader(
  bytes: Uint8Array,
  fail: (msg: string) => InputError,
): { header: NiftiHeader; layout: HeaderLayout; littleEndian: boolean } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { layout, littleEndian } = detectLayout(view, fail);
  if (bytes.length < layout.sizeofHdr) {
    throw fail(`truncated header: expected ${layout.sizeofHdr} bytes, got ${bytes.length}`);
  }
  checkMagic(bytes, layout, fail);
  return { header: readFields(bytes, view, layout, littleEndian), layout, littleEndian };
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

function readFields(bytes: Uint8Array, view: DataView, layout: HeaderLayout, le: boolean): NiftiHeader {
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

/** dim[1..3] of a header whose further dims (4..7) are 1; a 1D or 2D file is one slice. */
export function volumeDims(dim: number[], fail: (msg: string) => InputError): [number, number, number] {
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

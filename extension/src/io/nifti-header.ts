/**
 * NIfTI-1 (348-byte) and NIfTI-2 (540-byte) header layouts, read and written through one field table
 * so both versions and both byte orders share the same code. Offsets from nifti1.h / nifti2.h.
 * `NiftiHeader` is a header's fields as the reader returns them and the writer copies them.
 */

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

type NumType = 'u8' | 'i16' | 'i32' | 'i64' | 'f32' | 'f64';

interface Field {
  offset: number;
  type: NumType;
  count: number;
}

const f = (offset: number, type: NumType, count = 1): Field => ({ offset, type, count });

export type NumericFieldName =
  | 'dimInfo'
  | 'dim'
  | 'intentP'
  | 'intentCode'
  | 'datatype'
  | 'bitpix'
  | 'sliceStart'
  | 'pixdim'
  | 'voxOffset'
  | 'sclSlope'
  | 'sclInter'
  | 'sliceEnd'
  | 'sliceCode'
  | 'xyztUnits'
  | 'calMax'
  | 'calMin'
  | 'sliceDuration'
  | 'toffset'
  | 'qformCode'
  | 'sformCode'
  | 'quatern'
  | 'qoffset'
  | 'srowX'
  | 'srowY'
  | 'srowZ';

export interface HeaderLayout {
  version: 1 | 2;
  sizeofHdr: number;
  magic: { offset: number; bytes: readonly number[] };
  fields: Record<NumericFieldName, Field>;
  strings: { descrip: [number, number]; auxFile: [number, number]; intentName: [number, number] };
}

export const NIFTI1: HeaderLayout = {
  version: 1,
  sizeofHdr: 348,
  // "n+1\0": header and data in one .nii file.
  magic: { offset: 344, bytes: [0x6e, 0x2b, 0x31, 0x00] },
  fields: {
    dimInfo: f(39, 'u8'),
    dim: f(40, 'i16', 8),
    intentP: f(56, 'f32', 3),
    intentCode: f(68, 'i16'),
    datatype: f(70, 'i16'),
    bitpix: f(72, 'i16'),
    sliceStart: f(74, 'i16'),
    pixdim: f(76, 'f32', 8),
    voxOffset: f(108, 'f32'),
    sclSlope: f(112, 'f32'),
    sclInter: f(116, 'f32'),
    sliceEnd: f(120, 'i16'),
    sliceCode: f(122, 'u8'),
    xyztUnits: f(123, 'u8'),
    calMax: f(124, 'f32'),
    calMin: f(128, 'f32'),
    sliceDuration: f(132, 'f32'),
    toffset: f(136, 'f32'),
    qformCode: f(252, 'i16'),
    sformCode: f(254, 'i16'),
    quatern: f(256, 'f32', 3),
    qoffset: f(268, 'f32', 3),
    srowX: f(280, 'f32', 4),
    srowY: f(296, 'f32', 4),
    srowZ: f(312, 'f32', 4),
  },
  strings: { descrip: [148, 80], auxFile: [228, 24], intentName: [328, 16] },
};

export const NIFTI2: HeaderLayout = {
  version: 2,
  sizeofHdr: 540,
  // "n+2\0\r\n\032\n"
  magic: { offset: 4, bytes: [0x6e, 0x2b, 0x32, 0x00, 0x0d, 0x0a, 0x1a, 0x0a] },
  fields: {
    datatype: f(12, 'i16'),
    bitpix: f(14, 'i16'),
    dim: f(16, 'i64', 8),
    intentP: f(80, 'f64', 3),
    pixdim: f(104, 'f64', 8),
    voxOffset: f(168, 'i64'),
    sclSlope: f(176, 'f64'),
    sclInter: f(184, 'f64'),
    calMax: f(192, 'f64'),
    calMin: f(200, 'f64'),
    sliceDuration: f(208, 'f64'),
    toffset: f(216, 'f64'),
    sliceStart: f(224, 'i64'),
    sliceEnd: f(232, 'i64'),
    qformCode: f(344, 'i32'),
    sformCode: f(348, 'i32'),
    quatern: f(352, 'f64', 3),
    qoffset: f(376, 'f64', 3),
    srowX: f(400, 'f64', 4),
    srowY: f(432, 'f64', 4),
    srowZ: f(464, 'f64', 4),
    sliceCode: f(496, 'i32'),
    xyztUnits: f(500, 'i32'),
    intentCode: f(504, 'i32'),
    dimInfo: f(524, 'u8'),
  },
  strings: { descrip: [240, 80], auxFile: [320, 24], intentName: [508, 16] },
};

const SIZE: Record<NumType, number> = { u8: 1, i16: 2, i32: 4, i64: 8, f32: 4, f64: 8 };

export function readField(view: DataView, field: Field, le: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < field.count; i++) {
    const at = field.offset + i * SIZE[field.type];
    switch (field.type) {
      case 'u8':
        out.push(view.getUint8(at));
        break;
      case 'i16':
        out.push(view.getInt16(at, le));
        break;
      case 'i32':
        out.push(view.getInt32(at, le));
        break;
      case 'i64':
        out.push(Number(view.getBigInt64(at, le)));
        break;
      case 'f32':
        out.push(view.getFloat32(at, le));
        break;
      case 'f64':
        out.push(view.getFloat64(at, le));
        break;
    }
  }
  return out;
}

export function writeField(view: DataView, field: Field, values: readonly number[], le: boolean): void {
  for (let i = 0; i < field.count; i++) {
    const at = field.offset + i * SIZE[field.type];
    const v = values[i] ?? 0;
    switch (field.type) {
      case 'u8':
        view.setUint8(at, v);
        break;
      case 'i16':
        view.setInt16(at, v, le);
        break;
      case 'i32':
        view.setInt32(at, v, le);
        break;
      case 'i64':
        view.setBigInt64(at, BigInt(Math.trunc(v)), le);
        break;
      case 'f32':
        view.setFloat32(at, v, le);
        break;
      case 'f64':
        view.setFloat64(at, v, le);
        break;
    }
  }
}

export function readString(bytes: Uint8Array, [offset, length]: [number, number]): string {
  let end = offset;
  while (end < offset + length && bytes[end] !== 0) end++;
  let s = '';
  for (let i = offset; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** ASCII only (other characters become '?'), truncated to leave a terminating NUL. */
export function writeString(bytes: Uint8Array, [offset, length]: [number, number], value: string): void {
  const n = Math.min(value.length, length - 1);
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    bytes[offset + i] = c < 128 ? c : 0x3f;
  }
}

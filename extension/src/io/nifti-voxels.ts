/**
 * NIfTI datatypes and voxel decoding: the datatype codes of nifti1.h this reader supports (and the
 * names of those it refuses), and the voxels of a file decoded to float32 in either byte order,
 * with scl_slope/scl_inter applied.
 */
import type { InputError } from '../engine/errors';

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

export interface DatatypeInfo {
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

/** The supported datatype `code`, or a `fail` that names it and lists the supported ones. */
export function datatypeInfo(code: number, fail: (msg: string) => InputError): DatatypeInfo {
  const type = DATATYPES[code];
  if (!type) {
    const known = UNSUPPORTED_NAMES[code];
    throw fail(
      `unsupported datatype ${code}${known ? ` (${known})` : ''}; supported: ${Object.values(DATATYPES)
        .map((d) => d.name)
        .join(', ')}`,
    );
  }
  return type;
}

/** `count` voxels from byte `offset` as float32, scaled by scl_slope/scl_inter where they apply. */
export function decodeVoxels(
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

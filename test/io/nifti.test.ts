import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { gunzipSync, gzipSync } from 'zlib';
import { InputError } from '../../extension/src/engine/errors';
import type { Volume } from '../../extension/src/engine/types';
import { qformFromAffine, affineFromQform } from '../../extension/src/io/nifti-affine';
import { isGzip, parseNifti } from '../../extension/src/io/nifti';
import {
  NIFTI_INTENT_LABEL,
  headerForVolume,
  lpsToRas,
  writeNiftiFloat,
  writeNiftiMask,
} from '../../extension/src/io/nifti-write';

/**
 * A NIfTI-1 file written field by field with nifti1.h offsets, independent of the writer under test,
 * so each header field can be broken on purpose.
 */
interface Craft {
  le?: boolean;
  sizeofHdr?: number;
  magic?: string;
  dim?: number[];
  datatype?: number;
  bitpix?: number;
  pixdim?: number[];
  voxOffset?: number;
  slope?: number;
  inter?: number;
  qformCode?: number;
  sformCode?: number;
  quatern?: number[];
  qoffset?: number[];
  srow?: number[][];
  xyztUnits?: number;
  values?: number[];
  dataBytes?: number;
}

const WRITE: Record<number, [number, (v: DataView, at: number, x: number, le: boolean) => void]> = {
  2: [1, (v, at, x) => v.setUint8(at, x)],
  4: [2, (v, at, x, le) => v.setInt16(at, x, le)],
  8: [4, (v, at, x, le) => v.setInt32(at, x, le)],
  16: [4, (v, at, x, le) => v.setFloat32(at, x, le)],
  64: [8, (v, at, x, le) => v.setFloat64(at, x, le)],
  256: [1, (v, at, x) => v.setInt8(at, x)],
  512: [2, (v, at, x, le) => v.setUint16(at, x, le)],
  768: [4, (v, at, x, le) => v.setUint32(at, x, le)],
};

function craft(c: Craft = {}): Uint8Array {
  const le = c.le ?? true;
  const dim = c.dim ?? [3, 2, 3, 2, 1, 1, 1, 1];
  const datatype = c.datatype ?? 16;
  const [size, put] = WRITE[datatype] ?? [4, () => undefined];
  const n = dim.slice(1, dim[0] + 1).reduce((a, b) => a * b, 1);
  const values = c.values ?? Array.from({ length: n }, (_, i) => i + 1);
  const voxOffset = c.voxOffset ?? 352;
  const out = new Uint8Array(Math.max(voxOffset, 352) + (c.dataBytes ?? n * size));
  const v = new DataView(out.buffer);
  v.setInt32(0, c.sizeofHdr ?? 348, le);
  dim.forEach((d, i) => v.setInt16(40 + 2 * i, d, le));
  v.setInt16(70, datatype, le);
  v.setInt16(72, c.bitpix ?? size * 8, le);
  (c.pixdim ?? [1, 1, 1, 1, 0, 0, 0, 0]).forEach((p, i) => v.setFloat32(76 + 4 * i, p, le));
  v.setFloat32(108, voxOffset, le);
  v.setFloat32(112, c.slope ?? 0, le);
  v.setFloat32(116, c.inter ?? 0, le);
  v.setUint8(123, c.xyztUnits ?? 2);
  v.setInt16(252, c.qformCode ?? 0, le);
  v.setInt16(254, c.sformCode ?? 0, le);
  (c.quatern ?? [0, 0, 0]).forEach((q, i) => v.setFloat32(256 + 4 * i, q, le));
  (c.qoffset ?? [0, 0, 0]).forEach((q, i) => v.setFloat32(268 + 4 * i, q, le));
  (c.srow ?? [[], [], []]).forEach((row, r) =>
    row.forEach((s, i) => v.setFloat32(280 + 16 * r + 4 * i, s, le)),
  );
  const magic = c.magic ?? 'n+1\0';
  for (let i = 0; i < 4; i++) out[344 + i] = magic.charCodeAt(i) || 0;
  const room = c.dataBytes ?? n * size;
  values.forEach((x, i) => {
    if ((i + 1) * size <= room && voxOffset >= 352) put(v, voxOffset + i * size, x, le);
  });
  return out;
}

function errorOf(bytes: Uint8Array, name = 'scan.nii'): InputError {
  try {
    parseNifti(bytes, name);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).kind).toBe('invalid-file');
    return e as InputError;
  }
  throw new Error('parseNifti accepted a broken file');
}

describe('parseNifti: data types, byte order and scaling', () => {
  const cases: [string, number, number[]][] = [
    ['uint8', 2, [0, 1, 127, 200, 255, 3, 4, 5, 6, 7, 8, 9]],
    ['int8', 256, [-128, -1, 0, 1, 127, 3, 4, 5, 6, 7, 8, 9]],
    ['int16', 4, [-32768, -1, 0, 1, 32767, 1000, 4, 5, 6, 7, 8, 9]],
    ['uint16', 512, [0, 65535, 40000, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['int32', 8, [-2147483648, -1, 0, 16777216, 2147483520, 3, 4, 5, 6, 7, 8, 9]],
    ['uint32', 768, [0, 4294967040, 16777216, 1, 2, 3, 4, 5, 6, 7, 8, 9]],
    ['float32', 16, [-1.5, 0.25, 1e10, -3e-5, 0, 3, 4, 5, 6, 7, 8, 9]],
    ['float64', 64, [-1.5, 0.25, 1e10, -3e-5, 0, 3, 4, 5, 6, 7, 8, 9]],
  ];
  it.each(cases)('reads %s in both byte orders', (_name, datatype, values) => {
    for (const le of [true, false]) {
      const { volume, header } = parseNifti(craft({ le, datatype, values }), 'x.nii');
      expect(header.littleEndian).toBe(le);
      expect(header.datatype).toBe(datatype);
      expect(volume.dims).toEqual([2, 3, 2]);
      expect(Array.from(volume.data)).toEqual(values.map((v) => Math.fround(v)));
    }
  });

  it('applies scl_slope and scl_inter', () => {
    const { volume } = parseNifti(
      craft({ datatype: 4, values: [0, 1, -2, 10, 0, 0, 0, 0, 0, 0, 0, 0], slope: 2, inter: -1024 }),
      'x.nii',
    );
    expect(Array.from(volume.data.subarray(0, 4))).toEqual([-1024, -1022, -1028, -1004]);
  });

  it('ignores a zero or NaN slope (no scaling), as nifti1.h and nibabel do', () => {
    for (const slope of [0, NaN]) {
      const { volume } = parseNifti(
        craft({ datatype: 4, values: [7, 8, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0], slope, inter: 50 }),
        'x.nii',
      );
      expect(Array.from(volume.data.subarray(0, 3))).toEqual([7, 8, 9]);
    }
  });

  it('takes the modality it is told, OTHER otherwise', () => {
    expect(parseNifti(craft(), 'x.nii').volume.modality).toBe('OTHER');
    expect(parseNifti(craft(), 'x.nii', { modality: 'CT' }).volume.modality).toBe('CT');
  });
});

describe('parseNifti: dimensions', () => {
  it('accepts 4D with one time point', () => {
    const { volume } = parseNifti(craft({ dim: [4, 2, 3, 2, 1, 1, 1, 1] }), 'x.nii');
    expect(volume.dims).toEqual([2, 3, 2]);
  });

  it('reads a 2D image as a one-slice volume', () => {
    const { volume } = parseNifti(craft({ dim: [2, 4, 3, 1, 1, 1, 1, 1] }), 'x.nii');
    expect(volume.dims).toEqual([4, 3, 1]);
  });

  it('refuses a time series, naming the dim field', () => {
    const e = errorOf(craft({ dim: [4, 2, 3, 2, 5, 1, 1, 1] }));
    expect(e.message).toMatch(
      /^scan\.nii: dim = \[4, 2, 3, 2, 5\]: only 3D volumes are supported, dimension 4 has size 5/,
    );
    expect(errorOf(craft({ dim: [0, 2, 3, 2, 1, 1, 1, 1] })).message).toMatch(/dim\[0\] must be 1..7/);
    expect(errorOf(craft({ dim: [3, 2, 0, 2, 1, 1, 1, 1] })).message).toMatch(/dim\[2\] = 0 must be ≥ 1/);
  });
});

describe('parseNifti: geometry', () => {
  it('prefers the sform', () => {
    const srow = [
      [0, 0, -2, 100],
      [1.5, 0, 0, -50],
      [0, 3, 0, 7],
    ];
    const { volume, header } = parseNifti(
      craft({ sformCode: 1, qformCode: 1, quatern: [0, 0, 1], srow, pixdim: [1, 1.5, 3, 2] }),
      'x.nii',
    );
    expect(header.affineSource).toBe('sform');
    expect(volume.affine).toEqual([...srow.flat(), 0, 0, 0, 1]);
  });

  it('builds the qform from quaternion, pixdim and qfac (90° about z, left-handed)', () => {
    const h = Math.SQRT1_2;
    const { volume, header } = parseNifti(
      craft({ qformCode: 1, quatern: [0, 0, h], qoffset: [5, 6, 7], pixdim: [-1, 2, 3, 4] }),
      'x.nii',
    );
    expect(header.affineSource).toBe('qform');
    // R = [[0,−1,0],[1,0,0],[0,0,1]]; columns scaled by 2, 3, −4 (qfac −1)
    const want = [0, -3, 0, 5, 2, 0, 0, 6, 0, 0, -4, 7, 0, 0, 0, 1];
    (volume.affine as number[]).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    expect(volume.spacing).toEqual([2, 3, 4]);
  });

  it('falls back to diag(pixdim) when neither form is set', () => {
    const { volume, header } = parseNifti(craft({ pixdim: [1, 0.5, 0.75, 2.5] }), 'x.nii');
    expect(header.affineSource).toBe('pixdim');
    expect(volume.affine).toEqual([0.5, 0, 0, 0, 0, 0.75, 0, 0, 0, 0, 2.5, 0, 0, 0, 0, 1]);
  });

  it('converts metres and microns to mm', () => {
    expect(
      parseNifti(craft({ pixdim: [1, 0.001, 0.002, 0.003], xyztUnits: 1 }), 'x.nii').volume.spacing[1],
    ).toBeCloseTo(2, 5);
    expect(
      parseNifti(craft({ pixdim: [1, 500, 500, 500], xyztUnits: 3 }), 'x.nii').volume.spacing[0],
    ).toBeCloseTo(0.5, 6);
  });
});

describe('parseNifti: broken files (InputError invalid-file, naming file and field)', () => {
  it('reports truncated data with expected and actual byte counts', () => {
    const e = errorOf(craft({ datatype: 4, dataBytes: 10 }));
    expect(e.message).toBe('scan.nii: truncated data: expected 24 bytes after vox_offset 352, got 10');
  });

  it('reports a truncated header', () => {
    expect(errorOf(craft().subarray(0, 200)).message).toBe(
      'scan.nii: truncated header: expected 348 bytes, got 200',
    );
  });

  it('reports bad magic', () => {
    expect(errorOf(craft({ magic: 'abc\0' })).message).toMatch(
      /^scan\.nii: bad magic 'abc' at byte 344, expected 'n\+1'/,
    );
  });

  it('reports a separate .hdr/.img pair as unsupported', () => {
    expect(errorOf(craft({ magic: 'ni1\0' })).message).toMatch(
      /magic 'ni1' marks a separate \.hdr\/\.img pair/,
    );
  });

  it('reports a wrong sizeof_hdr', () => {
    expect(errorOf(craft({ sizeofHdr: 1234 })).message).toMatch(
      /^scan\.nii: sizeof_hdr is 1234, expected 348 \(NIfTI-1\) or 540/,
    );
  });

  it('reports an unsupported datatype by number and name', () => {
    expect(errorOf(craft({ datatype: 128 })).message).toMatch(
      /^scan\.nii: unsupported datatype 128 \(rgb24\); supported: uint8/,
    );
    expect(errorOf(craft({ datatype: 9999 })).message).toMatch(/unsupported datatype 9999;/);
  });

  it('reports a vox_offset inside the header', () => {
    expect(errorOf(craft({ voxOffset: 100 })).message).toMatch(
      /vox_offset 100 points inside the 348-byte header/,
    );
  });

  it('tells the caller to decompress gzip first', () => {
    const gz = new Uint8Array(gzipSync(craft()));
    expect(isGzip(gz)).toBe(true);
    expect(isGzip(craft())).toBe(false);
    expect(errorOf(gz).message).toMatch(/gzip-compressed; decompress it before parsing/);
  });

  it('reports a file too short to hold sizeof_hdr', () => {
    expect(errorOf(new Uint8Array(2)).message).toMatch(/2 bytes is too short/);
  });
});

describe('writeNiftiMask / writeNiftiFloat', () => {
  const volume: Volume = {
    data: new Float32Array(4 * 3 * 2).map((_, i) => i * 0.5 - 3),
    dims: [4, 3, 2],
    spacing: [0.7, 0.8, 2.5],
    // 30° about x plus a flip of z: a left-handed frame
    affine: [
      0.7,
      0,
      0,
      -10,
      0,
      0.8 * Math.cos(0.5),
      2.5 * Math.sin(0.5),
      20,
      0,
      0.8 * Math.sin(0.5),
      -2.5 * Math.cos(0.5),
      30,
      0,
      0,
      0,
      1,
    ],
    modality: 'MR',
  };

  it('round-trips a float volume with its geometry (sform and qform agree)', () => {
    const bytes = writeNiftiFloat(volume.data, headerForVolume(volume));
    const { volume: back, header } = parseNifti(bytes, 'float.nii');
    expect(Array.from(back.data)).toEqual(Array.from(volume.data));
    expect(back.dims).toEqual([4, 3, 2]);
    back.spacing.forEach((s, i) => expect(s).toBeCloseTo(volume.spacing[i], 5));
    (back.affine as number[]).forEach((v, i) => expect(v).toBeCloseTo((volume.affine as number[])[i], 5));
    const fromQform = affineFromQform(header.quatern, header.qoffset, header.pixdim);
    fromQform.forEach((v, i) => expect(v).toBeCloseTo((volume.affine as number[])[i], 5));
  });

  it('writes a uint8 label mask that keeps the source header’s dims, pixdim, qform and sform', () => {
    const source = parseNifti(
      craft({
        le: false,
        datatype: 4,
        pixdim: [-1, 0.9, 0.9, 3],
        qformCode: 1,
        quatern: [0.1, 0.2, 0.3],
        qoffset: [1, 2, 3],
        sformCode: 2,
        srow: [
          [0.9, 0, 0, 1],
          [0, 0.9, 0, 2],
          [0, 0, -3, 3],
        ],
      }),
      'ct.nii',
    );
    const mask = new Uint8Array(12).map((_, i) => (i % 3 === 0 ? 2 : i % 3 === 1 ? 1 : 0));
    const { volume, header } = parseNifti(writeNiftiMask(mask, source.header), 'mask.nii');
    expect(header.datatype).toBe(2);
    expect(header.bitpix).toBe(8);
    expect(header.intentCode).toBe(NIFTI_INTENT_LABEL);
    expect(header.calMax).toBe(2);
    expect(header.littleEndian).toBe(true);
    expect(Array.from(volume.data)).toEqual(Array.from(mask));
    expect(header.dim.slice(0, 4)).toEqual([3, 2, 3, 2]);
    expect(header.pixdim.slice(0, 4)).toEqual(source.header.pixdim.slice(0, 4));
    for (const k of [
      'qformCode',
      'sformCode',
      'quatern',
      'qoffset',
      'srowX',
      'srowY',
      'srowZ',
      'affine',
    ] as const) {
      expect(header[k]).toEqual(source.header[k]);
    }
  });

  it('writes NIfTI-2 when the template is NIfTI-2', () => {
    const like = { ...headerForVolume(volume), version: 2 as const };
    const bytes = writeNiftiMask(new Uint8Array(24).fill(1), like);
    expect(new DataView(bytes.buffer).getInt32(0, true)).toBe(540);
    const { header, volume: back } = parseNifti(bytes, 'mask2.nii');
    expect(header.version).toBe(2);
    expect(header.voxOffset).toBe(544);
    expect(back.data.every((v) => v === 1)).toBe(true);
    (back.affine as number[]).forEach((v, i) => expect(v).toBeCloseTo((volume.affine as number[])[i], 12));
  });

  it('refuses data that does not fill the template’s dims', () => {
    expect(() => writeNiftiMask(new Uint8Array(5), headerForVolume(volume))).toThrow(
      /5 values do not fill the 4×3×2 volume/,
    );
  });

  it('without an affine, writes pixdim only (both form codes 0)', () => {
    const plain: Volume = { ...volume, affine: undefined };
    const { header, volume: back } = parseNifti(writeNiftiFloat(plain.data, headerForVolume(plain)), 'p.nii');
    expect([header.qformCode, header.sformCode, header.affineSource]).toEqual([0, 0, 'pixdim']);
    back.spacing.forEach((s, i) => expect(s).toBeCloseTo(plain.spacing[i], 6));
  });
});

describe('qformFromAffine', () => {
  const rotations: [string, number[]][] = [
    ['identity', [1, 0, 0, 0, 1, 0, 0, 0, 1]],
    ['180° about x', [1, 0, 0, 0, -1, 0, 0, 0, -1]],
    ['180° about y', [-1, 0, 0, 0, 1, 0, 0, 0, -1]],
    ['180° about z', [-1, 0, 0, 0, -1, 0, 0, 0, 1]],
    ['reflection (LPS-like flip of x)', [-1, 0, 0, 0, 1, 0, 0, 0, 1]],
    ['oblique', [0.36, 0.48, -0.8, -0.8, 0.6, 0, 0.48, 0.64, 0.6]],
  ];
  it.each(rotations)('reproduces the affine through the quaternion: %s', (_n, r) => {
    const sp = [0.5, 1.25, 3];
    const affine = [
      r[0] * sp[0],
      r[1] * sp[1],
      r[2] * sp[2],
      1,
      r[3] * sp[0],
      r[4] * sp[1],
      r[5] * sp[2],
      2,
      r[6] * sp[0],
      r[7] * sp[1],
      r[8] * sp[2],
      3,
      0,
      0,
      0,
      1,
    ];
    const q = qformFromAffine(affine);
    const back = affineFromQform(q.quatern, q.qoffset, [q.qfac, ...q.spacing]);
    back.forEach((v, i) => expect(v).toBeCloseTo(affine[i], 9));
  });

  it('lpsToRas negates the x and y rows only', () => {
    expect(lpsToRas([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 0, 0, 1])).toEqual([
      -1, -2, -3, -4, -5, -6, -7, -8, 9, 10, 11, 12, 0, 0, 0, 1,
    ]);
  });
});

describe('parseNifti agrees with nibabel 5.0 (files and values written by nibabel)', () => {
  const dir = join(__dirname, '..', 'fixtures', 'nibabel');
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

  it.each(['be-int16-qform', 'nifti2-float64-sform', 'uint16-4d-metres'])('%s', (name) => {
    const want = expected[name];
    const { volume, header } = parseNifti(
      new Uint8Array(readFileSync(join(dir, `${name}.nii`))),
      `${name}.nii`,
    );
    expect(header.datatype).toBe(want.datatype);
    expect(volume.dims).toEqual(want.shape.slice(0, 3));
    expect(Array.from(volume.data)).toEqual(want.data.map((v: number) => Math.fround(v)));
    // nibabel reports geometry in file units; Volume is in mm
    const unit = want.units === 'meter' ? 1000 : 1;
    volume.spacing.forEach((s, i) => expect(s).toBeCloseTo(want.zooms[i] * unit, 5));
    (volume.affine as number[]).forEach((v, i) =>
      expect(v).toBeCloseTo(want.affine[i] * (i < 12 ? unit : 1), 5),
    );
  });

  it('reads the big-endian file as big-endian and the NIfTI-2 file as version 2', () => {
    const be = parseNifti(new Uint8Array(readFileSync(join(dir, 'be-int16-qform.nii'))), 'be.nii').header;
    expect([be.littleEndian, be.version, be.affineSource]).toEqual([false, 1, 'qform']);
    const v2 = parseNifti(
      new Uint8Array(readFileSync(join(dir, 'nifti2-float64-sform.nii'))),
      'v2.nii',
    ).header;
    expect([v2.version, v2.affineSource]).toEqual([2, 'sform']);
  });

  it('reads the real Colin27 template from Debian mricron-data like nibabel does', () => {
    const path = '/usr/share/mricron/templates/ch2.nii.gz';
    if (!existsSync(path)) throw new Error(`${path} is missing: install the Debian package mricron-data`);
    const want = expected.ch2;
    const { volume, header } = parseNifti(new Uint8Array(gunzipSync(readFileSync(path))), 'ch2.nii');
    expect(header.datatype).toBe(want.datatype);
    expect(volume.dims).toEqual(want.shape);
    expect(volume.affine).toEqual(want.affine);
    const [nx, ny] = volume.dims;
    for (const p of want.probes) {
      const [x, y, z] = p.voxel;
      expect(volume.data[x + nx * (y + ny * z)]).toBe(p.value);
    }
    let sum = 0;
    for (const v of volume.data) sum += v;
    expect(sum).toBe(want.sum);
  });
});

/**
 * NIfTI writing: a uint8 label mask or a float32 volume as a little-endian single-file .nii of the
 * same NIfTI version as the header it copies geometry from, and a header (qform and sform) for a
 * Volume that did not come from a NIfTI file.
 */
import { InputError } from '../engine/errors';
import type { Volume } from '../engine/types';
import { affineFromPixdim, qformFromAffine } from './nifti-affine';
import {
  NIFTI1,
  NIFTI2,
  writeField,
  writeString,
  type NiftiHeader,
  type NumericFieldName,
} from './nifti-header';
import { volumeDims } from './nifti-read-header';
import { NIFTI_TYPE } from './nifti-voxels';

/** NIFTI_INTENT_LABEL: voxel values are labels (what a segmentation mask is). */
export const NIFTI_INTENT_LABEL = 1002;

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

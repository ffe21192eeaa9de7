/**
 * The geometric map between an original slice and the model input: crop to `crop`, then stretch the
 * crop to S×S. SAM2 does not keep the aspect ratio (it resizes every frame to a square), so x and y
 * scale independently.
 *
 * Pixel-centre convention (both spaces): a coordinate is a pixel index, the centre of pixel i is at
 * i and the pixel covers [i − 0.5, i + 0.5). This is how voxel indices work in NIfTI/DICOM and how
 * SAM2's prompt encoder reads `point_coords` (it adds 0.5 before normalising by S). Edges therefore
 * map to edges: slice x = crop.x0 − 0.5 ↔ model x = −0.5, and x = crop.x0 + crop.width − 0.5 ↔ S − 0.5.
 */
import { InputError } from '../errors';
import { modelPoint, slicePoint, type ModelPoint, type SlicePoint } from '../types';
import type { CropBox } from './crop';

export interface SliceTransform {
  readonly sliceWidth: number;
  readonly sliceHeight: number;
  readonly crop: Readonly<CropBox>;
  readonly modelSize: number;
  toModel(p: SlicePoint): ModelPoint;
  toSlice(p: ModelPoint): SlicePoint;
}

export function createSliceTransform(
  sliceWidth: number,
  sliceHeight: number,
  crop: CropBox,
  modelSize: number,
): SliceTransform {
  const positiveInt = (v: number) => Number.isInteger(v) && v > 0;
  if (!positiveInt(sliceWidth) || !positiveInt(sliceHeight)) {
    throw new InputError(
      'invalid-image',
      `slice size ${sliceWidth}×${sliceHeight} is not a positive integer size`,
    );
  }
  if (!positiveInt(modelSize)) {
    throw new InputError('invalid-options', `model input size ${modelSize} is not a positive integer`);
  }
  const { x0, y0, width, height } = crop;
  if (
    !Number.isInteger(x0) ||
    !Number.isInteger(y0) ||
    !positiveInt(width) ||
    !positiveInt(height) ||
    x0 < 0 ||
    y0 < 0 ||
    x0 + width > sliceWidth ||
    y0 + height > sliceHeight
  ) {
    throw new InputError(
      'invalid-options',
      `crop box x0=${x0} y0=${y0} ${width}×${height} does not fit in the ${sliceWidth}×${sliceHeight} slice`,
    );
  }
  const frozenCrop = Object.freeze({ x0, y0, width, height });
  return {
    sliceWidth,
    sliceHeight,
    crop: frozenCrop,
    modelSize,
    toModel: (p) =>
      modelPoint(((p.x + 0.5 - x0) * modelSize) / width - 0.5, ((p.y + 0.5 - y0) * modelSize) / height - 0.5),
    toSlice: (p) =>
      slicePoint(((p.x + 0.5) * width) / modelSize + x0 - 0.5, ((p.y + 0.5) * height) / modelSize + y0 - 0.5),
  };
}

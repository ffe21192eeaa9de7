/** Slice preprocessing (paper App. C.1): intensity clipping, non-zero crop, resize, slice ↔ model maps. */
export { nonZeroBox, type CropBox, type SliceSource } from './crop';
export {
  defaultIntensityPolicy,
  intensityRange,
  scaleToUnit,
  type IntensityPolicy,
  type IntensityRange,
} from './intensity';
export {
  OUTSIDE_CROP_LOGIT,
  maskLogitsToSlice,
  prepareSlice,
  sliceMaskToModel,
  type InputNormalisation,
} from './prepare-slice';
export { lumaBT601 } from './luma';
export { resizeBicubic, resizeBilinear, resizeBilinearAntialias, resizeNearest } from './resize';
export { createSliceTransform, type SliceTransform } from './slice-transform';

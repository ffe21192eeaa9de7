/** File formats on plain bytes (no Node imports): NIfTI-1/-2. */
export { isGzip, parseNifti, type ParsedNifti } from './nifti';
export { type NiftiHeader } from './nifti-header';
export { NIFTI_TYPE } from './nifti-voxels';
export {
  NIFTI_INTENT_LABEL,
  headerForVolume,
  lpsToRas,
  writeNiftiFloat,
  writeNiftiMask,
  type WriteOptions,
} from './nifti-write';

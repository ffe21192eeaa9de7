/** File formats on plain bytes (no Node imports): NIfTI-1/-2. */
export {
  NIFTI_INTENT_LABEL,
  NIFTI_TYPE,
  headerForVolume,
  isGzip,
  lpsToRas,
  parseNifti,
  writeNiftiFloat,
  writeNiftiMask,
  type NiftiHeader,
  type ParsedNifti,
  type WriteOptions,
} from './nifti';

/** A volume as six slice sequences and the per-voxel aggregation of their results (paper §3.3). */
export { FOREGROUND_THRESHOLD, aggregateProbabilities, binarize, type AggregationMethod } from './aggregate';
export {
  ORIENTATIONS,
  isReversed,
  orientationAxis,
  orientedSequence,
  writeSliceToVolume,
  type ArrayAxis,
  type OrientationName,
  type OrientedSequence,
} from './orientations';

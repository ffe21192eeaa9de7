/** Evaluation: metrics, truth-derived prompts, floors, the harness and its report writers. */
export { squaredDistanceToFeatures } from './edt';
export { copyKeySliceMask, keySliceOnlyMask } from './floors';
export {
  evaluate,
  evaluateStructure,
  maskMetrics,
  METRICS_DEFINITION,
  type EvalInputs,
  type EvalOptions,
} from './harness';
export { overlap, type Overlap } from './overlap';
export * from './report';
export { diceMatrix, reportMarkdown, structureSection } from './report-markdown';
export { structureSvg } from './report-svg';
export { mean, meanSd, percentile, sampleSd, type MeanSd } from './stats';
export * from './structure';
export { surfaceVoxels } from './surface';
export { surfaceDistances, type SurfaceDistances } from './surface-distance';
export * from './truth-prompts';

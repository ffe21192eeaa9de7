/** Clicks, boxes and masks on a slice, and their encoding for the mask decoder. */
export {
  BOX_BOTTOM_RIGHT_LABEL,
  BOX_TOP_LEFT_LABEL,
  NO_PROMPT,
  PADDING_LABEL,
  encodePrompt,
  validatePrompt,
  type EncodedPrompt,
  type PromptPoint,
  type SlicePrompt,
} from './prompt';
export {
  DEFAULT_SCRIBBLE_MAX_POINTS,
  DEFAULT_SCRIBBLE_SPACING,
  fillPolygon,
  lassoPrompt,
  scribblePoints,
  type ScribbleOptions,
  type XY,
} from './freehand';

import type { Tensor } from '../model/tensor';

/** Everything the loop keeps about one predicted frame of one object. */
export interface FrameState {
  readonly frame: number;
  /** Chosen mask plane, low-res logits (L×L); −1024 everywhere when the object is absent. */
  readonly lowResLogits: Float32Array;
  /** The decoder's predicted IoU of the chosen plane: the frame's confidence c_t (paper §3.2). */
  readonly confidence: number;
  readonly objectScore: number;
  readonly present: boolean;
  /** Object pointer after no-object gating. */
  readonly objPtr: Float32Array;
  /** Spatial memory (maskmem_features) and its position encoding (without temporal encoding). */
  readonly memory: Tensor;
  readonly memoryPos: Tensor;
  /** Memory-conditioned embedding of the frame (pix_feat_with_mem), used as the resampling key. */
  readonly conditionedEmbedding: Float32Array;
  /** Decoder plane of the output (0 single-mask, 1..3 multimask); −1 when a mask prompt is the output. */
  readonly plane: number;
}

/** What the session keeps per predicted frame once the run has moved on (no large tensors). */
export interface FrameOutcome {
  readonly frame: number;
  readonly lowResLogits: Float32Array;
  readonly confidence: number;
  readonly objectScore: number;
  readonly present: boolean;
  /** True when the run stopped before this frame (object absent for N frames): not predicted. */
  readonly skipped: boolean;
}

export const outcomeOf = (s: FrameState): FrameOutcome => ({
  frame: s.frame,
  lowResLogits: s.lowResLogits,
  confidence: s.confidence,
  objectScore: s.objectScore,
  present: s.present,
  skipped: false,
});

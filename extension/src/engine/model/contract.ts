/**
 * The graph signatures of models/README.md ("Graphs"): every input and output name, and the output
 * shapes the engine relies on. A model whose graphs differ is refused at load time.
 */
export type GraphName = 'image_encoder' | 'memory_attention' | 'mask_decoder' | 'memory_encoder';

export const GRAPH_NAMES: readonly GraphName[] = [
  'image_encoder',
  'memory_attention',
  'mask_decoder',
  'memory_encoder',
];

/** Hidden dim C and memory dim Cm of the contract. */
export const HIDDEN_DIM = 256;
export const MEMORY_DIM = 64;
/** Mask planes: 0 single-mask, 1..3 multimask. */
export const MASK_PLANES = 4;

export interface GraphSignature {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export const GRAPH_SIGNATURES: Readonly<Record<GraphName, GraphSignature>> = {
  image_encoder: {
    inputs: ['image'],
    outputs: ['vision_feats', 'vision_pos', 'high_res_feats_0', 'high_res_feats_1'],
  },
  memory_attention: {
    inputs: ['curr', 'curr_pos', 'memory', 'memory_pos', 'obj_ptrs', 'obj_ptr_pos'],
    outputs: ['pix_feat_with_mem'],
  },
  mask_decoder: {
    inputs: [
      'image_embed',
      'high_res_feats_0',
      'high_res_feats_1',
      'point_coords',
      'point_labels',
      'mask_input',
      'has_mask_input',
    ],
    outputs: ['low_res_masks', 'iou_predictions', 'obj_ptr', 'object_score_logits'],
  },
  memory_encoder: {
    inputs: ['pix_feat', 'mask_logits', 'object_score_logits', 'binarize_mask'],
    outputs: ['maskmem_features', 'maskmem_pos_enc'],
  },
};

/** Grid sizes derived from the model input size S. */
export interface ModelGrid {
  /** S: model input size. */
  readonly image: number;
  /** F = S/16: feature grid. */
  readonly feature: number;
  /** L = 4F: low-res mask grid. */
  readonly mask: number;
}

export function modelGrid(imageSize: number): ModelGrid {
  const feature = imageSize / 16;
  return { image: imageSize, feature, mask: 4 * feature };
}

/** Names missing from `actual` and names in `actual` the contract does not have. */
export function signatureDifference(expected: readonly string[], actual: readonly string[]) {
  return {
    missing: expected.filter((n) => !actual.includes(n)),
    unexpected: actual.filter((n) => !expected.includes(n)),
  };
}

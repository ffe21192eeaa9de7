/**
 * The mask a generated memory encoder encodes (models/README.md, `memory_encoder`): with
 * `binarize_mask` = 1 the mask is (logits > 0) — SAM 2's `binarize_mask_from_pts_for_mem_enc` for
 * frames whose mask came from the user's prompts — else sigmoid(logits). Shared by the test model and
 * the baseline generators.
 */
import { attr, type GraphBuilder } from './graph-builder';

/** Declares the `binarize_mask` [1] input and returns the node of the mask to encode. */
export function memoryMask(g: GraphBuilder, maskLogits: string): string {
  const binarize = g.input('binarize_mask', [1]);
  const FLOAT = 1; // onnx.TensorProto.DataType.FLOAT
  const hard = g.node('Cast', [g.node('Greater', [maskLogits, g.scalar(0)])], { to: attr.int(FLOAT) });
  const soft = g.node('Sigmoid', [maskLogits]);
  return g.node('Where', [g.node('Greater', [binarize, g.scalar(0.5)]), hard, soft]);
}

/**
 * Packs four graphs and the model-specific manifest fields into a contract folder (file name →
 * bytes), adding what every generated model shares: format header, constants as JSON numbers and
 * each graph's file name, sha256 and precision (models/README.md, "manifest.json").
 */
import { createHash } from 'node:crypto';

export interface ContractGraphs {
  readonly image_encoder: Uint8Array;
  readonly memory_attention: Uint8Array;
  readonly mask_decoder: Uint8Array;
  readonly memory_encoder: Uint8Array;
}

export interface ContractConstants {
  readonly no_mem_embed: Float32Array;
  readonly no_mem_pos_enc: Float32Array;
  readonly maskmem_tpos_enc: readonly Float32Array[];
  readonly no_obj_ptr: Float32Array;
  /** SAM 2's mask_downsample conv (4×4 kernel row-major, bias). */
  readonly mask_downsample: { readonly weight: Float32Array; readonly bias: number };
}

/**
 * SAM 2's output post-processing as `build_sam2_video_predictor` sets it (models/README.md,
 * "manifest.json"); the generated models use the same values so tests run the official path.
 */
export const SAM2_POSTPROCESSING = {
  multimaskViaStability: true,
  stabilityDelta: 0.05,
  stabilityThresh: 0.98,
  fillHoleArea: 8,
  binarizeMaskFromPtsForMemEnc: true,
  maskInputAsOutput: true,
} as const;

/**
 * A mask_downsample for generated models: the 4×4 mean of a binary mask mapped to logits ±10, so the
 * decoder reads a mask prompt as confidently inside / outside.
 */
export const MEAN_MASK_DOWNSAMPLE = { weight: new Float32Array(16).fill(20 / 16), bias: -10 };

/** 9 significant digits identify a float32 exactly and keep the manifest readable. */
const float32Json = (values: Float32Array): number[] => Array.from(values, (v) => Number(v.toPrecision(9)));

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function contractFolder(
  fields: Record<string, unknown>,
  constants: ContractConstants,
  graphs: ContractGraphs,
): Map<string, Uint8Array> {
  const manifest = {
    format: 'medsam2-onnx-contract',
    formatVersion: 2,
    postprocessing: SAM2_POSTPROCESSING,
    ...fields,
    constants: {
      no_mem_embed: float32Json(constants.no_mem_embed),
      no_mem_pos_enc: float32Json(constants.no_mem_pos_enc),
      maskmem_tpos_enc: constants.maskmem_tpos_enc.map(float32Json),
      no_obj_ptr: float32Json(constants.no_obj_ptr),
      mask_downsample: {
        weight: float32Json(constants.mask_downsample.weight),
        bias: constants.mask_downsample.bias,
      },
    },
    graphs: Object.fromEntries(
      Object.entries(graphs).map(([name, bytes]) => [
        name,
        { file: `${name}.onnx`, sha256: sha256(bytes), precision: 'fp32' },
      ]),
    ),
  };
  const files = new Map<string, Uint8Array>();
  for (const [name, bytes] of Object.entries(graphs)) files.set(`${name}.onnx`, bytes);
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest, null, 2) + '\n'));
  return files;
}

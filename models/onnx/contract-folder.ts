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
}

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
    formatVersion: 1,
    ...fields,
    constants: {
      no_mem_embed: float32Json(constants.no_mem_embed),
      no_mem_pos_enc: float32Json(constants.no_mem_pos_enc),
      maskmem_tpos_enc: constants.maskmem_tpos_enc.map(float32Json),
      no_obj_ptr: float32Json(constants.no_obj_ptr),
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

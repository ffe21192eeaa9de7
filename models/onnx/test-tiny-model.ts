/** Assembles the test model folder's contents: the four graphs and a manifest with their sha256. */
import { createHash } from 'node:crypto';
import {
  imageEncoderGraph,
  maskDecoderGraph,
  memoryAttentionGraph,
  memoryEncoderGraph,
  TEST_TINY,
  testConstants,
} from './test-tiny';

/** 9 significant digits identify a float32 exactly and keep the manifest readable. */
const float32Json = (values: Float32Array): number[] => Array.from(values, (v) => Number(v.toPrecision(9)));

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** File name → bytes for models/test-tiny/. */
export function buildTestModel(): Map<string, Uint8Array> {
  const graphs = {
    image_encoder: imageEncoderGraph(),
    memory_attention: memoryAttentionGraph(),
    mask_decoder: maskDecoderGraph(),
    memory_encoder: memoryEncoderGraph(),
  };
  const constants = testConstants();
  const manifest = {
    format: 'medsam2-onnx-contract',
    formatVersion: 1,
    name: 'test-tiny',
    version: '1',
    description:
      'Generated test model with analytic behaviour (see models/README.md, "The test model"). Not a segmentation model.',
    source: { checkpoint: null, sha256: null, variant: 'analytic-test' },
    testModel: true,
    imageSize: TEST_TINY.imageSize,
    input: { mean: [...TEST_TINY.mean], std: [...TEST_TINY.std] },
    numMaskmem: TEST_TINY.numMaskmem,
    maxObjPtrs: TEST_TINY.maxObjPtrs,
    sigmoidScaleForMemEnc: 20.0,
    sigmoidBiasForMemEnc: -10.0,
    multimask: { onPromptedFrames: true, onTrackedFrames: false, minPoints: 0, maxPoints: 1 },
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

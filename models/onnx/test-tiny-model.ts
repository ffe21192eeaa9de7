/** Assembles the test model folder's contents: the four graphs and a manifest with their sha256. */
import { contractFolder } from './contract-folder';
import {
  imageEncoderGraph,
  maskDecoderGraph,
  memoryAttentionGraph,
  memoryEncoderGraph,
  TEST_TINY,
  testConstants,
} from './test-tiny';

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
  };
  return contractFolder(manifest, constants, graphs);
}

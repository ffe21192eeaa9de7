import type { ModelManifest } from '../model/manifest';
import type { ImageFeatures, SamModel } from '../model/sam-model';
import type { Tensor } from '../model/tensor';
import type { FrameState } from './frame-state';
import type { AttendedMemory } from './memory-assembly';

/** SAM2's stand-in for absent-object logits. */
export const NO_OBJECT_LOGIT = -1024;

export interface DecoderPrompt {
  readonly coords: Float32Array;
  readonly labels: Float32Array;
  /** Number of clicks (a box counts as none), for the multimask policy. */
  readonly clickCount: number;
  readonly maskInput: Float32Array | null;
}

/** Multimask choice (models/README.md): best predicted IoU among planes 1..3, else plane 0. */
export function choosePlane(
  iou: Float32Array,
  multimask: ModelManifest['multimask'],
  prompted: boolean,
  clickCount: number,
): number {
  const enabled = prompted ? multimask.onPromptedFrames : multimask.onTrackedFrames;
  const clicks = prompted ? clickCount : 0;
  if (!enabled || clicks < multimask.minPoints || clicks > multimask.maxPoints) return 0;
  let best = 1;
  for (let k = 2; k <= 3; k++) if (iou[k] > iou[best]) best = k;
  return best;
}

const addBroadcast = (feats: Tensor, perChannel: Float32Array): Tensor => {
  const [, c, h, w] = feats.dims;
  const out = new Float32Array(feats.data.length);
  const plane = h * w;
  for (let ch = 0; ch < c; ch++) {
    const add = perChannel[ch];
    for (let p = 0; p < plane; p++) out[ch * plane + p] = feats.data[ch * plane + p] + add;
  }
  return { data: out, dims: feats.dims };
};

/**
 * One step of the SAM2 video loop on the model contract: memory attention (or the no-memory
 * embedding), mask decoding, multimask choice, object-absent gating, memory encoding.
 */
export async function predictFrame(
  model: SamModel,
  frame: number,
  features: ImageFeatures,
  memory: AttendedMemory | null,
  prompt: DecoderPrompt,
  prompted: boolean,
): Promise<FrameState> {
  const { manifest } = model;
  const pixFeatWithMem = memory
    ? await model.attendMemory({
        curr: features.visionFeats,
        currPos: features.visionPos,
        memory: memory.memory,
        memoryPos: memory.memoryPos,
        objPtrs: memory.objPtrs,
        objPtrPos: memory.objPtrPos,
      })
    : addBroadcast(features.visionFeats, manifest.constants.noMemEmbed);

  const L = features.highRes0.dims[2];
  const decoded = await model.decodeMask({
    imageEmbed: pixFeatWithMem,
    highRes0: features.highRes0,
    highRes1: features.highRes1,
    pointCoords: prompt.coords,
    pointLabels: prompt.labels,
    maskInput: prompt.maskInput ? { data: prompt.maskInput, dims: [1, 1, L, L] } : undefined,
  });

  const plane = choosePlane(decoded.iou, manifest.multimask, prompted, prompt.clickCount);
  const present = decoded.objectScore > 0;
  const lowResLogits = present
    ? decoded.lowResMasks.data.slice(plane * L * L, (plane + 1) * L * L)
    : new Float32Array(L * L).fill(NO_OBJECT_LOGIT);
  const ptrDim = decoded.objPtr.dims[2];
  const objPtr = present
    ? decoded.objPtr.data.slice(plane * ptrDim, (plane + 1) * ptrDim)
    : new Float32Array(manifest.constants.noObjPtr);

  const encoded = await model.encodeMemory({
    pixFeat: features.visionFeats,
    maskLogits: { data: lowResLogits, dims: [1, 1, L, L] },
    objectScore: decoded.objectScore,
  });

  return {
    frame,
    lowResLogits,
    confidence: decoded.iou[plane],
    objectScore: decoded.objectScore,
    present,
    objPtr,
    memory: encoded.features,
    memoryPos: encoded.posEnc,
    conditionedEmbedding: pixFeatWithMem.data,
    plane,
  };
}

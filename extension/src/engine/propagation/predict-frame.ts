/**
 * One frame of SAM 2's video loop on the model contract (sam2_base.py `track_step`): memory
 * attention (or `no_mem_embed` on an initial conditioning frame), mask decoding, the output plane
 * (output-selection.ts), object-absent gating, hole filling (fill-holes.ts) and memory encoding —
 * or, for a mask prompt, the mask itself as the output (mask-as-output.ts).
 */
import type { ModelManifest } from '../model/manifest';
import type { ImageFeatures, SamModel } from '../model/sam-model';
import type { Tensor } from '../model/tensor';
import { resizeBilinearAntialias } from '../preprocess/resize';
import { fillHoles } from './fill-holes';
import { type DecodedFrame, deferMemory, type FrameMemory, withMemory } from './deferred-memory';
import type { FrameState } from './frame-state';
import { maskDownsample, maskOutputLogits } from './mask-as-output';
import type { AttendedMemory } from './memory-assembly';
import { chooseOutput, usesMultimask } from './output-selection';

/** SAM2's stand-in for absent-object logits (`NO_OBJ_SCORE`). */
export const NO_OBJECT_LOGIT = -1024;
/** `plane` of a frame whose output is its mask prompt (no decoder plane). */
export const MASK_AS_OUTPUT_PLANE = -1;
/** Previous logits passed back as the mask input of a corrective click are clamped to ±32 (SAM 2). */
export const PREVIOUS_LOGITS_CLAMP = 32;

/** Points as the decoder takes them (a box is its two corners, labels 2/3, before any click). */
export interface DecoderPoints {
  readonly coords: Float32Array;
  readonly labels: Float32Array;
  /** Number of points including box corners (SAM 2's `num_pts` in `_use_multimask`); 0 = no prompt. */
  readonly count: number;
}

/** A tracked frame's decoder input: one padding point (models/README.md). */
export const NO_POINTS: DecoderPoints = {
  coords: new Float32Array([0, 0]),
  labels: new Float32Array([-1]),
  count: 0,
};

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

export const clampLogits = (logits: Float32Array, limit = PREVIOUS_LOGITS_CLAMP): Float32Array =>
  logits.map((v) => Math.min(limit, Math.max(-limit, v)));

async function encodeFrameMemory(
  model: SamModel,
  features: ImageFeatures,
  logits: Float32Array,
  objectScore: number,
  fromPrompt: boolean,
): Promise<FrameMemory> {
  const L = model.grid.mask;
  return model.encodeMemory({
    pixFeat: features.visionFeats,
    maskLogits: { data: logits, dims: [1, 1, L, L] },
    objectScore,
    binarize: fromPrompt && model.manifest.postprocessing.binarizeMaskFromPtsForMemEnc,
  });
}

/** A prompted frame's state: its memory, encoded from its output binarised, put off until needed. */
const promptedFrame = (model: SamModel, features: ImageFeatures, frame: DecodedFrame): FrameState =>
  deferMemory(frame, () => encodeFrameMemory(model, features, frame.lowResLogits, frame.objectScore, true));

export interface DecodeArgs {
  readonly frame: number;
  readonly features: ImageFeatures;
  /** null on an initial conditioning frame (no memory: `no_mem_embed` is added instead). */
  readonly memory: AttendedMemory | null;
  readonly points: DecoderPoints;
  /** Mask input as L×L logits (a corrective click's previous logits, or a resized mask). */
  readonly maskInput: Float32Array | null;
  /** SAM 2's `is_init_cond_frame`: decides memory use and the multimask rule. */
  readonly initialConditioning: boolean;
}

/**
 * Decodes one frame with points or none. A frame with prompt points is encoded into memory from
 * its hole-filled output, binarised, when its memory is first needed (SAM 2 encodes prompted
 * frames when propagation starts: deferred-memory.ts); a tracked frame at once, from its output
 * before hole filling, as a sigmoid (`track_step`).
 */
export async function predictFrame(model: SamModel, a: DecodeArgs): Promise<FrameState> {
  const { frame, logits } = await decodeFrame(model, a);
  const fromPrompt = a.points.count > 0;
  if (fromPrompt) return promptedFrame(model, a.features, frame);
  return withMemory(frame, await encodeFrameMemory(model, a.features, logits, frame.objectScore, false));
}

/** Memory attention, mask decoding and the output: everything of a frame but its memory. */
async function decodeFrame(
  model: SamModel,
  a: DecodeArgs,
): Promise<{ frame: DecodedFrame; logits: Float32Array }> {
  const { manifest } = model;
  const L = model.grid.mask;
  const pixFeatWithMem = a.memory
    ? await model.attendMemory({
        curr: a.features.visionFeats,
        currPos: a.features.visionPos,
        memory: a.memory.memory,
        memoryPos: a.memory.memoryPos,
        objPtrs: a.memory.objPtrs,
        objPtrPos: a.memory.objPtrPos,
      })
    : addBroadcast(a.features.visionFeats, manifest.constants.noMemEmbed);

  const decoded = await model.decodeMask({
    imageEmbed: pixFeatWithMem,
    highRes0: a.features.highRes0,
    highRes1: a.features.highRes1,
    pointCoords: a.points.coords,
    pointLabels: a.points.labels,
    maskInput: a.maskInput ? { data: a.maskInput, dims: [1, 1, L, L] } : undefined,
  });
  const multimask = usesMultimask(manifest, a.initialConditioning, a.points.count);
  const { plane, pointerPlane } = chooseOutput(manifest, decoded.lowResMasks.data, decoded.iou, multimask);
  const present = decoded.objectScore > 0;
  const logits = present
    ? decoded.lowResMasks.data.slice(plane * L * L, (plane + 1) * L * L)
    : new Float32Array(L * L).fill(NO_OBJECT_LOGIT);
  const filled = fillHoles(logits, L, L, manifest.postprocessing.fillHoleArea);
  const frame: DecodedFrame = {
    frame: a.frame,
    lowResLogits: filled,
    confidence: decoded.iou[plane],
    objectScore: decoded.objectScore,
    present,
    objPtr: gatedPointer(manifest, decoded.objPtr.data, pointerPlane, present),
    conditionedEmbedding: pixFeatWithMem.data,
    plane,
  };
  return { frame, logits };
}

const gatedPointer = (
  manifest: ModelManifest,
  pointers: Float32Array,
  plane: number,
  present: boolean,
): Float32Array => {
  const dim = pointers.length / 4;
  return present
    ? pointers.slice(plane * dim, (plane + 1) * dim)
    : new Float32Array(manifest.constants.noObjPtr);
};

/**
 * A mask prompt (binary, S×S on the model grid). With `maskInputAsOutput` (SAM 2's default) the mask
 * is the frame's output; otherwise it is decoded as an antialiased L×L mask input like any prompt.
 */
export async function predictFromMask(
  model: SamModel,
  a: Omit<DecodeArgs, 'points' | 'maskInput'> & { readonly maskS: Uint8Array },
): Promise<FrameState> {
  const { manifest } = model;
  const { image: S, mask: L } = model.grid;
  if (!manifest.postprocessing.maskInputAsOutput) {
    const asFloat = Float32Array.from(a.maskS, (v) => (v ? 1 : 0));
    const { frame } = await decodeFrame(model, {
      ...a,
      points: NO_POINTS,
      maskInput: resizeBilinearAntialias(asFloat, S, S, L, L),
    });
    // Memory of a frame the user gave a mask for is encoded as a prompted frame's.
    return promptedFrame(model, a.features, frame);
  }
  const decoded = await model.decodeMask({
    imageEmbed: a.features.visionFeats,
    highRes0: a.features.highRes0,
    highRes1: a.features.highRes1,
    pointCoords: NO_POINTS.coords,
    pointLabels: NO_POINTS.labels,
    maskInput: { data: maskDownsample(manifest, a.maskS, S, L), dims: [1, 1, L, L] },
  });
  const out = maskOutputLogits(a.maskS, S, L);
  const filled = fillHoles(out.lowResLogits, L, L, manifest.postprocessing.fillHoleArea);
  return promptedFrame(model, a.features, {
    frame: a.frame,
    lowResLogits: filled,
    confidence: 1,
    objectScore: out.objectScore,
    present: out.present,
    objPtr: gatedPointer(manifest, decoded.objPtr.data, 0, out.present && decoded.objectScore > 0),
    conditionedEmbedding: a.features.visionFeats.data,
    plane: MASK_AS_OUTPUT_PLANE,
  });
}

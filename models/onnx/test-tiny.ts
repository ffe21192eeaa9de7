/**
 * The project's test model: four tiny ONNX graphs honouring models/README.md's tables, with the
 * ANALYTIC behaviour described in that file's "The test model" section, so tests can predict every
 * output. No weights are learned; "deterministic weights" come from a seeded generator.
 *
 * Formulas (S = 128, F = S/16 = 8, L = 4F = 32; g = preprocessed [0,1] intensity):
 *  image_encoder   g = mean_c(image_c * std_c + mean_c) (a 1×1 conv undoing the manifest normalisation)
 *                  vision_feats ch0 = avgpool16(g), ch1 = 0, ch c≥2 = a_c·ch0 + b_c
 *                  high_res_feats_0 ch0 = avgpool4(g), high_res_feats_1 ch0 = avgpool8(g), other
 *                  channels fixed mixes; vision_pos a constant.
 *  memory_encoder  m = avgpool4(sigmoid(mask_logits)) (L→F) (mask_logits > 0 when binarize_mask = 1); ch0 = m, ch1 = m · pix_feat ch0,
 *                  ch2 = sigmoid(object_score_logits), ch c≥3 = mixes of m; maskmem_pos_enc constant.
 *  memory_attention  pix_feat_with_mem = curr with ch1 = mean over the N memories of their ch0;
 *                  curr_pos, memory_pos, obj_ptrs, obj_ptr_pos enter as 0·sum (signature only).
 *  mask_decoder    I = high_res_feats_0 ch0; U = prior + clicks + box + sigmoid(mask_input)·has_mask_input
 *                  prior = bilinear ×4 (half-pixel) of image_embed ch1;
 *                  clicks = Σ_i w_i·exp(-|c - p_i|²/(2σ²)), σ = S/10, w = +1 (label 1), −2 (label 0),
 *                  0 otherwise, c = L-cell centres in model pixels;
 *                  box = hasBox·σ((x−x0)/e)σ((x1−x)/e)σ((y−y0)/e)σ((y1−y)/e), e = S/64, corners from
 *                  labels 2/3;
 *                  logits_k = 20·min(I − 0.5, U − τ_k), τ = (0.2, 0.1, 0.2, 0.35);
 *                  iou_k = min(1, (Σp² + 1e-6)/(Σp + 1e-6)), p = sigmoid(logits_k);
 *                  obj_ptr_k = mean(p)·dirA + mean(p·I)·dirB; object_score = max(logits_0).
 */
import { createRng } from '../../extension/src/engine/memory/rng';
import { attr, GraphBuilder } from './graph-builder';
import { MEAN_MASK_DOWNSAMPLE } from './contract-folder';
import { memoryMask } from './memory-mask';

export const TEST_TINY = {
  imageSize: 128,
  mean: [0.485, 0.456, 0.406] as const,
  std: [0.229, 0.224, 0.225] as const,
  numMaskmem: 7,
  maxObjPtrs: 16,
  /** τ_k per mask plane: plane 1 is the loosest, plane 3 the tightest. */
  planeThresholds: [0.2, 0.1, 0.2, 0.35] as const,
  logitGain: 20,
  brightness: 0.5,
  clickSigmaFraction: 1 / 10,
  boxEdgeFraction: 1 / 64,
  includeWeight: 1,
  excludeWeight: -2,
  iouEpsilon: 1e-6,
} as const;

const S = TEST_TINY.imageSize;
const F = S / 16;
const L = 4 * F;
const C = 256;
const CM = 64;
const PRODUCER = 'medsam2-ohif test-model generator';

/** The engine's seeded generator, so every run writes identical weights. */
export function seededRandom(seed: number): () => number {
  const rng = createRng(seed);
  return () => rng.next();
}

function randomArray(n: number, seed: number, amplitude: number): Float32Array {
  const next = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * next() - 1) * amplitude;
  return out;
}

/** 1×1 conv weights 1 → n channels where channel 0 copies the input and `zeroChannels` are 0. */
function mixWeights(n: number, seed: number, zeroChannels: readonly number[] = []) {
  const w = randomArray(n, seed, 0.5);
  const b = randomArray(n, seed + 1, 0.1);
  w[0] = 1;
  b[0] = 0;
  for (const c of zeroChannels) w[c] = b[c] = 0;
  return { w, b };
}

function pool(g: GraphBuilder, x: string, k: number): string {
  return g.node('AveragePool', [x], { kernel_shape: attr.ints([k, k]), strides: attr.ints([k, k]) });
}

function mix(
  g: GraphBuilder,
  x: string,
  n: number,
  seed: number,
  zeroChannels: readonly number[] = [],
): string {
  const { w, b } = mixWeights(n, seed, zeroChannels);
  return g.node('Conv', [x, g.floats(w, [n, 1, 1, 1], 'mix_w'), g.floats(b, [n], 'mix_b')], conv1x1());
}

/**
 * Explicit 1×1 Conv attributes: ONNX lets them default, but onnxruntime-web's WebGPU kernel refuses a
 * Conv without them ("dilations should be 2D").
 */
function conv1x1() {
  return {
    kernel_shape: attr.ints([1, 1]),
    dilations: attr.ints([1, 1]),
    strides: attr.ints([1, 1]),
    pads: attr.ints([0, 0, 0, 0]),
  };
}

/** Adds 0·Σx to `value`: the input stays part of the graph (exact signature, dynamic dims) without effect. */
function consume(g: GraphBuilder, value: string, inputs: readonly string[]): string {
  let sum = g.node('ReduceSum', [inputs[0]], { keepdims: attr.int(0) });
  for (const x of inputs.slice(1))
    sum = g.node('Add', [sum, g.node('ReduceSum', [x], { keepdims: attr.int(0) })]);
  return g.node('Add', [value, g.node('Mul', [sum, g.scalar(0)])]);
}

export function imageEncoderGraph(): Uint8Array {
  const g = new GraphBuilder('image_encoder');
  const image = g.input('image', [1, 3, S, S]);
  const { mean, std } = TEST_TINY;
  // g = Σ_c (x_c·std_c + mean_c) / 3
  const w = std.map((s) => s / 3);
  const b = [(mean[0] + mean[1] + mean[2]) / 3];
  const intensity = g.node(
    'Conv',
    [image, g.floats(w, [1, 3, 1, 1], 'unnorm_w'), g.floats(b, [1], 'unnorm_b')],
    conv1x1(),
  );
  const feats = mix(g, pool(g, intensity, 16), C, 101, [1]);
  const hr0 = mix(g, pool(g, intensity, 4), 32, 202);
  const hr1 = mix(g, pool(g, intensity, 8), 64, 303);
  const pos = g.floats(randomArray(C * F * F, 404, 1), [1, C, F, F], 'vision_pos_const');
  g.output('vision_feats', feats, [1, C, F, F]);
  g.output('vision_pos', pos, [1, C, F, F]);
  g.output('high_res_feats_0', hr0, [1, 32, L, L]);
  g.output('high_res_feats_1', hr1, [1, 64, 2 * F, 2 * F]);
  return g.toBytes(PRODUCER);
}

export function memoryEncoderGraph(): Uint8Array {
  const g = new GraphBuilder('memory_encoder');
  const pixFeat = g.input('pix_feat', [1, C, F, F]);
  const maskLogits = g.input('mask_logits', [1, 1, L, L]);
  const objectScore = g.input('object_score_logits', [1, 1]);
  const m = pool(g, memoryMask(g, maskLogits), 4);
  const inside = g.node('Mul', [m, g.channels(pixFeat, 0, 1)]);
  const present = g.node('Reshape', [g.node('Sigmoid', [objectScore]), g.int64s([1, 1, 1, 1])]);
  const presentPlane = g.node('Mul', [
    present,
    g.floats(new Float32Array(F * F).fill(1), [1, 1, F, F], 'ones'),
  ]);
  const rest = mix(g, m, CM - 3, 505);
  const features = g.node('Concat', [m, inside, presentPlane, rest], { axis: attr.int(1) });
  const pos = g.floats(randomArray(CM * F * F, 606, 1), [1, CM, F, F], 'maskmem_pos_const');
  g.output('maskmem_features', features, [1, CM, F, F]);
  g.output('maskmem_pos_enc', pos, [1, CM, F, F]);
  return g.toBytes(PRODUCER);
}

export function memoryAttentionGraph(): Uint8Array {
  const g = new GraphBuilder('memory_attention');
  const curr = g.input('curr', [1, C, F, F]);
  const currPos = g.input('curr_pos', [1, C, F, F]);
  const memory = g.input('memory', ['N', CM, F, F]);
  const memoryPos = g.input('memory_pos', ['N', CM, F, F]);
  const objPtrs = g.input('obj_ptrs', ['P', C]);
  const objPtrPos = g.input('obj_ptr_pos', ['P', C]);
  const prior = g.node('ReduceMean', [g.channels(memory, 0, 1)], {
    axes: attr.ints([0]),
    keepdims: attr.int(1),
  });
  const replaced = g.node('Concat', [g.channels(curr, 0, 1), prior, g.channels(curr, 2, C)], {
    axis: attr.int(1),
  });
  const out = consume(g, replaced, [currPos, memoryPos, objPtrs, objPtrPos]);
  g.output('pix_feat_with_mem', out, [1, C, F, F]);
  return g.toBytes(PRODUCER);
}

/** Slices coordinate `axis` (0 = x, 1 = y) of point_coords [1,P,2] into [P,1,1]. */
function coordinate(g: GraphBuilder, coords: string, axis: number): string {
  const c = g.node('Slice', [coords, g.int64s([axis]), g.int64s([axis + 1]), g.int64s([2])]);
  return g.node('Reshape', [c, g.int64s([-1, 1, 1])]);
}

function labelIs(g: GraphBuilder, labels: string, value: number): string {
  return g.node('Cast', [g.node('Equal', [labels, g.scalar(value)])], { to: attr.int(1) });
}

/** Σ_P v·mask over the points → [1,1,1]. */
function sumOverPoints(g: GraphBuilder, v: string, mask: string): string {
  return g.node('ReduceSum', [g.node('Mul', [v, mask]), g.int64s([0])], { keepdims: attr.int(1) });
}

export function maskDecoderGraph(): Uint8Array {
  const g = new GraphBuilder('mask_decoder');
  const imageEmbed = g.input('image_embed', [1, C, F, F]);
  const hr0 = g.input('high_res_feats_0', [1, 32, L, L]);
  const hr1 = g.input('high_res_feats_1', [1, 64, 2 * F, 2 * F]);
  const coords = g.input('point_coords', [1, 'P', 2]);
  const labelsIn = g.input('point_labels', [1, 'P']);
  const maskInput = g.input('mask_input', [1, 1, L, L]);
  const hasMaskInput = g.input('has_mask_input', [1]);

  const cell = S / L;
  const centres = Array.from({ length: L }, (_, j) => (j + 0.5) * cell);
  const gridX = g.floats(centres, [1, 1, L], 'grid_x');
  const gridY = g.floats(centres, [1, L, 1], 'grid_y');
  const px = coordinate(g, coords, 0);
  const py = coordinate(g, coords, 1);
  const labels = g.node('Reshape', [labelsIn, g.int64s([-1, 1, 1])]);

  const intensity = g.channels(hr0, 0, 1);
  const prior = g.node('Resize', [g.channels(imageEmbed, 1, 2), '', g.floats([1, 1, 4, 4], [4], 'scales')], {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string('half_pixel'),
  });

  // Clicks: Gaussian bumps, one plane per point [P,L,L], weighted by label and summed.
  const sigma = S * TEST_TINY.clickSigmaFraction;
  const dx = g.node('Sub', [gridX, px]);
  const dy = g.node('Sub', [gridY, py]);
  const d2 = g.node('Add', [g.node('Mul', [dx, dx]), g.node('Mul', [dy, dy])]);
  const bumps = g.node('Exp', [g.node('Mul', [d2, g.scalar(-1 / (2 * sigma * sigma))])]);
  const weights = g.node('Add', [
    g.node('Mul', [labelIs(g, labels, 1), g.scalar(TEST_TINY.includeWeight)]),
    g.node('Mul', [labelIs(g, labels, 0), g.scalar(TEST_TINY.excludeWeight)]),
  ]);
  const clicks = g.node('ReduceSum', [g.node('Mul', [bumps, weights]), g.int64s([0])], {
    keepdims: attr.int(1),
  });

  // Box: soft indicator between the label-2 and label-3 corners; 0 unless both corners are present.
  const isTopLeft = labelIs(g, labels, 2);
  const isBottomRight = labelIs(g, labels, 3);
  const one = g.scalar(1);
  const hasBox = g.node('Mul', [
    g.node('Min', [sumOverPoints(g, isTopLeft, isTopLeft), one]),
    g.node('Min', [sumOverPoints(g, isBottomRight, isBottomRight), one]),
  ]);
  const edge = g.scalar(1 / (S * TEST_TINY.boxEdgeFraction));
  const step = (a: string, b: string) => g.node('Sigmoid', [g.node('Mul', [g.node('Sub', [a, b]), edge])]);
  const inX = g.node('Mul', [
    step(gridX, sumOverPoints(g, px, isTopLeft)),
    step(sumOverPoints(g, px, isBottomRight), gridX),
  ]);
  const inY = g.node('Mul', [
    step(gridY, sumOverPoints(g, py, isTopLeft)),
    step(sumOverPoints(g, py, isBottomRight), gridY),
  ]);
  const box = g.node('Mul', [g.node('Mul', [inX, inY]), hasBox]);

  const maskPrompt = g.node('Mul', [g.node('Sigmoid', [maskInput]), hasMaskInput]);
  const support2d = g.node('Reshape', [g.node('Add', [clicks, box]), g.int64s([1, 1, L, L])]);
  const support = g.node('Add', [g.node('Add', [prior, support2d]), maskPrompt]);

  const tau = g.floats(TEST_TINY.planeThresholds, [1, 4, 1, 1], 'tau');
  const bright = g.node('Sub', [intensity, g.scalar(TEST_TINY.brightness)]);
  const margin = g.node('Min', [bright, g.node('Sub', [support, tau])]);
  const logits = consume(g, g.node('Mul', [margin, g.scalar(TEST_TINY.logitGain)]), [hr1]);

  const p = g.node('Sigmoid', [logits]);
  const sumPlane = (x: string) => g.node('ReduceSum', [x, g.int64s([2, 3])], { keepdims: attr.int(0) });
  const sumP = sumPlane(p);
  const eps = g.scalar(TEST_TINY.iouEpsilon);
  const ratio = g.node('Div', [
    g.node('Add', [sumPlane(g.node('Mul', [p, p])), eps]),
    g.node('Add', [sumP, eps]),
  ]);
  const iou = g.node('Min', [ratio, one]);

  const area = g.scalar(1 / (L * L));
  const meanP = g.node('Unsqueeze', [g.node('Mul', [sumP, area]), g.int64s([2])]);
  const meanPI = g.node('Unsqueeze', [
    g.node('Mul', [sumPlane(g.node('Mul', [p, intensity])), area]),
    g.int64s([2]),
  ]);
  const { dirA: a, dirB: b } = pointerDirections();
  const dirA = g.floats(a, [1, 1, C], 'ptr_dir_a');
  const dirB = g.floats(b, [1, 1, C], 'ptr_dir_b');
  const objPtr = g.node('Add', [g.node('Mul', [meanP, dirA]), g.node('Mul', [meanPI, dirB])]);

  const objectScore = g.node('ReduceMax', [g.channels(logits, 0, 1)], {
    axes: attr.ints([2, 3]),
    keepdims: attr.int(0),
  });

  g.output('low_res_masks', logits, [1, 4, L, L]);
  g.output('iou_predictions', iou, [1, 4]);
  g.output('obj_ptr', objPtr, [1, 4, C]);
  g.output('object_score_logits', objectScore, [1, 1]);
  return g.toBytes(PRODUCER);
}

/** obj_ptr_k = mean(p_k)·dirA + mean(p_k·I)·dirB. */
export function pointerDirections() {
  return { dirA: randomArray(C, 707, 1), dirB: randomArray(C, 808, 1) };
}

/** The learned constants of the manifest, made deterministic. */
export function testConstants() {
  const noMemEmbed = randomArray(C, 909, 0.01);
  // Channel 0 (intensity) and channel 1 (memory prior) stay exactly as the encoder wrote them.
  noMemEmbed[0] = noMemEmbed[1] = 0;
  return {
    no_mem_embed: noMemEmbed,
    no_mem_pos_enc: randomArray(C, 1010, 0.1),
    maskmem_tpos_enc: Array.from({ length: TEST_TINY.numMaskmem }, (_, i) => randomArray(CM, 1111 + i, 0.1)),
    no_obj_ptr: randomArray(C, 1212, 0.1),
    mask_downsample: MEAN_MASK_DOWNSAMPLE,
  };
}

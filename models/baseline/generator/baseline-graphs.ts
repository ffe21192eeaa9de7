/**
 * A NON-LEARNED BASELINE in the model contract (models/README.md): prototype matching on fixed
 * multi-scale intensity features, with the memory holding mask-pooled prototypes and the mask
 * itself. It is not MedSAM-2 and has no trained weights; it exists so the evaluation harness and the
 * memory-bank policies give meaningful numbers before real weights are at hand.
 *
 * Notation: S = 256 model pixels, F = S/16 = 16 (feature grid), L = 4F = 64 (mask grid); g = the
 * preprocessed [0,1] intensity (the manifest's normalisation undone).
 *
 *  image_encoder   features on the L grid: f0 = 4×4 average of g, f1/f2/f3 = f0 averaged over
 *                  3×3 / 7×7 / 15×15 cells (stride 1, borders averaged over valid cells).
 *                  high_res_feats_0 ch 0..3 = f0..f3 (rest 0); high_res_feats_1 = 2×2 averages;
 *                  vision_feats ch 0..63 = SpaceToDepth(f, 4) (the L-grid features packed on F),
 *                  rest 0; vision_pos = 0.
 *  memory_encoder  m = sigmoid(mask_logits) on L (mask_logits > 0 when binarize_mask = 1); ring = relu(maxpool9(m) − m) (a band around it).
 *                  maskmem_features ch 0..15 = SpaceToDepth(m, 4); ch 16..19 = Σ m·f_k / L²;
 *                  ch 20 = Σ m / L²; ch 21..24 = Σ ring·f_k / L²; ch 25 = Σ ring / L² (planes);
 *                  rest 0. So a memory is the mask plus its foreground/background prototypes as
 *                  (sum, mass) pairs; an absent frame (logits −1024) is all zeros.
 *  memory_attention  the mean over the N memories of ch 0..25 replaces curr ch 64..89 and ch 90 is
 *                  set to 1 (memory present); curr_pos, memory_pos, obj_ptrs, obj_ptr_pos enter as 0·Σ.
 *  mask_decoder    prior = DepthToSpace(image_embed ch 64..79) on L (mean memory mask).
 *                  Prototypes: μ_fg = (memory fg sum + Σ W_fg·f/L²) / (memory fg mass + Σ W_fg/L²),
 *                  W_fg = include-click bumps (σ = 2.5 cells) + inner half of the box + mask prompt;
 *                  μ_bg likewise with W_bg = band outside the box + band around the mask prompt +
 *                  exclude-click bumps.
 *                  d_fg, d_bg = weighted mean of (f_k − μ)² (weights 0.6, 0.3, 0.1, 0: the widest scale only feeds the prototypes' context);
 *                  s = min(b − d_fg, T² − d_fg) / δ² with b = d_bg when a background prototype
 *                  exists, else t² (a click alone; t = 0.1), δ = 0.1, T = 0.15:
 *                  s > 0 means "looks like the object".
 *                  A = sigmoid(4s + λ·memflag·(2·prior − 1)) · envelope (λ = 3: the memory prior
 *                  as log-odds on tracked frames), envelope = max(disc of radius S/3 around each include
 *                  click, box, dilated mask prompt, memory prior dilated by 2 cells) · (1 − exclusions).
 *                  U = fuzzy connectedness of the seeds (click bumps, inner box, mask prompt, prior)
 *                  within A: U₀ = min(seed, A), U_{i+1} = min(maxpool3(U_i), A), 24 times.
 *                  plane k logits = 20·(U − τ_k), τ = (0.5, 0.4, 0.5, 0.6);
 *                  iou = Dice(p, prior) when memory is present (agreement with the memory), else
 *                  crispness Σp²/Σp; object_score = max(plane 0 logits); obj_ptr = mean(p)·a.
 */
import { attr, GraphBuilder } from '../../onnx/graph-builder';
import { MEAN_MASK_DOWNSAMPLE } from '../../onnx/contract-folder';
import { memoryMask } from '../../onnx/memory-mask';

export const BASELINE = {
  imageSize: 256,
  mean: [0.485, 0.456, 0.406] as const,
  std: [0.229, 0.224, 0.225] as const,
  numMaskmem: 7,
  maxObjPtrs: 16,
  /** Averaging windows (L cells) of the features f1..f3 (f0 is the 4×4-pixel cell itself). */
  scales: [3, 7, 15] as const,
  featureWeights: [0.6, 0.3, 0.1, 0] as const,
  /** Prototype tolerance δ and cap T (intensity units, RMS over the weighted features). */
  delta: 0.1,
  cap: 0.15,
  /** Tolerance when there is no background prototype yet (a click alone). Wider values keep the
   * object's blurred rim on synthetic data but leak into neighbouring tissue on real MRI (AAL:
   * thalamus 0.40 → 0.33, putamen 0.46 → 0.31 at t = 0.2). */
  clickTolerance: 0.1,
  allowGain: 4,
  /** Log-odds bias of the memory prior on tracked frames: λ·(2·prior − 1). */
  priorBias: 3,
  ringWindow: 9,
  priorDilation: 5,
  growSteps: 24,
  planeThresholds: [0.5, 0.4, 0.5, 0.6] as const,
  logitGain: 20,
  clickSigmaCells: 2.5,
  clickRadiusFraction: 1 / 3,
  boxBandCells: 4,
} as const;

const S = BASELINE.imageSize;
const F = S / 16;
const L = 4 * F;
const C = 256;
const CM = 64;
const K = 4;
const PRODUCER = 'medsam2-ohif baseline generator (non-learned prototype matching)';
const CELL = S / L;

/** Channel layout of maskmem_features and of the memory block inside pix_feat_with_mem. */
const MEM = { mask: 0, fgSum: 16, fgMass: 20, bgSum: 21, bgMass: 25, used: 26 } as const;
const EMBED_MEMORY_OFFSET = 64;
const EMBED_FLAG = EMBED_MEMORY_OFFSET + MEM.used;

/** Explicit 1×1 Conv attributes: onnxruntime-web's WebGPU kernel refuses defaulted ones. */
const conv1x1 = () => ({
  kernel_shape: attr.ints([1, 1]),
  dilations: attr.ints([1, 1]),
  strides: attr.ints([1, 1]),
  pads: attr.ints([0, 0, 0, 0]),
});

function identityConv(g: GraphBuilder, x: string, inCh: number, outCh: number): string {
  const w = new Float32Array(outCh * inCh);
  for (let c = 0; c < Math.min(inCh, outCh); c++) w[c * inCh + c] = 1;
  return g.node('Conv', [x, g.floats(w, [outCh, inCh, 1, 1], 'id_w')], conv1x1());
}

const avg = (g: GraphBuilder, x: string, k: number, stride = k, pad = 0) =>
  g.node('AveragePool', [x], {
    kernel_shape: attr.ints([k, k]),
    strides: attr.ints([stride, stride]),
    pads: attr.ints([pad, pad, pad, pad]),
  });

const maxPool = (g: GraphBuilder, x: string, k: number) =>
  g.node('MaxPool', [x], {
    kernel_shape: attr.ints([k, k]),
    strides: attr.ints([1, 1]),
    pads: attr.ints([(k - 1) / 2, (k - 1) / 2, (k - 1) / 2, (k - 1) / 2]),
  });

const sumAll = (g: GraphBuilder, x: string, axes: number[]) =>
  g.node('ReduceSum', [x, g.int64s(axes)], { keepdims: attr.int(1) });

const zerosPlanes = (g: GraphBuilder, n: number, size: number) =>
  g.floats(new Float32Array(n * size * size), [1, n, size, size], 'zeros');

/** x·0 summed in, so unused inputs stay in the graph (exact signature, dynamic dims). */
function consume(g: GraphBuilder, value: string, inputs: readonly string[]): string {
  let sum = g.node('ReduceSum', [inputs[0]], { keepdims: attr.int(0) });
  for (const x of inputs.slice(1))
    sum = g.node('Add', [sum, g.node('ReduceSum', [x], { keepdims: attr.int(0) })]);
  return g.node('Add', [value, g.node('Mul', [sum, g.scalar(0)])]);
}

export function imageEncoderGraph(): Uint8Array {
  const g = new GraphBuilder('image_encoder');
  const image = g.input('image', [1, 3, S, S]);
  const { mean, std } = BASELINE;
  const intensity = g.node(
    'Conv',
    [
      image,
      g.floats(
        std.map((s) => s / 3),
        [1, 3, 1, 1],
        'unnorm_w',
      ),
      g.floats([(mean[0] + mean[1] + mean[2]) / 3], [1], 'unnorm_b'),
    ],
    conv1x1(),
  );
  const f0 = avg(g, intensity, 4);
  const scales = BASELINE.scales.map((k) => avg(g, f0, k, 1, (k - 1) / 2));
  const feats = g.node('Concat', [f0, ...scales], { axis: attr.int(1) }); // [1,4,L,L]
  const hr0 = identityConv(g, feats, K, 32);
  const hr1 = identityConv(g, avg(g, feats, 2), K, 64);
  const packed = g.node('SpaceToDepth', [feats], { blocksize: attr.int(4) }); // [1,64,F,F], ch = pos·4 + k
  const vision = identityConv(g, packed, 64, C);
  g.output('vision_feats', vision, [1, C, F, F]);
  g.output('vision_pos', zerosPlanes(g, C, F), [1, C, F, F]);
  g.output('high_res_feats_0', hr0, [1, 32, L, L]);
  g.output('high_res_feats_1', hr1, [1, 64, 2 * F, 2 * F]);
  return g.toBytes(PRODUCER);
}

/** Σ weight·f_k / L² → [1,K,1,1] and Σ weight / L² → [1,1,1,1], on the L grid. */
function pooled(g: GraphBuilder, weight: string, feats: string): { sum: string; mass: string } {
  const area = g.scalar(1 / (L * L));
  return {
    sum: g.node('Mul', [sumAll(g, g.node('Mul', [weight, feats]), [2, 3]), area]),
    mass: g.node('Mul', [sumAll(g, weight, [1, 2, 3]), area]),
  };
}

export function memoryEncoderGraph(): Uint8Array {
  const g = new GraphBuilder('memory_encoder');
  const pixFeat = g.input('pix_feat', [1, C, F, F]);
  const maskLogits = g.input('mask_logits', [1, 1, L, L]);
  const objectScore = g.input('object_score_logits', [1, 1]);
  const m = memoryMask(g, maskLogits);
  const ring = g.node('Relu', [g.node('Sub', [maxPool(g, m, BASELINE.ringWindow), m])]);
  // Unpack the L-grid features from vision_feats (inverse of the encoder's SpaceToDepth).
  const feats = g.node('DepthToSpace', [g.channels(pixFeat, 0, 64)], {
    blocksize: attr.int(4),
    mode: attr.string('DCR'),
  });
  const fg = pooled(g, m, feats);
  const bg = pooled(g, ring, feats);
  const ones = g.floats(new Float32Array(F * F).fill(1), [1, 1, F, F], 'ones');
  const plane = (v: string) => g.node('Mul', [v, ones]);
  const features = g.node(
    'Concat',
    [
      g.node('SpaceToDepth', [m], { blocksize: attr.int(4) }),
      plane(fg.sum),
      plane(fg.mass),
      plane(bg.sum),
      plane(bg.mass),
      zerosPlanes(g, CM - MEM.used, F),
    ],
    { axis: attr.int(1) },
  );
  g.output('maskmem_features', consume(g, features, [objectScore]), [1, CM, F, F]);
  g.output('maskmem_pos_enc', zerosPlanes(g, CM, F), [1, CM, F, F]);
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
  const meanMemory = g.node('ReduceMean', [g.channels(memory, 0, MEM.used)], {
    axes: attr.ints([0]),
    keepdims: attr.int(1),
  });
  const flag = g.floats(new Float32Array(F * F).fill(1), [1, 1, F, F], 'memory_flag');
  const out = g.node(
    'Concat',
    [g.channels(curr, 0, EMBED_MEMORY_OFFSET), meanMemory, flag, g.channels(curr, EMBED_FLAG + 1, C)],
    { axis: attr.int(1) },
  );
  g.output('pix_feat_with_mem', consume(g, out, [currPos, memoryPos, objPtrs, objPtrPos]), [1, C, F, F]);
  return g.toBytes(PRODUCER);
}

/** Coordinate `axis` (0 = x, 1 = y) of point_coords [1,P,2] as [P,1,1,1]. */
function coordinate(g: GraphBuilder, coords: string, axis: number): string {
  const c = g.node('Slice', [coords, g.int64s([axis]), g.int64s([axis + 1]), g.int64s([2])]);
  return g.node('Reshape', [c, g.int64s([-1, 1, 1, 1])]);
}

function labelIs(g: GraphBuilder, labels: string, value: number): string {
  return g.node('Cast', [g.node('Equal', [labels, g.scalar(value)])], { to: attr.int(1) });
}

/** Σ over points (axis 0) of v·mask → [1,1,L,L] or [1,1,1,1]. */
const sumPoints = (g: GraphBuilder, v: string, mask: string) =>
  g.node('ReduceSum', [g.node('Mul', [v, mask]), g.int64s([0])], { keepdims: attr.int(1) });

const clamp01 = (g: GraphBuilder, x: string) => g.node('Min', [g.node('Relu', [x]), g.scalar(1)]);

/** Weighted mean over the K features of (f − μ)² → [1,1,L,L]. */
function distance(g: GraphBuilder, feats: string, mu: string): string {
  const d = g.node('Sub', [feats, mu]);
  const w = g.floats(BASELINE.featureWeights, [1, K, 1, 1], 'feature_w');
  return sumAll(g, g.node('Mul', [g.node('Mul', [d, d]), w]), [1]);
}

export function maskDecoderGraph(): Uint8Array {
  const g = new GraphBuilder('mask_decoder');
  const embed = g.input('image_embed', [1, C, F, F]);
  const hr0 = g.input('high_res_feats_0', [1, 32, L, L]);
  const hr1 = g.input('high_res_feats_1', [1, 64, 2 * F, 2 * F]);
  const coords = g.input('point_coords', [1, 'P', 2]);
  const labelsIn = g.input('point_labels', [1, 'P']);
  const maskInput = g.input('mask_input', [1, 1, L, L]);
  const hasMaskInput = g.input('has_mask_input', [1]);
  const one = g.scalar(1);
  const eps = g.scalar(1e-6);
  const feats = g.channels(hr0, 0, K);

  // ---- memory: prior mask and prototypes (zeros and flag 0 on a frame without memory)
  const memChannel = (a: number, b: number) =>
    g.channels(embed, EMBED_MEMORY_OFFSET + a, EMBED_MEMORY_OFFSET + b);
  const prior = g.node('DepthToSpace', [memChannel(MEM.mask, MEM.mask + 16)], {
    blocksize: attr.int(4),
    mode: attr.string('DCR'),
  });
  const spatialMean = (x: string) =>
    g.node('ReduceMean', [x], { axes: attr.ints([2, 3]), keepdims: attr.int(1) });
  const memFgSum = spatialMean(memChannel(MEM.fgSum, MEM.fgSum + K));
  const memFgMass = spatialMean(memChannel(MEM.fgMass, MEM.fgMass + 1));
  const memBgSum = spatialMean(memChannel(MEM.bgSum, MEM.bgSum + K));
  const memBgMass = spatialMean(memChannel(MEM.bgMass, MEM.bgMass + 1));
  const memFlag = spatialMean(g.channels(embed, EMBED_FLAG, EMBED_FLAG + 1));

  // ---- prompts on the L grid (cell centres in model pixels)
  const centres = Array.from({ length: L }, (_, j) => (j + 0.5) * CELL);
  const gridX = g.floats(centres, [1, 1, 1, L], 'grid_x');
  const gridY = g.floats(centres, [1, 1, L, 1], 'grid_y');
  const px = coordinate(g, coords, 0);
  const py = coordinate(g, coords, 1);
  const labels = g.node('Reshape', [labelsIn, g.int64s([-1, 1, 1, 1])]);
  const dx = g.node('Sub', [gridX, px]);
  const dy = g.node('Sub', [gridY, py]);
  const d2 = g.node('Add', [g.node('Mul', [dx, dx]), g.node('Mul', [dy, dy])]); // [P,1,L,L]
  const sigma = BASELINE.clickSigmaCells * CELL;
  const bump = g.node('Exp', [g.node('Mul', [d2, g.scalar(-1 / (2 * sigma * sigma))])]);
  const include = labelIs(g, labels, 1);
  const exclude = labelIs(g, labels, 0);
  const includeBumps = clamp01(g, sumPoints(g, bump, include));
  const excludeBumps = clamp01(g, sumPoints(g, bump, exclude));
  const radius = S * BASELINE.clickRadiusFraction;
  const disc = g.node('Sigmoid', [
    g.node('Mul', [g.node('Sub', [g.scalar(radius), g.node('Sqrt', [d2])]), g.scalar(1 / CELL)]),
  ]);
  const clickEnvelope = clamp01(g, sumPoints(g, disc, include));
  const excludeZone = clamp01(
    g,
    sumPoints(
      g,
      g.node('Sigmoid', [
        g.node('Mul', [g.node('Sub', [g.scalar(3 * sigma), g.node('Sqrt', [d2])]), g.scalar(1 / CELL)]),
      ]),
      exclude,
    ),
  );

  // Box (labels 2/3): soft indicator, its inner half and a band outside it; 0 unless both corners exist.
  const tl = labelIs(g, labels, 2);
  const br = labelIs(g, labels, 3);
  const hasBox = g.node('Mul', [
    g.node('Min', [sumPoints(g, tl, tl), one]),
    g.node('Min', [sumPoints(g, br, br), one]),
  ]);
  const x0 = sumPoints(g, px, tl);
  const y0 = sumPoints(g, py, tl);
  const x1 = sumPoints(g, px, br);
  const y1 = sumPoints(g, py, br);
  const edge = g.scalar(2 / CELL);
  const step = (a: string, b: string) => g.node('Sigmoid', [g.node('Mul', [g.node('Sub', [a, b]), edge])]);
  const boxBetween = (ax0: string, ay0: string, ax1: string, ay1: string) =>
    g.node('Mul', [
      g.node('Mul', [
        g.node('Mul', [step(gridX, ax0), step(ax1, gridX)]),
        g.node('Mul', [step(gridY, ay0), step(ay1, gridY)]),
      ]),
      hasBox,
    ]);
  const box = boxBetween(x0, y0, x1, y1);
  const quarter = (a: string, b: string, sign: number) =>
    g.node('Add', [a, g.node('Mul', [g.node('Sub', [b, a]), g.scalar(sign * 0.25)])]);
  const innerBox = boxBetween(quarter(x0, x1, 1), quarter(y0, y1, 1), quarter(x1, x0, 1), quarter(y1, y0, 1));
  const band = g.scalar(BASELINE.boxBandCells * CELL);
  const outerBox = boxBetween(
    g.node('Sub', [x0, band]),
    g.node('Sub', [y0, band]),
    g.node('Add', [x1, band]),
    g.node('Add', [y1, band]),
  );
  const boxBand = g.node('Relu', [g.node('Sub', [outerBox, box])]);

  // Mask prompt.
  const maskPrompt = g.node('Mul', [g.node('Sigmoid', [maskInput]), hasMaskInput]);
  const maskBand = g.node('Relu', [g.node('Sub', [maxPool(g, maskPrompt, BASELINE.ringWindow), maskPrompt])]);

  // ---- prototypes: memory (sum, mass) + prompt-pooled (sum, mass)
  const fgWeight = g.node('Add', [g.node('Add', [includeBumps, innerBox]), maskPrompt]);
  const bgWeight = g.node('Add', [g.node('Add', [boxBand, maskBand]), excludeBumps]);
  const fgP = pooled(g, fgWeight, feats);
  const bgP = pooled(g, bgWeight, feats);
  const fgMass = g.node('Add', [memFgMass, fgP.mass]);
  const bgMass = g.node('Add', [memBgMass, bgP.mass]);
  const muFg = g.node('Div', [g.node('Add', [memFgSum, fgP.sum]), g.node('Add', [fgMass, eps])]);
  const muBg = g.node('Div', [g.node('Add', [memBgSum, bgP.sum]), g.node('Add', [bgMass, eps])]);
  // A background prototype "exists" once it pools at least about one cell.
  const hasBg = g.node('Min', [g.node('Mul', [bgMass, g.scalar(L * L)]), one]);
  const dFg = distance(g, feats, muFg);
  const dBg = distance(g, feats, muBg);
  const delta2 = BASELINE.delta * BASELINE.delta;
  const bound = g.node('Add', [
    g.node('Mul', [hasBg, dBg]),
    g.node('Mul', [g.node('Sub', [one, hasBg]), g.scalar(BASELINE.clickTolerance ** 2)]),
  ]);
  const margin = g.node('Min', [
    g.node('Sub', [bound, dFg]),
    g.node('Sub', [g.scalar(BASELINE.cap ** 2), dFg]),
  ]);
  // Likelihood (prototype margin) plus the memory prior's log-odds on tracked frames.
  const priorTerm = g.node('Mul', [
    g.node('Mul', [g.node('Sub', [g.node('Mul', [prior, g.scalar(2)]), one]), memFlag]),
    g.scalar(BASELINE.priorBias),
  ]);
  const similar = g.node('Sigmoid', [
    g.node('Add', [g.node('Mul', [margin, g.scalar(BASELINE.allowGain / delta2)]), priorTerm]),
  ]);

  // ---- where the object may be, and where it surely starts
  const priorEnvelope = clamp01(g, g.node('Mul', [maxPool(g, prior, BASELINE.priorDilation), g.scalar(4)]));
  const envelope = g.node('Mul', [
    g.node('Max', [clickEnvelope, box, maxPool(g, maskPrompt, 5), priorEnvelope]),
    g.node('Sub', [one, excludeZone]),
  ]);
  const allowed = g.node('Mul', [similar, envelope]);
  const seed = g.node('Max', [includeBumps, innerBox, maskPrompt, prior]);
  let grown = g.node('Min', [seed, allowed]);
  for (let i = 0; i < BASELINE.growSteps; i++) grown = g.node('Min', [maxPool(g, grown, 3), allowed]);

  const tau = g.floats(BASELINE.planeThresholds, [1, 4, 1, 1], 'tau');
  const logits = consume(g, g.node('Mul', [g.node('Sub', [grown, tau]), g.scalar(BASELINE.logitGain)]), [
    hr1,
  ]);

  // ---- confidence, pointer, object score
  const p = g.node('Sigmoid', [logits]);
  const sumPlane = (x: string) => g.node('ReduceSum', [x, g.int64s([2, 3])], { keepdims: attr.int(0) }); // [1,4]
  const sumP = sumPlane(p);
  const crisp = g.node('Div', [
    g.node('Add', [sumPlane(g.node('Mul', [p, p])), eps]),
    g.node('Add', [sumP, eps]),
  ]);
  const agreement = g.node('Div', [
    g.node('Mul', [sumPlane(g.node('Mul', [p, prior])), g.scalar(2)]),
    g.node('Add', [g.node('Add', [sumP, sumPlane(prior)]), eps]),
  ]);
  const flag = g.node('Reshape', [memFlag, g.int64s([1, 1])]);
  const iou = g.node('Min', [
    g.node('Add', [g.node('Mul', [flag, agreement]), g.node('Mul', [g.node('Sub', [one, flag]), crisp])]),
    one,
  ]);
  const meanP = g.node('Unsqueeze', [g.node('Mul', [sumP, g.scalar(1 / (L * L))]), g.int64s([2])]);
  const dir = new Float32Array(C);
  for (let c = 0; c < C; c++) dir[c] = Math.cos(c);
  const objPtr = g.node('Mul', [meanP, g.floats(dir, [1, 1, C], 'ptr_dir')]);
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

/** Constants of the manifest: all zero, so a frame without memory keeps its features and has no prior. */
export function baselineConstants() {
  return {
    no_mem_embed: new Float32Array(C),
    no_mem_pos_enc: new Float32Array(C),
    maskmem_tpos_enc: Array.from({ length: BASELINE.numMaskmem }, () => new Float32Array(CM)),
    no_obj_ptr: new Float32Array(C),
    mask_downsample: MEAN_MASK_DOWNSAMPLE,
  };
}

/**
 * An independent re-implementation of the test model's formulas (models/README.md, "The test
 * model"), in plain TypeScript with float64, to check what the ONNX graphs compute.
 */
import { TEST_TINY } from '../../models/onnx/test-tiny';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** Average pooling of a size×size plane by k. */
export function avgPool(plane: ArrayLike<number>, size: number, k: number): Float64Array {
  const n = size / k;
  const out = new Float64Array(n * n);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++)
      out[Math.floor(y / k) * n + Math.floor(x / k)] += plane[y * size + x] / (k * k);
  }
  return out;
}

/** Bilinear ×4 upsampling with half-pixel centres and edge clamping (ONNX Resize linear/half_pixel). */
export function upsample4(plane: ArrayLike<number>, size: number): Float64Array {
  const n = size * 4;
  const out = new Float64Array(n * n);
  const src = (d: number) => Math.min(Math.max((d + 0.5) / 4 - 0.5, 0), size - 1);
  for (let y = 0; y < n; y++) {
    const sy = src(y);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, size - 1);
    const fy = sy - y0;
    for (let x = 0; x < n; x++) {
      const sx = src(x);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, size - 1);
      const fx = sx - x0;
      const top = plane[y0 * size + x0] * (1 - fx) + plane[y0 * size + x1] * fx;
      const bottom = plane[y1 * size + x0] * (1 - fx) + plane[y1 * size + x1] * fx;
      out[y * n + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

export interface DecoderReferenceInputs {
  /** I on the L×L grid. */
  intensity: ArrayLike<number>;
  /** image_embed channel 1 on the F×F grid. */
  priorF: ArrayLike<number>;
  coords: ArrayLike<number>;
  labels: ArrayLike<number>;
  /** mask_input logits on L×L, or undefined. */
  maskInput?: ArrayLike<number>;
  S: number;
}

export function referenceDecoder(a: DecoderReferenceInputs) {
  const { S } = a;
  const F = S / 16;
  const L = 4 * F;
  const cell = S / L;
  const sigma = S * TEST_TINY.clickSigmaFraction;
  const edge = S * TEST_TINY.boxEdgeFraction;
  const prior = upsample4(a.priorF, F);
  const n = a.labels.length;
  const corner = (label: number) => {
    for (let i = 0; i < n; i++) if (a.labels[i] === label) return [a.coords[2 * i], a.coords[2 * i + 1]];
    return undefined;
  };
  const tl = corner(2);
  const br = corner(3);
  const support = new Float64Array(L * L);
  for (let y = 0; y < L; y++) {
    for (let x = 0; x < L; x++) {
      const cx = (x + 0.5) * cell;
      const cy = (y + 0.5) * cell;
      let u = prior[y * L + x];
      for (let i = 0; i < n; i++) {
        const w =
          a.labels[i] === 1 ? TEST_TINY.includeWeight : a.labels[i] === 0 ? TEST_TINY.excludeWeight : 0;
        const d2 = (cx - a.coords[2 * i]) ** 2 + (cy - a.coords[2 * i + 1]) ** 2;
        u += w * Math.exp(-d2 / (2 * sigma * sigma));
      }
      if (tl && br) {
        u +=
          sigmoid((cx - tl[0]) / edge) *
          sigmoid((br[0] - cx) / edge) *
          sigmoid((cy - tl[1]) / edge) *
          sigmoid((br[1] - cy) / edge);
      }
      if (a.maskInput) u += sigmoid(a.maskInput[y * L + x]);
      support[y * L + x] = u;
    }
  }
  const logits = new Float64Array(4 * L * L);
  const iou = new Float64Array(4);
  const meanP = new Float64Array(4);
  const meanPI = new Float64Array(4);
  TEST_TINY.planeThresholds.forEach((tau, k) => {
    let sp = 0;
    let sp2 = 0;
    for (let i = 0; i < L * L; i++) {
      const v = TEST_TINY.logitGain * Math.min(a.intensity[i] - TEST_TINY.brightness, support[i] - tau);
      logits[k * L * L + i] = v;
      const p = sigmoid(v);
      sp += p;
      sp2 += p * p;
      meanPI[k] += (p * a.intensity[i]) / (L * L);
    }
    iou[k] = Math.min(1, (sp2 + TEST_TINY.iouEpsilon) / (sp + TEST_TINY.iouEpsilon));
    meanP[k] = sp / (L * L);
  });
  let objectScore = -Infinity;
  for (let i = 0; i < L * L; i++) objectScore = Math.max(objectScore, logits[i]);
  return { logits, iou, meanP, meanPI, objectScore, support };
}

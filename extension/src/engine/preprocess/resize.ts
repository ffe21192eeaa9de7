/**
 * 2D resampling of row-major images (pixel (x, y) at `x + width * y`).
 *
 * All three use the pixel-centre convention ("align_corners = false"): destination pixel d samples
 * the source at continuous position `(d + 0.5) · src/dst − 0.5`, so the image edges line up, not
 * the corner pixel centres.
 * - bicubic (images, paper App. C.1): Keys kernel a = −0.5, widened by the scale factor when
 *   shrinking (antialiasing, as PIL does); taps beyond the border are dropped and the weights
 *   renormalised. Values may overshoot the input range slightly (callers clip where needed).
 * - nearest (masks, App. C.1): the source pixel whose cell contains the destination centre.
 * - bilinear (mask logits): PyTorch `F.interpolate(mode='bilinear', align_corners=False)` without
 *   antialiasing, the way SAM2 upsamples its low-resolution mask logits.
 */
import { InputError } from '../errors';

function checkImage(length: number, w: number, h: number, dstW: number, dstH: number, what: string): void {
  for (const [name, v] of [
    ['width', w],
    ['height', h],
    ['target width', dstW],
    ['target height', dstH],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new InputError('invalid-image', `${what}: ${name} ${v} is not a positive integer`);
    }
  }
  if (length !== w * h) {
    throw new InputError(
      'invalid-image',
      `${what}: ${length} values do not make a ${w}×${h} image (${w * h})`,
    );
  }
}

/** Keys' cubic convolution kernel with a = −0.5 (Catmull-Rom; PIL's BICUBIC). Support [−2, 2]. */
function cubic(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

interface Taps {
  first: Int32Array;
  count: Int32Array;
  stride: number;
  weights: Float64Array;
}

/** Per destination index: the first source tap, the tap count and normalised weights. */
function cubicTaps(srcLen: number, dstLen: number): Taps {
  const scale = srcLen / dstLen;
  const filterScale = Math.max(scale, 1);
  const radius = 2 * filterScale;
  const stride = Math.ceil(radius) * 2 + 1;
  const first = new Int32Array(dstLen);
  const count = new Int32Array(dstLen);
  const weights = new Float64Array(dstLen * stride);
  for (let d = 0; d < dstLen; d++) {
    const centre = (d + 0.5) * scale;
    const lo = Math.max(0, Math.floor(centre - radius));
    const hi = Math.min(srcLen, Math.ceil(centre + radius));
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const w = cubic((i + 0.5 - centre) / filterScale);
      weights[d * stride + i - lo] = w;
      sum += w;
    }
    for (let i = lo; i < hi; i++) weights[d * stride + i - lo] /= sum;
    first[d] = lo;
    count[d] = hi - lo;
  }
  return { first, count, stride, weights };
}

export function resizeBicubic(
  src: Float32Array,
  w: number,
  h: number,
  dstW: number,
  dstH: number,
): Float32Array {
  checkImage(src.length, w, h, dstW, dstH, 'bicubic resize');
  const xt = cubicTaps(w, dstW);
  const yt = cubicTaps(h, dstH);
  // Separable: rows first (h × dstW), then columns (dstH × dstW).
  const rows = new Float64Array(h * dstW);
  for (let y = 0; y < h; y++) {
    for (let d = 0; d < dstW; d++) {
      let acc = 0;
      const base = y * w + xt.first[d];
      for (let t = 0; t < xt.count[d]; t++) acc += src[base + t] * xt.weights[d * xt.stride + t];
      rows[y * dstW + d] = acc;
    }
  }
  const out = new Float32Array(dstW * dstH);
  for (let d = 0; d < dstH; d++) {
    for (let x = 0; x < dstW; x++) {
      let acc = 0;
      for (let t = 0; t < yt.count[d]; t++)
        acc += rows[(yt.first[d] + t) * dstW + x] * yt.weights[d * yt.stride + t];
      out[d * dstW + x] = acc;
    }
  }
  return out;
}

export function resizeNearest(src: Uint8Array, w: number, h: number, dstW: number, dstH: number): Uint8Array;
export function resizeNearest(
  src: Float32Array,
  w: number,
  h: number,
  dstW: number,
  dstH: number,
): Float32Array;
export function resizeNearest(
  src: Uint8Array | Float32Array,
  w: number,
  h: number,
  dstW: number,
  dstH: number,
): Uint8Array | Float32Array {
  checkImage(src.length, w, h, dstW, dstH, 'nearest resize');
  const out = src instanceof Uint8Array ? new Uint8Array(dstW * dstH) : new Float32Array(dstW * dstH);
  const sx = new Int32Array(dstW);
  for (let d = 0; d < dstW; d++) sx[d] = Math.min(w - 1, Math.floor(((d + 0.5) * w) / dstW));
  for (let d = 0; d < dstH; d++) {
    const row = Math.min(h - 1, Math.floor(((d + 0.5) * h) / dstH)) * w;
    for (let x = 0; x < dstW; x++) out[d * dstW + x] = src[row + sx[x]];
  }
  return out;
}

export function resizeBilinear(
  src: Float32Array,
  w: number,
  h: number,
  dstW: number,
  dstH: number,
): Float32Array {
  checkImage(src.length, w, h, dstW, dstH, 'bilinear resize');
  const axis = (srcLen: number, dstLen: number) => {
    const i0 = new Int32Array(dstLen);
    const i1 = new Int32Array(dstLen);
    const t = new Float64Array(dstLen);
    for (let d = 0; d < dstLen; d++) {
      const s = Math.max(0, ((d + 0.5) * srcLen) / dstLen - 0.5);
      const lo = Math.min(Math.floor(s), srcLen - 1);
      i0[d] = lo;
      i1[d] = Math.min(lo + 1, srcLen - 1);
      t[d] = s - lo;
    }
    return { i0, i1, t };
  };
  const ax = axis(w, dstW);
  const ay = axis(h, dstH);
  const out = new Float32Array(dstW * dstH);
  for (let y = 0; y < dstH; y++) {
    const r0 = ay.i0[y] * w;
    const r1 = ay.i1[y] * w;
    const ty = ay.t[y];
    for (let x = 0; x < dstW; x++) {
      const tx = ax.t[x];
      const top = src[r0 + ax.i0[x]] * (1 - tx) + src[r0 + ax.i1[x]] * tx;
      const bottom = src[r1 + ax.i0[x]] * (1 - tx) + src[r1 + ax.i1[x]] * tx;
      out[y * dstW + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/**
 * PyTorch's `interpolate(mode='bilinear', align_corners=False, antialias=True)`: when shrinking, a
 * triangle filter stretched by the scale (support = scale), weights normalised per output pixel;
 * when growing, plain bilinear. SAM 2 uses it for mask prompts (`add_new_mask`, `_use_mask_as_output`).
 */
export function resizeBilinearAntialias(
  src: Float32Array,
  w: number,
  h: number,
  dstW: number,
  dstH: number,
): Float32Array {
  checkImage(src.length, w, h, dstW, dstH, 'antialiased bilinear resize');
  const axis = (inSize: number, outSize: number) => {
    const scale = inSize / outSize;
    const support = scale >= 1 ? scale : 1;
    const invScale = scale >= 1 ? 1 / scale : 1;
    const first = new Int32Array(outSize);
    const taps: Float64Array[] = [];
    for (let i = 0; i < outSize; i++) {
      const center = scale * (i + 0.5);
      const lo = Math.max(Math.trunc(center - support + 0.5), 0);
      const count = Math.min(Math.trunc(center + support + 0.5), inSize) - lo;
      const wts = new Float64Array(Math.max(count, 0));
      let total = 0;
      for (let j = 0; j < count; j++) {
        const x = Math.abs((j + lo - center + 0.5) * invScale);
        wts[j] = x < 1 ? 1 - x : 0;
        total += wts[j];
      }
      if (total > 0) for (let j = 0; j < count; j++) wts[j] /= total;
      first[i] = lo;
      taps.push(wts);
    }
    return { first, taps };
  };
  const ax = axis(w, dstW);
  const ay = axis(h, dstH);
  const rows = new Float64Array(h * dstW); // horizontal pass first, as PyTorch does
  for (let y = 0; y < h; y++)
    for (let x = 0; x < dstW; x++) {
      const wts = ax.taps[x];
      let acc = 0;
      for (let j = 0; j < wts.length; j++) acc += src[y * w + ax.first[x] + j] * wts[j];
      rows[y * dstW + x] = acc;
    }
  const out = new Float32Array(dstW * dstH);
  for (let y = 0; y < dstH; y++) {
    const wts = ay.taps[y];
    for (let x = 0; x < dstW; x++) {
      let acc = 0;
      for (let j = 0; j < wts.length; j++) acc += rows[(ay.first[y] + j) * dstW + x] * wts[j];
      out[y * dstW + x] = acc;
    }
  }
  return out;
}

/**
 * Exact squared Euclidean distance transform with anisotropic spacing (Felzenszwalb & Huttenlocher,
 * "Distance transforms of sampled functions", 2012): a 1-D lower envelope of parabolas applied along
 * each axis in turn. Exact for any spacing because squared distance separates over axes.
 */

/**
 * In place along one line: `f[i]` (0 at feature points, Infinity elsewhere, or an earlier pass's
 * result) becomes min_j ((i − j)·h)² + f[j]. `v`/`z` are scratch of length ≥ n / n + 1.
 */
function envelope1d(
  f: Float64Array,
  n: number,
  h: number,
  v: Int32Array,
  z: Float64Array,
  out: Float64Array,
) {
  let k = -1;
  for (let q = 0; q < n; q++) {
    const fq = f[q];
    if (fq === Infinity) continue; // never the minimum; Inf − Inf would poison the intersections
    const xq = q * h;
    if (k < 0) {
      k = 0;
      v[0] = q;
      z[0] = -Infinity;
      z[1] = Infinity;
      continue;
    }
    // Pop parabolas the new one hides; z[0] = −∞ stops the loop at k = 0.
    let s: number;
    for (;;) {
      const p = v[k];
      const xp = p * h;
      s = (fq + xq * xq - (f[p] + xp * xp)) / (2 * (xq - xp));
      if (s <= z[k]) k--;
      else break;
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  if (k < 0) {
    for (let q = 0; q < n; q++) out[q] = Infinity;
    return;
  }
  let j = 0;
  for (let q = 0; q < n; q++) {
    const xq = q * h;
    while (z[j + 1] < xq) j++;
    const d = xq - v[j] * h;
    out[q] = d * d + f[v[j]];
  }
}

/**
 * Squared distance (in spacing units, e.g. mm²) from every voxel to the nearest voxel where
 * `feature` is non-zero; Infinity everywhere when there is none. Array order x fastest, any rank.
 */
export function squaredDistanceToFeatures(
  feature: ArrayLike<number>,
  dims: readonly number[],
  spacing: readonly number[],
): Float64Array {
  const total = dims.reduce((a, b) => a * b, 1);
  if (feature.length !== total)
    throw new RangeError(`feature has ${feature.length} values, dims ${dims.join('×')} need ${total}`);
  const d = new Float64Array(total);
  for (let i = 0; i < total; i++) d[i] = feature[i] ? 0 : Infinity;
  const longest = Math.max(...dims);
  const line = new Float64Array(longest);
  const out = new Float64Array(longest);
  const v = new Int32Array(longest);
  const z = new Float64Array(longest + 1);
  let stride = 1;
  for (let axis = 0; axis < dims.length; axis++) {
    const n = dims[axis];
    const outer = total / (n * stride);
    for (let o = 0; o < outer; o++)
      for (let inner = 0; inner < stride; inner++) {
        const base = o * n * stride + inner;
        for (let q = 0; q < n; q++) line[q] = d[base + q * stride];
        envelope1d(line, n, spacing[axis], v, z, out);
        for (let q = 0; q < n; q++) d[base + q * stride] = out[q];
      }
    stride *= n;
  }
  return d;
}

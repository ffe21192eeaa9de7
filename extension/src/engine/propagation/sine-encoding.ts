/**
 * SAM2's 1-D sine positional encoding, used for the temporal offsets of object pointers
 * (models/README.md, "Object pointers"): for i < h = dim/2, dim_t[i] = 10000^(2·floor(i/2)/h),
 * encoding = [sin(pos/dim_t), cos(pos/dim_t)].
 */
export function sineEncoding1d(positions: readonly number[], dim: number, temperature = 10000): Float32Array {
  const half = dim / 2;
  const out = new Float32Array(positions.length * dim);
  for (let p = 0; p < positions.length; p++) {
    for (let i = 0; i < half; i++) {
      const dimT = Math.pow(temperature, (2 * Math.floor(i / 2)) / half);
      const v = positions[p] / dimT;
      out[p * dim + i] = Math.sin(v);
      out[p * dim + half + i] = Math.cos(v);
    }
  }
  return out;
}

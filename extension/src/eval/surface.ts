/**
 * Surface (boundary) voxels of a binary mask: object voxels with at least one face neighbour
 * (6-connectivity in 3-D, 4 in 2-D) outside the object or outside the array — the same set as
 * `mask XOR binary_erosion(mask)` with scipy's default cross-shaped structure and border 0, the
 * definition MedPy and most HD95 implementations use.
 */
export function surfaceVoxels(mask: ArrayLike<number>, dims: readonly number[]): Uint8Array {
  const total = dims.reduce((a, b) => a * b, 1);
  if (mask.length !== total)
    throw new RangeError(`mask has ${mask.length} values, dims ${dims.join('×')} need ${total}`);
  const out = new Uint8Array(total);
  const strides: number[] = [];
  let s = 1;
  for (const n of dims) {
    strides.push(s);
    s *= n;
  }
  const coord = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < total; i++) {
    if (i > 0) {
      // Advance the multi-index (x fastest).
      for (let a = 0; a < dims.length; a++) {
        if (++coord[a] < dims[a]) break;
        coord[a] = 0;
      }
    }
    if (!mask[i]) continue;
    for (let a = 0; a < dims.length; a++) {
      const c = coord[a];
      if (c === 0 || c === dims[a] - 1 || !mask[i - strides[a]] || !mask[i + strides[a]]) {
        out[i] = 1;
        break;
      }
    }
  }
  return out;
}

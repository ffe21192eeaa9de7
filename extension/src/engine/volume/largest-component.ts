/**
 * The largest 26-connected component of a binary volume (MedSAM2's 3D scripts, `getLargestCC`:
 * skimage `measure.label(connectivity=3)`, the largest label kept). Voxel (x, y, z) is at
 * x + nx·(y + ny·z). Returns a new mask; an empty mask stays empty.
 */
export function largestComponent(mask: Uint8Array, dims: readonly [number, number, number]): Uint8Array {
  const [nx, ny, nz] = dims;
  const label = new Int32Array(mask.length);
  const stack = new Int32Array(mask.length);
  let best = 0;
  let bestSize = 0;
  let next = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || label[start]) continue;
    const id = ++next;
    let size = 0;
    let top = 0;
    stack[top++] = start;
    label[start] = id;
    while (top > 0) {
      const v = stack[--top];
      size++;
      const x = v % nx;
      const y = Math.floor(v / nx) % ny;
      const z = Math.floor(v / (nx * ny));
      for (let dz = -1; dz <= 1; dz++)
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const X = x + dx;
            const Y = y + dy;
            const Z = z + dz;
            if (X < 0 || Y < 0 || Z < 0 || X >= nx || Y >= ny || Z >= nz) continue;
            const w = X + nx * (Y + ny * Z);
            if (!mask[w] || label[w]) continue;
            label[w] = id;
            stack[top++] = w;
          }
    }
    if (size > bestSize) {
      bestSize = size;
      best = id;
    }
  }
  return Uint8Array.from(label, (l) => (l === best && best > 0 ? 1 : 0));
}

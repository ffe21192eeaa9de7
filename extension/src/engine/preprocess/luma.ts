/**
 * Colour pixels → one grey value each, ITU-R BT.601 luma (0.299 R + 0.587 G + 0.114 B): the engine's
 * images have one channel (the model's three input channels are that channel repeated,
 * prepare-slice.ts). `components` values per pixel, interleaved, R, G, B first (RGB or RGBA).
 */
export function lumaBT601(pixels: ArrayLike<number>, count: number, components: 3 | 4): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const p = components * i;
    out[i] = 0.299 * pixels[p] + 0.587 * pixels[p + 1] + 0.114 * pixels[p + 2];
  }
  return out;
}

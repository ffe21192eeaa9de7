/**
 * 1-bit pixel data (BitsAllocated = 1, PS3.5 8.1.1): pixels are packed little-endian bit by bit,
 * and consecutive frames continue the same bit stream without byte alignment.
 */

/** Pack `frames` (each rows×columns bytes, nonzero = set) into one bit stream, padded to even length. */
export function packBitFrames(frames: readonly Uint8Array[], pixelsPerFrame: number): Uint8Array {
  const totalBits = frames.length * pixelsPerFrame;
  const bytes = Math.ceil(totalBits / 8);
  const out = new Uint8Array(bytes + (bytes % 2));
  let bit = 0;
  for (const frame of frames) {
    for (let i = 0; i < pixelsPerFrame; i++, bit++) {
      if (frame[i]) out[bit >> 3] |= 1 << (bit & 7);
    }
  }
  return out;
}

/** Frame `index` of a packed bit stream as one byte (0/1) per pixel. */
export function unpackBitFrame(packed: Uint8Array, index: number, pixelsPerFrame: number): Uint8Array {
  const out = new Uint8Array(pixelsPerFrame);
  let bit = index * pixelsPerFrame;
  for (let i = 0; i < pixelsPerFrame; i++, bit++) out[i] = (packed[bit >> 3] >> (bit & 7)) & 1;
  return out;
}

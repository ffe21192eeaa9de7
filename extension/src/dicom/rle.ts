/**
 * DICOM RLE Lossless decoder (PS3.5 Annex G): a 64-byte header with the number of segments and
 * their offsets, then one PackBits-coded segment per byte plane (most significant byte first).
 * Output is the frame in native little-endian layout (sample-interleaved for colour).
 */

export class RleError extends Error {}

function decodeSegment(src: Uint8Array, start: number, end: number, out: Uint8Array): void {
  let i = start;
  let o = 0;
  while (i < end && o < out.length) {
    const n = (src[i++] << 24) >> 24; // signed header byte
    if (n >= 0) {
      const count = n + 1;
      if (i + count > end) throw new RleError('literal run past the end of its segment');
      out.set(src.subarray(i, i + Math.min(count, out.length - o)), o);
      i += count;
      o += count;
    } else if (n !== -128) {
      const count = 1 - n;
      if (i >= end) throw new RleError('replicate run past the end of its segment');
      out.fill(src[i++], o, Math.min(out.length, o + count));
      o += count;
    }
  }
  if (o < out.length) throw new RleError(`segment decodes to ${o} bytes, ${out.length} expected`);
}

/**
 * Decode one RLE frame of `pixels` samples-per-plane, `bytesPerSample` bytes per sample and
 * `samplesPerPixel` planes into interleaved little-endian bytes.
 */
export function decodeRleFrame(
  frame: Uint8Array,
  pixels: number,
  bytesPerSample: number,
  samplesPerPixel: number,
): Uint8Array {
  if (frame.length < 64) throw new RleError(`frame has ${frame.length} bytes, no 64-byte header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const expected = bytesPerSample * samplesPerPixel;
  if (segments !== expected) {
    throw new RleError(`header declares ${segments} segments, ${expected} expected`);
  }
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  offsets.push(frame.length);
  const out = new Uint8Array(pixels * expected);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const [start, end] = [offsets[s], offsets[s + 1]];
    if (start < 64 || end > frame.length || start > end) {
      throw new RleError(`segment ${s + 1} offset ${start} is outside the frame`);
    }
    decodeSegment(frame, start, end, plane);
    // Segment order: sample 0 MSB..LSB, sample 1 MSB..LSB, ...; output is little endian.
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    for (let p = 0; p < pixels; p++) {
      out[(p * samplesPerPixel + sample) * bytesPerSample + byteInSample] = plane[p];
    }
  }
  return out;
}

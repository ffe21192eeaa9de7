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
      if (i + count > end) throw new RleError(`RLE segment: a literal run goes past the end of its segment`);
      // A plain loop: subarray() per run costs more than the copy for PackBits' short runs.
      const n2 = Math.min(count, out.length - o);
      for (let k = 0; k < n2; k++) out[o + k] = src[i + k];
      i += count;
      o += count;
    } else if (n !== -128) {
      const count = 1 - n;
      if (i >= end) throw new RleError(`RLE segment: a replicate run goes past the end of its segment`);
      out.fill(src[i++], o, Math.min(out.length, o + count));
      o += count;
    }
  }
  if (o < out.length)
    throw new RleError(`RLE segment decodes to ${o} bytes, ${out.length} expected (Rows×Columns)`);
}

/** A replicate run turns 2 bytes into at most 128: no segment decodes to more than 64× its size. */
const MAX_EXPANSION = 64;

/**
 * Check an RLE frame's header against the frame size it must decode to, without decoding: the
 * segment count, the segment offsets, and that each segment is long enough to hold `pixels` bytes
 * at the best PackBits can do. A size lie is refused here, before anything is allocated for it.
 */
export function checkRleFrame(
  frame: Uint8Array,
  pixels: number,
  bytesPerSample: number,
  samplesPerPixel: number,
): number[] {
  if (frame.length < 64) throw new RleError(`frame has ${frame.length} bytes, no 64-byte RLE header`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  const expected = bytesPerSample * samplesPerPixel;
  if (segments !== expected) {
    throw new RleError(
      `RLE header declares ${segments} segments, ${expected} expected for the image's bits and samples`,
    );
  }
  const offsets: number[] = [];
  for (let s = 0; s < segments; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  offsets.push(frame.length);
  for (let s = 0; s < segments; s++) {
    const [start, end] = [offsets[s], offsets[s + 1]];
    if (start < 64 || end > frame.length || start > end) {
      throw new RleError(
        `RLE segment ${s + 1} offset ${start} is outside the frame (64…${frame.length} bytes, offsets ascending)`,
      );
    }
    if (pixels > (end - start) * MAX_EXPANSION)
      throw new RleError(
        `RLE segment ${s + 1} has ${end - start} bytes, which decode to at most ${(end - start) * MAX_EXPANSION}; ` +
          `the header declares ${pixels} pixels per frame (Rows×Columns larger than the data can hold)`,
      );
  }
  return offsets;
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
  const offsets = checkRleFrame(frame, pixels, bytesPerSample, samplesPerPixel);
  const segments = offsets.length - 1;
  const expected = bytesPerSample * samplesPerPixel;
  const out = new Uint8Array(pixels * expected);
  const plane = new Uint8Array(pixels);
  for (let s = 0; s < segments; s++) {
    const [start, end] = [offsets[s], offsets[s + 1]];
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

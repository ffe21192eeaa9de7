/**
 * PixelData as dcmjs hands it over: one buffer for native data; for encapsulated data one buffer
 * per frame when there is an offset table, else the fragments, which are the frames when there
 * are as many, or one frame's pieces.
 */
import { DicomError } from './errors';
import type { Part10File } from './part10';

export function pixelFragments(file: Part10File): Uint8Array[] {
  const value = file.dataset.PixelData;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const fragments = list
    .filter((v): v is ArrayBuffer => v instanceof ArrayBuffer)
    .map((b) => new Uint8Array(b));
  if (fragments.length === 0)
    throw new DicomError('missing-tag', `${file.name}: (7FE0,0010) PixelData missing`);
  return fragments;
}

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** The compressed bytes of each frame: one fragment per frame, or all fragments for one frame. */
export function encapsulatedFrames(file: Part10File, fragments: Uint8Array[], frames: number): Uint8Array[] {
  if (fragments.length === frames) return fragments;
  if (frames === 1) return [concat(fragments)];
  throw new DicomError(
    'undecodable-pixel-data',
    `${file.name}: (7FE0,0010) PixelData has ${fragments.length} fragments for ${frames} frames; ` +
      `frames split over several fragments are not supported`,
  );
}

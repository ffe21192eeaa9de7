/**
 * The bytes of single frames of a stored instance, as WADO-RS frame retrieval returns them: native
 * pixel data as little endian (big endian swapped, 1-bit frames re-packed to start on a byte), and
 * encapsulated pixel data as the frame's compressed bytes in the instance's own transfer syntax.
 */
import { packBitFrames, unpackBitFrame } from '../src/dicom/bits';
import { type Dataset, DatasetReader } from '../src/dicom/dataset';
import { DicomError } from '../src/dicom/errors';
import type { Part10File } from '../src/dicom/part10';
import { encapsulatedFrames, pixelFragments } from '../src/dicom/pixel-fragments';
import { TransferSyntax, pixelEncodingOf } from '../src/dicom/transfer-syntax';

export interface Frames {
  /** Transfer syntax of the returned bytes. */
  readonly transferSyntaxUID: string;
  readonly frames: Uint8Array[];
}

export const numberOfFrames = (attributes: Dataset, source: string): number =>
  new DatasetReader(attributes, source).optNumber('NumberOfFrames') ?? 1;

function swapped(bytes: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + width <= bytes.length; i += width)
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j];
  return out;
}

/** Frames `numbers` (1-based, already checked to exist) of a parsed instance. */
export function extractFrames(file: Part10File, numbers: readonly number[]): Frames {
  const r = new DatasetReader(file.dataset, file.name);
  const stored = pixelFragments(file);
  const count = r.optNumber('NumberOfFrames') ?? 1;
  const encoding = pixelEncodingOf(file.transferSyntaxUID);

  if (encoding === 'native-little-endian' || encoding === 'native-big-endian') {
    const bits = r.number('BitsAllocated');
    const pixels = r.number('Rows') * r.number('Columns') * (r.optNumber('SamplesPerPixel') ?? 1);
    const bytes = stored[0];
    const needed = Math.ceil((pixels * bits * count) / 8);
    if (bytes.length < needed) {
      throw new DicomError(
        'truncated-file',
        `${file.name}: (7FE0,0010) PixelData holds ${bytes.length} bytes, ${needed} expected for ${count} frame(s)`,
      );
    }
    const frame = (n: number): Uint8Array => {
      if (bits === 1) return packBitFrames([unpackBitFrame(bytes, n - 1, pixels)], pixels);
      const size = (pixels * bits) / 8;
      const raw = bytes.subarray((n - 1) * size, n * size);
      return encoding === 'native-big-endian' && bits > 8 ? swapped(raw, bits / 8) : raw;
    };
    return { transferSyntaxUID: TransferSyntax.ExplicitVRLittleEndian, frames: numbers.map(frame) };
  }

  const perFrame = encapsulatedFrames(file, stored, count);
  return { transferSyntaxUID: file.transferSyntaxUID, frames: numbers.map((n) => perFrame[n - 1]) };
}

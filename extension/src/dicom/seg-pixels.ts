/**
 * A SEG's frames from its PixelData: native (1-bit packed, 8- or 16-bit; little or big endian) or
 * RLE Lossless (8- or 16-bit, as dcmjs's cornerstone adapter writes a FRACTIONAL SEG by default).
 * Sizes are checked against Rows × Columns × NumberOfFrames before anything is decoded.
 */
import type { DatasetReader } from './dataset';
import { DicomError } from './errors';
import { unpackBitFrame } from './bits';
import type { Part10File } from './part10';
import { encapsulatedFrames, pixelFragments } from './pixel-fragments';
import { RleError, checkRleFrame, decodeRleFrame } from './rle';
import { TransferSyntax, transferSyntaxName } from './transfer-syntax';

export interface SegPixels {
  readonly count: number;
  /** rows×columns values of frame i (0-based). */
  frame(i: number): Uint8Array | Uint16Array;
}

const NATIVE: readonly string[] = [
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
];

/** NumberOfFrames when present: a positive integer (checked before it sizes anything). */
function declaredFrames(r: DatasetReader): number | undefined {
  const n = r.optNumber('NumberOfFrames');
  if (n !== undefined && !(Number.isInteger(n) && n >= 1))
    throw r.invalid('NumberOfFrames', `must be a positive integer, is ${n}`);
  return n;
}

/** `r`'s Rows and Columns are positive integers (seg-reader.ts checks them first). */
export function segPixels(file: Part10File, r: DatasetReader, bits: number): SegPixels {
  const name = file.name;
  const syntax = file.transferSyntaxUID;
  const perFrame = r.number('Rows') * r.number('Columns');
  if (syntax === TransferSyntax.RLELossless && bits !== 1) return rlePixels(file, r, perFrame, bits);
  if (!NATIVE.includes(syntax)) {
    throw new DicomError(
      'unsupported-transfer-syntax',
      `${name}: SEG pixel data in ${syntax} (${transferSyntaxName(syntax)}) is not supported` +
        (syntax === TransferSyntax.RLELossless ? ' for 1-bit frames' : ''),
    );
  }
  const packed = pixelFragments(file)[0];
  const fromPixels = Math.floor((packed.length * 8) / (perFrame * bits));
  const count = declaredFrames(r) ?? fromPixels;
  if (count > fromPixels) {
    throw new DicomError(
      'truncated-file',
      `${name}: (7FE0,0010) PixelData holds ${fromPixels} frame(s) of ${r.number('Rows')}×${r.number('Columns')}×` +
        `${bits} bits, NumberOfFrames says ${count}`,
    );
  }
  const littleEndian = syntax !== TransferSyntax.ExplicitVRBigEndian;
  return {
    count,
    frame(i) {
      if (bits === 1) return unpackBitFrame(packed, i, perFrame);
      if (bits === 8) return packed.slice(i * perFrame, (i + 1) * perFrame);
      const view = new DataView(packed.buffer, packed.byteOffset + 2 * i * perFrame, 2 * perFrame);
      return Uint16Array.from({ length: perFrame }, (_, p) => view.getUint16(2 * p, littleEndian));
    },
  };
}

function rlePixels(file: Part10File, r: DatasetReader, perFrame: number, bits: number): SegPixels {
  const fragments = pixelFragments(file);
  const count = declaredFrames(r) ?? fragments.length;
  const frames = encapsulatedFrames(file, fragments, count);
  const undecodable = (i: number, e: unknown): DicomError => {
    if (!(e instanceof RleError)) throw e;
    return new DicomError(
      'undecodable-pixel-data',
      `${file.name}: frame ${i + 1} (RLE Lossless): ${e.message}`,
    );
  };
  frames.forEach((f, i) => {
    try {
      checkRleFrame(f, perFrame, bits / 8, 1);
    } catch (e) {
      throw undecodable(i, e);
    }
  });
  return {
    count,
    frame(i) {
      let bytes: Uint8Array;
      try {
        bytes = decodeRleFrame(frames[i], perFrame, bits / 8, 1);
      } catch (e) {
        throw undecodable(i, e);
      }
      return bits === 8 ? bytes : new Uint16Array(bytes.buffer, bytes.byteOffset, perFrame);
    },
  };
}

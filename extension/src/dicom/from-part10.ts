/**
 * Series of Part-10 files → DicomVolume: parse each file, decode native (little/big endian,
 * deflated) and RLE pixel data, and hand the frames to the volume assembler. Other compressed
 * transfer syntaxes need a decoder supplied by the caller (`options.decoders`).
 */
import { DicomError, asDicomError } from './errors';
import { encapsulatedFrames, pixelFragments } from './pixel-fragments';
import { type Part10File, parsePart10 } from './part10';
import { type PixelDescription, frameByteLength, pixelsPerFrame, storedValues } from './pixels';
import { RleError, checkRleFrame, decodeRleFrame } from './rle';
import { pixelEncodingOf, transferSyntaxName } from './transfer-syntax';
import { type DicomVolume, type InstanceInput, type VolumeOptions, assembleVolume } from './volume';
import { errorText } from '../engine/errors';

/**
 * Decodes one compressed frame (all fragments of that frame, concatenated) into native
 * little-endian bytes of rows×columns×samples×BitsAllocated/8.
 */
export type FrameDecoder = (frame: Uint8Array, description: PixelDescription) => Uint8Array;

export interface Part10VolumeOptions extends VolumeOptions {
  /** Decoders for encapsulated transfer syntaxes, keyed by transfer syntax UID. */
  readonly decoders?: Readonly<Record<string, FrameDecoder>>;
}

export interface NamedBytes {
  readonly name: string;
  readonly bytes: ArrayBuffer;
}

/** A parsed file as the assembler's input: its data set, a pixel check, and each frame's stored values. */
export function instanceInput(
  file: Part10File,
  decoders: Readonly<Record<string, FrameDecoder>>,
): InstanceInput {
  const syntax = file.transferSyntaxUID;
  const encoding = pixelEncodingOf(syntax);
  const decoder = decoders[syntax];
  const syntaxLabel = `transfer syntax ${syntax} (${transferSyntaxName(syntax)})`;
  let frameBytes: (index: number, d: PixelDescription) => Uint8Array = () => new Uint8Array();
  const check = (d: PixelDescription) => {
    const fragments = pixelFragments(file);
    if (encoding === 'native-little-endian' || encoding === 'native-big-endian') {
      const bytes = fragments[0];
      const perFrame = frameByteLength(d);
      const expected = perFrame * d.numberOfFrames;
      const declared =
        `Rows×Columns×BitsAllocated/8×NumberOfFrames = ${d.rows}×${d.columns}×${d.bitsAllocated / 8}` +
        `${d.samplesPerPixel > 1 ? `×${d.samplesPerPixel}` : ''}×${d.numberOfFrames}`;
      if (bytes.length < expected) {
        throw new DicomError(
          'truncated-file',
          `${file.name}: (7FE0,0010) PixelData holds ${bytes.length} bytes, ${expected} expected ` +
            `(${declared}): the pixel data is shorter than the header declares (truncated file, or a wrong ` +
            `Rows, Columns, BitsAllocated or NumberOfFrames)`,
        );
      }
      // One byte of padding makes an odd length even (PS3.5 7.1.1); anything more is a header lie.
      if (bytes.length > expected + (expected % 2)) {
        throw new DicomError(
          'invalid-tag-value',
          `${file.name}: (7FE0,0010) PixelData holds ${bytes.length} bytes, ${expected} expected ` +
            `(${declared}): the pixel data is longer than the header declares (wrong Rows, Columns, ` +
            `BitsAllocated or NumberOfFrames)`,
        );
      }
      frameBytes = (i) => bytes.subarray(i * perFrame, (i + 1) * perFrame);
      return;
    }
    const frames = encapsulatedFrames(file, fragments, d.numberOfFrames);
    if (encoding === 'rle') {
      const rleError = (i: number, e: unknown): DicomError => {
        if (!(e instanceof RleError)) throw e;
        return new DicomError(
          'undecodable-pixel-data',
          `${file.name}: frame ${i + 1} (${syntaxLabel}): ${e.message}`,
        );
      };
      // Every frame's header is checked against the declared size before anything is decoded.
      frames.forEach((frame, i) => {
        try {
          checkRleFrame(frame, pixelsPerFrame(d), d.bitsAllocated / 8, d.samplesPerPixel);
        } catch (e) {
          throw rleError(i, e);
        }
      });
      frameBytes = (i) => {
        try {
          return decodeRleFrame(frames[i], pixelsPerFrame(d), d.bitsAllocated / 8, d.samplesPerPixel);
        } catch (e) {
          throw rleError(i, e);
        }
      };
      return;
    }
    if (!decoder) {
      throw new DicomError(
        'unsupported-transfer-syntax',
        `${file.name}: ${syntaxLabel} has no pixel decoder here; decompress the series first ` +
          `(e.g. dcmdjpeg, dcmdjpls or gdcmconv --raw) or supply a decoder`,
      );
    }
    frameBytes = (i) => {
      let out: Uint8Array;
      try {
        out = decoder(frames[i], d);
      } catch (e) {
        const why = errorText(e);
        throw new DicomError(
          'undecodable-pixel-data',
          `${file.name}: frame ${i + 1} (${syntaxLabel}): ${why}`,
        );
      }
      if (out.length < frameByteLength(d)) {
        throw new DicomError(
          'undecodable-pixel-data',
          `${file.name}: frame ${i + 1} (${syntaxLabel}) decoded to ${out.length} bytes, ${frameByteLength(d)} expected`,
        );
      }
      return out;
    };
  };
  return {
    label: file.name,
    dataset: file.dataset,
    check,
    frameValues: (i, d) => storedValues(d, frameBytes(i, d), encoding === 'native-big-endian'),
  };
}

/** Build a volume from the Part-10 files of one series (any order). */
export function volumeFromPart10(
  files: readonly NamedBytes[],
  options: Part10VolumeOptions = {},
): DicomVolume {
  const parsed = files.map((f) => {
    try {
      return parsePart10(f.name, f.bytes);
    } catch (e) {
      throw asDicomError(f.name, e);
    }
  });
  return assembleVolume(
    parsed.map((p) => instanceInput(p, options.decoders ?? {})),
    options,
  );
}

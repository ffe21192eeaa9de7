/**
 * Image Pixel module: the description of a grey-scale frame, stored values from native frame
 * bytes (8/16/32 bits allocated, BitsStored/HighBit masking, two's complement sign), and the
 * mapping to modality values (Rescale Slope/Intercept, MONOCHROME1 inversion).
 */
import { DatasetReader } from './dataset';
import { DicomError } from './errors';

export interface PixelDescription {
  readonly rows: number;
  readonly columns: number;
  readonly samplesPerPixel: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0 unsigned, 1 two's complement. */
  readonly pixelRepresentation: number;
  readonly photometricInterpretation: string;
  readonly numberOfFrames: number;
}

/** Read and check the Image Pixel module for a grey-scale image this layer can turn into a volume. */
export function pixelDescription(r: DatasetReader): PixelDescription {
  const d: PixelDescription = {
    rows: r.number('Rows'),
    columns: r.number('Columns'),
    samplesPerPixel: r.number('SamplesPerPixel'),
    bitsAllocated: r.number('BitsAllocated'),
    bitsStored: r.optNumber('BitsStored') ?? r.number('BitsAllocated'),
    highBit: r.optNumber('HighBit') ?? (r.optNumber('BitsStored') ?? r.number('BitsAllocated')) - 1,
    pixelRepresentation: r.number('PixelRepresentation'),
    photometricInterpretation: r.string('PhotometricInterpretation'),
    numberOfFrames: r.optNumber('NumberOfFrames') ?? 1,
  };
  const unsupported = (what: string) => new DicomError('unsupported-image', `${r.source}: ${what}`);
  if (d.rows < 1 || d.columns < 1)
    throw r.invalid('Rows', `/Columns must be positive (${d.rows}×${d.columns})`);
  if (d.samplesPerPixel !== 1) {
    throw unsupported(`(0028,0002) SamplesPerPixel is ${d.samplesPerPixel}: colour images are not volumes`);
  }
  if (d.photometricInterpretation !== 'MONOCHROME1' && d.photometricInterpretation !== 'MONOCHROME2') {
    throw unsupported(
      `(0028,0004) PhotometricInterpretation ${d.photometricInterpretation} is not grey-scale`,
    );
  }
  if (![8, 16, 32].includes(d.bitsAllocated)) {
    throw unsupported(`(0028,0100) BitsAllocated ${d.bitsAllocated} is not 8, 16 or 32`);
  }
  if (
    d.bitsStored < 1 ||
    d.bitsStored > d.bitsAllocated ||
    d.highBit + 1 < d.bitsStored ||
    d.highBit >= d.bitsAllocated
  ) {
    throw r.invalid(
      'BitsStored',
      `${d.bitsStored} / HighBit ${d.highBit} do not fit BitsAllocated ${d.bitsAllocated}`,
    );
  }
  if (d.pixelRepresentation !== 0 && d.pixelRepresentation !== 1) {
    throw r.invalid('PixelRepresentation', `must be 0 or 1, is ${d.pixelRepresentation}`);
  }
  if (!Number.isInteger(d.numberOfFrames) || d.numberOfFrames < 1) {
    throw r.invalid('NumberOfFrames', `must be a positive integer, is ${d.numberOfFrames}`);
  }
  return d;
}

export const pixelsPerFrame = (d: PixelDescription): number => d.rows * d.columns;
export const frameByteLength = (d: PixelDescription): number =>
  (d.rows * d.columns * d.samplesPerPixel * d.bitsAllocated) / 8;

/** The smallest and largest stored value BitsStored and PixelRepresentation allow. */
export function storedRange(d: PixelDescription): [number, number] {
  return d.pixelRepresentation === 1
    ? [-(2 ** (d.bitsStored - 1)), 2 ** (d.bitsStored - 1) - 1]
    : [0, 2 ** d.bitsStored - 1];
}

/** Stored values of one native frame (little- or big-endian bytes). */
export function storedValues(d: PixelDescription, bytes: Uint8Array, bigEndian: boolean): Float64Array {
  const n = pixelsPerFrame(d);
  const out = new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = !bigEndian;
  const shift = d.highBit + 1 - d.bitsStored;
  const signed = d.pixelRepresentation === 1;
  const full = d.bitsStored === d.bitsAllocated && shift === 0;
  for (let i = 0; i < n; i++) {
    let raw: number;
    if (d.bitsAllocated === 8) raw = bytes[i];
    else if (d.bitsAllocated === 16) raw = view.getUint16(2 * i, little);
    else raw = view.getUint32(4 * i, little);
    if (full) {
      out[i] = signed
        ? d.bitsAllocated === 32
          ? raw | 0
          : raw >= 2 ** (d.bitsAllocated - 1)
            ? raw - 2 ** d.bitsAllocated
            : raw
        : raw;
      continue;
    }
    // Bits outside BitsStored (overlays in old files, garbage) are masked off.
    let v = Math.floor(raw / 2 ** shift) % 2 ** d.bitsStored;
    if (signed && v >= 2 ** (d.bitsStored - 1)) v -= 2 ** d.bitsStored;
    out[i] = v;
  }
  return out;
}

/** How stored values become modality values (HU for CT). */
export interface ModalityTransform {
  readonly slope: number;
  readonly intercept: number;
  /**
   * MONOCHROME1 (minimum is white): values are mirrored within the rescaled stored range so that
   * higher values are brighter, as for MONOCHROME2.
   */
  readonly invertWithin?: readonly [number, number];
}

export function modalityTransform(d: PixelDescription, slope: number, intercept: number): ModalityTransform {
  if (d.photometricInterpretation !== 'MONOCHROME1') return { slope, intercept };
  const [lo, hi] = storedRange(d).map((v) => v * slope + intercept);
  return { slope, intercept, invertWithin: [Math.min(lo, hi), Math.max(lo, hi)] };
}

/** Write `values` as modality values into `target` from `offset`. */
export function writeModalityValues(
  target: Float32Array,
  offset: number,
  values: ArrayLike<number>,
  t: ModalityTransform,
): void {
  const { slope, intercept } = t;
  const mirror = t.invertWithin ? t.invertWithin[0] + t.invertWithin[1] : undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] * slope + intercept;
    target[offset + i] = mirror === undefined ? v : mirror - v;
  }
}

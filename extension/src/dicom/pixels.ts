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
    // An empty NumberOfFrames is an error, not one frame.
    numberOfFrames: r.present('NumberOfFrames') ? r.number('NumberOfFrames') : 1,
  };
  const unsupported = (what: string) => new DicomError('unsupported-image', `${r.source}: ${what}`);
  for (const [keyword, v] of [
    ['Rows', d.rows],
    ['Columns', d.columns],
    ['SamplesPerPixel', d.samplesPerPixel],
    ['BitsAllocated', d.bitsAllocated],
    ['BitsStored', d.bitsStored],
    ['HighBit', d.highBit],
    ['PixelRepresentation', d.pixelRepresentation],
  ] as const)
    if (!Number.isInteger(v)) throw r.invalid(keyword, `must be an integer, is ${v}`);
  if (d.rows < 1 || d.columns < 1)
    throw r.invalid('Rows', `and (0028,0011) Columns must be positive, are ${d.rows}×${d.columns}`);
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
  // Constants hoisted out of the loop: this runs once per voxel of the volume.
  const storedSpan = 2 ** d.bitsStored;
  const storedHalf = 2 ** (d.bitsStored - 1);
  const shiftDivisor = 2 ** shift;
  const full = d.bitsStored === d.bitsAllocated && shift === 0;
  const [hi, lo] = little ? [1, 0] : [0, 1];
  for (let i = 0; i < n; i++) {
    let raw: number;
    if (d.bitsAllocated === 8) raw = bytes[i];
    else if (d.bitsAllocated === 16) raw = (bytes[2 * i + hi] << 8) | bytes[2 * i + lo];
    else raw = view.getUint32(4 * i, little);
    // Bits outside BitsStored (overlays in old files, garbage) are masked off.
    let v = full ? raw : Math.floor(raw / shiftDivisor) % storedSpan;
    if (signed && v >= storedHalf) v -= storedSpan;
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

/** Largest magnitude a 32-bit float holds (the volume stores modality values as Float32). */
const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The transform of stored values to modality values; a slope/intercept that maps the stored range
 * (BitsStored, PixelRepresentation) outside what the volume's 32-bit floats hold is an error
 * naming `source` (checked before any voxel is written).
 */
export function modalityTransform(
  d: PixelDescription,
  slope: number,
  intercept: number,
  source = 'image',
): ModalityTransform {
  const [lo, hi] = storedRange(d).map((v) => v * slope + intercept);
  if (!(Math.max(Math.abs(lo), Math.abs(hi)) <= FLOAT32_MAX))
    throw new DicomError(
      'invalid-tag-value',
      `${source}: (0028,1053) RescaleSlope ${slope} and (0028,1052) RescaleIntercept ${intercept} map the stored ` +
        `values ${storedRange(d).join('…')} to ${lo}…${hi}, beyond the range of 32-bit floats (±3.4e38)`,
    );
  if (d.photometricInterpretation !== 'MONOCHROME1') return { slope, intercept };
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

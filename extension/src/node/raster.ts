/**
 * Node: PNG and JPEG files as grey-scale 2D images, and binary masks as PNG files. Colour is
 * reduced to luma (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) because the engine's images have one
 * channel (the model input repeats it three times, as the paper does for grey-scale images); alpha
 * is ignored. Sizes are checked from the header before any pixel buffer is allocated. A 16-bit PNG
 * keeps its 16-bit values (a medical export's grey levels; scaling them to 8 bits would merge up to
 * 256 of them into one).
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { InputError } from '../engine/errors';
import type { SliceImage } from '../engine/types';
import { lumaBT601 } from '../engine/preprocess/luma';

/** Largest image read here: 2^26 pixels (8192 × 8192), far beyond any 2D medical image. */
export const MAX_RASTER_PIXELS = 2 ** 26;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const isPng = (b: Uint8Array): boolean => PNG_SIGNATURE.every((v, i) => b[i] === v);
/** JPEG: the SOI marker then another marker. */
export const isJpeg = (b: Uint8Array): boolean =>
  b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;

const fail = (file: string, why: string): InputError => new InputError('invalid-file', `${file}: ${why}`);

function checkSize(file: string, width: number, height: number): void {
  if (!(width >= 1 && height >= 1 && width * height <= MAX_RASTER_PIXELS))
    throw fail(
      file,
      `${width}×${height} pixels is not an image size read here (1 to ${MAX_RASTER_PIXELS} pixels)`,
    );
}

function luma(rgba: ArrayLike<number>, width: number, height: number): SliceImage {
  return { data: lumaBT601(rgba, width * height, 4), width, height };
}

export function decodePng(bytes: Uint8Array, file: string): SliceImage {
  // IHDR is the first chunk: length(4) type(4) width(4) height(4), big-endian.
  if (bytes.length < 24) throw fail(file, 'PNG file is shorter than its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  checkSize(file, view.getUint32(16), view.getUint32(20));
  let png: PNG;
  try {
    // skipRescale: a 16-bit PNG's data comes as 16-bit RGBA values (Uint16Array), not scaled to 8.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  } catch (e) {
    throw fail(file, `not a readable PNG (${(e as Error).message})`);
  }
  return luma(png.data, png.width, png.height);
}

export function decodeJpeg(bytes: Uint8Array, file: string): SliceImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_RASTER_PIXELS / 1e6,
      maxMemoryUsageInMB: 1024,
    });
  } catch (e) {
    throw fail(file, `not a readable JPEG (${(e as Error).message})`);
  }
  checkSize(file, decoded.width, decoded.height);
  return luma(decoded.data, decoded.width, decoded.height);
}

/** A binary mask (non-zero = object) as an 8-bit grey-scale PNG: object 255, background 0. */
export function encodeMaskPng(mask: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  const data = Buffer.alloc(width * height);
  for (let i = 0; i < data.length; i++) data[i] = mask[i] ? 255 : 0;
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
}

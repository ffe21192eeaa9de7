/** PNG reading keeps the grey levels a file holds: 16-bit PNGs are not scaled down to 8 bits. */
import { PNG } from 'pngjs';
import { decodePng } from '../../extension/src/node/raster';

function greyPng(values: number[], width: number, bitDepth: 8 | 16): Uint8Array {
  const height = values.length / width;
  const png = new PNG({ width, height, bitDepth, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  // pngjs takes 16-bit input as 16-bit values in the machine's byte order.
  png.data = Buffer.from(bitDepth === 16 ? new Uint16Array(values).buffer : new Uint8Array(values).buffer);
  return new Uint8Array(
    PNG.sync.write(png, { bitDepth, colorType: 0, inputColorType: 0, inputHasAlpha: false }),
  );
}

test('a 16-bit grey PNG keeps every 16-bit level', () => {
  const values = [0, 1000, 1001, 1002, 40000, 65535];
  const img = decodePng(greyPng(values, 3, 16), 'ct-window.png');
  expect([img.width, img.height]).toEqual([3, 2]);
  expect([...img.data].map((v) => Math.round(v))).toEqual(values);
});

test('an 8-bit grey PNG reads as its 8-bit values', () => {
  const values = [0, 1, 2, 128, 254, 255];
  const img = decodePng(greyPng(values, 2, 8), 'mask.png');
  expect([img.width, img.height]).toEqual([2, 3]);
  expect([...img.data].map((v) => Math.round(v))).toEqual(values);
});

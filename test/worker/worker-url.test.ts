/** The engine worker's URL: what the host puts in it and what the worker reads back. */
import { BROWSER_ENCODER_CACHE_BYTES } from '../../extension/src/engine/cache/encoder-cache';
import { encoderCacheBytesOf, engineWorkerUrl, ortBaseOf } from '../../extension/src/worker/worker-url';

const WORKER = 'https://viewer.example/ext/medsam2-worker.js';

test('the options travel in the worker URL and are read back by the worker', () => {
  const url = engineWorkerUrl(WORKER, { ortUrl: 'https://cdn.example/ort/', encoderCacheMb: 512 });
  expect(ortBaseOf(url)).toBe('https://cdn.example/ort/');
  expect(encoderCacheBytesOf(url)).toBe(512 * 2 ** 20);
});

test('without options: ort/ beside the worker and the browser cache budget', () => {
  const url = engineWorkerUrl(WORKER, {});
  expect(url.search).toBe('');
  expect(ortBaseOf(url)).toBe('https://viewer.example/ext/ort/');
  expect(encoderCacheBytesOf(url)).toBe(BROWSER_ENCODER_CACHE_BYTES);
});

test('a budget the worker cannot use falls back to the default', () => {
  for (const bad of ['abc', '-5', '0', '1.5', ''])
    expect(encoderCacheBytesOf(new URL(`${WORKER}?cacheMb=${bad}`))).toBe(BROWSER_ENCODER_CACHE_BYTES);
});

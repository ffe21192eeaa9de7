/** Where the bundle was loaded from, so files beside it (worker, ort/, test model) resolve anywhere. */
import { besideModule, moduleUrl } from '../../extension/src/host/module-url';

const g = globalThis as { __medsam2ModuleUrl?: string; location?: { href: string } };

afterEach(() => {
  delete g.__medsam2ModuleUrl;
  delete g.location;
});

test('inside a bundle: the URL build.mjs recorded (import.meta.url), and files resolve beside it', () => {
  g.__medsam2ModuleUrl = 'https://pacs.example/viewer/medsam2/medsam2-extension.js?v=3';
  g.location = { href: 'https://pacs.example/viewer/medsam2?StudyInstanceUIDs=1' };
  expect(moduleUrl()).toBe('https://pacs.example/viewer/medsam2/medsam2-extension.js?v=3');
  expect(besideModule('medsam2-worker.js')).toBe('https://pacs.example/viewer/medsam2/medsam2-worker.js');
  expect(besideModule('./ort/')).toBe('https://pacs.example/viewer/medsam2/ort/');
});

test('unbundled: the page (or worker) location, else localhost', () => {
  g.location = { href: 'http://127.0.0.1:3000/medsam2/page.html' };
  expect(besideModule('models/test-tiny/')).toBe('http://127.0.0.1:3000/medsam2/models/test-tiny/');
  delete g.location;
  expect(moduleUrl()).toBe('http://localhost/');
});

/** The extension's configuration (app-config.js `medsam2`, or the registration configuration). */
import { ConfigError, readConfig } from '../../extension/src/host/config';

const PAGE = 'https://viewer.example/ohif/viewer?StudyInstanceUIDs=1.2.3';
const BUNDLE = 'https://cdn.example/medsam2/medsam2-extension.js';
const g = globalThis as { __medsam2ModuleUrl?: string };

beforeAll(() => {
  g.__medsam2ModuleUrl = BUNDLE; // what build.mjs defines in the bundle
});
afterAll(() => {
  delete g.__medsam2ModuleUrl;
});

const refused = (medsam2: unknown): string => {
  try {
    readConfig({ medsam2 }, undefined, PAGE);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(medsam2)}`);
};

describe('readConfig', () => {
  test('without a medsam2 entry: the test model, worker and defaults beside the bundle', () => {
    expect(readConfig({}, undefined, PAGE)).toEqual({
      modelUrl: 'https://cdn.example/medsam2/models/test-tiny/',
      backends: undefined,
      workerUrl: 'https://cdn.example/medsam2/medsam2-worker.js',
      ortUrl: undefined,
      segFormat: 'binary',
      encoderCacheMb: undefined,
    });
  });

  test('app-config values are used, relative URLs resolve against the page, and registration configuration wins', () => {
    const config = readConfig(
      {
        medsam2: {
          modelUrl: '../models/sam2-tiny',
          backends: ['wasm'],
          segFormat: 'labelmap',
          ortUrl: '/ort/',
          encoderCacheMb: 512,
        },
      },
      { modelUrl: 'https://models.example/medsam2/' },
      PAGE,
    );
    expect(config).toEqual({
      modelUrl: 'https://models.example/medsam2/',
      backends: ['wasm'],
      workerUrl: 'https://cdn.example/medsam2/medsam2-worker.js',
      ortUrl: 'https://viewer.example/ort/',
      segFormat: 'labelmap',
      encoderCacheMb: 512,
    });
    expect(readConfig({ medsam2: { modelUrl: '../models/x/' } }, undefined, PAGE).modelUrl).toBe(
      'https://viewer.example/models/x/',
    );
    expect(
      readConfig({ medsam2: { backends: ['wasm', 'webgpu', 'wasm'] } }, undefined, PAGE).backends,
    ).toEqual(['wasm', 'webgpu']);
  });

  test('bad values are refused with a message naming the key and what it accepts', () => {
    expect(refused({ backends: ['cuda'] })).toBe(
      'medsam2.backends: must be a non-empty list of "webgpu", "wasm", got ["cuda"]',
    );
    expect(refused({ backends: 'wasm' })).toMatch(/^medsam2\.backends: .* got "wasm"$/);
    expect(refused({ backends: [] })).toMatch(/^medsam2\.backends: must be a non-empty list/);
    expect(refused({ segFormat: 'nifti' })).toBe(
      'medsam2.segFormat: must be "binary" or "labelmap", got "nifti"',
    );
    for (const bad of [16, 100.5, '256', 1e6])
      expect(refused({ encoderCacheMb: bad })).toBe(
        `medsam2.encoderCacheMb: must be a whole number of MB from 32 to 8192, got ${JSON.stringify(bad)}`,
      );
    expect(refused({ modelUrl: 42 })).toBe('medsam2.modelUrl: must be a non-empty URL string, got 42');
    expect(refused({ modelUrl: ' ' })).toMatch(/^medsam2\.modelUrl: must be a non-empty URL string/);
    expect(refused({ workerUrl: 'http://[bad' })).toBe('medsam2.workerUrl: "http://[bad" is not a URL');
    expect(refused('models/x')).toBe('medsam2: must be an object, got "models/x"');
  });
});

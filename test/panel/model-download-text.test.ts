import { loadedSizeText, loadingText } from '../../extension/src/panel/model-download-text';

const MB = 1024 * 1024;

describe('the panel’s start-up download text', () => {
  test('counts the runtime with the model, and says what came from the cache', () => {
    expect(loadingText(12.3 * MB, 76.3 * MB, undefined)).toBe('Loading model and runtime: 12.3 / 76.3 MB');
    expect(loadingText(45.9 * MB, 76.3 * MB, 45.9 * MB - 2000)).toBe(
      'Loading model and runtime from cache: 45.9 / 76.3 MB',
    );
    expect(loadingText(45.9 * MB, 76.3 * MB, 30 * MB)).toBe(
      'Loading model and runtime: 45.9 / 76.3 MB (30.0 MB from cache)',
    );
    expect(loadingText(2 * MB, undefined, undefined)).toBe('Loading model and runtime: 2.0 MB');
  });

  test('after the load: "(cached)" when only the manifest came over the network', () => {
    expect(loadedSizeText(76.3 * MB, 76.3 * MB - 1500)).toBe('76.3 MB (cached)');
    expect(loadedSizeText(76.3 * MB, 27 * MB)).toBe('76.3 MB (27.0 MB cached)');
    expect(loadedSizeText(76.3 * MB, undefined)).toBe('76.3 MB');
  });
});

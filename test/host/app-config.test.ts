/**
 * The app-config.js that `npm start` serves (extension/serve/app-config.ts), run as the browser
 * runs it, and read back by the extension's own configuration reader.
 */
import vm from 'node:vm';
import { appConfigScript } from '../../extension/serve/app-config';
import { readConfig } from '../../extension/src/host/config';

const ORIGIN = 'http://127.0.0.1:3000';

function run(script: string): Record<string, unknown> {
  const window: { location: { origin: string }; config?: Record<string, unknown> } = {
    location: { origin: ORIGIN },
  };
  vm.runInNewContext(script, { window });
  if (!window.config) throw new Error('the script set no window.config');
  return window.config;
}

const options = {
  extensionUrl: '/medsam2/medsam2-extension.js',
  modeUrl: '/medsam2/medsam2-mode.js',
  modelUrl: '/medsam2/models/test-tiny/',
  dicomWebPath: '/dicom-web',
};

describe('serve: app-config.js', () => {
  test('lists our extension and mode by URL and one DICOMweb source behind the same-origin proxy', () => {
    const config = run(appConfigScript(options));
    expect(config.extensions).toEqual(['/medsam2/medsam2-extension.js']);
    expect(config.modes).toEqual(['/medsam2/medsam2-mode.js']);
    expect(config.defaultDataSourceName).toBe('pacs');
    const sources = config.dataSources as { sourceName: string; configuration: Record<string, unknown> }[];
    expect(sources.map((s) => s.sourceName)).toEqual(['pacs']);
    const c = sources[0].configuration;
    for (const key of ['wadoUriRoot', 'qidoRoot', 'wadoRoot']) expect(c[key]).toBe(`${ORIGIN}/dicom-web`);
    expect(c.dicomUploadEnabled).toBe(true); // Export SEG stores through it
  });

  test('its medsam2 entry is what the extension reads: the model URL, and backends only when given', () => {
    const page = `${ORIGIN}/medsam2?StudyInstanceUIDs=1`;
    const plain = run(appConfigScript(options));
    expect(plain.medsam2).toEqual({ modelUrl: '/medsam2/models/test-tiny/' });
    expect(readConfig(plain, undefined, page)).toMatchObject({
      modelUrl: `${ORIGIN}/medsam2/models/test-tiny/`,
      backends: undefined,
      segFormat: 'binary',
    });
    const wasmOnly = run(appConfigScript({ ...options, backends: ['wasm'] }));
    expect(readConfig(wasmOnly, undefined, page).backends).toEqual(['wasm']);
  });

  test('values with quotes stay data (the script is generated with JSON encoding)', () => {
    const config = run(appConfigScript({ ...options, modelUrl: '/models/it\'s "odd"/' }));
    expect((config.medsam2 as { modelUrl: string }).modelUrl).toBe('/models/it\'s "odd"/');
  });
});

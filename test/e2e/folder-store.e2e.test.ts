/**
 * `npm start`'s default PACS end to end: the prebuilt OHIF app against the folder-backed DICOMweb
 * store (no Orthanc), seeded with the sample MR series. Open the study in the MedSAM-2 mode, prompt,
 * export a SEG, and find it in the folder, in QIDO and in the reopened viewer.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureOhifDist } from '../../extension/serve/ohif-app';
import { builtPlugins } from '../../extension/serve/plugins';
import { FolderStore } from '../../extension/serve/folder-store';
import { seedSampleStore } from '../../extension/serve/sample-data';
import { type RunningServer, startServer } from '../../extension/serve/server';
import {
  type BrowserSession,
  OHIF_UNDER_TEST,
  ROOT,
  SAMPLE_STUDY_UID,
  artifactPath,
  launchBrowser,
} from './support/stack';
import { ViewerPage } from './support/viewer-page';

let dir: string;
let store: FolderStore;
let server: RunningServer;
let session: BrowserSession;
let viewer: ViewerPage;
/** DICOMweb requests the server answered with an error status. */
const failedDicomWeb: string[] = [];

beforeAll(async () => {
  const plugins = builtPlugins(ROOT);
  const modelDir = path.resolve(ROOT, 'models', 'test-tiny');
  if (!fs.existsSync(path.resolve(modelDir, 'manifest.json')))
    throw new Error(`${modelDir} is missing: run npm run models:test first (npm run test:e2e does)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medsam2-e2e-store-'));
  store = await FolderStore.open(dir);
  seedSampleStore(store);
  server = await startServer({
    ohifDist: ensureOhifDist(path.resolve(ROOT, '.cache', 'ohif'), OHIF_UNDER_TEST, () => undefined),
    plugins,
    modelDir,
    modelName: 'test-tiny',
    store,
    port: 0,
    onRequest: (method, url, status) => {
      if (url.startsWith('/dicom-web') && status >= 400) failedDicomWeb.push(`${method} ${url} → ${status}`);
    },
  });
  session = await launchBrowser();
  viewer = new ViewerPage(session.page, server.url);
  await viewer.open();
});

afterAll(async () => {
  await session?.close();
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe(`MedSAM-2 in OHIF ${OHIF_UNDER_TEST} on the folder store`, () => {
  test('the sample study opens in the MedSAM-2 mode with its 20 slices', async () => {
    await viewer.activatePromptTool();
    const state = await viewer.state();
    expect(state.series).toMatchObject({ status: 'ready', slices: 20 });
    expect(state.model.status).toBe('ready');
  });

  test('a click gives a mask on the prompted slice', async () => {
    await viewer.clickViewport(0.5, 0.45);
    const { slice, error } = await viewer.waitForPromptedSlice();
    expect(error).toBeUndefined();
    const coverage = await viewer.coverage();
    expect(coverage[slice]).toBeGreaterThan(50);
    await session.page.screenshot({ path: artifactPath('folder-store-after-prompt.png') });
  });

  test('Export SEG stores the SEG in the folder and QIDO through the server lists it', async () => {
    await expect(viewer.exportSeg()).resolves.toBe('stored');
    const response = await fetch(`${server.url}/dicom-web/studies/${SAMPLE_STUDY_UID}/series?Modality=SEG`);
    const series = (await response.json()) as Record<string, { Value?: unknown[] }>[];
    expect(series).toHaveLength(1);
    const seriesUid = String(series[0]['0020000E'].Value?.[0]);
    const files = fs.readdirSync(path.join(dir, SAMPLE_STUDY_UID, seriesUid));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9.]+\.dcm$/);
    // A fresh store over the same folder (the next `npm start`) lists it too.
    const reopened = await FolderStore.open(dir);
    expect(reopened.series(SAMPLE_STUDY_UID, seriesUid)?.instances.size).toBe(1);
  });

  test('after reopening the study OHIF lists the SEG and loads it from the folder store', async () => {
    await expect(viewer.reopenListingSegs()).resolves.toBe(1);
    await viewer.loadListedSeg('Segment 1');
    await session.page.screenshot({ path: artifactPath('folder-store-seg-loaded.png') });
  });

  test('every DICOMweb request OHIF made was answered without error, and nothing left the server', () => {
    expect(failedDicomWeb).toEqual([]);
    const origin = new URL(server.url).origin;
    const elsewhere = session.requests.filter((u) => !u.startsWith(origin) && !/^(data|blob):/.test(u));
    expect(elsewhere).toEqual([]);
    expect(session.requests.filter((u) => u.includes('/dicom-web/')).length).toBeGreaterThan(20);
    expect(session.pageErrors).toEqual([]);
  });
});

/**
 * The WebGPU path: Chromium with --enable-unsafe-webgpu gives a SwiftShader adapter here (correct
 * but slow), so this run stays small: the panel must report 'webgpu' and one prompt must draw.
 */
import { type BrowserSession, type Stack, artifactPath, launchBrowser, startStack } from './support/stack';
import { ViewerPage } from './support/viewer-page';

let stack: Stack;
let session: BrowserSession;

beforeAll(async () => {
  stack = await startStack();
  session = await launchBrowser({ webgpu: true });
});

afterAll(async () => {
  await session?.close();
  await stack?.stop();
});

test('with a WebGPU adapter the panel reports webgpu and a click draws the slice mask', async () => {
  const viewer = new ViewerPage(session.page, stack.server.url);
  await viewer.open();
  await viewer.activatePromptTool();
  const state = await viewer.state();
  expect(state.model.info?.backend).toBe('webgpu');
  expect(state.model.info?.fallbacks).toEqual([]);
  await expect(session.page.getAttribute('[data-cy="medsam2-backend"]', 'data-backend')).resolves.toBe(
    'webgpu',
  );
  await viewer.clickViewport(0.5, 0.45);
  // SwiftShader runs the encoder and decoder far slower than wasm: allow minutes, not seconds.
  const { slice, error } = await viewer.waitForPromptedSlice(180000);
  expect(error).toBeUndefined();
  const coverage = await viewer.coverage();
  expect(coverage[slice]).toBeGreaterThan(50);
  await session.page.screenshot({ path: artifactPath('webgpu-after-prompt.png') });
  expect(session.pageErrors).toEqual([]);
});

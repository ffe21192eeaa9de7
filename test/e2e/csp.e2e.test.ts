/**
 * MedSAM-2 under OHIF 3.14's documented CSP baseline (with the additions its deployment guide
 * requires of every viewer, and nothing more: no 'unsafe-eval'): the model loads in the worker
 * (worker-src 'self', wasm compiled under 'wasm-unsafe-eval'), a click segments, propagation runs,
 * the SEG is exported — and the browser reports no CSP violation, in the page or the worker.
 * (Reopening a SEG in OHIF is OHIF's own code and needs 'unsafe-eval', see viewer.e2e.test.ts.)
 */
import { CSP_BASELINE } from '../../extension/serve/server';
import { type BrowserSession, OHIF_UNDER_TEST, type Stack, launchBrowser, startStack } from './support/stack';
import { ViewerPage } from './support/viewer-page';

let stack: Stack;
let session: BrowserSession;
let viewer: ViewerPage;

beforeAll(async () => {
  stack = await startStack({ contentSecurityPolicy: CSP_BASELINE });
  session = await launchBrowser();
  viewer = new ViewerPage(session.page, stack.server.url);
  await viewer.open();
});

afterAll(async () => {
  await session?.close();
  await stack?.stop();
});

describe(`MedSAM-2 in OHIF ${OHIF_UNDER_TEST} under the 3.14 CSP baseline`, () => {
  test('the server sends the baseline: worker-src blob:, wasm-unsafe-eval, no unsafe-eval', async () => {
    const answer = await fetch(`${stack.server.url}/`);
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toBe(CSP_BASELINE);
    expect(csp).toContain("worker-src 'self' blob:");
    expect(csp).toContain("'wasm-unsafe-eval'");
    expect(csp).not.toContain("'unsafe-eval'");
  });

  test('prompt, propagate and export run with no CSP violation', async () => {
    await viewer.activatePromptTool();
    expect((await viewer.state()).model.info?.backend).toBe('wasm');
    await viewer.clickViewport(0.5, 0.45);
    const { error } = await viewer.waitForPromptedSlice();
    expect(error).toBeUndefined();
    await viewer.propagateToEnd();
    const state = await viewer.state();
    expect(state.propagation.done).toBe(state.propagation.total);
    await expect(viewer.exportSeg()).resolves.toBe('stored');
    expect(session.cspViolations).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });
});

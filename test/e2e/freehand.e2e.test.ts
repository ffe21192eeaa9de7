/**
 * Free-hand prompts in the viewer (issue 14): an Alt-drag scribble becomes include clicks sampled
 * along it, a Shift-drag lasso becomes the slice's outline (box + filled mask for the engine); both
 * answer with the slice's mask at once and are drawn on their slice. Chromium against the stock
 * OHIF, wasm, the test model.
 */
import { type BrowserSession, type Stack, artifactPath, launchBrowser, startStack } from './support/stack';
import { ViewerPage } from './support/viewer-page';

let stack: Stack;
let session: BrowserSession;
let viewer: ViewerPage;

beforeAll(async () => {
  stack = await startStack();
  session = await launchBrowser();
  viewer = new ViewerPage(session.page, stack.server.url);
  await viewer.open();
  await viewer.activatePromptTool();
});

afterAll(async () => {
  await session?.close();
  await stack?.stop();
});

const count = (kind: string) => session.page.locator(`svg [data-id="medsam2-marker-${kind}"]`).count();

/** Waits until the one prompt has ≥ 2 clicks ('scribble') or a lasso, or the panel shows an error. */
async function waitForPrompt(kind: 'scribble' | 'lasso'): Promise<void> {
  await session.page.waitForFunction(
    (want) => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      const s = cm.runCommand('medsam2GetState') as { queued: number; error?: string };
      const p = cm.runCommand('medsam2GetPrompts') as { points?: unknown[]; lasso?: unknown[] }[];
      if (s.error !== undefined) return true;
      const got = want === 'scribble' ? (p[0]?.points ?? []).length >= 2 : (p[0]?.lasso ?? []).length >= 3;
      return s.queued === 0 && p.length === 1 && got;
    },
    kind,
    { timeout: 60000 },
  );
}

describe('free-hand prompts', () => {
  test('an Alt-drag scribble is include clicks along the stroke, drawn as include markers, with the slice segmented', async () => {
    await viewer.dragViewport(
      [
        [0.44, 0.45],
        [0.48, 0.44],
        [0.52, 0.46],
        [0.56, 0.45],
      ],
      ['Alt'],
    );
    await waitForPrompt('scribble');
    const state = await viewer.state();
    expect(state.error).toBeUndefined();
    const [prompt] = await viewer.prompts();
    expect(prompt.points?.every((q) => q.label === 1)).toBe(true);
    // Sampled along the stroke: left to right, as it was drawn.
    const xs = (prompt.points ?? []).map((q) => q.x);
    expect([...xs].sort((a, b) => a - b)).toEqual(xs);
    expect(await count('include')).toBe(prompt.points?.length);
    const k = state.segments[0].slices.findIndex((r) => r?.prompted);
    expect(state.segments[0].slices[k]?.present).toBe(true);
    expect((await viewer.coverage())[k]).toBeGreaterThan(0);
    await session.page.screenshot({ path: artifactPath('freehand-1-scribble.png') });
  });

  test('a Shift-drag lasso is the slice’s outline, drawn as a closed line, and the slice keeps its mask', async () => {
    const ring = Array.from({ length: 17 }, (_, i) => {
      const a = (2 * Math.PI * i) / 16;
      return [0.5 + 0.09 * Math.cos(a), 0.45 + 0.09 * Math.sin(a)] as const;
    });
    await viewer.dragViewport(ring, ['Shift']);
    await waitForPrompt('lasso');
    const state = await viewer.state();
    expect(state.error).toBeUndefined();
    const [prompt] = await viewer.prompts();
    expect(prompt.box).toBeUndefined();
    const lasso = prompt.lasso ?? [];
    expect(lasso.length).toBeGreaterThanOrEqual(17);
    // The outline is drawn edge by edge, closed.
    expect(await count('lasso')).toBe(lasso.length);
    const k = state.segments[0].slices.findIndex((r) => r?.prompted);
    expect(state.segments[0].slices[k]?.present).toBe(true);
    expect((await viewer.coverage())[k]).toBeGreaterThan(0);
    await session.page.screenshot({ path: artifactPath('freehand-2-lasso.png') });
  });
});

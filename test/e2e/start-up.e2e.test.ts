/**
 * Start-up and coming back (issue 12, fault 7 and "prompts are lost on reload"): the slice in view
 * is encoded as soon as the prompt tool is active, so the first click answers from the encoder
 * cache; prompts and masks survive a page reload of the same series. Figures (mode opened → model
 * ready → slice in view encoded, first click → painted) go to test/e2e/artifacts/start-up.json:
 * figures, never timed assertions.
 */
import { writeFileSync } from 'node:fs';
import { type BrowserSession, type Stack, artifactPath, launchBrowser, startStack } from './support/stack';
import { type PanelStateView, ViewerPage } from './support/viewer-page';

let stack: Stack;
let session: BrowserSession;
let viewer: ViewerPage;
const figures: Record<string, number | boolean> = {};

interface StartUpState extends PanelStateView {
  preEncoded: number[];
  lastPrompt?: { slice: number; encoderCached: boolean; ms: number };
  saved?: { status: string; message: string };
  queued: number;
}

const state = () => viewer.command<StartUpState>('medsam2GetState');

/** Prompt markers of each kind drawn in the viewport's SVG layer. */
const markers = () =>
  session.page.evaluate(() =>
    ['include', 'exclude', 'box'].map(
      (k) => document.querySelectorAll(`svg [data-id="medsam2-marker-${k}"]`).length,
    ),
  );

/** Reloads the page and waits until the series is open again (and its saved work replayed). */
async function reload(): Promise<StartUpState> {
  const before = session.requests.length;
  await session.page.reload();
  await viewer.open();
  // The series shows as ready while its saved work is replayed ('restoring'): wait for the end.
  const s = await until(
    state,
    (v) => v.toolActive && v.series.status === 'ready' && v.queued === 0 && v.saved?.status !== 'restoring',
  );
  return { ...s, requestsSince: session.requests.slice(before) } as StartUpState & {
    requestsSince: string[];
  };
}

beforeAll(async () => {
  stack = await startStack();
  session = await launchBrowser();
  viewer = new ViewerPage(session.page, stack.server.url);
});

afterAll(async () => {
  writeFileSync(artifactPath('start-up.json'), `${JSON.stringify(figures, null, 2)}\n`);
  await session?.close();
  await stack?.stop();
});

/** The viewport's image index (0-based) as the extension sees it. */
const imageInView = () =>
  session.page.evaluate(() => {
    const el = document.querySelector('[data-cy="viewport-overlay-bottom-right"]')?.textContent ?? '';
    const m = /\((\d+)\/(\d+)\)/.exec(el);
    return m ? Number(m[1]) - 1 : -1;
  });

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeout = 120000): Promise<T> {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(v)}`);
    await session.page.waitForTimeout(100);
  }
}

describe('start-up and reload (issue 12, fault 7)', () => {
  test('the slice in view is encoded once the tool is active: the first click answers from the encoder cache', async () => {
    const opened = Date.now();
    // The panel's progress while the model loads: its total is every byte from the first report on.
    const progress = session.page
      .waitForSelector('[data-cy="medsam2-model-progress"]:not([data-total="0"])', { timeout: 120000 })
      .then(async (bar) => {
        const total = Number(await bar.getAttribute('data-total'));
        const text = await session.page.textContent('[data-cy="medsam2-model-progress-text"]');
        const series = await session.page.textContent('[data-cy="medsam2-series-text"]');
        const toolActive =
          (await session.page.textContent('[data-cy="medsam2-activate-tool"]')) === 'MedSAM-2 tool on';
        await session.page.screenshot({ path: artifactPath('start-up-loading.png') });
        return { total, text, series, toolActive };
      });
    await viewer.open();
    await until(state, (s) => s.model.status === 'ready' || s.model.status === 'error');
    figures['mode opened → model ready (ms)'] = Date.now() - opened;
    const ready = await until(state, (s) => s.toolActive && s.series.status === 'ready');
    figures['mode opened → tool active, series ready (ms)'] = Date.now() - opened;
    expect(ready.model.status).toBe('ready');
    const shown = await progress;
    expect(shown.total).toBe(ready.model.bytes);
    expect(shown.text).toMatch(/^Loading model and runtime: \d+\.\d \/ \d+\.\d MB$/);
    // With the tool already on, the series waits for the model, and the panel says so.
    if (shown.toolActive) expect(shown.series).toBe('The series opens as soon as the model is loaded.');
    const inView = await imageInView();
    expect(inView).toBeGreaterThanOrEqual(0);
    await until(state, (s) => s.preEncoded.includes(inView));
    figures['mode opened → slice in view encoded (ms)'] = Date.now() - opened;
    // Then its neighbours, as far as the volume goes.
    const slices = ready.series.slices ?? 0;
    const neighbours = [inView - 1, inView + 1].filter((k) => k >= 0 && k < slices);
    expect(neighbours.length).toBeGreaterThan(0);
    await until(state, (s) => neighbours.every((k) => s.preEncoded.includes(k)));
    figures['mode opened → neighbours encoded (ms)'] = Date.now() - opened;

    await viewer.clickViewport(0.5, 0.45);
    const answered = await until(state, (s) => s.lastPrompt !== undefined || s.error !== undefined);
    expect(answered.error).toBeUndefined();
    expect(answered.lastPrompt).toMatchObject({ slice: inView, encoderCached: true });
    figures['first click → painted (ms)'] = answered.lastPrompt?.ms ?? -1;
    figures['first click served from the encoder cache'] = answered.lastPrompt?.encoderCached ?? false;
    await session.page.screenshot({ path: artifactPath('start-up-first-click.png') });
  });

  test('prompts and masks survive a reload of the series; the model comes from the cache', async () => {
    await viewer.propagateToEnd();
    const done = await state();
    expect(done.saved).toMatchObject({ status: 'kept' });
    const coverage = await viewer.coverage();
    const prompts = await viewer.prompts();
    const drawn = await markers();
    expect(coverage.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(drawn[0]).toBe(1);

    const back = (await reload()) as StartUpState & { requestsSince: string[] };
    expect(back.saved?.message).toMatch(/^Restored your work from \d\d:\d\d \(1 prompt\)\.$/);
    expect(await viewer.coverage()).toEqual(coverage);
    expect(await viewer.prompts()).toEqual(prompts);
    expect(back.segments[0].slices).toEqual(done.segments[0].slices);
    await until(markers, (m) => m[0] === 1, 10000);
    await session.page.screenshot({ path: artifactPath('start-up-after-reload.png') });
    // Second visit: the runtime and the graphs came from Cache Storage, only the manifest over the network.
    expect(back.requestsSince.filter((u) => /\.(wasm|onnx)$/.test(u))).toEqual([]);
    await expect(session.page.textContent('[data-cy="medsam2-model-name"]')).resolves.toMatch(
      /MB \(cached\)/,
    );
  });

  test('"Clear saved work" forgets it: the next reload opens the series empty', async () => {
    await session.page.click('[data-cy="medsam2-clear-saved"]');
    await expect(state()).resolves.toMatchObject({ saved: { status: 'cleared' } });
    const back = await reload();
    expect(back.saved).toBeUndefined();
    expect(await viewer.prompts()).toEqual([]);
    expect((await viewer.coverage()).every((n) => n === 0)).toBe(true);
  });
});

/**
 * The clinician's loop in the viewer (issue 12), one step per fault a new user met, each of which
 * failed before its fix: clicks are never lost and Propagate waits for them, the labelmap is painted
 * in batches OHIF is told about, the strip numbers slices as OHIF does, Undo restores the masks,
 * the prompts are drawn, corrections mark the slices they invalidate (Update redoes only those;
 * Propagate between two prompted slices). Main-thread figures (long
 * tasks during a propagation, click → painted, Propagate → all painted) are written to
 * test/e2e/artifacts/viewer-main-thread.json: figures, never timed assertions.
 */
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type LongTaskFigures,
  dataModifiedBetween,
  installMainThreadProbe,
  longTasksBetween,
  pageNow,
} from './support/main-thread';
import {
  type BrowserSession,
  ROOT,
  SAMPLE_STUDY_UID,
  type Stack,
  artifactPath,
  launchBrowser,
  startStack,
} from './support/stack';
import { type PanelStateView, ViewerPage } from './support/viewer-page';

let stack: Stack;
let session: BrowserSession;
let viewer: ViewerPage;
const figures: Record<string, LongTaskFigures | number> = {};
/** Fault 5's prompted slices (OHIF image indices): the first prompt and the correction after it. */
let loop5 = { prompt: -1, correction: -1, objectId: -1 };

beforeAll(async () => {
  stack = await startStack();
  session = await launchBrowser();
  viewer = new ViewerPage(session.page, stack.server.url);
  await viewer.open();
});

afterAll(async () => {
  writeFileSync(artifactPath('viewer-main-thread.json'), `${JSON.stringify(figures, null, 2)}\n`);
  await session?.close();
  await stack?.stop();
});

/** OHIF's "(n/N)" of the viewport: the 1-based image number it shows. */
async function ohifImageNumber(): Promise<number> {
  const text = (await session.page.textContent('[data-cy="viewport-overlay-bottom-right"]')) ?? '';
  const m = /\((\d+)\/(\d+)\)/.exec(text);
  if (!m) throw new Error(`no (n/N) in the viewport overlay: ${text}`);
  return Number(m[1]);
}

/** Waits until `runs` propagations have ended (or the panel shows an error); answers the state. */
async function waitForRuns(runs: number, timeout = 120000): Promise<PanelStateView> {
  await session.page.waitForFunction(
    (n) => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      const s = cm.runCommand('medsam2GetState') as PanelStateView;
      return (s.propagation.runs ?? 0) >= n || s.error !== undefined;
    },
    runs,
    { timeout },
  );
  return viewer.state();
}

/** Waits until no action is queued or running. */
async function waitIdle(): Promise<void> {
  await session.page.waitForFunction(() => {
    const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } }).commandsManager;
    return (cm.runCommand('medsam2GetState') as { queued: number }).queued === 0;
  });
}

/** Clicks the strip cell of OHIF image `index` (0-based) and waits until the viewport shows it. */
async function jumpToImage(index: number): Promise<void> {
  await session.page.click(`[data-cy="medsam2-confidence-${index}"]`);
  await session.page.waitForFunction(
    (n) =>
      document.querySelector('[data-cy="viewport-overlay-bottom-right"]')?.textContent?.includes(`(${n}/20)`),
    index + 1,
    { timeout: 10000 },
  );
}

/** An include click on the structure on OHIF image `index`; resolves once every action is done. */
async function includeClickOn(index: number): Promise<void> {
  await jumpToImage(index);
  const points = pointCount(await viewer.prompts());
  await viewer.clickViewport(0.5, 0.45);
  await viewer.waitForPointCount(points + 1);
  await waitIdle();
}

/** Waits until no action is queued and the first segment has `count` stale slices; answers the state. */
async function waitForStale(count: number): Promise<PanelStateView> {
  await session.page.waitForFunction(
    (n) => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      const s = cm.runCommand('medsam2GetState') as PanelStateView & { queued: number };
      return s.queued === 0 && s.segments[0].stale.length === n;
    },
    count,
    { timeout: 60000 },
  );
  return viewer.state();
}

/** The strip cells of the first segment carrying `attribute="true"`, as OHIF image indices. */
async function stripCells(attribute: 'data-stale' | 'data-prompted'): Promise<number[]> {
  const ids = await session.page
    .locator(`[data-cy^="medsam2-confidence-"][${attribute}="true"]`)
    .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-cy') ?? ''));
  return ids.map((id) => Number(id.replace('medsam2-confidence-', ''))).sort((a, b) => a - b);
}

/** Slices OHIF was told were repainted between two page times (image indices, each once). */
async function repaintedBetween(t0: number, t1: number): Promise<number[]> {
  const events = await dataModifiedBetween(session.page, t0, t1);
  return [...new Set(events.flatMap((e) => e.slices ?? []))].sort((a, b) => a - b);
}

const progressText = () => session.page.textContent('[data-cy="medsam2-progress-text"]');

/** Prompt markers of each kind drawn in the viewport's SVG layer. */
async function markers(): Promise<{ include: number; exclude: number; box: number }> {
  const count = (kind: string) => session.page.locator(`svg [data-id="medsam2-marker-${kind}"]`).count();
  return { include: await count('include'), exclude: await count('exclude'), box: await count('box') };
}

async function waitForMarkers(want: { include: number; exclude: number; box: number }) {
  await session.page.waitForFunction(
    (w) =>
      (['include', 'exclude', 'box'] as const).every(
        (k) => document.querySelectorAll(`svg [data-id="medsam2-marker-${k}"]`).length === w[k],
      ),
    want,
    { timeout: 10000 },
  );
  return markers();
}

/** onnxruntime-web's wasm binary, as the build copies it beside the worker. */
const ORT_WASM_BYTES = statSync(
  resolve(ROOT, 'node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.jsep.wasm'),
).size;
const testModelBytes = () => {
  const dir = resolve(ROOT, 'models', 'test-tiny');
  return readdirSync(dir).reduce((n, f) => n + statSync(resolve(dir, f)).size, 0);
};

const pointCount = (prompts: { points?: unknown[] }[]) =>
  prompts.reduce((n, p) => n + (p.points?.length ?? 0), 0);

describe('the clinician’s loop (issue 12)', () => {
  test('fault 8: the MedSAM-2 tool is the active tool when the mode opens, named as the panel is', async () => {
    // Nothing pressed: the mode makes the prompt tool active once the series is on screen.
    await session.page.waitForFunction(
      () => {
        const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
          .commandsManager;
        const s = cm.runCommand('medsam2GetState') as PanelStateView;
        return s.toolActive && (s.series.status === 'ready' || s.series.status === 'error');
      },
      undefined,
      { timeout: 120000 },
    );
    expect((await viewer.state()).series.status).toBe('ready');
    await expect(session.page.textContent('[data-cy="medsam2-activate-tool"]')).resolves.toBe(
      'MedSAM-2 tool on',
    );
    await expect(session.page.locator('[data-cy="medsam2-panel"]').textContent()).resolves.toContain(
      'MedSAM-2',
    );
  });

  test('fault 7: the start-up progress counts onnxruntime’s wasm binary with the model', async () => {
    await session.page.waitForSelector('[data-cy="medsam2-model"][data-status="ready"]', { timeout: 120000 });
    const model = (await viewer.state()).model;
    // Every byte of the start-up: the test model's folder and the wasm binary the worker fetched itself.
    const expected = ORT_WASM_BYTES + testModelBytes();
    expect(model.bytes).toBe(expected);
    expect(model.loaded).toBe(expected);
    expect(session.requests.filter((u) => u.endsWith('.wasm'))).toHaveLength(1);
    await expect(session.page.textContent('[data-cy="medsam2-model-name"]')).resolves.toContain(
      `${(expected / 1024 / 1024).toFixed(1)} MB`,
    );
  });

  test('fault 10: the WebGPU fallback is one plain sentence, the raw reason behind Details', async () => {
    const text = (await session.page.textContent('[data-cy="medsam2-fallback-webgpu-text"]')) ?? '';
    expect(text).toMatch(
      /^This browser offers no GPU to web pages, so MedSAM-2 runs on the CPU \(WebAssembly\)/,
    );
    expect(text).not.toMatch(/enable-unsafe-webgpu|ERR|Error/);
    const details = session.page.locator('[data-cy="medsam2-fallback-webgpu-details"]');
    await expect(details.evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
    await details.locator('summary').click();
    await expect(details.textContent()).resolves.toContain('webgpu');
    await session.page.screenshot({ path: artifactPath('loop-10-fallback-details.png') });
    await details.locator('summary').click();
  });

  test('fault 1: a click followed 0.15 s later by Propagate is kept, and Propagate waits for it', async () => {
    await installMainThreadProbe(session.page);
    const windowLevel = await session.page.textContent('[data-cy="viewport-overlay-bottom-left"]');
    const t0 = await pageNow(session.page);
    // The first click on the image, with no tool pressed: a prompt (fault 8), not a window change.
    await viewer.clickViewport(0.5, 0.45);
    await session.page.waitForTimeout(150);
    await session.page.click('[data-cy="medsam2-propagate"]');
    const state = await waitForRuns(1);
    const t1 = await pageNow(session.page);
    expect(state.error).toBeUndefined();
    expect(await viewer.prompts()).toHaveLength(1);
    await expect(session.page.textContent('[data-cy="viewport-overlay-bottom-left"]')).resolves.toBe(
      windowLevel,
    );
    expect(state.propagation.total).toBeGreaterThan(1);
    expect(state.propagation.done).toBe(state.propagation.total);
    // "done" means painted: every slice the engine found the object on is in the labelmap.
    const coverage = await viewer.coverage();
    const present = state.segments[0].slices.map((r) => r?.present === true);
    expect(coverage.map((n) => n > 0)).toEqual(present);
    figures['click + propagate: long tasks'] = await longTasksBetween(session.page, t0, t1);
    figures['click + propagate → all painted (ms)'] = Math.round(t1 - t0);
    await session.page.screenshot({ path: artifactPath('loop-1-click-propagate.png') });
  });

  test('fault 2: labelmap writes are batched per frame and OHIF is told which slices changed', async () => {
    const before = (await viewer.state()).propagation.runs ?? 0;
    // A correction far from the structure: the next Propagate redoes the runs from that slice.
    await viewer.clickViewport(0.2, 0.25, [], 'right');
    await viewer.waitForPointCount(2);
    const t0 = await pageNow(session.page);
    await session.page.click('[data-cy="medsam2-propagate"]');
    const state = await waitForRuns(before + 1);
    const t1 = await pageNow(session.page);
    expect(state.error).toBeUndefined();
    const events = await dataModifiedBetween(session.page, t0, t1);
    expect(events.length).toBeGreaterThan(0);
    // Every repaint names its slices; no whole-labelmap refresh per slice.
    expect(events.filter((e) => !e.slices || e.slices.length === 0)).toEqual([]);
    expect(events.length).toBeLessThanOrEqual(state.propagation.total);
    figures['propagate: long tasks'] = await longTasksBetween(session.page, t0, t1);
    figures['propagate → all painted (ms)'] = Math.round(t1 - t0);
    figures['propagate: labelmap repaints'] = events.length;
    figures['propagate: slices'] = state.propagation.total;
  });

  test('fault 4: the prompts are drawn on their slice, include and exclude told apart', async () => {
    await expect(waitForMarkers({ include: 1, exclude: 1, box: 0 })).resolves.toEqual({
      include: 1,
      exclude: 1,
      box: 0,
    });
    await session.page.screenshot({ path: artifactPath('loop-4-markers.png') });
  });

  test('fault 1: Propagate with nothing new to do says so in the panel', async () => {
    const shown = await session.page.textContent('[data-cy="medsam2-progress-text"]');
    expect(shown).toMatch(/^\d+\/\d+ slices — done$/);
    await session.page.click('[data-cy="medsam2-propagate"]');
    await expect(
      session.page
        .waitForSelector('[data-cy="medsam2-notice"]', { timeout: 10000 })
        .then((e) => e.textContent()),
    ).resolves.toMatch(/up to date/);
    // The last run's result stays on show.
    await expect(session.page.textContent('[data-cy="medsam2-progress-text"]')).resolves.toBe(shown);
  });

  test('fault 3: the strip numbers slices as OHIF does, and a cell jumps to that number', async () => {
    const shown = await ohifImageNumber();
    const prompted = session.page.locator('[data-cy^="medsam2-confidence-"][data-prompted="true"]');
    await expect(prompted.count()).resolves.toBe(1);
    await expect(prompted.getAttribute('data-cy')).resolves.toBe(`medsam2-confidence-${shown - 1}`);
    await expect(prompted.getAttribute('title')).resolves.toMatch(new RegExp(`^slice ${shown}/20`));
    const target = shown === 7 ? 12 : 7;
    await jumpToImage(target - 1);
    // The markers follow the slice: none on this one.
    await expect(waitForMarkers({ include: 0, exclude: 0, box: 0 })).resolves.toEqual({
      include: 0,
      exclude: 0,
      box: 0,
    });
    await session.page.screenshot({ path: artifactPath('loop-3-strip-jump.png') });
  });

  test('fault 6: Undo restores exactly the masks before the last prompt, in the labelmap and in the engine', async () => {
    await waitIdle();
    const before = await viewer.state();
    const coverageBefore = await viewer.coverage();
    const points = pointCount(await viewer.prompts());
    // An exclude click on the structure, on a slice that had no prompt (the strip jumped here).
    await viewer.clickViewport(0.5, 0.45, ['Shift']);
    await viewer.waitForPointCount(points + 1);
    await waitIdle();
    await waitForMarkers({ include: 0, exclude: 1, box: 0 });
    const changed = await viewer.coverage();
    expect(changed).not.toEqual(coverageBefore);
    await session.page.screenshot({ path: artifactPath('loop-6-exclude-click.png') });
    await session.page.click('[data-cy="medsam2-undo"]');
    await viewer.waitForPointCount(points);
    await waitIdle();
    expect(await viewer.coverage()).toEqual(coverageBefore);
    expect((await viewer.state()).segments[0].slices).toEqual(before.segments[0].slices);
    await waitForMarkers({ include: 0, exclude: 0, box: 0 }); // Undo took its marker away
    await session.page.screenshot({ path: artifactPath('loop-6-after-undo.png') });
    // The engine is back too: the runs done before the exclude click count as done.
    await session.page.click('[data-cy="medsam2-propagate"]');
    await expect(
      session.page
        .waitForSelector('[data-cy="medsam2-notice"]', { timeout: 10000 })
        .then((e) => e.textContent()),
    ).resolves.toMatch(/up to date/);
  });

  test('fault 5: new settings mark every predicted slice stale until Update redoes them', async () => {
    await waitIdle();
    const before = await viewer.state();
    const seg = before.segments[0];
    expect(seg.stale).toEqual([]);
    const predicted = seg.slices.flatMap((r, k) => (r && !seg.promptedSlices.includes(k) ? [k] : []));
    expect(predicted.length).toBeGreaterThan(0);
    // MedSAM2's workflow: isolated passes, so a correction later invalidates only part of the series.
    await viewer.openSettings();
    await session.page.selectOption('[data-cy="medsam2-setting-workflow"]', 'medsam2');
    const marked = await waitForStale(predicted.length);
    expect(marked.segments[0].stale).toEqual(predicted);
    await expect(stripCells('data-stale')).resolves.toEqual(predicted);
    await expect(progressText()).resolves.toBe(
      `${predicted.length} of 20 slices out of date: Update redoes them.`,
    );
    await session.page.click('[data-cy="medsam2-update"]');
    const after = await waitForRuns((before.propagation.runs ?? 0) + 1);
    expect(after.error).toBeUndefined();
    expect(after.settings.workflow).toBe('medsam2');
    expect(after.segments[0].stale).toEqual([]);
    expect(after.propagation).toMatchObject({ done: predicted.length, total: predicted.length });
    await expect(stripCells('data-stale')).resolves.toEqual([]);
    await expect(progressText()).resolves.toBe(`${predicted.length}/${predicted.length} slices — done`);
  });

  test('fault 5: a correction on a propagated slice marks the slices it invalidates; Update repaints only those', async () => {
    const start = await viewer.state();
    const a = start.segments[0].promptedSlices[0];
    const c = a >= 10 ? a - 8 : a + 8; // a propagated slice well away from the prompt
    loop5 = { prompt: a, correction: c, objectId: start.segments[0].objectId };
    await includeClickOn(c);
    const corrected = await viewer.state();
    const seg = corrected.segments[0];
    const stale = seg.stale;
    expect(seg.promptedSlices).toEqual([a, c].sort((x, y) => x - y));
    // Some slices, not all: those whose memories the correction changed (the prompted ones never).
    expect(stale.length).toBeGreaterThan(0);
    expect(stale.length).toBeLessThan(18);
    expect(stale).not.toContain(a);
    expect(stale).not.toContain(c);
    await expect(stripCells('data-stale')).resolves.toEqual(stale);
    const text = await progressText();
    expect(text).toBe(`${stale.length} of 20 slices out of date: Update redoes them.`);
    expect(text).not.toMatch(/done/);
    await expect(session.page.textContent('[data-cy="medsam2-update"]')).resolves.toBe(
      `Update ${stale.length} slices`,
    );
    await session.page.screenshot({ path: artifactPath('loop-5-stale.png') });

    const t0 = await pageNow(session.page);
    await session.page.click('[data-cy="medsam2-update"]');
    const updated = await waitForRuns((corrected.propagation.runs ?? 0) + 1);
    const t1 = await pageNow(session.page);
    expect(updated.error).toBeUndefined();
    expect(updated.segments[0].stale).toEqual([]);
    expect(updated.propagation).toMatchObject({ done: stale.length, total: stale.length });
    // Only the stale slices were predicted and repainted; every other slice kept its result.
    const repainted = await repaintedBetween(t0, t1);
    expect(repainted.length).toBeGreaterThan(0);
    expect(repainted.filter((k) => !stale.includes(k))).toEqual([]);
    seg.slices.forEach((r, k) => {
      if (!stale.includes(k)) expect(updated.segments[0].slices[k]).toEqual(r);
    });
    await expect(stripCells('data-stale')).resolves.toEqual([]);
    await expect(progressText()).resolves.toBe(`${stale.length}/${stale.length} slices — done`);
    await session.page.screenshot({ path: artifactPath('loop-5-updated.png') });
  });

  test('fault 5: prompted slices are marked in the strip, and Propagate between two of them redoes only the slices between', async () => {
    // The first prompt a and the correction c, 8 slices away: a correction m between them marks
    // stale the slices after it, away from a (MedSAM2's passes go outwards from the prompt).
    const { prompt: a, correction: c } = loop5;
    const m = a + Math.sign(c - a) * 3;
    await includeClickOn(m);
    const s = await viewer.state();
    const prompted = [a, c, m].sort((x, y) => x - y);
    expect(s.segments[0].promptedSlices).toEqual(prompted);
    await expect(stripCells('data-prompted')).resolves.toEqual(prompted);
    // Three prompts: two neighbouring ranges to choose from.
    const control = session.page.locator('[data-cy="medsam2-propagate-between"]');
    await expect(control.isVisible()).resolves.toBe(true);
    const range = session.page.locator('[data-cy="medsam2-between-range"] option');
    await expect(range.count()).resolves.toBe(2);
    const [lo, hi] = [m, c].sort((x, y) => x - y);
    await session.page.selectOption('[data-cy="medsam2-between-range"]', `${lo}-${hi}`);
    const stale = s.segments[0].stale;
    const inside = stale.filter((k) => k > lo && k < hi);
    const outside = stale.filter((k) => k < lo || k > hi);
    expect(inside.length).toBeGreaterThan(0);
    expect(outside.length).toBeGreaterThan(0);
    await session.page.screenshot({ path: artifactPath('loop-5-prompted-between.png') });

    const t0 = await pageNow(session.page);
    await control.click();
    const after = await waitForRuns((s.propagation.runs ?? 0) + 1);
    const t1 = await pageNow(session.page);
    expect(after.error).toBeUndefined();
    expect(after.propagation).toMatchObject({ done: inside.length, total: inside.length });
    const repainted = await repaintedBetween(t0, t1);
    expect(repainted.length).toBeGreaterThan(0);
    expect(repainted.filter((k) => !inside.includes(k))).toEqual([]);
    s.segments[0].slices.forEach((r, k) => {
      if (!inside.includes(k)) expect(after.segments[0].slices[k]).toEqual(r);
    });
    // The slices beyond the range stay marked: the next Update redoes them.
    expect(after.segments[0].stale).toEqual(outside);
    await expect(stripCells('data-stale')).resolves.toEqual(outside);
    await session.page.screenshot({ path: artifactPath('loop-5-between.png') });
  });

  test('fault 5: with "Update automatically after a correction" on, a correction is redone without pressing Update, and the setting is kept', async () => {
    await viewer.openSettings();
    await session.page.check('[data-cy="medsam2-setting-auto-update"]');
    const stored = await session.page.evaluate(() => localStorage.getItem('medsam2.settings.v1'));
    expect(JSON.parse(stored ?? '{}')).toMatchObject({ autoUpdate: true, workflow: 'medsam2' });
    const s = await viewer.state();
    expect(s.settings.autoUpdate).toBe(true);
    const points = pointCount(await viewer.prompts());
    await viewer.clickViewport(0.5, 0.45, ['Shift']); // an exclude click on the slice in view
    await viewer.waitForPointCount(points + 1);
    const after = await waitForRuns((s.propagation.runs ?? 0) + 1);
    await waitIdle();
    const done = await viewer.state();
    expect(after.error).toBeUndefined();
    expect(done.segments[0].stale).toEqual([]);
    await expect(stripCells('data-stale')).resolves.toEqual([]);
    await expect(progressText()).resolves.toMatch(/^\d+\/\d+ slices — done$/);
    await session.page.uncheck('[data-cy="medsam2-setting-auto-update"]');
    expect((await viewer.state()).settings.autoUpdate).toBe(false);
  });

  test('fault 9: codes picked by search and kept per segment; each export names itself (segments + time, a new series number)', async () => {
    const id = (await viewer.state()).segments[0].objectId;
    const search = session.page.locator(`[data-cy="medsam2-segment-type-search-${id}"]`);
    await search.fill('liver');
    await search.press('Enter');
    await search.blur();
    const picked = (await viewer.state()).segments[0] as unknown as Record<string, { meaning: string }>;
    expect([picked.type.meaning, picked.category.meaning]).toEqual(['Liver', 'Anatomical Structure']);
    const exportOnce = async (previous?: number) => {
      await session.page.click('[data-cy="medsam2-export-seg"]');
      await session.page.waitForFunction(
        (p) => {
          const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
            .commandsManager;
          const x = (
            cm.runCommand('medsam2GetState') as { export: { status: string; seriesNumber?: number } }
          ).export;
          return x.status === 'failed' || (x.status === 'stored' && x.seriesNumber !== p);
        },
        previous,
        { timeout: 60000 },
      );
      const x = (await viewer.state()).export as { status: string; seriesNumber?: number; message?: string };
      expect({ status: x.status, message: x.message }).toEqual({
        status: 'stored',
        message: 'SEG stored in the PACS',
      });
      return x.seriesNumber as number;
    };
    const first = await exportOnce();
    const second = await exportOnce(first);
    expect(second).toBeGreaterThan(first);
    await expect(session.page.textContent('[data-cy="medsam2-export-name"]')).resolves.toMatch(
      new RegExp(`^Series ${second}: Segment 1 - MedSAM-2 \\d\\d:\\d\\d$`),
    );
    const qido = await fetch(`${stack.orthanc.dicomWebUrl}/studies/${SAMPLE_STUDY_UID}/series?Modality=SEG`);
    const series = (await qido.json()) as Record<string, { Value?: unknown[] }>[];
    const named = series
      .map((s) => ({
        number: Number(s['00200011']?.Value?.[0]),
        description: String(s['0008103E']?.Value?.[0]),
      }))
      .sort((a, b) => a.number - b.number);
    expect(named.map((s) => s.number)).toEqual([first, second]);
    for (const s of named) expect(s.description).toMatch(/^Segment 1 - MedSAM-2 \d\d:\d\d$/);
    await session.page.screenshot({ path: artifactPath('loop-9-exported-twice.png') });
    // A second segment starts with its own codes; the first keeps Liver.
    await session.page.click('[data-cy="medsam2-add-segment"]');
    await session.page.waitForFunction(() => {
      const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
        .commandsManager;
      return (cm.runCommand('medsam2GetState') as PanelStateView).segments.length === 2;
    });
    const both = (await viewer.state()).segments as unknown as Record<string, { meaning: string }>[];
    expect(both.map((s) => s.type.meaning)).toEqual(['Liver', 'Tissue']);
  });

  test('fault 5: Update and Propagate between are kept with the work: a reload brings back the same strip and masks', async () => {
    await waitIdle();
    await session.page.click('[data-cy="medsam2-segment-select-' + loop5.objectId + '"]');
    const before = await viewer.state();
    const coverage = await viewer.coverage();
    await session.page.reload();
    await viewer.open();
    // The series shows as ready while its saved work is replayed ('restoring'): wait for the end.
    await session.page.waitForFunction(
      () => {
        const cm = (window as unknown as { commandsManager: { runCommand(n: string): unknown } })
          .commandsManager;
        const s = cm.runCommand('medsam2GetState') as PanelStateView & {
          queued: number;
          saved?: { status: string };
        };
        return s.toolActive && s.series.status === 'ready' && s.queued === 0 && s.saved?.status === 'kept';
      },
      undefined,
      { timeout: 180000 },
    );
    const after = await viewer.state();
    const strip = (s: PanelStateView) => {
      const { slices, stale, promptedSlices } = s.segments[0];
      return { slices, stale, promptedSlices };
    };
    expect(strip(after)).toEqual(strip(before));
    expect(await viewer.coverage()).toEqual(coverage);
  });
});

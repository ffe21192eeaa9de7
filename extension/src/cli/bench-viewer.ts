/**
 * The benchmark's viewer run: the real product in the real viewer. Stock OHIF (the default tested
 * release, from the npm registry) with our built extension and mode, the benchmarked model served
 * by the viewer server, the 20-slice sample MR series in a private Orthanc, Debian's Chromium. It
 * measures what a user waits for — tool press → ready, a click → its mask painted (first click, then
 * a second click on the same slice, whose encoding is cached), Propagate → every slice painted — and
 * the page's main thread during the propagation (long tasks, the browser's Long Tasks API: entries of
 * 50 ms and more). Inference runs in the extension's worker with the product's thread count, so
 * the per-slice figure is comparable with the bench page's "chromium wasm <n>t" run of the same
 * model. Figures only, nothing asserted.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ORTHANC_BINARY } from '../../serve/orthanc';
import {
  dataModifiedBetween,
  installMainThreadProbe,
  longTasksBetween,
  pageNow,
  type LongTaskFigures,
} from '../../../test/e2e/support/main-thread';
import { launchBrowser, OHIF_UNDER_TEST, startStack } from '../../../test/e2e/support/stack';
import { ViewerPage } from '../../../test/e2e/support/viewer-page';
import { rendererPeakRssMb } from './bench-browser';
import type { SkippedRun } from './bench-report';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface ViewerComparison {
  /** The bench page run compared against ("chromium wasm <n>t", "… int8"). */
  readonly benchRun: string;
  /** Its mean time per slice (paper policy, encoder included, cold cache). */
  readonly benchMsPerSlice: number;
  /** Viewer per slice / bench page per slice. */
  readonly ratio: number;
}

export interface ViewerRun {
  readonly id: string;
  readonly ohif: string;
  /** The model folder the viewer loaded (the fp32 or the int8 one). */
  readonly model: string;
  /** What the worker runs, as the panel reports it (e.g. wasm). */
  readonly backend: string;
  /** The study opened in the mode → model loaded and series ready (first visit: empty caches). */
  readonly openToReadyMs: number;
  /** The first click → its mask painted. */
  readonly firstClickMs: number;
  /** A second click on the same slice (encoder output cached) → its mask painted. */
  readonly cachedClickMs: number;
  /** Propagate → every slice painted. */
  readonly propagateMs: number;
  readonly propagatedSlices: number;
  /** propagateMs / propagatedSlices. */
  readonly msPerSlice: number;
  /** Main-thread long tasks during the propagation. */
  readonly longTasks: LongTaskFigures;
  /** Labelmap repaint requests (segmentation-modified events) during the propagation. */
  readonly repaints: number;
  readonly peakRendererMb: number;
  /** Against the bench page's run at the same threads, when that ran. */
  readonly comparison?: ViewerComparison;
}

interface QueueState {
  queued: number;
  error?: string;
}

/** Waits until the controller's queue is empty and a repaint happened after `since`; answers its time. */
async function paintedAfter(viewer: ViewerPage, since: number, timeout: number): Promise<number> {
  await viewer.page.waitForFunction(
    (t) => {
      const w = window as unknown as {
        commandsManager: { runCommand(n: string): unknown };
        __medsam2Probe: { modified: { at: number }[] };
      };
      const s = w.commandsManager.runCommand('medsam2GetState') as QueueState;
      if (s.error) return true;
      return s.queued === 0 && w.__medsam2Probe.modified.some((e) => e.at >= t);
    },
    since,
    { timeout, polling: 20 },
  );
  const state = await viewer.state();
  if (state.error) throw new Error(`viewer: ${state.error}`);
  const events = await dataModifiedBetween(viewer.page, since, Number.MAX_VALUE);
  return Math.max(...events.map((e) => e.at));
}

/** Why the viewer run cannot happen here, or null. */
export function viewerRunUnavailable(): string | null {
  if (!existsSync(ORTHANC_BINARY))
    return `${ORTHANC_BINARY} is missing (Debian: apt-get install orthanc orthanc-dicomweb)`;
  return null;
}

export async function benchViewer(
  modelDir: string,
  id: string,
  log: (line: string) => void,
): Promise<ViewerRun | SkippedRun> {
  const unavailable = viewerRunUnavailable();
  if (unavailable) return { id, reason: unavailable };
  log(`${id}: building the extension and mode`);
  await promisify(execFile)(process.execPath, [path.join(ROOT, 'extension', 'build.mjs')]);
  log(`${id}: OHIF ${OHIF_UNDER_TEST}, Orthanc with the sample series`);
  const stack = await startStack({ modelDir: path.resolve(modelDir) });
  try {
    const browser = await launchBrowser({ preciseMemory: true });
    try {
      const viewer = new ViewerPage(browser.page, stack.server.url);
      // The mode starts loading the model when it opens, so the wait a user sees starts there.
      const t0 = performance.now();
      await viewer.open();
      await installMainThreadProbe(browser.page);
      await viewer.activatePromptTool();
      await browser.page.waitForSelector(
        '[data-cy="medsam2-model"][data-status="ready"], [data-cy="medsam2-model"][data-status="error"]',
        { timeout: 600000 },
      );
      const ready = await viewer.state();
      if (ready.model.status !== 'ready')
        throw new Error(`viewer: the model did not load (${ready.error ?? ''})`);
      const openToReadyMs = performance.now() - t0;
      log(`${id}: ready ${Math.round(openToReadyMs)} ms after opening; first click`);

      const t1 = await pageNow(browser.page);
      await viewer.clickViewport(0.5, 0.45);
      const firstClickMs = (await paintedAfter(viewer, t1, 600000)) - t1;
      const t2 = await pageNow(browser.page);
      await viewer.clickViewport(0.52, 0.47);
      const cachedClickMs = (await paintedAfter(viewer, t2, 600000)) - t2;
      log(`${id}: clicks ${Math.round(firstClickMs)} / ${Math.round(cachedClickMs)} ms; propagate`);

      const t3 = await pageNow(browser.page);
      await viewer.propagateToEnd(undefined, 3600000);
      const t4 = await pageNow(browser.page);
      const state = await viewer.state();
      if (state.error) throw new Error(`viewer: ${state.error}`);
      const repaints = (await dataModifiedBetween(browser.page, t3, t4)).length;
      // The prompted slice is redone by the run too (SAM 2 re-encodes its memory), so the run's total.
      const propagatedSlices = state.propagation.total;
      return {
        id,
        ohif: OHIF_UNDER_TEST,
        model: path.basename(path.resolve(modelDir)),
        backend: state.model.info?.backend ?? '?',
        openToReadyMs: Math.round(openToReadyMs),
        firstClickMs: Math.round(firstClickMs),
        cachedClickMs: Math.round(cachedClickMs),
        propagateMs: Math.round(t4 - t3),
        propagatedSlices,
        msPerSlice: Math.round((t4 - t3) / Math.max(1, propagatedSlices)),
        longTasks: await longTasksBetween(browser.page, t3, t4),
        repaints,
        peakRendererMb: Math.round(rendererPeakRssMb()),
      };
    } finally {
      await browser.close();
    }
  } finally {
    await stack.stop();
  }
}

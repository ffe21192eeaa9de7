/**
 * Main-thread figures in the viewer page: long tasks (the browser's Long Tasks API, entries of
 * 50 ms and more) between two marks, and the segmentation-modified events cornerstone raised
 * (how often OHIF was asked to repaint the labelmap, and whether it was told which slices).
 * Figures for the bench and the report, never timed assertions.
 */
import type { Page } from 'playwright-core';

export interface LongTaskFigures {
  readonly count: number;
  readonly totalMs: number;
  readonly longestMs: number;
}

export interface DataModifiedEvent {
  readonly at: number;
  readonly slices: number[] | null;
}

interface Probe {
  longTasks: { start: number; duration: number }[];
  modified: DataModifiedEvent[];
}

/** Installs the observers once per page load (long tasks, SEGMENTATION_DATA_MODIFIED events). */
export async function installMainThreadProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as {
      __medsam2Probe?: Probe;
      cornerstone: { eventTarget: EventTarget };
      cornerstoneTools: { Enums: { Events: { SEGMENTATION_DATA_MODIFIED: string } } };
    };
    if (w.__medsam2Probe) return;
    const probe: Probe = { longTasks: [], modified: [] };
    w.__medsam2Probe = probe;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: true });
    // OHIF puts its cornerstone libraries on window.
    const event = w.cornerstoneTools.Enums.Events.SEGMENTATION_DATA_MODIFIED;
    w.cornerstone.eventTarget.addEventListener(event, (e) => {
      const d = (e as CustomEvent<{ modifiedSlicesToUse?: number[] }>).detail;
      probe.modified.push({ at: performance.now(), slices: d?.modifiedSlicesToUse ?? null });
    });
  });
}

export async function pageNow(page: Page): Promise<number> {
  return page.evaluate(() => performance.now());
}

/** Long tasks that started in [from, to] (page clock, ms). */
export async function longTasksBetween(page: Page, from: number, to: number): Promise<LongTaskFigures> {
  const tasks = await page.evaluate(
    ([a, b]) =>
      (window as unknown as { __medsam2Probe: Probe }).__medsam2Probe.longTasks.filter(
        (t) => t.start >= a && t.start <= b,
      ),
    [from, to] as const,
  );
  return {
    count: tasks.length,
    totalMs: Math.round(tasks.reduce((n, t) => n + t.duration, 0)),
    longestMs: Math.round(tasks.reduce((n, t) => Math.max(n, t.duration), 0)),
  };
}

/** Segmentation-modified events raised in [from, to]. */
export async function dataModifiedBetween(
  page: Page,
  from: number,
  to: number,
): Promise<DataModifiedEvent[]> {
  return page.evaluate(
    ([a, b]) =>
      (window as unknown as { __medsam2Probe: Probe }).__medsam2Probe.modified.filter(
        (e) => e.at >= a && e.at <= b,
      ),
    [from, to] as const,
  );
}

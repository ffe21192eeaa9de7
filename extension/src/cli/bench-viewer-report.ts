/**
 * The viewer runs' table: what a user waits for in OHIF, next to the bench page's run of the same
 * model on the same backend and thread count (the viewer's worker runs the product's thread count,
 * wasmThreadsFor this machine's cores), with the viewer / bench page ratio per slice.
 */
import type { BackendRun } from './bench-measures';
import { markdownTable } from './bench-report';
import type { ViewerComparison, ViewerRun } from './bench-viewer';

export function compareViewer(
  run: ViewerRun,
  benchRunId: string,
  runs: readonly BackendRun[],
): ViewerComparison | undefined {
  const page = runs.find((r) => r.id === benchRunId);
  if (!page) return undefined;
  const benchMsPerSlice = page.measures.perSlice.paper.msPerSlice;
  return { benchRun: benchRunId, benchMsPerSlice, ratio: run.msPerSlice / benchMsPerSlice };
}

export function viewerTable(runs: readonly ViewerRun[]): string {
  if (runs.length === 0) return '';
  const rows: [string, (r: ViewerRun) => string][] = [
    ['OHIF', (r) => r.ohif],
    ['model folder / backend', (r) => `${r.model} / ${r.backend}`],
    ['mode opened → model and series ready (ms)', (r) => String(r.openToReadyMs)],
    ['first click → mask painted (ms)', (r) => String(r.firstClickMs)],
    ['second click, same slice (encoder cached) → painted (ms)', (r) => String(r.cachedClickMs)],
    ['Propagate → all painted (ms)', (r) => `${r.propagateMs} (${r.propagatedSlices} slices)`],
    ['per slice in the viewer (ms)', (r) => String(r.msPerSlice)],
    [
      'per slice on the bench page, same backend (ms)',
      (r) => (r.comparison ? `${Math.round(r.comparison.benchMsPerSlice)} (${r.comparison.benchRun})` : '—'),
    ],
    ['viewer / bench page per slice', (r) => (r.comparison ? `${r.comparison.ratio.toFixed(2)}×` : '—')],
    [
      'main thread during Propagate: long tasks (count / total / longest ms)',
      (r) => `${r.longTasks.count} / ${r.longTasks.totalMs} / ${r.longTasks.longestMs}`,
    ],
    ['labelmap repaints during Propagate', (r) => String(r.repaints)],
    ['peak renderer RSS (MB)', (r) => String(r.peakRendererMb)],
  ];
  const cells = [['viewer', ...runs.map((r) => r.id)], ...rows.map(([label, f]) => [label, ...runs.map(f)])];
  return markdownTable(cells);
}

/**
 * The benchmark's Chromium half (npm run bench without --no-browser) on a tiny plan: the bench page
 * in Debian's Chromium, cross-origin isolated, wasm with 1 and 2 threads and WebGPU on the software
 * adapter. Checks what ran and the form of every figure, never a time.
 */
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseThreads, runBench } from '../../extension/src/cli/bench';
import { wasmRunId } from '../../extension/src/cli/bench-browser';
import { splitWasmThreads } from '../../extension/src/engine/runtime/web-backends';
import type { BenchReport } from '../../extension/src/cli/bench-report';
import { runProblems } from '../bench/checks';

let report: BenchReport;

beforeAll(async () => {
  const json = path.join(mkdtempSync(path.join(tmpdir(), 'medsam2-bench-e2e-')), 'bench.json');
  report = await runBench(['--slices', '3', '--volumes', '40', '--repeats', '1', '--json', json], {
    log: () => undefined,
    out: () => undefined,
  });
});

const chromiumRuns = () => report.runs.filter((r) => r.platform === 'chromium');

/** 1, 2 and the product's thread count on this machine's cores (the same on a 2-core machine). */
const threads = parseThreads(undefined);
const product = threads[threads.length - 1];
/** The product's split of those threads: the image encoder on its own instance. */
const split = splitWasmThreads(product);
const wasmIds = [...threads.map((n) => wasmRunId(n)), ...(split ? [wasmRunId(product, split)] : [])];

test("runs wasm with 1, 2 and the product's threads (also split as the product does) and WebGPU in Chromium, after the two Node backends", () => {
  expect(report.runs.map((r) => r.id)).toEqual(['node native', 'node wasm', ...wasmIds, 'chromium webgpu']);
  expect(report.skipped).toEqual([]);
  expect(chromiumRuns().map((r) => [r.backend, r.threads])).toEqual([
    ...threads.map((n) => ['wasm', n]),
    ...(split ? [['wasm', product]] : []),
    ['webgpu', null],
  ]);
  if (split)
    expect(report.runs.find((r) => r.id === wasmRunId(product, split))?.description).toMatch(
      /image encoder on its own worker/,
    );
});

test('the bench page is cross-origin isolated in every configuration', () => {
  expect(chromiumRuns().map((r) => r.browser?.crossOriginIsolated)).toEqual(
    Array(wasmIds.length + 1).fill(true),
  );
});

test('the WebGPU run reports its adapter and, on a software adapter, runs a reduced plan that says so', () => {
  const webgpu = report.runs.find((r) => r.id === 'chromium webgpu');
  const adapter = webgpu?.browser?.adapter;
  expect(adapter).toBeTruthy();
  expect(adapter?.vendor || adapter?.architecture).toBeTruthy();
  if (adapter?.isFallbackAdapter) {
    expect(webgpu?.reduced).toMatch(/software adapter .*function, not speed/);
    expect(webgpu?.plan.volumes).toEqual([]);
  } else expect(webgpu?.plan).toEqual(report.plan);
});

test('every Chromium figure is positive and finite, the bank a share of the slice in (0, 1), the heap at least the encoder cache', () => {
  expect(chromiumRuns().flatMap((r) => runProblems(r, r.plan))).toEqual([]);
  expect(chromiumRuns().map((r) => r.memory.rssOf)).toEqual(
    Array(wasmIds.length + 1).fill('the page renderer process (VmHWM)'),
  );
});

test('the viewer run drives the real OHIF with the extension: every figure present, compared with the page at the product threads', () => {
  expect(report.viewer).toHaveLength(1);
  const v = report.viewer[0];
  expect(v.id).toBe('viewer');
  expect(v.backend).toBe('wasm');
  for (const [name, x] of Object.entries({
    openToReadyMs: v.openToReadyMs,
    firstClickMs: v.firstClickMs,
    cachedClickMs: v.cachedClickMs,
    propagateMs: v.propagateMs,
    msPerSlice: v.msPerSlice,
    peakRendererMb: v.peakRendererMb,
  }))
    expect([name, Number.isFinite(x) && x > 0]).toEqual([name, true]);
  // The sample series has 20 slices; the run redoes the prompted one with the other 19.
  expect(v.propagatedSlices).toBeGreaterThanOrEqual(19);
  expect(v.repaints).toBeGreaterThan(0);
  expect(v.longTasks.count).toBeGreaterThanOrEqual(0);
  expect(v.longTasks.longestMs).toBeLessThanOrEqual(v.longTasks.totalMs);
  expect(v.comparison?.benchRun).toBe(wasmRunId(product, split));
  expect(v.comparison?.ratio).toBeGreaterThan(0);
});

test('a second visit loads the model from Cache Storage: only the manifest is downloaded again', () => {
  const manifestMb = statSync(path.join(report.model.dir, 'manifest.json')).size / 2 ** 20;
  for (const r of chromiumRuns()) {
    expect(r.modelLoad?.firstVisitDownloadMb).toBeCloseTo(report.model.downloadMb, 9);
    expect(r.modelLoad?.secondVisitDownloadMb).toBeCloseTo(manifestMb, 9);
    expect(r.modelLoad?.secondVisitMs).toBeGreaterThan(0);
  }
});

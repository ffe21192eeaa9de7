/**
 * The benchmark's report: the JSON document (everything measured, plus the ratios) and the table
 * printed from it, one column per backend run with each figure's ratio to Node native.
 */
import type { GraphName } from '../engine/model/contract';
import { BENCH_POLICIES, type BackendRun, type BenchPlan } from './bench-measures';
import type { ViewerRun } from './bench-viewer';

export interface SkippedRun {
  readonly id: string;
  readonly reason: string;
}

/** A benchmarked model folder. */
export interface BenchModel {
  readonly dir: string;
  /** The manifest's name. */
  readonly name: string;
  readonly testModel: boolean;
  /** manifest.json plus the graph files: what a first visit downloads. */
  readonly downloadMb: number;
  /** Each graph's precision, from the manifest. */
  readonly precisions: Record<string, string>;
}

/** Suffix of the run ids of the int8 variant (`--int8`). */
export const INT8_SUFFIX = ' int8';

export interface BenchReport {
  readonly model: BenchModel;
  /** The int8 variant, when `--int8` gave one: its runs are named "<configuration> int8". */
  readonly int8?: BenchModel;
  readonly plan: BenchPlan;
  readonly node: string;
  readonly runs: readonly BackendRun[];
  readonly skipped: readonly SkippedRun[];
  /** The viewer runs (real OHIF, the extension's worker), one per model folder. */
  readonly viewer: readonly ViewerRun[];
  readonly ratios: {
    /** Each run's median per-slice time (paper policy) over Node native's. */
    readonly perSliceOverNodeNative: Record<string, number>;
    /** The memory bank's share of the per-slice time (paper policy), per run. */
    readonly bankShareOfSlice: Record<string, number>;
    /** paper / sam2-fifo median per-slice time, per run. */
    readonly paperOverFifo: Record<string, number>;
    /** With --int8: per configuration, the int8 run's median per-slice time (paper) over the fp32 run's. */
    readonly int8OverFp32?: Record<string, number>;
  };
}

export const BASELINE_RUN = 'node native';

export function benchReport(
  model: BenchReport['model'],
  plan: BenchPlan,
  runs: readonly BackendRun[],
  skipped: readonly SkippedRun[],
  int8?: BenchModel,
  viewer: readonly ViewerRun[] = [],
): BenchReport {
  const baseline = runs.find((r) => r.id === BASELINE_RUN);
  const per = (f: (r: BackendRun) => number) => Object.fromEntries(runs.map((r) => [r.id, f(r)]));
  const slice = (r: BackendRun) => r.measures.perSlice.paper.medianMsPerSlice;
  const int8Pairs = runs.flatMap((r) => {
    const fp32 = r.id.endsWith(INT8_SUFFIX) && runs.find((f) => f.id === r.id.slice(0, -INT8_SUFFIX.length));
    return fp32 ? [[fp32.id, slice(r) / slice(fp32)] as const] : [];
  });
  return {
    model,
    ...(int8 ? { int8 } : {}),
    plan,
    node: process.version,
    runs,
    skipped,
    viewer,
    ratios: {
      perSliceOverNodeNative: baseline
        ? per(
            (r) =>
              r.measures.perSlice.paper.medianMsPerSlice / baseline.measures.perSlice.paper.medianMsPerSlice,
          )
        : {},
      bankShareOfSlice: per((r) => r.measures.perSlice.paper.bank.fraction),
      paperOverFifo: per(
        (r) => r.measures.perSlice.paper.medianMsPerSlice / r.measures.perSlice['sam2-fifo'].medianMsPerSlice,
      ),
      ...(int8 ? { int8OverFp32: Object.fromEntries(int8Pairs) } : {}),
    },
  };
}

export const describePlan = (p: BenchPlan): string =>
  `${p.slices} slices, whole volumes ${p.volumes.join(', ') || 'none'}, ${p.repeats} repeats`;

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const percent = (x: number): string => `${(100 * x).toFixed(1)} %`;

interface Row {
  readonly label: string;
  readonly value: (r: BackendRun) => number | undefined;
  /** Shown with its ratio to Node native's value. */
  readonly ratio: boolean;
  readonly format?: (x: number) => string;
}

function rows(report: BenchReport): Row[] {
  const graphs = Object.keys(report.runs[0]?.measures.graphMs ?? {}) as GraphName[];
  const volumeSizes = [...new Set(report.runs.flatMap((r) => r.measures.volumes.map((v) => v.slices)))];
  const volume = (r: BackendRun, n: number) => r.measures.volumes.find((v) => v.slices === n);
  return [
    ...graphs.map((g) => ({
      label: `${g} (ms)`,
      value: (r: BackendRun) => r.measures.graphMs[g],
      ratio: true,
    })),
    ...BENCH_POLICIES.map((p) => ({
      label: `per slice, ${p} (ms, median)`,
      value: (r: BackendRun) => r.measures.perSlice[p].medianMsPerSlice,
      ratio: true,
    })),
    {
      label: 'memory bank per slice, paper (ms)',
      value: (r) => r.measures.perSlice.paper.bank.msPerSlice,
      ratio: true,
    },
    {
      label: 'memory bank / slice, paper',
      value: (r) => r.measures.perSlice.paper.bank.fraction,
      ratio: false,
      format: percent,
    },
    ...volumeSizes.flatMap((n): Row[] => [
      { label: `${n}-slice volume (slices/s)`, value: (r) => volume(r, n)?.slicesPerSecond, ratio: true },
      {
        label: `${n}-slice volume, memory bank / slice`,
        value: (r) => volume(r, n)?.bank.fraction,
        ratio: false,
        format: percent,
      },
    ]),
    { label: 'first mask, encoder cold (ms)', value: (r) => r.measures.firstMaskMs.cold, ratio: true },
    { label: 'first mask, encoder cached (ms)', value: (r) => r.measures.firstMaskMs.cached, ratio: true },
    { label: 'model download (MB)', value: (r) => r.modelDownloadMb, ratio: true },
    { label: 'model load, first visit (ms)', value: (r) => r.modelLoad?.firstVisitMs, ratio: false },
    { label: 'model load, second visit (ms)', value: (r) => r.modelLoad?.secondVisitMs, ratio: false },
    {
      label: 'downloaded on a second visit (MB)',
      value: (r) => r.modelLoad?.secondVisitDownloadMb,
      ratio: false,
    },
    { label: 'peak RSS (MB)', value: (r) => r.memory.peakRssMb, ratio: true },
    { label: 'peak JS heap (MB)', value: (r) => r.memory.peakJsHeapMb, ratio: true },
    { label: 'encoder cache (MB)', value: (r) => r.measures.encoderCacheMb, ratio: false },
  ];
}

/** Markdown table: one column per run; `(n×)` = the figure over Node native's. */
export function benchTable(report: BenchReport): string {
  const baseline = report.runs.find((r) => r.id === BASELINE_RUN);
  const cells: string[][] = [['measure', ...report.runs.map((r) => r.id)]];
  for (const row of rows(report)) {
    const base = baseline && row.value(baseline);
    cells.push([
      row.label,
      ...report.runs.map((r) => {
        const v = row.value(r);
        if (v === undefined) return '—';
        const shown = (row.format ?? fmt)(v);
        return row.ratio && base && r !== baseline ? `${shown} (${(v / base).toFixed(2)}×)` : shown;
      }),
    ]);
  }
  return markdownTable(cells);
}

/** A Markdown table from rows of cells, the first row the header; columns padded to align. */
export function markdownTable(cells: readonly (readonly string[])[]): string {
  const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  const line = (r: readonly string[]) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
  return [
    line(cells[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** The lines printed under the table: ratios, what ran where, what was reduced or skipped. */
export function benchSummary(report: BenchReport): string {
  const list = (o: Record<string, number>, f: (x: number) => string) =>
    Object.entries(o)
      .map(([id, x]) => `${id} ${f(x)}`)
      .join(', ');
  const times = (x: number) => `${x.toFixed(2)}×`;
  const lines = [
    `per slice (paper, median) / Node native: ${list(report.ratios.perSliceOverNodeNative, times)}`,
    `memory bank / slice (paper): ${list(report.ratios.bankShareOfSlice, percent)}`,
    `paper / sam2-fifo per slice (median): ${list(report.ratios.paperOverFifo, times)}`,
  ];
  if (report.ratios.int8OverFp32)
    lines.push(`int8 / fp32 per slice (paper, median): ${list(report.ratios.int8OverFp32, times)}`);
  for (const [label, m] of [
    ['model', report.model],
    ['int8', report.int8],
  ] as const)
    if (m)
      lines.push(
        `${label}: ${m.name}, ${fmt(m.downloadMb)} MB (${Object.entries(m.precisions)
          .map(([g, p]) => `${g} ${p}`)
          .join(', ')})`,
      );
  for (const r of report.runs) {
    const extra = [
      r.threads !== null ? `${r.threads} thread${r.threads === 1 ? '' : 's'}` : '',
      r.browser ? `crossOriginIsolated ${r.browser.crossOriginIsolated}` : '',
      r.browser?.adapter
        ? `adapter ${[r.browser.adapter.vendor, r.browser.adapter.architecture, r.browser.adapter.description]
            .filter(Boolean)
            .join(' ')}${r.browser.adapter.isFallbackAdapter ? ' (software fallback)' : ''}`
        : '',
      r.reduced ? `reduced plan (${describePlan(r.plan)}): ${r.reduced}` : '',
    ].filter(Boolean);
    lines.push(`${r.id}: ${r.description}${extra.length ? `; ${extra.join('; ')}` : ''}`);
  }
  for (const s of report.skipped) lines.push(`${s.id}: skipped, ${s.reason}`);
  return lines.join('\n');
}

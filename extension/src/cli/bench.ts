/**
 * `npm run bench [-- --model <dir>] [-- --int8 <dir>] [-- --json <file>] [-- --slices N]
 *   [-- --volumes 100,200] [-- --repeats N] [-- --threads 1,2,max] [-- --no-browser]`
 *
 * The same measures (bench-measures.ts) on every backend the product runs on: onnxruntime-node
 * native and onnxruntime-web wasm in Node, then wasm with 1, 2 and the product's thread count
 * ("max") and WebGPU (where an adapter exists) in Debian's Chromium, cross-origin isolated. With
 * `--int8` every configuration runs again on the int8 variant (runs named "… int8"). Writes JSON and
 * prints one table with ratios against Node native (fp32). Nothing here asserts a time.
 */
import { availableParallelism } from 'node:os';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelError, errorText } from '../engine/errors';
import { splitWasmThreads, wasmThreadsFor } from '../engine/runtime/web-backends';
import { intFlag, parseFlags, UsageError } from './args';
import { benchChromium, wasmRunId } from './bench-browser';
import type { BackendRun, BenchPlan } from './bench-measures';
import { benchNode } from './bench-node';
import { benchViewer, type ViewerRun } from './bench-viewer';
import { compareViewer, viewerTable } from './bench-viewer-report';
import {
  benchReport,
  benchSummary,
  benchTable,
  describePlan,
  INT8_SUFFIX,
  type BenchModel,
  type BenchReport,
  type SkippedRun,
} from './bench-report';

const FLAGS = {
  model: 'string',
  int8: 'string',
  json: 'string',
  slices: 'string',
  volumes: 'string',
  repeats: 'string',
  'no-browser': 'boolean',
  'no-node-wasm': 'boolean',
  'no-webgpu': 'boolean',
  'no-viewer': 'boolean',
  threads: 'string',
} as const;

/**
 * Chromium wasm thread counts, one run each, without repeats; `max` is what the product runs on
 * this machine (wasmThreadsFor its cores, cross-origin isolated as the bench page is).
 */
export function parseThreads(text: string | undefined, cores = availableParallelism()): number[] {
  const counts = (text ?? '1,2,max').split(',').map((v) => {
    if (v === 'max') return wasmThreadsFor(cores, true);
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new UsageError(`--threads: ${JSON.stringify(v)} is not a thread count 1..64 or max`);
    return n;
  });
  return [...new Set(counts)];
}

function parseVolumes(text: string | undefined): number[] {
  if (text === undefined) return [100, 200];
  if (text === '' || text === 'none') return [];
  return text.split(',').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 2)
      throw new UsageError(`--volumes: ${JSON.stringify(v)} is not a slice count >= 2`);
    return n;
  });
}

function positive(flags: Map<string, string | true>, name: string, fallback: number): number {
  const n = intFlag(flags, name, fallback);
  if (n < 1) throw new UsageError(`--${name} must be >= 1, got ${n}`);
  return n;
}

const MB = 2 ** 20;

/**
 * Name, test-model flag, graph precisions and download size (manifest + graph files) for the
 * report; loading the model later checks the rest.
 */
async function modelInfo(dir: string): Promise<BenchModel> {
  const file = path.join(dir, 'manifest.json');
  let manifest: {
    name?: unknown;
    testModel?: unknown;
    graphs?: Record<string, { file?: unknown; precision?: unknown }>;
  };
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as typeof manifest;
  } catch (e) {
    throw new ModelError('manifest-missing', `${file}: cannot be read (${errorText(e)})`);
  }
  let bytes = (await stat(file)).size;
  const precisions: Record<string, string> = {};
  for (const [graph, entry] of Object.entries(manifest.graphs ?? {})) {
    precisions[graph] = String(entry.precision);
    if (typeof entry.file !== 'string' || path.basename(entry.file) !== entry.file) continue;
    bytes += await stat(path.join(dir, entry.file)).then(
      (s) => s.size,
      () => 0, // loading the model reports the missing file
    );
  }
  return {
    dir,
    name: String(manifest.name ?? '?'),
    testModel: manifest.testModel === true,
    downloadMb: bytes / MB,
    precisions,
  };
}

/** Runs of one model on every configuration asked for; `suffix` marks the variant's run ids. */
async function benchModel(
  model: BenchModel,
  suffix: string,
  flags: Map<string, string | true>,
  plan: BenchPlan,
  wasmThreads: number[],
  log: (line: string) => void,
): Promise<{ runs: BackendRun[]; skipped: SkippedRun[]; viewer: ViewerRun[] }> {
  const skipped: SkippedRun[] = [];
  const tag = <T extends { id: string }>(r: T): T => ({ ...r, id: `${r.id}${suffix}` });
  const runs: BackendRun[] = (
    await benchNode(model.dir, plan, log, { wasm: !flags.get('no-node-wasm') })
  ).map(tag);
  if (flags.get('no-node-wasm')) skipped.push({ id: `node wasm${suffix}`, reason: '--no-node-wasm' });
  if (flags.get('no-browser')) skipped.push({ id: `chromium${suffix}`, reason: '--no-browser' });
  else {
    const chromium = await benchChromium({
      modelDir: model.dir,
      plan,
      log,
      wasmThreads,
      webgpu: !flags.get('no-webgpu'),
    });
    runs.push(...chromium.runs.map(tag));
    skipped.push(...chromium.skipped.map(tag));
  }
  const viewer: ViewerRun[] = [];
  const viewerId = `viewer${suffix}`;
  if (flags.get('no-browser') || flags.get('no-viewer'))
    skipped.push({ id: viewerId, reason: flags.get('no-viewer') ? '--no-viewer' : '--no-browser' });
  else {
    const run = await benchViewer(model.dir, viewerId, log);
    if ('reason' in run) skipped.push(run);
    else {
      // The viewer's worker runs the product's threads and split; compare with the page at the same.
      const threads = wasmThreadsFor(availableParallelism(), true);
      const pageRun = `${wasmRunId(threads, splitWasmThreads(threads))}${suffix}`;
      const comparison = compareViewer(run, pageRun, runs);
      viewer.push(comparison ? { ...run, comparison } : run);
    }
  }
  return { runs: runs.map((r) => ({ ...r, modelDownloadMb: model.downloadMb })), skipped, viewer };
}

export interface BenchIo {
  /** Progress lines (stderr by default). */
  readonly log: (line: string) => void;
  /** The table and summary (stdout by default). */
  readonly out: (text: string) => void;
}

const STD_IO: BenchIo = {
  log: (line) => process.stderr.write(`bench: ${line}\n`),
  out: (text) => process.stdout.write(text),
};

export async function runBench(argv: readonly string[], io: BenchIo = STD_IO): Promise<BenchReport> {
  const { log } = io;
  const flags = parseFlags(argv, FLAGS);
  const modelDir = path.resolve(
    (flags.get('model') as string | undefined) ?? path.resolve(__dirname, '../../../models/test-tiny'),
  );
  const jsonPath = (flags.get('json') as string | undefined) ?? 'bench-results/bench.json';
  const plan: BenchPlan = {
    slices: Math.max(2, positive(flags, 'slices', 40)),
    volumes: parseVolumes(flags.get('volumes') as string | undefined),
    repeats: positive(flags, 'repeats', 10),
  };
  const wasmThreads = parseThreads(flags.get('threads') as string | undefined);
  const model = await modelInfo(modelDir);
  const int8Dir = flags.get('int8') as string | undefined;
  const int8 = int8Dir === undefined ? undefined : await modelInfo(path.resolve(int8Dir));
  log(
    `model ${model.name} (${modelDir})${int8 ? `, int8 ${int8.name} (${int8.dir})` : ''}; ${describePlan(plan)}`,
  );
  const { runs, skipped, viewer } = await benchModel(model, '', flags, plan, wasmThreads, log);
  if (int8) {
    const more = await benchModel(int8, INT8_SUFFIX, flags, plan, wasmThreads, log);
    runs.push(...more.runs);
    skipped.push(...more.skipped);
    viewer.push(...more.viewer);
  }
  const report = benchReport(model, plan, runs, skipped, int8, viewer);
  await mkdir(path.dirname(path.resolve(jsonPath)), { recursive: true });
  await writeFile(jsonPath, JSON.stringify(report, null, 2));
  const viewerText = viewer.length > 0 ? `\n\n${viewerTable(viewer)}` : '';
  io.out(`${benchTable(report)}${viewerText}\n\n${benchSummary(report)}\nJSON: ${jsonPath}\n`);
  return report;
}

export const BENCH_USAGE = `usage: npm run bench -- [--model <dir>] [--int8 <dir>] [--json <file>] [--slices N]
        [--volumes 100,200|none] [--repeats N] [--no-browser] [--no-node-wasm] [--threads 1,2,max] [--no-webgpu]
        [--no-viewer]`;

if (require.main === module) {
  runBench(process.argv.slice(2)).catch((e) => {
    if (e instanceof UsageError) process.stderr.write(`bench: ${e.message}\n${BENCH_USAGE}\n`);
    else if (e instanceof ModelError) process.stderr.write(`bench: model error (${e.kind}): ${e.message}\n`);
    else process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : e instanceof ModelError ? 4 : 1);
  });
}

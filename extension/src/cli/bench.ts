/**
 * `npm run bench [-- --model <dir>] [-- --json <file>] [-- --slices N] [-- --volumes 100,200]
 *   [-- --repeats N] [-- --no-browser]`
 *
 * The same measures (bench-measures.ts) on every backend the product runs on: onnxruntime-node
 * native and onnxruntime-web wasm in Node, then wasm with 1 and 2 threads and WebGPU (where an
 * adapter exists) in Debian's Chromium, cross-origin isolated. Writes JSON and prints one table with
 * ratios against Node native. Nothing here asserts a time.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelError } from '../engine/errors';
import { intFlag, parseFlags, UsageError } from './args';
import { benchChromium } from './bench-browser';
import type { BackendRun, BenchPlan } from './bench-measures';
import { benchNode } from './bench-node';
import {
  benchReport,
  benchSummary,
  benchTable,
  describePlan,
  type BenchReport,
  type SkippedRun,
} from './bench-report';

const FLAGS = {
  model: 'string',
  json: 'string',
  slices: 'string',
  volumes: 'string',
  repeats: 'string',
  'no-browser': 'boolean',
  'no-webgpu': 'boolean',
  threads: 'string',
} as const;

/** Chromium wasm thread counts, one run each. */
function parseThreads(text: string | undefined): number[] {
  if (text === undefined) return [1, 2];
  return text.split(',').map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 64)
      throw new UsageError(`--threads: ${JSON.stringify(v)} is not a thread count 1..64`);
    return n;
  });
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

/** Name and test-model flag for the report; loading the model later checks the rest. */
async function modelInfo(dir: string): Promise<BenchReport['model']> {
  const file = path.join(dir, 'manifest.json');
  let manifest: { name?: unknown; testModel?: unknown };
  try {
    manifest = JSON.parse(await readFile(file, 'utf8')) as typeof manifest;
  } catch (e) {
    throw new ModelError(
      'manifest-missing',
      `${file}: cannot be read (${e instanceof Error ? e.message : String(e)})`,
    );
  }
  return { dir, name: String(manifest.name ?? '?'), testModel: manifest.testModel === true };
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
  log(`model ${model.name} (${modelDir}); ${describePlan(plan)}`);
  const runs: BackendRun[] = await benchNode(modelDir, plan, log);
  const skipped: SkippedRun[] = [];
  if (flags.get('no-browser')) skipped.push({ id: 'chromium', reason: '--no-browser' });
  else {
    const chromium = await benchChromium({
      modelDir,
      plan,
      log,
      wasmThreads,
      webgpu: !flags.get('no-webgpu'),
    });
    runs.push(...chromium.runs);
    skipped.push(...chromium.skipped);
  }
  const report = benchReport(model, plan, runs, skipped);
  await mkdir(path.dirname(path.resolve(jsonPath)), { recursive: true });
  await writeFile(jsonPath, JSON.stringify(report, null, 2));
  io.out(`${benchTable(report)}\n\n${benchSummary(report)}\nJSON: ${jsonPath}\n`);
  return report;
}

export const BENCH_USAGE = `usage: npm run bench -- [--model <dir>] [--json <file>] [--slices N] [--volumes 100,200|none]
        [--repeats N] [--no-browser] [--threads 1,2] [--no-webgpu]`;

if (require.main === module) {
  runBench(process.argv.slice(2)).catch((e) => {
    if (e instanceof UsageError) process.stderr.write(`bench: ${e.message}\n${BENCH_USAGE}\n`);
    else if (e instanceof ModelError) process.stderr.write(`bench: model error (${e.kind}): ${e.message}\n`);
    else process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : e instanceof ModelError ? 4 : 1);
  });
}

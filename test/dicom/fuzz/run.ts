/**
 * Runs the fuzz corpus in worker threads (2 by default) with a time bound per case: a case that
 * does not answer in time is a hang (its worker is replaced). The worker is the DICOM layer bundled
 * with esbuild for this run, so nothing is built ahead of the tests.
 */
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FuzzCase } from './corpus';
import type { Outcome } from './worker-entry';

export type Result =
  (Outcome & { case: FuzzCase; ms: number }) | { type: 'hang'; case: FuzzCase; ms: number; largest: number };

export interface RunOptions {
  readonly workers?: number;
  /** Per-case bound (ms). */
  readonly timeoutMs?: number;
}

export function bundleWorker(): { file: string; dispose(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dicom-fuzz-'));
  const file = path.join(dir, 'worker.cjs');
  buildSync({
    entryPoints: [path.join(__dirname, 'worker-entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: file,
    logLevel: 'error',
  });
  return { file, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function runCorpus(cases: readonly FuzzCase[], options: RunOptions = {}): Promise<Result[]> {
  const bundle = bundleWorker();
  const timeoutMs = options.timeoutMs ?? 5000;
  const results: Result[] = new Array(cases.length);
  let next = 0;
  // A worker's start (loading the bundle) is not part of any case's time.
  const start = () =>
    new Promise<Worker>((resolve, reject) => {
      const w = new Worker(bundle.file);
      w.once('message', () => resolve(w));
      w.once('error', reject);
    });
  const lane = async () => {
    let worker = await start();
    try {
      while (next < cases.length) {
        const index = next++;
        const c = cases[index];
        const started = Date.now();
        const answer = await new Promise<Outcome | 'hang'>((resolve, reject) => {
          const timer = setTimeout(() => resolve('hang'), timeoutMs);
          const onMessage = (m: { index: number; outcome: Outcome }) => {
            clearTimeout(timer);
            worker.off('error', onError);
            resolve(m.outcome);
          };
          const onError = (e: Error) => {
            clearTimeout(timer);
            worker.off('message', onMessage);
            reject(e);
          };
          worker.once('message', onMessage);
          worker.once('error', onError);
          worker.postMessage({ index, files: c.files });
        }).catch((e: Error): Outcome => ({
          type: 'generic',
          name: 'WorkerCrash',
          message: e.message,
          largest: 0,
        }));
        const ms = Date.now() - started;
        if (answer === 'hang' || (answer.type === 'generic' && answer.name === 'WorkerCrash')) {
          worker.removeAllListeners();
          await worker.terminate();
          worker = await start();
        }
        results[index] =
          answer === 'hang' ? { type: 'hang', case: c, ms, largest: 0 } : { ...answer, case: c, ms };
      }
    } finally {
      await worker.terminate();
    }
  };
  try {
    await Promise.all(Array.from({ length: options.workers ?? 2 }, lane));
  } finally {
    bundle.dispose();
  }
  return results;
}

/** Raw JavaScript text that must never reach a user as the explanation of a DICOM problem. */
export const RAW_JS_TEXT =
  /Cannot read propert|\[object |is not a function|is not iterable|is not defined|\bundefined\b|Invalid typed array length|Invalid array length|Array buffer allocation failed|Maximum call stack|outside the bounds of the DataView|Offset is outside|RangeError|TypeError/;

/** What is wrong with a typed error's message (empty when it is a good one). */
export function messageProblems(r: Result & { type: 'typed' }): string[] {
  const problems: string[] = [];
  const m = r.message;
  if (RAW_JS_TEXT.test(m)) problems.push('raw JavaScript text');
  if (!r.case.files.some((f) => m.includes(f.name))) problems.push('names no file');
  if ((r.kind === 'missing-tag' || r.kind === 'invalid-tag-value') && !/\([0-9A-F]{4},[0-9A-F]{4}\)/.test(m))
    problems.push('names no tag');
  if (r.kind === 'missing-tag' && r.case.presentTag) {
    const t = r.case.presentTag;
    if (new RegExp(`\\(${t.slice(0, 4)},${t.slice(4)}\\) \\w+ missing`).test(m))
      problems.push(`says missing for a present ${t}`);
  }
  return problems;
}

/** Largest allocation a case may ask for: 1024 × its input bytes, at least 32 MiB. */
export const allocationBudget = (c: FuzzCase): number =>
  Math.max(32 * 2 ** 20, 1024 * c.files.reduce((n, f) => n + f.bytes.byteLength, 0));

export interface Tally {
  cases: number;
  volumes: number;
  typed: number;
  typedByKind: Record<string, number>;
  generic: number;
  hangs: number;
  inconsistentVolumes: number;
  badMessages: number;
  overAllocations: number;
  byFamily: Record<string, number>;
  slowestMs: number;
}

export function tally(results: readonly Result[]): Tally {
  const t: Tally = {
    cases: results.length,
    volumes: 0,
    typed: 0,
    typedByKind: {},
    generic: 0,
    hangs: 0,
    inconsistentVolumes: 0,
    badMessages: 0,
    overAllocations: 0,
    byFamily: {},
    slowestMs: 0,
  };
  for (const r of results) {
    t.byFamily[r.case.family] = (t.byFamily[r.case.family] ?? 0) + 1;
    t.slowestMs = Math.max(t.slowestMs, r.ms);
    if (r.largest > allocationBudget(r.case)) t.overAllocations++;
    if (r.type === 'hang') t.hangs++;
    else if (r.type === 'generic') t.generic++;
    else if (r.type === 'volume') {
      t.volumes++;
      if (r.problems.length) t.inconsistentVolumes++;
    } else {
      t.typed++;
      t.typedByKind[r.kind] = (t.typedByKind[r.kind] ?? 0) + 1;
      if (messageProblems(r).length) t.badMessages++;
    }
  }
  return t;
}

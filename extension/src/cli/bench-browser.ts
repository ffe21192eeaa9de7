/**
 * The benchmark's Chromium half: builds the bench page (`node extension/build.mjs --bench`), serves
 * it cross-origin isolated with the viewer's own server, and runs the page once per configuration —
 * wasm with 1 and 2 threads, and WebGPU when `--enable-unsafe-webgpu` yields an adapter — each in a
 * fresh Debian Chromium driven by playwright-core, so each has its own renderer process and its own
 * onnxruntime-web instance. Peak RSS is the renderer's high-water mark (VmHWM, Linux /proc).
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { BenchPageApi, BrowserBenchRequest } from '../../bench/page';
import { BUNDLE_PATH, startServer } from '../../serve/server';
import { chromiumArgs, requireChromium } from '../node/chromium';
import type { BackendRun, BenchPlan } from './bench-measures';
import type { SkippedRun } from './bench-report';
import { splitWasmThreads, type WasmThreadSplit } from '../engine/runtime/web-backends';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const MODEL_NAME = 'bench';

export interface ChromiumBenchOptions {
  readonly modelDir: string;
  readonly plan: BenchPlan;
  /** wasm thread counts to run, one configuration each (default [1, 2]). */
  readonly wasmThreads?: readonly number[];
  /** Try WebGPU (default true). */
  readonly webgpu?: boolean;
  readonly log: (line: string) => void;
}

/** A software adapter is for function, not speed: graphs, a short volume and the first mask only. */
export function softwareAdapterPlan(plan: BenchPlan): BenchPlan {
  return { slices: Math.min(plan.slices, 6), volumes: [], repeats: Math.min(plan.repeats, 2) };
}

export async function benchChromium(
  options: ChromiumBenchOptions,
): Promise<{ runs: BackendRun[]; skipped: SkippedRun[] }> {
  requireChromium();
  const pageDir = await mkdtemp(path.join(tmpdir(), 'medsam2-bench-page-'));
  try {
    await promisify(execFile)(process.execPath, [
      path.join(ROOT, 'extension', 'build.mjs'),
      '--bench',
      pageDir,
    ]);
    const server = await startServer({
      ohifDist: pageDir,
      extensionDist: pageDir,
      modelDir: path.resolve(options.modelDir),
      modelName: MODEL_NAME,
      // The bench page never calls DICOMweb; the server needs an upstream all the same.
      pacsUrl: 'http://127.0.0.1:9/dicom-web',
    });
    try {
      const pageUrl = `${server.url}/index.html`;
      const runs: BackendRun[] = [];
      const skipped: SkippedRun[] = [];
      const counts = options.wasmThreads ?? [1, 2];
      for (const threads of counts) runs.push(await runWasm(pageUrl, threads, options));
      // The product's configuration: the image encoder on its own instance with part of the threads.
      const product = Math.max(...counts);
      const split = splitWasmThreads(product);
      if (split) runs.push(await runWasm(pageUrl, product, options, split));
      if (options.webgpu ?? true) {
        const webgpu = await runWebGpu(pageUrl, options);
        if ('reason' in webgpu) skipped.push(webgpu);
        else runs.push(webgpu);
      } else skipped.push({ id: 'chromium webgpu', reason: '--no-webgpu' });
      return { runs, skipped };
    } finally {
      await server.close();
    }
  } finally {
    await rm(pageDir, { recursive: true, force: true });
  }
}

async function runWebGpu(pageUrl: string, options: ChromiumBenchOptions): Promise<BackendRun | SkippedRun> {
  const id = 'chromium webgpu';
  return withPage(pageUrl, true, options.log, id, async (page) => {
    const adapter = await page.evaluate(() => (globalThis as unknown as BenchPageApi).medsam2Adapter());
    if (!adapter)
      return { id, reason: 'navigator.gpu.requestAdapter() gave no adapter (with --enable-unsafe-webgpu)' };
    const software = adapter.isFallbackAdapter;
    const request: BrowserBenchRequest = {
      backend: 'webgpu',
      modelUrl: `${BUNDLE_PATH}models/${MODEL_NAME}/`,
      plan: software ? softwareAdapterPlan(options.plan) : options.plan,
    };
    const run = await benchPage(page, id, request, options.log);
    const name = adapter.architecture || adapter.vendor || 'unnamed';
    return software ? { ...run, reduced: `software adapter (${name}): function, not speed` } : run;
  });
}

/** Run id of the wasm configuration with `threads` in all, split as the product does when `split`. */
export const wasmRunId = (threads: number, split?: WasmThreadSplit | null): string =>
  split ? `chromium wasm ${split.engine}+${split.encoder}t` : `chromium wasm ${threads}t`;

function runWasm(
  pageUrl: string,
  threads: number,
  options: ChromiumBenchOptions,
  split?: WasmThreadSplit,
): Promise<BackendRun> {
  const id = wasmRunId(threads, split);
  const request: BrowserBenchRequest = {
    backend: 'wasm',
    threads: split ? split.engine : threads,
    ...(split ? { encoderThreads: split.encoder } : {}),
    modelUrl: `${BUNDLE_PATH}models/${MODEL_NAME}/`,
    plan: options.plan,
  };
  return withPage(pageUrl, false, options.log, id, (page) => benchPage(page, id, request, options.log));
}

async function benchPage(
  page: Page,
  id: string,
  request: BrowserBenchRequest,
  log: (line: string) => void,
): Promise<BackendRun> {
  const reply = await page.evaluate((r) => (globalThis as unknown as BenchPageApi).medsam2Bench(r), request);
  log(`${id}: ${reply.description}`);
  return {
    id,
    platform: 'chromium',
    backend: request.backend,
    description: reply.description,
    threads: reply.threads,
    plan: request.plan,
    measures: reply.measures,
    modelLoad: reply.modelLoad,
    memory: {
      peakRssMb: rendererPeakRssMb(),
      rssOf: 'the page renderer process (VmHWM)',
      peakJsHeapMb: reply.peakJsHeapMb,
    },
    browser: reply.browser,
  };
}

/** A fresh Chromium with the bench page loaded; closed afterwards whatever happens. */
async function withPage<T>(
  pageUrl: string,
  webgpu: boolean,
  log: (line: string) => void,
  id: string,
  use: (page: Page) => Promise<T>,
): Promise<T> {
  const browser: Browser = await chromium.launch({
    executablePath: requireChromium(),
    args: chromiumArgs({ webgpu, preciseMemory: true }),
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.text().startsWith('bench: ')) log(`${id}: ${m.text().slice(7)}`);
    });
    await page.goto(pageUrl);
    await page.waitForFunction(() => 'medsam2Bench' in globalThis);
    return await use(page);
  } finally {
    await browser.close();
  }
}

/**
 * The largest VmHWM among this process's Chromium renderer descendants (one page per browser, so
 * the bench page's renderer; a spare renderer, if any, is smaller). Linux only.
 */
export function rendererPeakRssMb(): number {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p))
      if (p === process.pid) return true;
    return false;
  };
  let peakKb = 0;
  for (const pid of parent.keys()) {
    if (!descends(pid)) continue;
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer')) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // the process ended while we looked
    }
  }
  if (peakKb === 0)
    throw new Error('bench: no Chromium renderer process found under /proc to read its peak RSS');
  return peakKb / 1024;
}

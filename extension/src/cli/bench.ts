/**
 * `npm run bench [-- --model <dir>] [-- --json <file>] [-- --slices N] [-- --repeats N]`
 *
 * Per-graph and per-slice times and peak memory on both Node backends (onnxruntime-node native CPU
 * and onnxruntime-web wasm), as JSON plus a readable table. Figures are ratios against the native
 * run in the same process; nothing here asserts a time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BankPolicyName } from '../engine/memory/policies';
import type { GraphName } from '../engine/model/contract';
import { loadModel, type SamModel } from '../engine/model/sam-model';
import { SegmentationSession } from '../engine/session';
import type { Volume } from '../engine/types';
import { nodeBackends, type WorkerBackend } from '../node/backends';
import { directoryModelFiles } from '../node/model-dir';
import { intFlag, parseFlags } from './args';
import { timeGraphs } from './graph-timing';

type GraphTimes = Record<GraphName, number>;

interface BackendResult {
  backend: string;
  description: string;
  /** Median milliseconds per call. */
  graphMs: GraphTimes;
  /** Whole-volume propagation, milliseconds per slice (encoder included, cold cache). */
  sliceMs: Record<string, number>;
  /** Time to the first mask after a click: encoder cold vs cached. */
  firstMaskMs: { cold: number; cached: number };
  peakRssMb: number;
  peakHeapMb: number;
  encoderCacheMb: number;
}

function benchVolume(size: number, slices: number): Volume {
  const data = new Float32Array(size * size * slices).fill(100);
  for (let z = 0; z < slices; z++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const r =
          ((x - size / 2) / (size * 0.25)) ** 2 +
          ((y - size / 2) / (size * 0.25)) ** 2 +
          ((z - slices / 2) / (slices * 0.45)) ** 2;
        if (r <= 1) data[x + size * (y + size * z)] = 1000;
      }
  return { data, dims: [size, size, slices], spacing: [1, 1, 1], modality: 'MR' };
}

async function* warmSession(model: SamModel, volume: Volume) {
  const session = new SegmentationSession(model, volume, { stopAfterAbsent: 0 });
  const id = session.addObject();
  await session.setPrompt(id, Math.floor(volume.dims[2] / 2), { points: [{ x: 48, y: 48, label: 1 }] });
  yield* session.propagate();
}

async function benchBackend(
  backend: WorkerBackend,
  modelDir: string,
  slices: number,
  repeats: number,
): Promise<BackendResult> {
  const model = await loadModel(directoryModelFiles(modelDir), backend);
  let peakRss = 0;
  let peakHeap = 0;
  const sample = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 20);
  try {
    const graphMs = await timeGraphs(model, { repeats, memories: 7, pointers: 8 });
    const volume = benchVolume(96, slices);
    const sliceMs: Record<string, number> = {};
    let cacheBytes = 0;
    // Untimed pass first: JIT, allocator and runtime warm-up would otherwise land on the first policy.
    for await (const _ of warmSession(model, volume));
    for (const policy of ['sam2-fifo', 'paper'] as BankPolicyName[]) {
      const session = new SegmentationSession(model, volume, {
        bank: { policy, capacity: 6, confidenceThreshold: 0.5, similarity: 'cosine', seed: 0 },
        stopAfterAbsent: 0,
      });
      const id = session.addObject();
      const t0 = performance.now();
      await session.setPrompt(id, Math.floor(slices / 2), { points: [{ x: 48, y: 48, label: 1 }] });
      let n = 1;
      for await (const _ of session.propagate()) n++;
      sliceMs[policy] = (performance.now() - t0) / n;
      cacheBytes = session.cache.stats().bytes;
    }
    // Time to first mask: a fresh session (cold encoder) vs a second click on the same slice (cached).
    const session = new SegmentationSession(model, volume);
    const id = session.addObject();
    let t0 = performance.now();
    await session.setPrompt(id, 3, { points: [{ x: 48, y: 48, label: 1 }] });
    const cold = performance.now() - t0;
    t0 = performance.now();
    await session.setPrompt(id, 3, { points: [{ x: 50, y: 48, label: 1 }] });
    const cached = performance.now() - t0;
    return {
      backend: backend.name,
      description: backend.description,
      graphMs,
      sliceMs,
      firstMaskMs: { cold, cached },
      peakRssMb: peakRss / 2 ** 20,
      peakHeapMb: peakHeap / 2 ** 20,
      encoderCacheMb: cacheBytes / 2 ** 20,
    };
  } finally {
    clearInterval(sample);
    await model.release();
  }
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function table(results: BackendResult[]): string {
  const [native, wasm] = results;
  const rows: string[][] = [['measure', ...results.map((r) => r.backend), 'wasm/native']];
  const add = (name: string, get: (r: BackendResult) => number) =>
    rows.push([
      name,
      ...results.map((r) => fmt(get(r))),
      wasm && native ? `${(get(wasm) / get(native)).toFixed(2)}×` : '',
    ]);
  for (const g of Object.keys(native.graphMs) as (keyof GraphTimes)[]) add(`${g} (ms)`, (r) => r.graphMs[g]);
  for (const p of Object.keys(native.sliceMs)) add(`per slice, ${p} (ms)`, (r) => r.sliceMs[p]);
  add('first mask, encoder cold (ms)', (r) => r.firstMaskMs.cold);
  add('first mask, encoder cached (ms)', (r) => r.firstMaskMs.cached);
  add('peak RSS (MB)', (r) => r.peakRssMb);
  add('peak JS heap (MB)', (r) => r.peakHeapMb);
  add('encoder cache (MB)', (r) => r.encoderCacheMb);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
  return [
    line(rows[0]),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.slice(1).map(line),
  ].join('\n');
}

export async function runBench(argv: readonly string[]): Promise<void> {
  const flags = parseFlags(argv, { model: 'string', json: 'string', slices: 'string', repeats: 'string' });
  const modelDir =
    (flags.get('model') as string | undefined) ?? path.resolve(__dirname, '../../../models/test-tiny');
  const jsonPath = (flags.get('json') as string | undefined) ?? 'bench-results/bench.json';
  const slices = intFlag(flags, 'slices', 40);
  const repeats = intFlag(flags, 'repeats', 10);
  const backends = nodeBackends();
  const results: BackendResult[] = [];
  for (const create of [backends.native, backends.wasm]) {
    const backend = await create();
    try {
      process.stderr.write(`bench: ${backend.description}\n`);
      results.push(await benchBackend(backend, modelDir, slices, repeats));
    } finally {
      await backend.close();
    }
  }
  const [native, wasm] = results;
  const report = {
    model: modelDir,
    slices,
    repeats,
    node: process.version,
    results,
    ratios: {
      wasmOverNativePerSlice: wasm.sliceMs.paper / native.sliceMs.paper,
      bankOverFifoPerSlice: native.sliceMs.paper / native.sliceMs['sam2-fifo'],
    },
  };
  await mkdir(path.dirname(path.resolve(jsonPath)), { recursive: true });
  await writeFile(jsonPath, JSON.stringify(report, null, 2));
  process.stdout.write(
    `${table(results)}\n\nwasm/native per slice: ${report.ratios.wasmOverNativePerSlice.toFixed(2)}×\n`,
  );
  process.stdout.write(
    `paper bank / sam2-fifo per slice (native): ${report.ratios.bankOverFifoPerSlice.toFixed(2)}×\n`,
  );
  process.stdout.write(`JSON: ${jsonPath}\n`);
}

if (require.main === module) {
  runBench(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

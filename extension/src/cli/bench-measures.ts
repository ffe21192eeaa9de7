/**
 * The benchmark's measures on one loaded model, the same code in Node and in the Chromium bench page
 * (no Node APIs here): median time per graph call, per-slice time through a volume under the
 * `sam2-fifo` and `paper` bank policies, whole-volume throughput, the memory bank's share of each
 * slice, time to the first mask after a click and the encoder cache's size. Nothing is asserted.
 */
import { EncoderCache } from '../engine/cache/encoder-cache';
import type { BankPolicyName } from '../engine/memory/policies';
import type { GraphName } from '../engine/model/contract';
import type { SamModel } from '../engine/model/sam-model';
import type { BackendName } from '../engine/runtime/backend';
import { SegmentationSession } from '../engine/session';
import type { Volume } from '../engine/types';
import { installBankTimer, type BankTimer } from './bench-bank-timer';
import { timeGraphs } from './graph-timing';

export interface BenchPlan {
  /** Slices of the volume the per-slice policy comparison runs through. */
  readonly slices: number;
  /** Whole-volume runs (slices each), e.g. [100, 200]; [] for none. */
  readonly volumes: readonly number[];
  /** Timed calls per graph and first-mask tries (medians reported). */
  readonly repeats: number;
}

/** The memory bank's own time (select + offer) in a propagation, against the whole slice time. */
export interface BankShare {
  readonly msPerSlice: number;
  /** Bank time / propagation time, in [0, 1]. */
  readonly fraction: number;
}

export interface PolicyFigures {
  /** Milliseconds per slice through the volume (total / slices), prompted slice and encoder included, cold cache. */
  readonly msPerSlice: number;
  /** Median time from one slice's mask to the next's: steadier than the mean on a busy machine. */
  readonly medianMsPerSlice: number;
  readonly bank: BankShare;
}

export interface VolumeFigures {
  readonly slices: number;
  /** Click on the middle slice, then propagate both ways through every slice (cold encoder cache). */
  readonly seconds: number;
  readonly slicesPerSecond: number;
  readonly medianMsPerSlice: number;
  readonly bank: BankShare;
  readonly encoderCacheMb: number;
}

export interface Measures {
  /** Median milliseconds per call, 7 memories and 8 object pointers attended. */
  readonly graphMs: Record<GraphName, number>;
  readonly perSlice: Record<BenchPolicy, PolicyFigures>;
  readonly volumes: readonly VolumeFigures[];
  /** Time to the first mask after a click (median of `repeats`): encoder cold vs cached (a second click). */
  readonly firstMaskMs: { readonly cold: number; readonly cached: number };
  /** Encoder cache after the largest run. */
  readonly encoderCacheMb: number;
}

export type BenchPolicy = Extract<BankPolicyName, 'sam2-fifo' | 'paper'>;
export const BENCH_POLICIES: readonly BenchPolicy[] = ['sam2-fifo', 'paper'];

/** What a platform adds: memory sampling (called after every slice) and progress lines. */
export interface BenchHooks {
  readonly sampleMemory: () => void;
  readonly log: (line: string) => void;
  /** The encoder cache budget the product uses on this platform (default: the engine's). */
  readonly encoderCacheBytes?: number;
}

/** Size of the synthetic slices (the model resizes them to its own S). */
const SLICE_SIZE = 96;
const CLICK = { x: SLICE_SIZE / 2, y: SLICE_SIZE / 2 };
const MB = 2 ** 20;

/** An ellipsoid spanning 90 % of the slices: the object is present on almost every slice. */
export function benchVolume(slices: number, size = SLICE_SIZE): Volume {
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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

interface Propagation {
  readonly ms: number;
  readonly slices: number;
  readonly medianMsPerSlice: number;
  readonly bank: BankShare;
  readonly cacheBytes: number;
}

/**
 * One click on the middle slice, then every other slice (stopAfterAbsent 0: nothing is skipped), on
 * a fresh session (cold encoder cache). Bank time is what the wrapped MemoryBank methods took.
 */
async function propagateVolume(
  model: SamModel,
  volume: Volume,
  policy: BenchPolicy,
  timer: BankTimer,
  hooks: BenchHooks,
): Promise<Propagation> {
  const session = new SegmentationSession(model, volume, {
    bank: { policy, capacity: 6, confidenceThreshold: 0.5, similarity: 'cosine', seed: 0 },
    stopAfterAbsent: 0,
    cache: new EncoderCache(hooks.encoderCacheBytes),
  });
  const id = session.addObject();
  timer.reset();
  const t0 = performance.now();
  await session.setPrompt(id, Math.floor(volume.dims[2] / 2), { points: [{ ...CLICK, label: 1 }] });
  const done = [performance.now()];
  for await (const _ of session.propagate()) {
    done.push(performance.now());
    hooks.sampleMemory();
  }
  const ms = done[done.length - 1] - t0;
  const slices = done.length;
  const cacheBytes = session.cache.stats().bytes;
  // This run's encodings go now, not whenever the collector gets to them: the next run's peak
  // memory is its own.
  session.cache.clear();
  return {
    ms,
    slices,
    medianMsPerSlice: median(done.map((t, i) => t - (i === 0 ? t0 : done[i - 1]))),
    bank: { msPerSlice: timer.ms / slices, fraction: timer.ms / ms },
    cacheBytes,
  };
}

/**
 * Time to the first mask after a click, median of `repeats` tries: on a fresh session (encoder
 * cold), then a second click on the same slice (encoder cached).
 */
async function firstMask(
  model: SamModel,
  volume: Volume,
  repeats: number,
): Promise<{ cold: number; cached: number }> {
  const cold: number[] = [];
  const cached: number[] = [];
  const slice = Math.floor(volume.dims[2] / 3);
  for (let i = 0; i < repeats; i++) {
    const session = new SegmentationSession(model, volume);
    const id = session.addObject();
    let t0 = performance.now();
    await session.setPrompt(id, slice, { points: [{ ...CLICK, label: 1 }] });
    cold.push(performance.now() - t0);
    t0 = performance.now();
    await session.setPrompt(id, slice, { points: [{ x: CLICK.x + 2, y: CLICK.y, label: 1 }] });
    cached.push(performance.now() - t0);
  }
  return { cold: median(cold), cached: median(cached) };
}

export async function runMeasures(model: SamModel, plan: BenchPlan, hooks: BenchHooks): Promise<Measures> {
  hooks.log('graphs');
  const graphMs = await timeGraphs(model, { repeats: plan.repeats, memories: 7, pointers: 8 });
  hooks.sampleMemory();
  const timer = installBankTimer();
  try {
    const volume = benchVolume(plan.slices);
    // Untimed pass first: JIT, allocator and runtime warm-up would otherwise land on the first policy.
    await propagateVolume(model, volume, 'paper', timer, hooks);
    const perSlice = {} as Record<BenchPolicy, PolicyFigures>;
    let cacheBytes = 0;
    for (const policy of BENCH_POLICIES) {
      hooks.log(`${plan.slices} slices, ${policy}`);
      const run = await propagateVolume(model, volume, policy, timer, hooks);
      perSlice[policy] = {
        msPerSlice: run.ms / run.slices,
        medianMsPerSlice: run.medianMsPerSlice,
        bank: run.bank,
      };
      cacheBytes = run.cacheBytes;
    }
    const volumes: VolumeFigures[] = [];
    for (const n of plan.volumes) {
      hooks.log(`${n}-slice volume`);
      const run = await propagateVolume(model, benchVolume(n), 'paper', timer, hooks);
      volumes.push({
        slices: run.slices,
        seconds: run.ms / 1000,
        slicesPerSecond: run.slices / (run.ms / 1000),
        medianMsPerSlice: run.medianMsPerSlice,
        bank: run.bank,
        encoderCacheMb: run.cacheBytes / MB,
      });
      cacheBytes = Math.max(cacheBytes, run.cacheBytes);
    }
    hooks.log('first mask');
    const firstMaskMs = await firstMask(model, volume, plan.repeats);
    hooks.sampleMemory();
    return { graphMs, perSlice, volumes, firstMaskMs, encoderCacheMb: cacheBytes / MB };
  } finally {
    timer.uninstall();
  }
}

export interface GpuAdapterReport {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** A software adapter (SwiftShader): it shows WebGPU works, not how fast it is. */
  readonly isFallbackAdapter: boolean;
}

export interface BrowserReport {
  readonly userAgent: string;
  readonly crossOriginIsolated: boolean;
  readonly adapter: GpuAdapterReport | null;
}

/** One backend's run: what ran, the plan it ran, its measures and its peak memory. */
export interface BackendRun {
  /** e.g. 'node native', 'chromium wasm 2t'. */
  readonly id: string;
  readonly platform: 'node' | 'chromium';
  readonly backend: BackendName;
  readonly description: string;
  /** wasm threads actually used (null when not wasm). */
  readonly threads: number | null;
  readonly plan: BenchPlan;
  /** Why the plan is smaller than the one asked for (e.g. a software WebGPU adapter). */
  readonly reduced?: string;
  readonly measures: Measures;
  /** Bytes of the model folder this run loaded (manifest + graphs), in MB; set by the bench driver. */
  readonly modelDownloadMb?: number;
  /** Chromium: the model loaded on a first visit and again from the model cache (Cache Storage). */
  readonly modelLoad?: {
    readonly firstVisitMs: number;
    readonly firstVisitDownloadMb: number;
    readonly secondVisitMs: number;
    readonly secondVisitDownloadMb: number;
  };
  readonly memory: {
    readonly peakRssMb: number;
    /** Whose resident set `peakRssMb` is (the Node process, or the page's renderer process). */
    readonly rssOf: string;
    /**
     * JS heap including typed-array buffers: Node's heapUsed + arrayBuffers, Chromium's
     * performance.memory.usedJSHeapSize. onnxruntime's own (wasm or native) memory is only in RSS.
     */
    readonly peakJsHeapMb: number;
  };
  readonly browser?: BrowserReport;
}

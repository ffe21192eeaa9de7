/**
 * The benchmark's browser page (built by `node extension/build.mjs --bench <dir>`, driven by
 * extension/src/cli/bench-browser.ts): the model is fetched over HTTP into onnxruntime-web and the
 * same measures as in Node run on the page's main thread, where `performance.memory` (the JS heap
 * figure) exists; a Worker has none. One backend configuration per page load, because
 * onnxruntime-web fixes its wasm thread count when it first initialises.
 */
import * as ort from 'onnxruntime-web';
import {
  type BenchPlan,
  type BrowserReport,
  type GpuAdapterReport,
  type Measures,
  runMeasures,
} from '../src/cli/bench-measures';
import { BROWSER_ENCODER_CACHE_BYTES } from '../src/engine/cache/encoder-cache';
import { loadModel } from '../src/engine/model/sam-model';
import { webBackendCandidates } from '../src/engine/runtime/web-backends';
import { besideModule } from '../src/host/module-url';
import { startGraphWorker } from '../src/worker/graph-worker';
import { openModelCache } from '../src/worker/model-cache';
import { urlModelFiles } from '../src/worker/url-model-files';

export interface BrowserBenchRequest {
  readonly backend: 'wasm' | 'webgpu';
  /** wasm threads to ask onnxruntime-web for (it falls back to 1 without cross-origin isolation). */
  readonly threads?: number;
  /**
   * wasm only: run the image encoder on its own instance in a worker with this many threads, as the
   * product does (splitWasmThreads); `threads` is then the other graphs' share.
   */
  readonly encoderThreads?: number;
  /** Model folder URL, relative to the page. */
  readonly modelUrl: string;
  readonly plan: BenchPlan;
}

/** Loading the model on a first visit (empty Cache Storage) and again (the product's model cache). */
export interface ModelLoadFigures {
  readonly firstVisitMs: number;
  /** Bytes of the GET responses (Content-Length) during the load, in MB. */
  readonly firstVisitDownloadMb: number;
  readonly secondVisitMs: number;
  readonly secondVisitDownloadMb: number;
}

export interface BrowserBenchReply {
  readonly description: string;
  readonly modelLoad: ModelLoadFigures;
  /** wasm threads onnxruntime-web actually runs, the encoder's own instance included (null for WebGPU). */
  readonly threads: number | null;
  readonly measures: Measures;
  readonly peakJsHeapMb: number;
  readonly browser: BrowserReport;
}

/** The page's entry points, called by the driver through page.evaluate. */
export interface BenchPageApi {
  medsam2Bench(request: BrowserBenchRequest): Promise<BrowserBenchReply>;
  medsam2Adapter(): Promise<GpuAdapterReport | null>;
}

/** The parts of WebGPU's navigator.gpu this page reads (TypeScript's DOM library has no WebGPU). */
interface GpuNavigator {
  readonly gpu?: {
    requestAdapter(): Promise<{ readonly info?: Partial<GpuAdapterReport> } | null>;
  };
}

interface MemoryPerformance {
  readonly memory?: { readonly usedJSHeapSize: number };
}

ort.env.wasm.wasmPaths = besideModule('./ort/');

async function adapter(): Promise<GpuAdapterReport | null> {
  const gpu = (navigator as GpuNavigator).gpu;
  const found = gpu ? await gpu.requestAdapter() : null;
  if (!found) return null;
  const info = found.info ?? {};
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    device: info.device ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter === true,
  };
}

async function bench(request: BrowserBenchRequest): Promise<BrowserBenchReply> {
  // Each read of performance.memory is a new snapshot: read it every time, never keep one.
  const heapUsed = () => (performance as MemoryPerformance).memory?.usedJSHeapSize;
  if (heapUsed() === undefined) throw new Error('performance.memory is not available (a Chromium-only API)');
  const candidate = webBackendCandidates(ort, { numThreads: request.threads }).find(
    (c) => c.name === request.backend,
  );
  if (!candidate) throw new Error(`no onnxruntime-web candidate named ${request.backend}`);
  const backend = await candidate.create();
  const modelUrl = new URL(request.modelUrl, location.href).href;
  /** Loads the model as the worker does (Cache Storage included); ms and MB downloaded. */
  const load = async () => {
    let downloaded = 0;
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if ((init?.method ?? 'GET') === 'GET')
        downloaded += Number(response.headers.get('content-length') ?? 0);
      return response;
    };
    const t0 = performance.now();
    const encoderBackend =
      request.encoderThreads === undefined
        ? undefined
        : await startGraphWorker(besideModule('./'), request.encoderThreads, besideModule('./ort/'));
    const loaded = await loadModel(
      urlModelFiles(modelUrl, { fetch: counting, cache: openModelCache() }),
      backend,
      { encoderBackend },
    );
    if (request.encoderThreads !== undefined && !loaded.encoderRunsApart)
      throw new Error('the image encoder did not get its own worker');
    return { model: loaded, ms: performance.now() - t0, mb: downloaded / 2 ** 20 };
  };
  const first = await load();
  const model = first.model;
  let peakHeap = heapUsed() ?? 0;
  let released = false;
  try {
    const measures = await runMeasures(model, request.plan, {
      sampleMemory: () => (peakHeap = Math.max(peakHeap, heapUsed() ?? 0)),
      log: (line) => console.log(`bench: ${line}`),
      encoderCacheBytes: BROWSER_ENCODER_CACHE_BYTES,
    });
    await model.release();
    released = true;
    const second = await load();
    await second.model.release();
    return {
      description:
        request.encoderThreads === undefined
          ? backend.description
          : `${backend.description} + image encoder on its own worker (${request.encoderThreads} thread${request.encoderThreads === 1 ? '' : 's'})`,
      modelLoad: {
        firstVisitMs: first.ms,
        firstVisitDownloadMb: first.mb,
        secondVisitMs: second.ms,
        secondVisitDownloadMb: second.mb,
      },
      threads:
        request.backend === 'wasm' ? (ort.env.wasm.numThreads ?? 1) + (request.encoderThreads ?? 0) : null,
      measures,
      peakJsHeapMb: peakHeap / 2 ** 20,
      browser: {
        userAgent: navigator.userAgent,
        crossOriginIsolated: globalThis.crossOriginIsolated === true,
        adapter: request.backend === 'webgpu' ? await adapter() : null,
      },
    };
  } finally {
    if (!released) await model.release();
  }
}

const api: BenchPageApi = { medsam2Bench: bench, medsam2Adapter: adapter };
Object.assign(globalThis, api);

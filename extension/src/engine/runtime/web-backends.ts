/**
 * Browser / Web Worker backend choice (ARCHITECTURE.md, "Runtime"): WebGPU first, wasm as fallback,
 * each probed with a real graph. Pass the result to selectBackend and report `backend.description`
 * and `tried` to the user.
 */
import { createOrtBackend, type BackendCandidate, type OrtModule } from './backend';
import { probeBackend } from './probe';

export interface WebBackendOptions {
  /** wasm threads; default: wasmThreadsFor(the browser's cores, crossOriginIsolated). */
  readonly numThreads?: number;
}

/** The most wasm threads used: onnxruntime-web's GEMMs gain little past 8 (shared memory bandwidth). */
export const MAX_WASM_THREADS = 8;

/**
 * wasm threads for a browser reporting `cores` (navigator.hardwareConcurrency): every core on a
 * 2-core desktop, one core left to the page (painting, the viewer) from 3 cores on, at most
 * MAX_WASM_THREADS; 1 without cross-origin isolation, where onnxruntime-web cannot start threads.
 */
export function wasmThreadsFor(cores: number | undefined, crossOriginIsolated: boolean): number {
  if (!crossOriginIsolated || !cores || !Number.isFinite(cores) || cores < 2) return 1;
  const n = Math.floor(cores);
  return Math.min(MAX_WASM_THREADS, n <= 2 ? n : n - 1);
}

/** wasm threads for this browser or worker (wasmThreadsFor its cores and isolation). */
export function defaultWasmThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return wasmThreadsFor(globalThis.navigator?.hardwareConcurrency, isolated);
}

/** How the wasm threads are shared between the engine's graphs and the image encoder's own instance. */
export interface WasmThreadSplit {
  /** Threads of the instance that runs memory attention, the decoder and the memory encoder. */
  readonly engine: number;
  /** Threads of the image encoder's own instance (graph-worker.ts). */
  readonly encoder: number;
}

/**
 * With two threads or more, the image encoder gets its own onnxruntime instance with half of them
 * (rounded up: it is the largest graph), so slice t+1 is encoded while slice t is attended and
 * decoded; one thread each on a 2-core desktop, where a single instance's two threads are busy
 * together only part of the time. Null with one thread: nothing to overlap. Measured on a quiet
 * 2-core machine (int8 hiera-t 512): on the bench page one instance with both threads was faster
 * (2.1–2.4 s against 2.6–3.1 s per slice), but in the viewer, where OHIF's own thread competes for
 * the cores, the split was (2.5 s against 3.9 s per slice; a cached click 1.2 s against 2.3 s).
 */
export function splitWasmThreads(total: number): WasmThreadSplit | null {
  if (!Number.isInteger(total) || total < 2) return null;
  const encoder = Math.ceil(total / 2);
  return { engine: total - encoder, encoder };
}

export function webBackendCandidates(ort: OrtModule, options: WebBackendOptions = {}): BackendCandidate[] {
  return [
    {
      name: 'webgpu',
      create: async () => {
        if (!(globalThis.navigator && 'gpu' in globalThis.navigator))
          throw new Error('navigator.gpu is not available');
        return probeBackend(createOrtBackend(ort, 'webgpu'));
      },
    },
    {
      name: 'wasm',
      create: async () => {
        ort.env.wasm.numThreads = options.numThreads ?? defaultWasmThreads();
        return probeBackend(createOrtBackend(ort, 'wasm'));
      },
    },
  ];
}

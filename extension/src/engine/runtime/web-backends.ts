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

function defaultThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  return wasmThreadsFor(globalThis.navigator?.hardwareConcurrency, isolated);
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
        ort.env.wasm.numThreads = options.numThreads ?? defaultThreads();
        return probeBackend(createOrtBackend(ort, 'wasm'));
      },
    },
  ];
}

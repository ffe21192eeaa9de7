/**
 * Browser / Web Worker backend choice (ARCHITECTURE.md, "Runtime"): WebGPU first, wasm as fallback,
 * each probed with a real graph. Pass the result to selectBackend and report `backend.description`
 * and `tried` to the user.
 */
import { createOrtBackend, type BackendCandidate, type OrtModule } from './backend';
import { probeBackend } from './probe';

export interface WebBackendOptions {
  /** wasm threads; default: up to 4 when the page is cross-origin isolated (threads need it), else 1. */
  readonly numThreads?: number;
}

function defaultThreads(): number {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return isolated ? Math.max(1, Math.min(4, cores)) : 1;
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

/**
 * Module Web Worker entry: the engine worker with onnxruntime-web, WebGPU first and wasm as the
 * fallback (the choice and the reasons for any fallback are reported in 'model-loaded'). Model
 * files are fetched from the folder URL the page sends and kept in Cache Storage for later visits
 * (model-cache.ts). onnxruntime-web's WebGPU device is watched: when the browser reports it lost,
 * the model moves to wasm before the next call. Thin shell.
 *
 * onnxruntime-web loads its wasm glue from `ort/` beside this bundle, unless the page passes
 * another location as the worker URL's `ort` query parameter. Its wasm binary, from the same place,
 * is fetched by the worker (runtime-binary.ts) so that the start-up progress counts it and a later
 * visit reads it from Cache Storage.
 */
import * as ort from 'onnxruntime-web';
import { defaultWasmThreads, splitWasmThreads, webBackendCandidates } from '../engine/runtime/web-backends';
import { moduleUrl } from '../host/module-url';
import { ortWebGpuDevice } from './device-loss';
import { EngineWorker } from './engine-worker';
import { startGraphWorker } from './graph-worker';
import type { DownloadProgress, WorkerRequest, WorkerResponse } from './protocol';
import { fetchRuntimeBinary } from './runtime-binary';
import { openModelCache } from './model-cache';
import { urlModelFiles } from './url-model-files';
import { encoderCacheBytesOf, ortBaseOf } from './worker-url';

interface WorkerScope {
  postMessage(message: WorkerResponse, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

/** The wasm binary the build copied beside the glue, and its sha256 (see extension/build.mjs). */
declare const __MEDSAM2_ORT_WASM__: { readonly file: string; readonly sha256: string } | undefined;
const ORT_WASM =
  typeof __MEDSAM2_ORT_WASM__ === 'undefined'
    ? { file: 'ort-wasm-simd-threaded.jsep.wasm', sha256: undefined }
    : __MEDSAM2_ORT_WASM__;

const ownUrl = new URL(moduleUrl());
const ortBase = ortBaseOf(ownUrl);
ort.env.wasm.wasmPaths = ortBase;

/** Once per worker: onnxruntime reads the binary when its first session starts. */
let runtime: Promise<void> | null = null;
function prepareRuntime(onProgress: (p: DownloadProgress) => void): Promise<void> {
  runtime ??= fetchRuntimeBinary(
    { url: new URL(ORT_WASM.file, ortBase).href, sha256: ORT_WASM.sha256 },
    { onProgress, cache: openModelCache() },
  ).then(
    (bytes) => void (ort.env.wasm.wasmBinary = bytes),
    (e: unknown) => {
      runtime = null; // the next load tries again
      throw e;
    },
  );
  return runtime;
}

// The image encoder on its own wasm instance with part of the threads (overlap); see splitWasmThreads.
const split = splitWasmThreads(defaultWasmThreads());

const worker = new EngineWorker(
  {
    modelFiles: (source, onProgress) =>
      urlModelFiles(new URL(source.location, ownUrl).href, { onProgress, cache: openModelCache() }),
    prepareRuntime,
    backendCandidates: (only) =>
      webBackendCandidates(ort, { numThreads: split?.engine }).filter((c) => !only || only.includes(c.name)),
    encoderBackend: async (backend) =>
      backend.name === 'wasm' && split
        ? startGraphWorker(ownUrl.href, split.encoder, ortBase, ort.env.wasm.wasmBinary)
        : undefined,
    // Read only once a WebGPU model is loaded: before that, reading it would make a device.
    gpuDevice: async (backend) => (backend === 'webgpu' ? ortWebGpuDevice(ort.env) : undefined),
    cacheBytes: encoderCacheBytesOf(ownUrl),
  },
  (message, transfer) => scope.postMessage(message, transfer),
);
scope.addEventListener('message', (event) => void worker.handle(event.data));

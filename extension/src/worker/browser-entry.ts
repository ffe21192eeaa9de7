/**
 * Module Web Worker entry: the engine worker with onnxruntime-web, WebGPU first and wasm as the
 * fallback (the choice and the reasons for any fallback are reported in 'model-loaded'). Model
 * files are fetched from the folder URL the page sends and kept in Cache Storage for later visits
 * (model-cache.ts). onnxruntime-web's WebGPU device is watched: when the browser reports it lost,
 * the model moves to wasm before the next call. Thin shell.
 *
 * onnxruntime-web loads its wasm glue and binary from `ort/` beside this bundle, unless the page
 * passes another location as the worker URL's `ort` query parameter.
 */
import * as ort from 'onnxruntime-web';
import { webBackendCandidates } from '../engine/runtime/web-backends';
import { moduleUrl } from '../host/module-url';
import { ortWebGpuDevice } from './device-loss';
import { EngineWorker } from './engine-worker';
import type { WorkerRequest, WorkerResponse } from './protocol';
import { openModelCache } from './model-cache';
import { urlModelFiles } from './url-model-files';

interface WorkerScope {
  postMessage(message: WorkerResponse, transfer: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent<WorkerRequest>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

const ownUrl = new URL(moduleUrl());
ort.env.wasm.wasmPaths = new URL(ownUrl.searchParams.get('ort') ?? './ort/', ownUrl).href;

const worker = new EngineWorker(
  {
    modelFiles: (source, onProgress) =>
      urlModelFiles(new URL(source.location, ownUrl).href, { onProgress, cache: openModelCache() }),
    backendCandidates: (only) => webBackendCandidates(ort).filter((c) => !only || only.includes(c.name)),
    // Read only once a WebGPU model is loaded: before that, reading it would make a device.
    gpuDevice: async (backend) => (backend === 'webgpu' ? ortWebGpuDevice(ort.env) : undefined),
  },
  (message, transfer) => scope.postMessage(message, transfer),
);
scope.addEventListener('message', (event) => void worker.handle(event.data));

/**
 * Module Web Worker entry for one onnxruntime-web wasm instance that runs graphs for the engine
 * worker (engine/runtime/graph-host.ts; the engine worker starts it through graph-worker.ts): the
 * image encoder gets its own instance and thread pool, so it overlaps with the other graphs. The
 * URL's `threads` sets the wasm threads, `ort` where onnxruntime-web's files are. Thin shell.
 */
import * as ort from 'onnxruntime-web';
import { createOrtBackend } from '../engine/runtime/backend';
import { GraphHost } from '../engine/runtime/graph-host';
import type { GraphRequest, GraphResponse } from '../engine/runtime/remote-graph';
import { moduleUrl } from '../host/module-url';
import type { GraphWorkerRuntime } from './graph-worker';
import { ortBaseOf } from './worker-url';

interface GraphWorkerScope {
  postMessage(message: GraphResponse, transfer: Transferable[]): void;
  addEventListener(
    type: 'message',
    listener: (event: MessageEvent<GraphRequest | GraphWorkerRuntime>) => void,
  ): void;
}
const scope = globalThis as unknown as GraphWorkerScope;

const ownUrl = new URL(moduleUrl());
ort.env.wasm.wasmPaths = ortBaseOf(ownUrl);
ort.env.wasm.numThreads = Math.max(1, Number(ownUrl.searchParams.get('threads')) || 1);

const host = new GraphHost(createOrtBackend(ort, 'wasm'), (message, transfer) =>
  scope.postMessage(message, transfer),
);
scope.addEventListener('message', (event) => {
  const message = event.data;
  // First, the binary the engine worker fetched (onnxruntime reads it at its first session).
  if (message?.type === 'runtime') {
    if (message.wasmBinary) ort.env.wasm.wasmBinary = message.wasmBinary;
    return;
  }
  void host.handle(message);
});

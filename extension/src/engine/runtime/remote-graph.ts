/**
 * A backend whose graphs run in another thread (a Web Worker, a Node worker thread), over a message
 * port: the engine gives the image encoder its own onnxruntime instance and thread pool, so slice
 * t+1 is encoded while slice t is in memory attention and decoding (issue "fast on CPU desktops":
 * overlap). onnxruntime's run() computes synchronously on the thread that calls it, so two graphs
 * only ever run at once from two threads. The other side is graph-host.ts. No DOM or Node types:
 * the port is structural.
 */
import { ModelError } from '../errors';
import type { Tensor } from '../model/tensor';
import type { BackendName, GraphSession, InferenceBackend } from './backend';
import { requestIdOf } from './request-shape';

/** What crosses the port: requests to the host. */
export type GraphRequest =
  | { readonly type: 'create'; readonly id: number; readonly bytes: Uint8Array; readonly label: string }
  | {
      readonly type: 'run';
      readonly id: number;
      readonly session: number;
      readonly feeds: Record<string, Tensor>;
    }
  | { readonly type: 'release'; readonly id: number; readonly session: number };

/** ... and the host's answers, each naming the request it answers. */
export type GraphResponse =
  | {
      readonly type: 'created';
      readonly id: number;
      readonly session: number;
      readonly inputNames: readonly string[];
      readonly outputNames: readonly string[];
    }
  | { readonly type: 'ran'; readonly id: number; readonly outputs: Record<string, Tensor> }
  | { readonly type: 'released'; readonly id: number }
  | { readonly type: 'failed'; readonly id: number; readonly message: string };

/** The two ends of a message channel as both Web Workers and Node worker threads offer them. */
export interface GraphPort {
  postMessage(message: GraphRequest, transfer: ArrayBuffer[]): void;
  /** Subscribes to the host's answers. */
  onResponse(listener: (response: GraphResponse) => void): void;
  /** Subscribes to the thread failing as a whole (it crashed, its script did not load). */
  onFailure(listener: (message: string) => void): void;
  /** Ends the other thread (after every session is released, or on dispose). */
  terminate(): void;
}

export interface RemoteBackend extends InferenceBackend {
  /** Ends the thread; pending calls fail. */
  dispose(): void;
}

/**
 * Every feed is copied and the copy's buffer transferred: the engine keeps some inputs (encoder
 * features, memories) and its slices' images, so their own buffers must not be detached.
 */
function copyFeeds(feeds: Record<string, Tensor>): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(feeds)) out[k] = { data: new Float32Array(t.data), dims: [...t.dims] };
  return out;
}

export function createRemoteBackend(port: GraphPort, name: BackendName, description: string): RemoteBackend {
  let next = 1;
  let dead: string | null = null;
  // Runs go to the thread one at a time: its onnxruntime computes one graph at a time anyway, and a
  // run asked while another is under way (a click during pre-encoding) must not interleave with it.
  let lastRun: Promise<unknown> = Promise.resolve();
  const pending = new Map<number, { resolve: (r: GraphResponse) => void; label: string }>();
  port.onResponse((response) => {
    // An answer of no shape matches no call (a throw here would end the engine's thread).
    const id = requestIdOf(response);
    const waiter = id === undefined ? undefined : pending.get(id);
    if (!waiter) return;
    pending.delete(id as number);
    waiter.resolve(response);
  });
  const stop = (reason: string) => {
    dead = reason;
    for (const [id, w] of pending) {
      pending.delete(id);
      w.resolve({ type: 'failed', id, message: `${w.label}: ${reason}` });
    }
  };
  port.onFailure((message) => stop(`the graph thread failed: ${message}`));
  const call = (request: GraphRequest, transfer: ArrayBuffer[], label: string): Promise<GraphResponse> => {
    if (dead) return Promise.reject(new ModelError('inference-failed', `${label}: ${dead}`));
    return new Promise((resolve) => {
      pending.set(request.id, { resolve, label });
      port.postMessage(request, transfer);
    });
  };
  const fail = (label: string, r: GraphResponse): never => {
    throw new ModelError(
      'inference-failed',
      r.type === 'failed' ? r.message : `${label}: unexpected answer ${r.type} from the graph thread`,
    );
  };
  return {
    name,
    description,
    async createSession(bytes, label): Promise<GraphSession> {
      // The graph's bytes are copied: the caller may keep them (model cache, other backends).
      const own = new Uint8Array(bytes);
      const created = await call(
        { type: 'create', id: next++, bytes: own, label },
        [own.buffer as ArrayBuffer],
        label,
      );
      if (created.type !== 'created') return fail(label, created);
      const session = created.session;
      return {
        inputNames: created.inputNames,
        outputNames: created.outputNames,
        async run(feeds) {
          const sent = copyFeeds(feeds);
          const buffers = Object.values(sent).map((t) => t.data.buffer as ArrayBuffer);
          const turn = lastRun.then(() =>
            call({ type: 'run', id: next++, session, feeds: sent }, buffers, label),
          );
          lastRun = turn.catch(() => undefined);
          const r = await turn;
          if (r.type !== 'ran') return fail(label, r);
          return r.outputs;
        },
        async release() {
          if (dead) return;
          const r = await call({ type: 'release', id: next++, session }, [], label);
          if (r.type !== 'released') fail(label, r);
        },
      };
    },
    dispose() {
      stop('the graph thread was stopped');
      port.terminate();
    },
  };
}

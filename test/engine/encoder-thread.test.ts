/**
 * The image encoder on its own thread (remote-graph.ts ⇄ graph-host.ts over a real MessageChannel,
 * the host running onnxruntime-node in a worker thread): the same outputs and masks as one backend,
 * the next slice's encoding requested before the current slice's memory attention ends, every
 * failure answered with the graph's name, and the thread split the browser uses.
 */
import { MessageChannel } from 'node:worker_threads';
import { ModelError } from '../../extension/src/engine/errors';
import { loadModel, type SamModel } from '../../extension/src/engine/model/sam-model';
import type { GraphSession, InferenceBackend } from '../../extension/src/engine/runtime/backend';
import { GraphHost } from '../../extension/src/engine/runtime/graph-host';
import {
  createRemoteBackend,
  type GraphRequest,
  type GraphResponse,
  type RemoteBackend,
} from '../../extension/src/engine/runtime/remote-graph';
import { splitWasmThreads } from '../../extension/src/engine/runtime/web-backends';
import { SegmentationSession } from '../../extension/src/engine/session';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { blobVolume, collect } from '../support/synthetic';
import { TEST_MODEL_DIR } from '../support/test-model';

/** A remote backend whose host runs `local` on the other end of a MessageChannel. */
function remoteOver(local: InferenceBackend): { remote: RemoteBackend; fail(message: string): void } {
  const { port1, port2 } = new MessageChannel();
  const host = new GraphHost(local, (response, transfer) => port2.postMessage(response, transfer));
  port2.on('message', (request: GraphRequest) => void host.handle(request));
  let failure: ((message: string) => void) | undefined;
  const remote = createRemoteBackend(
    {
      postMessage: (message, transfer) => port1.postMessage(message, transfer),
      onResponse: (listener) => port1.on('message', (r: GraphResponse) => listener(r)),
      onFailure: (listener) => (failure = listener),
      terminate: () => {
        port1.close();
        port2.close();
      },
    },
    'native-cpu',
    'test: native CPU over a message channel',
  );
  return { remote, fail: (message) => failure?.(message) };
}

/** Records when each graph's runs start and end, in one shared log. */
function recording(backend: InferenceBackend, log: string[]): InferenceBackend {
  return {
    name: backend.name,
    description: backend.description,
    async createSession(bytes, label): Promise<GraphSession> {
      const session = await backend.createSession(bytes, label);
      return {
        inputNames: session.inputNames,
        outputNames: session.outputNames,
        async run(feeds) {
          log.push(`${label} start`);
          const out = await session.run(feeds);
          log.push(`${label} end`);
          return out;
        },
        release: () => session.release(),
      };
    },
  };
}

let native: WorkerBackend;
let encoderThread: WorkerBackend;
beforeAll(async () => {
  const backends = nodeBackends({ nativeThreads: 1 });
  [native, encoderThread] = await Promise.all([backends.native(), backends.native()]);
});
afterAll(async () => {
  await Promise.all([native.close(), encoderThread.close()]);
});

const files = () => directoryModelFiles(TEST_MODEL_DIR);
const sphere = () => blobVolume([64, 64, 24], [{ center: [32, 30, 12], radii: [14, 14, 6] }]).volume;

async function propagated(model: SamModel) {
  const session = new SegmentationSession(model, sphere());
  const id = session.addObject();
  await session.setPrompt(id, 12, { points: [{ x: 32, y: 30, label: 1 }] });
  const updates = await collect(session.propagate());
  return { mask: session.mask(id), slices: updates.map((u) => [u.slice, u.area, u.confidence]) };
}

describe('the image encoder on its own thread', () => {
  it('gives the same features, and the same masks through a propagation, as one backend', async () => {
    const single = await loadModel(files(), native);
    const { remote } = remoteOver(encoderThread);
    const split = await loadModel(files(), native, { encoderBackend: remote });
    try {
      expect([single.encoderRunsApart, split.encoderRunsApart]).toEqual([false, true]);
      const S = single.grid.image;
      const image = {
        data: Float32Array.from({ length: 3 * S * S }, (_, i) => Math.sin(i)),
        dims: [1, 3, S, S],
      };
      const a = await single.encodeImage(image);
      const b = await split.encodeImage(image);
      for (const k of ['visionFeats', 'visionPos', 'highRes0', 'highRes1'] as const)
        expect([k, Array.from(b[k].data)]).toEqual([k, Array.from(a[k].data)]);
      const one = await propagated(single);
      const two = await propagated(split);
      expect(two.slices).toEqual(one.slices);
      expect(Buffer.from(two.mask).equals(Buffer.from(one.mask))).toBe(true);
    } finally {
      await Promise.all([single.release(), split.release()]);
    }
  });

  it("asks for slice t+1's encoding before slice t's memory attention ends, and only when the encoder runs apart", async () => {
    const orders: Record<string, string[]> = {};
    for (const apart of [true, false]) {
      const log: string[] = [];
      // Recorded where the engine calls the graphs: the order does not depend on thread timing.
      const remote = apart ? remoteOver(encoderThread).remote : undefined;
      const model = remote
        ? await loadModel(files(), recording(native, log), { encoderBackend: recording(remote, log) })
        : await loadModel(files(), recording(native, log));
      try {
        await propagated(model);
      } finally {
        await model.release();
        // The recording wrapper hides `dispose` from the model: end the channel here.
        remote?.dispose();
      }
      orders[String(apart)] = log;
    }
    // Encoder runs in flight while a memory attention was: the intervals, in the log's order, overlap.
    const overlapping = (log: string[]) => {
      let encoders = 0;
      let attention = false;
      let n = 0;
      for (const e of log) {
        if (e === 'image_encoder start') encoders++;
        if (e === 'image_encoder end') encoders--;
        if (e === 'memory_attention start') attention = true;
        if (e === 'memory_attention end') attention = false;
        if ((e === 'memory_attention start' && encoders > 0) || (e === 'image_encoder start' && attention))
          n++;
      }
      return n;
    };
    expect(overlapping(orders.true)).toBeGreaterThan(10);
    expect(overlapping(orders.false)).toBe(0);
    // Every slice is encoded once either way.
    const encodes = (log: string[]) => log.filter((e) => e === 'image_encoder start').length;
    expect(encodes(orders.true)).toBe(encodes(orders.false));
  });

  it('answers a graph the thread cannot open with a ModelError naming the graph, and the thread carries on', async () => {
    const { remote } = remoteOver(encoderThread);
    try {
      const bad = remote.createSession(new Uint8Array([1, 2, 3]), 'image_encoder');
      await expect(bad).rejects.toBeInstanceOf(ModelError);
      await expect(bad).rejects.toThrow(/image_encoder: native-cpu could not load the graph/);
      const model = await loadModel(files(), native, { encoderBackend: remote });
      expect(model.encoderRunsApart).toBe(true);
      await model.release();
    } finally {
      remote.dispose();
    }
  });

  it("answers messages that are no graph request 'failed' (its id where it has one), never throwing in the thread", async () => {
    const answers: GraphResponse[] = [];
    const host = new GraphHost(encoderThread, (response) => answers.push(response));
    for (const message of [null, 'run', { id: 7 }, { type: 'run', id: 8, session: 99, feeds: {} }])
      await expect(host.handle(message as unknown as GraphRequest)).resolves.toBeUndefined();
    expect(answers).toEqual([
      { type: 'failed', id: undefined, message: 'malformed graph request: null is not a request object' },
      { type: 'failed', id: undefined, message: 'malformed graph request: "run" is not a request object' },
      { type: 'failed', id: 7, message: 'malformed graph request: an object without a type' },
      { type: 'failed', id: 8, message: 'no graph session 99 in this thread' },
    ]);
  });

  it('ignores answers of no shape from the graph thread (null, a string, no id) and serves the next call', async () => {
    const { port1, port2 } = new MessageChannel();
    const host = new GraphHost(encoderThread, (response, transfer) => port2.postMessage(response, transfer));
    port2.on('message', (request: GraphRequest) => {
      for (const junk of [null, 'ran', { type: 'ran' }]) port2.postMessage(junk);
      void host.handle(request);
    });
    const remote = createRemoteBackend(
      {
        postMessage: (message, transfer) => port1.postMessage(message, transfer),
        onResponse: (listener) => port1.on('message', (r: GraphResponse) => listener(r)),
        onFailure: () => undefined,
        terminate: () => {
          port1.close();
          port2.close();
        },
      },
      'native-cpu',
      'test: junk before every answer',
    );
    try {
      const model = await loadModel(files(), native, { encoderBackend: remote });
      expect(model.encoderRunsApart).toBe(true);
      await model.release();
    } finally {
      remote.dispose();
    }
  });

  it('fails the calls in flight, naming the graph, when the thread dies, and every later call', async () => {
    const { remote, fail } = remoteOver(encoderThread);
    const model = await loadModel(files(), native, { encoderBackend: remote });
    const S = model.grid.image;
    const call = model.encodeImage({ data: new Float32Array(3 * S * S), dims: [1, 3, S, S] });
    fail('out of memory');
    await expect(call).rejects.toThrow(/image_encoder: the graph thread failed: out of memory/);
    await expect(
      model.encodeImage({ data: new Float32Array(3 * S * S), dims: [1, 3, S, S] }),
    ).rejects.toThrow(/image_encoder: the graph thread failed/);
    await model.release();
  });
});

describe('splitWasmThreads', () => {
  it('gives the encoder half the threads (rounded up) from 2 threads on, and no split with 1', () => {
    expect([1, 2, 3, 4, 7, 8].map((n) => splitWasmThreads(n))).toEqual([
      null,
      { engine: 1, encoder: 1 },
      { engine: 1, encoder: 2 },
      { engine: 2, encoder: 2 },
      { engine: 3, encoder: 4 },
      { engine: 4, encoder: 4 },
    ]);
  });
});

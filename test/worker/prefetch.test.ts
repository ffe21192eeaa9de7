/**
 * Pre-encoding in idle time (issue 12, fault 7): the worker encodes the slices around the one in
 * view so the first click there answers from the encoder cache; a click or a propagation always
 * goes first and model runs never overlap; it stops before the encoder cache would evict; a newer
 * prefetch replaces the one under way. Real model (the test model) on onnxruntime-node, the worker
 * in this process behind the real client.
 */
import type { InferenceBackend } from '../../extension/src/engine/runtime/backend';
import { zeros } from '../../extension/src/engine/model/tensor';
import { nodeBackends } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { inProcessWorker } from '../support/in-process-worker';
import { blobVolume } from '../support/synthetic';
import { TEST_MODEL_DIR, loadTestModel } from '../support/test-model';
import { wrappedBackend } from '../support/wrapped-backend';

const backends = nodeBackends();
const click = { points: [{ x: 24, y: 24, label: 1 as const }] };

/** The native backend, logging each graph run and the most runs at once. */
function logged(inner: InferenceBackend) {
  const log: string[] = [];
  let running = 0;
  let mostAtOnce = 0;
  const backend = wrappedBackend(inner, async (label, run) => {
    mostAtOnce = Math.max(mostAtOnce, ++running);
    log.push(label);
    try {
      return await run();
    } finally {
      running--;
    }
  });
  return { backend, log, mostAtOnce: () => mostAtOnce };
}

async function start(cacheBytes?: number) {
  const runs = logged(await backends.native());
  const { client } = inProcessWorker({
    modelFiles: (source) => directoryModelFiles(source.location),
    backendCandidates: () => [{ name: 'native-cpu', create: async () => runs.backend }],
    cacheBytes,
  });
  await client.loadModel({ location: TEST_MODEL_DIR });
  const { volume } = blobVolume([48, 48, 24], [{ center: [24, 24, 12], radii: [10, 10, 8] }]);
  const sessionId = await client.openVolume({ ...volume }, 'series-prefetch');
  const objectId = await client.addObject(sessionId, 'lesion');
  const encodes = () => runs.log.filter((l) => l === 'image_encoder').length;
  return { client, sessionId, objectId, runs, encodes };
}

describe('engine worker: pre-encoding around the slice in view', () => {
  test('a click on a pre-encoded slice answers from the encoder cache; a click elsewhere does not', async () => {
    const { client, sessionId, objectId, encodes } = await start();
    await expect(client.prefetch(sessionId, 'axial', 12, 2)).resolves.toEqual([12, 11, 13, 10, 14]);
    expect(encodes()).toBe(5);
    const first = await client.setPrompt(sessionId, objectId, 'axial', 12, click);
    expect(first.encoderCached).toBe(true);
    expect(first.area).toBeGreaterThan(0);
    expect(encodes()).toBe(5);
    const other = await client.setPrompt(sessionId, await client.addObject(sessionId), 'axial', 20, click);
    expect(other.encoderCached).toBe(false);
    expect(encodes()).toBe(6);
    // What is cached already is not encoded again.
    await expect(client.prefetch(sessionId, 'axial', 12, 3)).resolves.toEqual([9, 15]);
  });

  test('a click goes before pre-encoding, which carries on after it; model runs never overlap', async () => {
    const { client, sessionId, objectId, runs } = await start();
    const order: string[] = [];
    const prefetched = client.prefetch(sessionId, 'axial', 12, 10).then((slices) => {
      order.push('prefetched');
      return slices;
    });
    const answer = await client.setPrompt(sessionId, objectId, 'axial', 3, click);
    order.push('click answered');
    const slices = await prefetched;
    expect(order).toEqual(['click answered', 'prefetched']);
    // The click's own slice was encoded by the click; the other 20 of 2..22 by the prefetch.
    expect(answer.encoderCached).toBe(false);
    expect(slices).toHaveLength(20);
    expect(slices).not.toContain(3);
    expect(runs.mostAtOnce()).toBe(1);
    // The click waited for at most one slice's encoding: its decoder ran before the second.
    const decoderAt = runs.log.indexOf('mask_decoder');
    expect(runs.log.slice(0, decoderAt).filter((l) => l === 'image_encoder').length).toBeLessThanOrEqual(2);
  });

  test('stops before the encoder cache would evict anything', async () => {
    const model = await loadTestModel();
    const S = model.manifest.imageSize;
    const f = await model.encodeImage(zeros([1, 3, S, S]));
    await model.release();
    const perSlice = [f.visionFeats, f.visionPos, f.highRes0, f.highRes1].reduce(
      (n, t) => n + t.data.length * 4,
      0,
    );
    const { client, sessionId, objectId } = await start(perSlice * 3.5);
    await expect(client.prefetch(sessionId, 'axial', 12, 4)).resolves.toEqual([12, 11, 13]);
    await expect(client.setPrompt(sessionId, objectId, 'axial', 12, click)).resolves.toMatchObject({
      encoderCached: true,
    });
  });

  test('a newer prefetch (the user scrolled) replaces the one under way', async () => {
    const { client, sessionId } = await start();
    const first = client.prefetch(sessionId, 'axial', 5, 8);
    const second = client.prefetch(sessionId, 'axial', 20, 1);
    expect((await first).length).toBeLessThan(3);
    await expect(second).resolves.toEqual([20, 19, 21]);
  });
});

import { InputError, ModelError } from '../../extension/src/engine/errors';
import { WorkerRequestError } from '../../extension/src/worker/client';
import { namingImage, processingOrder } from '../../extension/src/worker/image-set-request';
import type { SetImagePayload } from '../../extension/src/worker/protocol';
import { collect, dice, disk } from '../support/synthetic';
import { startNodeWorker } from '../support/node-worker';
import { TEST_MODEL_DIR } from '../support/test-model';

const disks = [
  disk(64, 64, 0.2),
  disk(80, 60, 0.2),
  disk(50, 70, 0.2),
  disk(72, 72, 0.19),
  disk(60, 60, 0.2),
];
const payload = (): SetImagePayload[] =>
  disks.map((d, i) => ({ ...d.image, data: d.image.data.slice(), name: `frame ${i + 1}` }));
const click = (x: number, y: number) => ({ points: [{ x, y, label: 1 as const }] });

describe("worker 'segment-image-set' (one prompt, many images)", () => {
  let w: ReturnType<typeof startNodeWorker>;
  beforeAll(async () => {
    w = startNodeWorker();
    await w.client.loadModel({ location: TEST_MODEL_DIR });
  });
  afterAll(async () => {
    await w.worker.terminate();
  });

  it('streams one result per image with its confidence and progress, the buffers transferred', async () => {
    const images = payload();
    const updates = await collect(
      w.client.segmentImageSet('set-a', images, [{ index: 0, prompt: click(32, 32) }]),
    );
    expect(images[1].data.byteLength).toBe(0); // transferred, not copied
    expect(updates.map((u) => u.image)).toEqual([0, 1, 2, 3, 4]);
    expect(updates.map((u) => u.progress.done)).toEqual([1, 2, 3, 4, 5]);
    expect(updates[0].prompted).toBe(true);
    for (const u of updates) {
      expect(u.confidence).toBeGreaterThan(0);
      expect(u.mask).toHaveLength(disks[u.image].image.width * disks[u.image].image.height);
      expect(dice(u.mask, disks[u.image].truth)).toBeGreaterThan(0.85);
    }
  });

  it('a correction is a second conditioning image: answered as prompted, attended by the others', async () => {
    const updates = await collect(
      w.client.segmentImageSet('set-a', payload(), [
        { index: 0, prompt: click(32, 32) },
        { index: 3, prompt: click(36, 36) },
      ]),
    );
    expect(updates.slice(0, 2).map((u) => [u.image, u.prompted])).toEqual([
      [0, true],
      [3, true],
    ]);
    expect(updates.slice(2).map((u) => u.image)).toEqual([1, 2, 4]);
    for (const u of updates.slice(2)) expect(u.trace?.attended.slice(0, 2)).toEqual([0, 3]);
  });

  it('cancel stops the run after the images already sent; the worker keeps serving', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    // Enough images that the cancel, sent on the second answer, lands while the run is under way
    // however the two threads are scheduled (with 5, a loaded machine could finish them all first).
    const many = Array.from({ length: 40 }, (_, i) => ({ ...payload()[i % 5], name: `frame ${i + 1}` }));
    for await (const u of w.client.segmentImageSet('set-b', many, [{ index: 0, prompt: click(32, 32) }], {
      signal: controller.signal,
    })) {
      seen.push(u.image);
      if (seen.length === 2) controller.abort();
    }
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(seen.length).toBeLessThan(many.length);
    const again = await collect(
      w.client.segmentImageSet('set-b', payload(), [{ index: 1, prompt: click(40, 30) }]),
    );
    expect(again).toHaveLength(5);
  });

  it('bad requests answer typed errors naming the image', async () => {
    const noPrompt = collect(w.client.segmentImageSet('set-c', payload(), []));
    await expect(noPrompt).rejects.toBeInstanceOf(WorkerRequestError);
    await expect(noPrompt).rejects.toMatchObject({ kind: 'invalid-options' });
    await expect(
      collect(w.client.segmentImageSet('set-c', payload(), [{ index: 4, prompt: click(99, 9) }])),
    ).rejects.toMatchObject({
      kind: 'invalid-prompt',
      message: expect.stringMatching(/image 4 \(frame 5\)/),
    });
    const bad = collect(
      w.client.segmentImageSet(
        'set-c',
        [...payload().slice(0, 2), { ...payload()[2], width: 3 }],
        [{ index: 0, prompt: click(32, 32) }],
      ),
    );
    await expect(bad).rejects.toMatchObject({
      kind: 'invalid-image',
      message: expect.stringMatching(/image 2 \(frame 3\)/),
    });
  });
});

describe('image-set errors name the image', () => {
  it('the engine segments the prompted images first, then the others in order', () => {
    expect(processingOrder(5, [2, 0])).toEqual([2, 0, 1, 3, 4]);
  });

  it("an index the engine names gets the host's name; a graph failure names the image being segmented", () => {
    const names = ['US cine frame 1', 'US cine frame 2'];
    const named = namingImage(new InputError('invalid-image', 'image 1: 5 values for 2×2'), names, 0);
    expect(named).toBeInstanceOf(InputError);
    expect(named).toMatchObject({
      kind: 'invalid-image',
      message: 'image 1 (US cine frame 2): 5 values for 2×2',
    });
    const graph = namingImage(new ModelError('inference-failed', 'mask_decoder failed'), names, 1);
    expect(graph).toBeInstanceOf(ModelError);
    expect(graph.message).toBe('mask_decoder failed (while segmenting image 1 (US cine frame 2))');
  });
});

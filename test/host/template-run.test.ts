/**
 * "Use as template" in the host without a browser: the set sent to the worker (the prompted
 * slice in view first, then every frame of the chosen display set), each image painted into the
 * labelmap of its display set at its image index and listed with its confidence, a correction
 * sent as one more prompt, and the reasons given when there is nothing to use. OHIF's services,
 * cornerstone's cache and the worker client are faked (the worker's own protocol test runs the
 * real one).
 */
import type { ImagePrompt, ImageUpdate } from '../../extension/src/engine/image-set';
import type { ControllerParts } from '../../extension/src/host/controller-parts';
import type { ActiveSeries, SeriesSessions } from '../../extension/src/host/open-series';
import type { OhifDisplaySet } from '../../extension/src/host/ohif-types';
import type { SegExport } from '../../extension/src/host/seg-export';
import { newSegment } from '../../extension/src/host/segments';
import { StateStore } from '../../extension/src/host/state-store';
import { TemplateRun } from '../../extension/src/host/template-run';
import type { SetImagePayload } from '../../extension/src/worker/protocol';
import { INITIAL_STATE } from '../support/controller-state';

const W = 4;
const H = 3;
const mr: OhifDisplaySet = {
  displaySetInstanceUID: 'mr',
  StudyInstanceUID: '1.2',
  SeriesInstanceUID: '1.2.1',
  Modality: 'MR',
  SeriesNumber: 2,
  imageIds: ['m0', 'm1', 'm2'],
};
const cine: OhifDisplaySet = {
  displaySetInstanceUID: 'cine',
  StudyInstanceUID: '1.2',
  SeriesInstanceUID: '1.2.9',
  Modality: 'US',
  SeriesNumber: 100,
  SeriesDescription: 'cine',
  instances: [{ SOPInstanceUID: '1.2.9.1', NumberOfFrames: 2 }],
};

function setup(prompts: { slice: number; points: { x: number; y: number; label: 0 | 1 }[] }[]) {
  const store = new StateStore(
    { ...INITIAL_STATE, segments: [newSegment(1, 1, 'Lesion', 3)], activeObjectId: 1 },
    () => ({}),
  );
  const said: string[] = [];
  const sent: { setId: string; images: SetImagePayload[]; prompts: readonly ImagePrompt[] }[] = [];
  const labelImages = new Map<string, { voxelManager: { getScalarData: () => Uint8Array } }>();
  const layerIds = ['l0', 'l1'];
  for (const id of layerIds) {
    const data = new Uint8Array(W * H);
    labelImages.set(id, { voxelManager: { getScalarData: () => data } });
  }
  const client = {
    async *segmentImageSet(setId: string, images: SetImagePayload[], p: readonly ImagePrompt[]) {
      sent.push({ setId, images, prompts: p });
      const order = [
        ...p.map((q) => q.index),
        ...images.map((_, i) => i).filter((i) => !p.some((q) => q.index === i)),
      ];
      for (const [done, image] of order.entries()) {
        const mask = new Uint8Array(W * H).fill(0);
        mask[image] = 1; // one pixel, at the image's index: where it lands is checked below
        yield {
          image,
          prompted: p.some((q) => q.index === image),
          confidence: 0.5 + image / 10,
          objectScore: 1,
          present: true,
          width: W,
          height: H,
          mask,
          progress: { done: done + 1, total: images.length },
        } as ImageUpdate;
      }
    },
  };
  const services = {
    viewportGridService: {
      getDisplaySetsUIDsForViewport: () => ['mr'],
      getState: () => ({ activeViewportId: 'vp' }),
    },
    cornerstoneViewportService: { getCornerstoneViewport: () => ({ getCurrentImageIdIndex: () => 1 }) },
    displaySetService: {
      getActiveDisplaySets: () => [mr, cine],
      getDisplaySetByUID: (uid: string) => ({ mr, cine })[uid as 'mr' | 'cine'],
    },
    segmentationService: {
      createLabelmapForDisplaySet: async () => 'seg-cine',
      getSegmentation: () => ({ representationData: { Labelmap: { imageIds: layerIds } } }),
      remove: () => undefined,
    },
  };
  const core = {
    cache: { getImage: (id: string) => labelImages.get(id) },
    imageLoader: {
      loadAndCacheImage: async (id: string) => ({
        imageId: id,
        rows: H,
        columns: W,
        getPixelData: () => new Int16Array(W * H).fill(id === 'f1' ? 7 : 9),
      }),
    },
  };
  const parts = {
    store,
    host: {
      services,
      extensionManager: { getActiveDataSource: () => [{ getImageIdsForDisplaySet: () => ['f0', 'f1'] }] },
    },
    segments: { requireActive: () => 1, get: () => store.state.segments[0] },
    prompts: { of: () => prompts },
    libs: () => ({
      core,
      tools: {
        segmentation: { triggerSegmentationEvents: { triggerSegmentationDataModified: () => undefined } },
        utilities: { triggerAnnotationRenderForViewportIds: () => undefined },
      },
    }),
    client: () => client,
    say: (s: string) => said.push(s),
  } as unknown as ControllerParts;
  const volume = {
    dims: [W, H, 3],
    data: new Float32Array(W * H * 3).map((_, i) => Math.floor(i / (W * H))),
    modality: 'MR',
  };
  const active = {
    viewportId: 'vp',
    series: {
      displaySet: mr,
      volume,
      sliceOfImageIndex: new Map([
        [0, 0],
        [1, 1],
        [2, 2],
      ]),
    },
  } as unknown as ActiveSeries;
  const series = { current: active } as unknown as SeriesSessions;
  const exporter = { nextSeriesNumber: () => 901 } as unknown as SegExport;
  return { run: new TemplateRun(parts, series, exporter), store, said, sent, labelImages };
}

describe('"Use as template" in the host', () => {
  it('sends the prompted slice in view and every frame of the chosen series, paints each frame and lists it', async () => {
    const { run, store, sent, labelImages } = setup([{ slice: 1, points: [{ x: 2, y: 1, label: 1 }] }]);
    expect(run.choices()).toEqual([
      { displaySetInstanceUID: 'cine', label: 'US #100 cine', images: 2, frames: true },
    ]);
    await run.use(['cine']);
    const [{ images, prompts }] = sent;
    expect(images.map((i) => i.name)).toEqual([
      'MR #2 slice 2 (template)',
      'US #100 cine frame 1',
      'US #100 cine frame 2',
    ]);
    // The template is the volume slice in view (its values are its slice number) with its prompt.
    expect([...images[0].data]).toEqual(new Array(W * H).fill(1));
    expect([...images[2].data]).toEqual(new Array(W * H).fill(7));
    expect(prompts).toEqual([{ index: 0, prompt: { points: [{ x: 2, y: 1, label: 1 }] } }]);
    // Frame f (set image f + 1) is painted into its own labelmap image at the mask's pixel.
    expect([...(labelImages.get('l0')?.voxelManager.getScalarData() ?? [])].indexOf(1)).toBe(1);
    expect([...(labelImages.get('l1')?.voxelManager.getScalarData() ?? [])].indexOf(1)).toBe(2);
    const t = store.state.template;
    expect(t).toMatchObject({ status: 'done', done: 3, total: 3, runs: 1 });
    expect(t.images.map((i) => [i.name, i.confidence, i.prompted, i.area])).toEqual([
      ['MR #2 slice 2 (template)', 0.5, true, 1],
      ['US #100 cine frame 1', 0.6, false, 1],
      ['US #100 cine frame 2', 0.7, false, 1],
    ]);
    expect(run.coverage('cine')).toEqual([1, 1]);
  });

  it('a correction is one more prompt of the next run; a click outside the image is refused before it', async () => {
    const { run, store, sent } = setup([{ slice: 1, points: [{ x: 2, y: 1, label: 1 }] }]);
    await run.use(['cine']);
    await expect(run.correct(2, { points: [{ x: 9, y: 0, label: 1 }] })).rejects.toThrow(
      /outside US #100 cine frame 2/,
    );
    await run.correct(2, { points: [{ x: 1, y: 1, label: 1 }] });
    expect(sent.map((s) => s.setId)).toEqual([sent[0].setId, sent[0].setId]); // same set: encodings reused
    expect(sent[1].prompts.map((p) => p.index)).toEqual([0, 2]);
    expect(store.state.template.runs).toBe(2);
    expect(store.state.template.images[2].prompted).toBe(true);
  });

  it('Undo takes the last correction back: the set is segmented again with the prompts it had before', async () => {
    const { run, store, sent, said } = setup([{ slice: 1, points: [{ x: 2, y: 1, label: 1 }] }]);
    await run.use(['cine']);
    await run.undo();
    expect(said).toEqual(['Nothing to undo on the template set: no correction yet.']);
    expect(sent).toHaveLength(1);
    await run.correct(2, { points: [{ x: 1, y: 1, label: 1 }] });
    expect(store.state.template.corrections).toBe(1);
    await run.undo();
    expect(sent).toHaveLength(3);
    expect(sent[2].prompts).toEqual(sent[0].prompts);
    expect(sent[2].setId).toBe(sent[0].setId);
    const t = store.state.template;
    expect(t).toMatchObject({ status: 'done', runs: 3, corrections: 0 });
    expect(t.images[2].prompted).toBe(false);
  });

  it('says why when the slice in view has no prompt, or no series is ticked', async () => {
    const none = setup([{ slice: 0, points: [{ x: 2, y: 1, label: 1 }] }]);
    await none.run.use(['cine']);
    expect(none.said).toEqual([
      'Use as template: slice 2 has no prompt of Lesion: click the structure on it first.',
    ]);
    const unticked = setup([{ slice: 1, points: [{ x: 2, y: 1, label: 1 }] }]);
    await unticked.run.use(['mr']); // the template's own series is not offered
    expect(unticked.said).toEqual(['Use as template: choose at least one series to segment.']);
    expect(unticked.sent).toHaveLength(0);
  });
});

/**
 * "Use as template" export without a browser: which display sets of the set get no SEG, and the
 * reason the panel shows (the SEG path itself, stored in Orthanc, is the e2e's). The OHIF display
 * sets are shaped as OHIF 3.13 makes them; cornerstone's image loader is faked.
 */
import type { ControllerParts } from '../../extension/src/host/controller-parts';
import type { OhifDisplaySet } from '../../extension/src/host/ohif-types';
import { segsPerSeries } from '../../extension/src/host/template-export';
import { TemplateSet } from '../../extension/src/host/template-set';
import { newSegment } from '../../extension/src/host/segments';
import type { ModelInfo } from '../../extension/src/worker/protocol';

const displaySet = (uid: string, patch: Partial<OhifDisplaySet>): OhifDisplaySet => ({
  displaySetInstanceUID: uid,
  StudyInstanceUID: '1.2.3',
  SeriesInstanceUID: `1.2.3.${uid}`,
  ...patch,
});

const sets: Record<string, OhifDisplaySet> = {
  cine: displaySet('cine', {
    Modality: 'US',
    SeriesNumber: 100,
    SeriesDescription: 'cine',
    imageIds: ['c1', 'c2'],
    instances: [{ SOPInstanceUID: '9.1', NumberOfFrames: 2 }],
  }),
  cr: displaySet('cr', {
    Modality: 'CR',
    SeriesNumber: 5,
    imageIds: ['r1'],
    instances: [{ SOPInstanceUID: '9.2', imageId: 'r1' }],
  }),
};

const parts = {
  host: { services: { displaySetService: { getDisplaySetByUID: (uid: string) => sets[uid] } } },
  libs: () => ({
    core: {
      imageLoader: {
        loadAndCacheImage: async () => ({ rows: 1, columns: 2, getPixelData: () => new Int16Array(2) }),
      },
    },
  }),
} as unknown as ControllerParts;

const options = {
  segment: newSegment(1, 1, 'Thyroid', 1),
  model: {} as ModelInfo,
  seriesNumber: () => 901,
};

function makeSet(): TemplateSet {
  return new TemplateSet(
    { displaySetInstanceUID: 'mr', imageIndex: 0, name: 'template' },
    { points: [{ x: 1, y: 1, label: 1 }] },
    [
      { displaySetInstanceUID: 'cine', label: 'US #100 cine', count: 2, frames: true },
      { displaySetInstanceUID: 'cr', label: 'CR #5', count: 1, frames: false },
    ],
  );
}

const result = { confidence: 0.9, present: true, prompted: false, area: 1 };

describe('"Use as template" export: one SEG per series, or why none', () => {
  it('a series whose images were not all segmented gets none, naming the first image missing', async () => {
    const set = makeSet();
    set.record(1, result, new Uint8Array([1, 0]));
    const [cine] = await segsPerSeries(parts, set, ['cine'], options);
    expect(cine).toMatchObject({ status: 'no-seg', label: 'US #100 cine' });
    expect(cine.message).toBe(
      'no SEG: US #100 cine frame 2 was not segmented (run the set to the end first)',
    );
  });

  it('a multi-frame cine and a single image get none: a SEG needs images that form a volume', async () => {
    const set = makeSet();
    [1, 2, 3].forEach((i) => set.record(i, result, new Uint8Array([1, 0])));
    const [cine, cr] = await segsPerSeries(parts, set, ['cine', 'cr'], options);
    expect(cine.status).toBe('no-seg');
    expect(cine.message).toMatch(/frames of a multi-frame instance without per-frame patient positions/);
    expect(cr).toMatchObject({ status: 'no-seg', label: 'CR #5' });
    expect(cr.message).toMatch(
      /volume with patient geometry \(series 5 CR: 1 image\(s\); a volume needs at least 2 slices\)/,
    );
  });
});

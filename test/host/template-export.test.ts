/**
 * "Use as template" export without a browser: a multi-frame cine and a single CR (no patient
 * geometry) get a SEG on their 2D images, handed to the data source's store; a display set that
 * cannot get one says why (the store in Orthanc is the e2e's). The OHIF display sets are shaped as
 * OHIF 3.13 makes them; cornerstone's image loader and the data source's store are faked.
 */
import { parseSeg } from '../../extension/src/dicom';
import type { ControllerParts } from '../../extension/src/host/controller-parts';
import type { OhifDisplaySet } from '../../extension/src/host/ohif-types';
import { segsPerSeries } from '../../extension/src/host/template-export';
import { TemplateSet } from '../../extension/src/host/template-set';
import { newSegment } from '../../extension/src/host/segments';
import type { ModelInfo } from '../../extension/src/worker/protocol';

const SERIES: Record<string, string> = { cine: '1.2.3.1', cr: '1.2.3.2', odd: '1.2.3.3' };

const displaySet = (uid: string, patch: Partial<OhifDisplaySet>): OhifDisplaySet => ({
  displaySetInstanceUID: uid,
  StudyInstanceUID: '1.2.3',
  SeriesInstanceUID: SERIES[uid],
  ...patch,
});

const instance = (uid: string, sop: string, patch: Record<string, unknown>) => ({
  SOPInstanceUID: sop,
  SOPClassUID: '1.2.840.10008.5.1.4.1.1.7.3',
  StudyInstanceUID: '1.2.3',
  SeriesInstanceUID: SERIES[uid],
  PatientName: 'Test^Patient',
  PatientID: 'P1',
  Rows: 1,
  Columns: 2,
  ...patch,
});

const sets: Record<string, OhifDisplaySet> = {
  cine: displaySet('cine', {
    Modality: 'US',
    SeriesNumber: 100,
    SeriesDescription: 'cine',
    // OHIF's DICOMweb image ids name the frame; given out of order here, the frame number decides.
    imageIds: [
      'wadors:/dicomweb/studies/1.2.3/series/1.2.3.1/instances/9.1/frames/2',
      'wadors:/dicomweb/studies/1.2.3/series/1.2.3.1/instances/9.1/frames/1',
    ],
    instances: [instance('cine', '9.1', { NumberOfFrames: 2 })],
  }),
  cr: displaySet('cr', {
    Modality: 'CR',
    SeriesNumber: 5,
    imageIds: ['r1'],
    instances: [instance('cr', '9.2', { imageId: 'r1', SOPClassUID: '1.2.840.10008.5.1.4.1.1.1' })],
  }),
  odd: displaySet('odd', {
    Modality: 'OT',
    SeriesNumber: 6,
    imageIds: ['o1', 'o2'],
    instances: [
      instance('odd', '9.3', { imageId: 'o1' }),
      instance('odd', '9.4', { imageId: 'o2', Rows: 2 }),
    ],
  }),
};

const stored: ArrayBuffer[] = [];

const parts = {
  host: {
    services: { displaySetService: { getDisplaySetByUID: (uid: string) => sets[uid] } },
    config: { segFormat: 'binary' },
    extensionManager: {
      getActiveDataSource: () => [
        { store: { dicom: async (bytes: ArrayBuffer) => void stored.push(bytes) } },
      ],
    },
  },
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
  model: { name: 'test', version: '1', modelHash: 'ab'.repeat(32), testModel: true } as ModelInfo,
  seriesNumber: () => 901,
};

function makeSet(): TemplateSet {
  return new TemplateSet(
    { displaySetInstanceUID: 'mr', imageIndex: 0, name: 'template' },
    { points: [{ x: 1, y: 1, label: 1 }] },
    [
      { displaySetInstanceUID: 'cine', label: 'US #100 cine', count: 2, frames: true },
      { displaySetInstanceUID: 'cr', label: 'CR #5', count: 1, frames: false },
      { displaySetInstanceUID: 'odd', label: 'OT #6', count: 2, frames: false },
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

  it('a multi-frame cine and a single CR, without patient geometry, get a SEG on their 2D images', async () => {
    const set = makeSet();
    set.record(1, result, new Uint8Array([1, 0])); // cine image 0 = frame 2 (its image id says so)
    set.record(2, result, new Uint8Array([0, 1])); // cine image 1 = frame 1
    set.record(3, result, new Uint8Array([1, 1])); // the CR
    stored.length = 0;
    const [cine, cr] = await segsPerSeries(parts, set, ['cine', 'cr'], options);
    expect(cine).toMatchObject({ status: 'stored', label: 'US #100 cine' });
    expect(cr).toMatchObject({ status: 'stored', label: 'CR #5' });
    expect(stored).toHaveLength(2);
    const cineSeg = parseSeg(stored[0], 'cine SEG');
    expect(cineSeg.frameOfReferenceUID).toBeUndefined();
    expect(cineSeg.referencedSeriesInstanceUIDs).toEqual(['1.2.3.1']);
    expect(
      cineSeg.frames.map((f) => [f.referencedSOPInstanceUID, f.referencedFrameNumber, Array.from(f.pixels)]),
    ).toEqual([
      ['9.1', 1, [0, 1]],
      ['9.1', 2, [1, 0]],
    ]);
    const crSeg = parseSeg(stored[1], 'CR SEG');
    expect(
      crSeg.frames.map((f) => [f.referencedSOPInstanceUID, f.referencedFrameNumber, Array.from(f.pixels)]),
    ).toEqual([['9.2', undefined, [1, 1]]]);
  });

  it('images of different sizes in one series get none, and say why', async () => {
    const set = makeSet();
    [1, 2, 3, 4, 5].forEach((i) => set.record(i, result, new Uint8Array([1, 0])));
    const [odd] = await segsPerSeries(parts, set, ['odd'], options);
    expect(odd).toMatchObject({ status: 'no-seg', label: 'OT #6' });
    expect(odd.message).toMatch(
      /^no SEG: its images are neither a volume nor one grid of 2D images \(instance 9\.4: .*Rows/,
    );
  });
});

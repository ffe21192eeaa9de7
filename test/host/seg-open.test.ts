/**
 * "Open SEG…" without a browser: which SEG display sets the panel lists for the series in view
 * (shaped as OHIF 3.13's SEG SOP class handler makes them), and the panel segments a SEG opened
 * for editing becomes (labels, colours, codes kept; every slice marked as opened, in OHIF's
 * numbering).
 */
import { DEFAULT_TYPE, code } from '../../extension/src/dicom/codes';
import type { EditableSegment } from '../../extension/src/dicom/seg-for-editing';
import type { OhifDisplaySet } from '../../extension/src/host/ohif-types';
import { openedSegmentStates } from '../../extension/src/host/opened-segments';
import { segChoices } from '../../extension/src/host/seg-choices';
import { SEGMENT_COLORS } from '../../extension/src/panel/segment-codes';

const inView = { StudyInstanceUID: '1.2.3', SeriesInstanceUID: '1.2.3.1' };
const seg = (n: number, patch: Partial<OhifDisplaySet> = {}): OhifDisplaySet => ({
  displaySetInstanceUID: `ds-${n}`,
  Modality: 'SEG',
  StudyInstanceUID: '1.2.3',
  SeriesInstanceUID: `1.2.3.${n}`,
  SeriesNumber: n,
  SeriesDescription: `Liver - MedSAM-2 10:${n}`,
  SOPInstanceUID: `1.2.3.${n}.1`,
  referencedSeriesInstanceUID: '1.2.3.1',
  ...patch,
});

describe('the SEG series listed for the series in view', () => {
  it('lists the SEGs of the study that reference it, newest series number first', () => {
    const sets = [
      seg(901),
      { ...inView, displaySetInstanceUID: 'mr', Modality: 'MR', SeriesNumber: 1 },
      seg(903),
      seg(902, { referencedSeriesInstanceUID: '1.2.3.7' }), // another series of the study
      seg(904, { StudyInstanceUID: '9.9' }), // another study
      seg(905, { referencedSeriesInstanceUID: null }), // OHIF has not resolved the reference
    ];
    expect(segChoices(sets, inView)).toEqual([
      {
        displaySetInstanceUID: 'ds-903',
        label: 'Series 903: Liver - MedSAM-2 10:903',
        studyInstanceUID: '1.2.3',
        seriesInstanceUID: '1.2.3.903',
        sopInstanceUID: '1.2.3.903.1',
      },
      expect.objectContaining({ displaySetInstanceUID: 'ds-901' }),
    ]);
  });

  it('names a SEG without a description by its series number', () => {
    expect(segChoices([seg(7, { SeriesDescription: '' })], inView)[0].label).toBe('Series 7: SEG');
  });
});

describe('the panel segments of an opened SEG', () => {
  const liverType = code('10200004', 'SCT', 'Liver');
  const segments: EditableSegment[] = [
    {
      number: 1,
      label: 'Liver',
      color: [221, 130, 101],
      type: liverType,
      mask: new Uint8Array(0),
      sliceVoxels: [0, 12, 30],
    },
    { number: 2, label: '  ', mask: new Uint8Array(0), sliceVoxels: [5, 0, 0] },
  ];
  // Volume slice k is OHIF image 2 - k (the series runs the other way in OHIF).
  const states = openedSegmentStates(
    segments,
    [
      { objectId: 4, segmentIndex: 2 },
      { objectId: 5, segmentIndex: 3 },
    ],
    'Series 901: Liver',
    [2, 1, 0],
  );

  it('keeps label, colour and codes, and says where they came from', () => {
    expect(states[0]).toMatchObject({
      objectId: 4,
      segmentIndex: 2,
      label: 'Liver',
      color: [221, 130, 101],
      type: liverType,
      openedFrom: 'Series 901: Liver',
    });
  });

  it('gives an unnamed, uncoloured segment its number and the palette colour of its index', () => {
    expect(states[1]).toMatchObject({ label: 'Segment 2', color: SEGMENT_COLORS[2], type: DEFAULT_TYPE });
  });

  it("marks every slice as opened, present where it has voxels, in OHIF's numbering", () => {
    const given = (present: boolean) => ({ confidence: 1, present, prompted: false, given: true });
    expect(states[0].slices).toEqual([given(true), given(true), given(false)]);
    expect(states[1].slices).toEqual([given(false), given(false), given(true)]);
  });
});

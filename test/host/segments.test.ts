/** The panel's segment list: new segments, indices, renames, codes and per-slice results. */
import { DEFAULT_CATEGORY, DEFAULT_TYPE, code } from '../../extension/src/dicom/codes';
import { SEGMENT_PALETTE } from '../../extension/src/dicom/seg-writer';
import type { SegmentState } from '../../extension/src/host/controller-state';
import {
  defaultSegmentLabel,
  editedCodes,
  findSegment,
  newSegment,
  nextSegmentIndex,
  patchSegment,
  renamedLabel,
  withSliceResult,
} from '../../extension/src/host/segments';

const ORGAN = code('113343008', 'SCT', 'Organ');
const MORPH = code('49755003', 'SCT', 'Morphologically Altered Structure');

describe('segment list', () => {
  test('a new segment takes its index’s palette colour, Tissue/Tissue codes, no slice results, nothing stale or prompted', () => {
    const s = newSegment(7, 2, defaultSegmentLabel(2), 5);
    expect(s).toEqual({
      objectId: 7,
      segmentIndex: 2,
      label: 'Segment 2',
      color: SEGMENT_PALETTE[1],
      category: DEFAULT_CATEGORY,
      type: DEFAULT_TYPE,
      slices: [null, null, null, null, null],
      stale: [],
      promptedSlices: [],
    });
    // The palette wraps around.
    expect(newSegment(1, SEGMENT_PALETTE.length + 1, 'x', 1).color).toEqual(SEGMENT_PALETTE[0]);
  });

  test('the next segment index is one past the highest in use, so a freed index is not reused', () => {
    expect(nextSegmentIndex([])).toBe(1);
    const segments = [newSegment(1, 1, 'a', 1), newSegment(3, 4, 'b', 1)];
    expect(nextSegmentIndex(segments)).toBe(5);
  });

  test('a segment is found by its object id, and an unknown id is an error naming it', () => {
    const segments = [newSegment(1, 1, 'a', 1), newSegment(2, 2, 'b', 1)];
    expect(findSegment(segments, 2).label).toBe('b');
    expect(() => findSegment(segments, 9)).toThrow('no segment for object 9');
  });

  test('a rename trims the label and a blank one keeps the old label', () => {
    const s = newSegment(1, 1, 'Liver', 1);
    expect(renamedLabel(s, '  Left kidney ')).toBe('Left kidney');
    expect(renamedLabel(s, '   ')).toBe('Liver');
  });

  test('a code edit changes only the code given', () => {
    const s = newSegment(1, 1, 'a', 1);
    expect(editedCodes(s, { type: ORGAN })).toEqual({ category: DEFAULT_CATEGORY, type: ORGAN });
    expect(editedCodes({ ...s, type: ORGAN }, { category: MORPH })).toEqual({ category: MORPH, type: ORGAN });
  });

  test('a patch changes only its segment and leaves the list it came from as it was', () => {
    const segments: readonly SegmentState[] = [newSegment(1, 1, 'a', 2), newSegment(2, 2, 'b', 2)];
    const patched = patchSegment(segments, 2, (s) => ({ label: `${s.label}!` }));
    expect(patched.map((s) => s.label)).toEqual(['a', 'b!']);
    expect(patched[0]).toBe(segments[0]);
    expect(segments[1].label).toBe('b');
  });

  test('a slice result replaces that slice only, and null clears it', () => {
    const s = newSegment(1, 1, 'a', 3);
    const result = { confidence: 0.9, present: true, prompted: false };
    const slices = withSliceResult(s, 1, result);
    expect(slices).toEqual([null, result, null]);
    expect(withSliceResult({ ...s, slices }, 1, null)).toEqual([null, null, null]);
    expect(s.slices).toEqual([null, null, null]);
  });
});

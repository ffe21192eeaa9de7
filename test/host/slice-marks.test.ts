import type { SegmentState } from '../../extension/src/host/controller-state';
import type { ActiveSeries } from '../../extension/src/host/open-series';
import { newSegment } from '../../extension/src/host/segments';
import { imageIndices, predictedSlices } from '../../extension/src/host/slice-marks';

test('volume slices become OHIF image indices, ascending (a series stored head first)', () => {
  const active = { series: { imageIndexOfSlice: [4, 3, 2, 1, 0] } } as unknown as ActiveSeries;
  expect(imageIndices(active, [0, 2, 3])).toEqual([1, 2, 4]);
  expect(imageIndices(active, new Set<number>())).toEqual([]);
});

test('new settings make stale every slice with a result, except the prompted ones', () => {
  const r = { confidence: 0.9, present: true, prompted: false };
  const s: SegmentState = {
    ...newSegment(1, 1, 'a', 5),
    slices: [r, null, { ...r, prompted: true }, r, { ...r, present: false }],
    promptedSlices: [2],
  };
  expect(predictedSlices(s)).toEqual([0, 3, 4]);
});

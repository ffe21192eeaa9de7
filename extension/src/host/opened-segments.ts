/**
 * The panel's segments for a SEG opened for editing (pure): one per SEG segment, with its label,
 * colour and codes kept (the palette and Tissue codes where the SEG has none), every slice marked
 * as given, and where it came from.
 */
import { DEFAULT_CATEGORY, DEFAULT_TYPE } from '../dicom/codes';
import type { EditableSegment } from '../dicom/seg-for-editing';
import { SEGMENT_COLORS } from '../panel/segment-codes';
import type { SegmentState, SliceResult } from './controller-state';

/** Labelmap segment indices the viewer's labelmap can hold (8-bit). */
export const MAX_SEGMENT_INDEX = 255;

export function openedSegmentStates(
  segments: readonly EditableSegment[],
  ids: readonly { objectId: number; segmentIndex: number }[],
  openedFrom: string,
  /** Display-set image index of each volume slice. */
  imageIndexOfSlice: readonly number[],
): SegmentState[] {
  return segments.map((s, n) => {
    const { objectId, segmentIndex } = ids[n];
    const slices = new Array<SliceResult | null>(imageIndexOfSlice.length).fill(null);
    s.sliceVoxels.forEach((voxels, k) => {
      slices[imageIndexOfSlice[k]] = { confidence: 1, present: voxels > 0, prompted: false, given: true };
    });
    return {
      objectId,
      segmentIndex,
      label: s.label.trim() || `Segment ${s.number}`,
      color: s.color ?? SEGMENT_COLORS[(segmentIndex - 1) % SEGMENT_COLORS.length],
      category: s.category ?? DEFAULT_CATEGORY,
      type: s.type ?? DEFAULT_TYPE,
      slices,
      stale: [],
      promptedSlices: [],
      openedFrom,
    };
  });
}

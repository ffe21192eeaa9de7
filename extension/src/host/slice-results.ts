/**
 * One slice result from the engine (a prompt's answer or a propagated slice) on its way to the
 * screen: its mask is queued for the labelmap, its confidence goes into the segment's strip.
 */
import type { SliceUpdate } from '../engine/session';
import type { ActiveSeries } from './open-series';
import type { SegmentEditor } from './segments';

/**
 * Queues one slice update for painting and records its result (published with the next painted
 * frame). The panel numbers slices as OHIF does: results are kept by image index.
 */
export function showSliceUpdate(
  segments: SegmentEditor,
  active: ActiveSeries,
  update: SliceUpdate,
  prompted: boolean,
): void {
  if (update.axis !== 'axial') return; // secondary axes feed the aggregate; accept() draws it
  const segment = segments.get(update.objectId);
  // A skipped slice's mask is empty: it clears what an earlier run drew there.
  active.paint.write(segment.segmentIndex, update.slice, update.mask);
  const result = {
    confidence: update.confidence,
    present: update.present,
    prompted: prompted || update.direction === 0,
  };
  segments.setSliceResult(update.objectId, active.series.imageIndexOfSlice[update.slice], result, true);
}

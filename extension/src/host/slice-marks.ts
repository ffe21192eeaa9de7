/**
 * What the confidence strip marks besides confidence: the slices of each segment that carry a
 * prompt, and the stale ones — whose result the next propagate (Update) redoes. The engine says
 * which are stale (session.pendingSlices, after a correction, a new prompt or a stopped run); while
 * the panel's settings differ from the ones the session runs with, every predicted slice is, since
 * new settings redo the series. Both lists are in OHIF's numbering (image indices), ascending.
 */
import type { ControllerParts } from './controller-parts';
import type { SegmentState } from './controller-state';
import type { ActiveSeries } from './open-series';
import { sameSettings } from './settings';

/** OHIF image indices of volume slices, ascending. */
export const imageIndices = (active: ActiveSeries, slices: Iterable<number>): number[] =>
  [...slices].map((k) => active.series.imageIndexOfSlice[k]).sort((a, b) => a - b);

/** Every slice of the segment that has a result and no prompt (all of them are redone). */
export const predictedSlices = (s: SegmentState): number[] => {
  const prompted = new Set(s.promptedSlices);
  return s.slices.flatMap((r, k) => (r !== null && !prompted.has(k) ? [k] : []));
};

export class SliceMarks {
  constructor(private readonly parts: ControllerParts) {}

  /** Re-reads the marks of every segment of the open series and publishes them. */
  async refresh(active: ActiveSeries): Promise<void> {
    const { parts } = this;
    const settingsChanged = !sameSettings(active.applied, parts.store.state.settings);
    for (const segment of parts.store.state.segments) {
      const { objectId } = segment;
      const promptedSlices = imageIndices(
        active,
        parts.prompts.of(objectId).map((p) => p.slice),
      );
      const pending = settingsChanged ? [] : await parts.client().pendingSlices(active.sessionId, objectId);
      parts.segments.update(objectId, (s) => ({
        promptedSlices,
        stale: settingsChanged ? predictedSlices({ ...s, promptedSlices }) : imageIndices(active, pending),
      }));
    }
  }
}

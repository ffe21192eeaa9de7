/**
 * "Open SEG…": a SEG series of the study that references the series in view becomes editable
 * segments in the panel. The SEG is fetched and checked first (dicom/seg-for-editing.ts): a SEG
 * that cannot be opened as it is says why and changes nothing. Each of its segments then becomes
 * an engine object given its masks (engine/volume/given-masks.ts: every slice kept as it is until
 * the user corrects one, and a correction changes that slice only), a labelmap segment with the
 * SEG's label, colour and codes, and a panel segment whose strip marks every slice as opened. The
 * untouched first segment the series opened with (no prompt, nothing drawn) makes way for them.
 */
import { readSegForEditing } from '../dicom/seg-for-editing';
import type { ControllerParts } from './controller-parts';
import type { SegmentState } from './controller-state';
import type { ActiveSeries, SeriesSessions } from './open-series';
import { MAX_SEGMENT_INDEX, openedSegmentStates } from './opened-segments';
import { type SegChoice, retrieveSeg, segChoices } from './seg-choices';
import { nextSegmentIndex } from './segments';

export class SegOpener {
  constructor(
    private readonly parts: ControllerParts,
    private readonly series: SeriesSessions,
  ) {}

  /** The SEG series that can be opened on the series in view (none before a series is open). */
  choices(): SegChoice[] {
    const active = this.series.current;
    if (!active) return [];
    const { displaySetService } = this.parts.host.services;
    return segChoices(displaySetService.getActiveDisplaySets(), active.series.displaySet);
  }

  /** Opens the SEG display set `displaySetInstanceUID` as editable segments; the first is selected. */
  async open(displaySetInstanceUID: string): Promise<void> {
    const { parts } = this;
    const { store, host } = parts;
    const active = await this.series.ensure();
    const choice = this.choices().find((c) => c.displaySetInstanceUID === displaySetInstanceUID);
    if (!choice) throw new Error('that SEG series does not reference the series in view');
    store.set({ busy: `Opening ${choice.label}…` });
    const bytes = await retrieveSeg(
      choice,
      host.extensionManager.getActiveDataSource()?.[0],
      host.services.userAuthenticationService,
    );
    const opened = readSegForEditing(bytes, active.series.volume, choice.label);
    const before = store.state.segments;
    const first = nextSegmentIndex(before);
    if (first - 1 + opened.segments.length > MAX_SEGMENT_INDEX)
      throw new Error(
        `${choice.label}: ${opened.segments.length} segments do not fit the labelmap next to the ` +
          `${before.length} already open (at most ${MAX_SEGMENT_INDEX})`,
      );
    // Nothing has changed so far: every refusal above leaves the panel as it was.
    const client = parts.client();
    const ids: { objectId: number; segmentIndex: number }[] = [];
    for (const [n, s] of opened.segments.entries()) {
      const objectId = await client.addObject(active.sessionId, s.label);
      await client.giveMasks(active.sessionId, objectId, s.mask.slice());
      ids.push({ objectId, segmentIndex: first + n });
    }
    const added = openedSegmentStates(opened.segments, ids, choice.label, active.series.imageIndexOfSlice);
    added.forEach((segment, n) => {
      active.labelmap.addSegment(segment.segmentIndex, {
        label: segment.label,
        color: [...segment.color, 255],
      });
      active.labelmap.writeVolume(segment.segmentIndex, opened.segments[n].mask);
    });
    const kept = await this.dropUntouched(active, before);
    store.set({
      segments: [...kept, ...added],
      activeObjectId: added[0]?.objectId ?? store.state.activeObjectId,
      busy: undefined,
      error: undefined,
    });
    if (added[0]) parts.segments.select(active, added[0].objectId);
  }

  /** Removes segments nobody has worked on yet (no prompt, no result, not opened); returns the rest. */
  private async dropUntouched(
    active: ActiveSeries,
    segments: readonly SegmentState[],
  ): Promise<SegmentState[]> {
    const kept: SegmentState[] = [];
    for (const s of segments) {
      const untouched =
        !s.openedFrom && !this.parts.prompts.has(s.objectId) && s.slices.every((r) => r === null);
      if (!untouched) {
        kept.push(s);
        continue;
      }
      await this.parts.client().removeObject(active.sessionId, s.objectId);
      active.labelmap.removeSegment(s.segmentIndex);
    }
    return kept;
  }
}

/**
 * The series the user works on: the active viewport's display set, opened once as an engine
 * session (model, volume, first segment, labelmap) and kept while that viewport shows it.
 */
import { errorText } from '../engine/errors';
import type { ControllerParts } from './controller-parts';
import type { SettingsState } from './controller-state';
import { LabelmapLayer } from './labelmap';
import type { OhifDisplaySet } from './ohif-types';
import { PaintQueue, animationFrameScheduler } from './paint-queue';
import { defaultSegmentLabel, newSegment } from './segments';
import { type SeriesVolume, loadSeriesVolume } from './series';
import { sessionSettings } from './settings';
import { type WorldToVoxel, worldToVoxel } from './world-to-voxel';

/** The engine session on one series, with the labelmap it draws into. */
export interface ActiveSeries {
  readonly series: SeriesVolume;
  readonly sessionId: number;
  readonly labelmap: LabelmapLayer;
  /** Slice masks on their way into the labelmap, written once per frame. */
  readonly paint: PaintQueue;
  readonly toVoxel: WorldToVoxel;
  viewportId: string;
  /** The settings the worker session runs with; the panel's may be newer (applied on propagate). */
  applied: SettingsState;
}

export class SeriesSessions {
  private active: ActiveSeries | null = null;
  private loading: Promise<ActiveSeries> | null = null;
  /**
   * Runs on a series just opened, before anyone else may use it (ensure() waits for it): the
   * saved work on it is replayed here. Must not call ensure().
   */
  whenOpened: (active: ActiveSeries) => Promise<void> = async () => undefined;
  /** Whether a display set is one of the "Use as template" set's (its images are no volume to open). */
  inImageSet: (displaySetInstanceUID: string) => boolean = () => false;

  constructor(private readonly parts: ControllerParts) {}

  /** The open series, if any (no waiting, no opening). */
  get current(): ActiveSeries | null {
    return this.active;
  }

  /** The session on the active viewport's series, opened (model, volume, labelmap) on first use. */
  ensure(): Promise<ActiveSeries> {
    const { viewportId, displaySet } = this.activeViewport();
    if (this.inImageSet(displaySet.displaySetInstanceUID) && this.active)
      return Promise.reject(
        new Error(
          'The viewport shows a series of the "Use as template" set: click the Template line to go back to the template series first.',
        ),
      );
    if (this.active?.series.displaySet.displaySetInstanceUID === displaySet.displaySetInstanceUID) {
      if (this.active.viewportId !== viewportId) {
        this.active.viewportId = viewportId;
        void this.active.labelmap.showIn(viewportId);
      }
      return Promise.resolve(this.active);
    }
    if (!this.loading) {
      this.loading = this.open(viewportId, displaySet).finally(() => (this.loading = null));
    }
    return this.loading;
  }

  /** Whether the active viewport shows this volume slice now. */
  inView(active: ActiveSeries, slice: number): boolean {
    const viewport = this.parts.host.services.cornerstoneViewportService.getCornerstoneViewport(
      active.viewportId,
    );
    return viewport?.getCurrentImageIdIndex?.() === active.series.imageIndexOfSlice[slice];
  }

  close(): void {
    this.active = null;
  }

  private activeViewport(): { viewportId: string; displaySet: OhifDisplaySet } {
    const { viewportGridService, displaySetService } = this.parts.host.services;
    const viewportId = viewportGridService.getState().activeViewportId;
    if (!viewportId) throw new Error('no active viewport: open a series first');
    const uid = viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
    const displaySet = uid ? displaySetService.getDisplaySetByUID(uid) : undefined;
    if (!displaySet) throw new Error('the active viewport shows no series');
    return { viewportId, displaySet };
  }

  private async open(viewportId: string, displaySet: OhifDisplaySet): Promise<ActiveSeries> {
    const { parts } = this;
    const { store } = parts;
    await parts.models.ensure();
    const label =
      `${displaySet.Modality ?? ''} #${displaySet.SeriesNumber ?? '?'} ${displaySet.SeriesDescription ?? ''}`.trim();
    store.set({ series: { status: 'loading', label, loaded: 0, total: displaySet.imageIds?.length ?? 0 } });
    try {
      const { core, tools } = parts.libs();
      const series = await loadSeriesVolume(displaySet, core, (loaded, total) =>
        store.set({ series: { ...store.state.series, loaded, total } }),
      );
      const { volume } = series;
      const applied = store.state.settings;
      const client = parts.client();
      const sessionId = await client.openVolume(
        { data: volume.data.slice(), dims: volume.dims, spacing: volume.spacing, modality: volume.modality },
        volume.seriesInstanceUID,
        sessionSettings(applied),
      );
      const firstLabel = defaultSegmentLabel(1);
      const objectId = await client.addObject(sessionId, firstLabel);
      const segment = newSegment(objectId, 1, firstLabel, volume.dims[2]);
      const labelmap = await LabelmapLayer.create(parts.host.services, core, tools, series, viewportId, {
        label: segment.label,
        color: [...segment.color, 255],
      });
      parts.prompts.clear();
      parts.undoFrames.clear();
      const active: ActiveSeries = {
        series,
        sessionId,
        labelmap,
        paint: new PaintQueue(
          {
            writeSlice: (segmentIndex, slice, mask) => labelmap.writeSlice(segmentIndex, slice, mask, false),
            announce: (slices) => labelmap.changed(slices),
          },
          (slice) => this.inView(active, slice),
          animationFrameScheduler(),
          () => store.publishIfPending(),
          (e) => parts.fail(e),
        ),
        toVoxel: worldToVoxel(volume.affine),
        viewportId,
        applied,
      };
      store.set({
        series: {
          status: 'ready',
          label,
          slices: volume.dims[2],
          loaded: volume.dims[2],
          total: volume.dims[2],
        },
        segments: [segment],
        activeObjectId: objectId,
        preEncoded: [],
        lastPrompt: undefined,
        export: { status: 'idle' },
        error: undefined,
      });
      await this.whenOpened(active);
      this.active = active;
      return active;
    } catch (e) {
      store.set({ series: { status: 'error', label, message: errorText(e) } });
      throw e;
    }
  }
}

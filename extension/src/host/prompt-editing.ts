/**
 * Prompts and their Undo on the open series: a gesture or a voxel prompt becomes the slice's new
 * prompt for the active segment (the engine answers with that slice's mask at once); Undo puts
 * the engine's state, the labelmap and the strip back exactly as they were before the last one.
 * Also what the viewport draws of them (markers) and what automation reads back.
 * After each change the strip's marks (prompted, stale) are read again (slice-marks.ts).
 * The methods here do the work; the controller queues them in order.
 */
import type { Point3 } from './ohif-types';
import type { ControllerParts } from './controller-parts';
import { type VoxelPrompt, gesturePrompt } from './gesture-prompt';
import type { ActiveSeries, SeriesSessions } from './open-series';
import { enginePrompt } from './prompt-history';
import { type Marker, sliceMarkers } from './prompt-markers';
import type { PromptGesture } from './prompt-tool';
import type { SliceMarks } from './slice-marks';
import { showSliceUpdate } from './slice-results';
import { decodeRuns, encodeRuns } from './undo-stack';

export class PromptEditor {
  constructor(
    private readonly parts: ControllerParts,
    private readonly series: SeriesSessions,
    private readonly marks: SliceMarks,
  ) {}

  /** A prompt-tool gesture (world coordinates) on the view plane it was made on. */
  async addGesture(g: PromptGesture, viewPlaneNormal: Point3 | undefined): Promise<void> {
    const active = await this.series.ensure();
    const { dims, normal } = active.series.volume;
    const prompt = gesturePrompt(g, { toVoxel: active.toVoxel, dims, normal }, viewPlaneNormal);
    await this.add(active, prompt);
  }

  /** `p.slice` = OHIF's image index (0-based). */
  async addVoxels(p: VoxelPrompt): Promise<void> {
    const active = await this.series.ensure();
    const slice = active.series.sliceOfImageIndex.get(p.slice);
    if (slice === undefined)
      throw new Error(
        `slice ${p.slice + 1} is not in the series (1..${active.series.imageIndexOfSlice.length})`,
      );
    await this.add(active, { ...p, slice });
  }

  /** A saved prompt given again on the series being opened (`p.slice` = volume slice). */
  async replay(active: ActiveSeries, p: VoxelPrompt): Promise<void> {
    await this.add(active, p);
  }

  /**
   * Undoes the last prompt: the engine's state and the labelmap go back to exactly what they were
   * before it (masks, confidences, and the runs already done, so Propagate has nothing to redo).
   * `opening`: the series being opened (a saved Undo replayed), else the open one.
   */
  async undo(opening?: ActiveSeries): Promise<void> {
    const { parts } = this;
    const change = parts.prompts.peekUndo();
    const active = opening ?? this.series.current;
    if (!change || !active) return parts.say('Nothing to undo: no prompt yet.');
    const frame = parts.undoFrames.pop(change.objectId);
    if (!frame) {
      parts.prompts.clearUndo();
      return parts.say('Nothing more to undo: earlier steps are no longer kept.');
    }
    await parts.client().undoPrompt(active.sessionId, change.objectId);
    parts.prompts.commitUndo();
    parts.work.undo(change.objectId);
    this.redrawMarkers(active);
    const { segmentIndex } = parts.segments.get(change.objectId);
    frame.masks.forEach((runs, k) => active.paint.write(segmentIndex, k, decodeRuns(runs, frame.sliceSize)));
    parts.segments.update(change.objectId, () => ({ slices: frame.results }));
    await active.paint.flush();
    await this.marks.refresh(active);
  }

  /**
   * The prompts to draw on a viewport showing OHIF image `imageIndex` of the open series: every
   * segment's points and box on that slice, in its colour.
   */
  markersOn(viewportId: string, imageIndex: number): Marker[] {
    const active = this.series.current;
    if (!active) return [];
    const shown = this.parts.host.services.viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
    if (shown !== active.series.displaySet.displaySetInstanceUID) return [];
    const slice = active.series.sliceOfImageIndex.get(imageIndex);
    if (slice === undefined) return [];
    const prompts = this.parts.store.state.segments.map((segment) => ({
      color: segment.color,
      prompt: this.parts.prompts.of(segment.objectId).find((p) => p.slice === slice),
    }));
    return sliceMarkers(active.series.volume.affine, slice, prompts);
  }

  /** The active (or given) segment's prompts by OHIF image index, in (column, row) coordinates. */
  promptsOf(objectId?: number): VoxelPrompt[] {
    const id = objectId ?? this.parts.store.state.activeObjectId;
    const active = this.series.current;
    if (id === null || !active) return [];
    return this.parts.prompts
      .of(id)
      .map((p) => ({ ...p, slice: active.series.imageIndexOfSlice[p.slice] }))
      .sort((a, b) => a.slice - b.slice);
  }

  /** `p.slice` is a volume slice here. Resolves once that slice's mask is painted. */
  private async add(active: ActiveSeries, p: VoxelPrompt): Promise<void> {
    const { parts } = this;
    const started = performance.now();
    const objectId = parts.segments.requireActive();
    const next = parts.prompts.merged(objectId, p);
    const { segmentIndex, slices } = parts.segments.get(objectId);
    const [columns, rows, depth] = active.series.volume.dims;
    const before = {
      objectId,
      results: slices,
      masks: Array.from({ length: depth }, (_, k) => encodeRuns(active.labelmap.sliceMask(segmentIndex, k))),
      sliceSize: columns * rows,
    };
    const engine = enginePrompt(next, columns, rows);
    const update = await parts.client().setPrompt(active.sessionId, objectId, 'axial', p.slice, engine, true);
    parts.undoFrames.push(before);
    parts.prompts.record(objectId, p.slice, next);
    parts.work.prompt(objectId, p);
    this.redrawMarkers(active);
    showSliceUpdate(parts.segments, active, update, true);
    await active.paint.flush();
    const lastPrompt = {
      slice: active.series.imageIndexOfSlice[p.slice],
      encoderCached: update.encoderCached,
      ms: Math.round(performance.now() - started),
    };
    parts.store.set({ error: undefined, lastPrompt });
    await this.marks.refresh(active);
  }

  /** Redraws the prompt markers (after a prompt is added or undone). */
  private redrawMarkers(active: ActiveSeries): void {
    this.parts.libs().tools.utilities.triggerAnnotationRenderForViewportIds([active.viewportId]);
  }
}

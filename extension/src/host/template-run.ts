/**
 * "Use as template" in the viewer (paper §3.3): the active segment's prompt on the slice in view
 * segments every image of the chosen display sets (a series of 2D images, a multi-frame series
 * frame by frame, several series) through the worker's 'segment-image-set'. Each image's mask is
 * painted into a labelmap on its display set as it arrives, and listed with its confidence; a
 * click on an image of the set (prompt tool) is a correction: that image becomes one more
 * conditioning image and the set is segmented again (encodings come from the worker's cache).
 * Export writes one SEG per display set (on its volume, or on its 2D images); one that cannot get one says why.
 */
import { errorText } from '../engine/errors';
import { scribblePoints } from '../engine/prompts/freehand';
import type { SlicePrompt } from '../engine/prompts/prompt';
import type { Modality } from '../engine/types';
import type { SetImagePayload } from '../worker/protocol';
import type { ControllerParts } from './controller-parts';
import { IDLE_TEMPLATE, type TemplateState } from './controller-state';
import { LabelmapLayer } from './labelmap';
import type { OhifDisplaySet, Point3 } from './ohif-types';
import type { SeriesSessions } from './open-series';
import { enginePrompt, type HostPrompt } from './prompt-history';
import { type Marker, promptMarkers } from './prompt-markers';
import type { PromptGesture } from './prompt-tool';
import type { SegExport } from './seg-export';
import { SeriesError } from './series';
import { displaySetImageIds, displaySetLabel, giveImageIds, isMultiFrame, loadSetImages } from './set-images';
import { sessionSettings } from './settings';
import { segsPerSeries } from './template-export';
import { maskArea, TemplateSet } from './template-set';

/** A display set the set can take, as the panel offers it. */
export interface TemplateChoice {
  readonly displaySetInstanceUID: string;
  readonly label: string;
  readonly images: number;
  readonly frames: boolean;
}

/** Modalities whose display sets are no images to segment. */
const NOT_IMAGES = new Set(['SEG', 'RTSTRUCT', 'SR', 'PR', 'KO', 'RTPLAN', 'RWV', 'DOC']);

let setCounter = 0;

export class TemplateRun {
  private set: TemplateSet | null = null;
  /** The set's images as loaded (copies go to the worker on every run). */
  private images: SetImagePayload[] = [];
  private modality: Modality = 'OTHER';
  private setId = '';
  private segmentIndex = 1;
  private readonly layers = new Map<string, LabelmapLayer>();
  private running: AbortController | null = null;

  constructor(
    private readonly parts: ControllerParts,
    private readonly series: SeriesSessions,
    private readonly exporter: SegExport,
  ) {}

  /** The study's image display sets other than the template's own series (Propagate covers that). */
  choices(): TemplateChoice[] {
    const active = this.series.current;
    if (!active) return [];
    const own = active.series.displaySet;
    return this.parts.host.services.displaySetService
      .getActiveDisplaySets()
      .filter(
        (d) =>
          d.StudyInstanceUID === own.StudyInstanceUID &&
          d.displaySetInstanceUID !== own.displaySetInstanceUID &&
          !NOT_IMAGES.has(String(d.Modality ?? '')),
      )
      .map((d) => ({
        displaySetInstanceUID: d.displaySetInstanceUID,
        label: displaySetLabel(d),
        images: displaySetImageIds(d, this.dataSource()).length,
        frames: isMultiFrame(d),
      }))
      .filter((c) => c.images > 0);
  }

  private dataSource() {
    return this.parts.host.extensionManager.getActiveDataSource()?.[0];
  }

  /** Pixels of the template's segment per image of display set `uid`, in its labelmap (for tests). */
  coverage(uid: string): number[] {
    return this.layers.get(uid)?.coverage(this.segmentIndex) ?? [];
  }

  /** Stops a running set at once; the images done so far stay. */
  stop(): void {
    this.running?.abort();
  }

  /**
   * The active segment's prompt on the slice in view becomes the template of a set made of every
   * image of the display sets `uids`; says why when there is no such prompt or no set to segment.
   */
  async use(uids: readonly string[]): Promise<void> {
    const { parts } = this;
    const active = this.series.current;
    if (!active)
      return parts.say(
        'Use as template: open a series with the MedSAM-2 tool and click the structure first.',
      );
    const objectId = parts.segments.requireActive();
    const segment = parts.segments.get(objectId);
    const { viewportGridService, cornerstoneViewportService, displaySetService } = parts.host.services;
    const own = active.series.displaySet;
    const inView = viewportGridService.getDisplaySetsUIDsForViewport(active.viewportId)?.[0];
    const index = cornerstoneViewportService
      .getCornerstoneViewport(active.viewportId)
      ?.getCurrentImageIdIndex?.();
    const k =
      inView === own.displaySetInstanceUID && index !== undefined
        ? active.series.sliceOfImageIndex.get(index)
        : undefined;
    if (k === undefined)
      return parts.say(`Use as template: show a slice of ${displaySetLabel(own)} with a prompt first.`);
    const hostPrompt = parts.prompts.of(objectId).find((p) => p.slice === k);
    if (!hostPrompt)
      return parts.say(
        `Use as template: slice ${(index ?? 0) + 1} has no prompt of ${segment.label}: click the structure on it first.`,
      );
    const offered = new Set(this.choices().map((c) => c.displaySetInstanceUID));
    const chosen = uids
      .filter((u) => offered.has(u))
      .map((u) => displaySetService.getDisplaySetByUID(u))
      .filter((d): d is OhifDisplaySet => d !== undefined);
    if (chosen.length === 0) return parts.say('Use as template: choose at least one series to segment.');
    for (const d of chosen) giveImageIds(d, this.dataSource());

    this.stop();
    const [width, height] = active.series.volume.dims;
    const plane = width * height;
    const prompt: HostPrompt = {
      ...(hostPrompt.points ? { points: hostPrompt.points.map((q) => ({ ...q })) } : {}),
      ...(hostPrompt.box ? { box: [...hostPrompt.box] as [number, number, number, number] } : {}),
      ...(hostPrompt.lasso ? { lasso: hostPrompt.lasso.map((v) => ({ ...v })) } : {}),
    };
    const templateName = `${displaySetLabel(own)} slice ${(index ?? 0) + 1} (template)`;
    const set = new TemplateSet(
      { displaySetInstanceUID: own.displaySetInstanceUID, imageIndex: index ?? 0, name: templateName },
      enginePrompt(prompt, width, height),
      chosen.map((d) => ({
        displaySetInstanceUID: d.displaySetInstanceUID,
        label: displaySetLabel(d),
        count: d.imageIds?.length ?? 0,
        frames: isMultiFrame(d),
      })),
    );
    this.set = set;
    this.publish({
      status: 'loading',
      template: templateName,
      done: 0,
      total: set.images.length,
      exports: [],
      shown: undefined,
    });
    try {
      const { core, tools } = parts.libs();
      const images: SetImagePayload[] = [
        {
          data: active.series.volume.data.slice(k * plane, (k + 1) * plane),
          width,
          height,
          name: templateName,
        },
      ];
      for (const d of chosen) {
        const first = set.images.findIndex((r) => r.displaySetInstanceUID === d.displaySetInstanceUID);
        images.push(...(await loadSetImages(d, core, (i) => set.images[first + i].name)));
      }
      this.images = images;
      this.modality = active.series.volume.modality;
      this.setId = `template-${++setCounter}`;
      this.segmentIndex = segment.segmentIndex;
      this.clearLayers();
      for (const d of chosen) {
        const count = d.imageIds?.length ?? 0;
        const first =
          images[set.images.findIndex((r) => r.displaySetInstanceUID === d.displaySetInstanceUID)];
        const grid = {
          displaySet: d,
          imageIndexOfSlice: Array.from({ length: count }, (_, i) => i),
          volume: { dims: [first.width, first.height, count] as const },
        };
        const layer = await LabelmapLayer.create(parts.host.services, core, tools, grid, null, {
          label: segment.label,
          color: [...segment.color, 255],
          segmentIndex: segment.segmentIndex,
        });
        this.layers.set(d.displaySetInstanceUID, layer);
      }
    } catch (e) {
      this.publish({ status: 'failed', message: errorText(e) });
      if (e instanceof SeriesError) return;
      throw e;
    }
    await this.run();
  }

  /** A correction on image `index` of the set (its pixel coordinates): the set is segmented again. */
  async correct(index: number, prompt: SlicePrompt): Promise<void> {
    const set = this.set;
    if (!set) return this.parts.say('Nothing to correct: use a prompted slice as template first.');
    const image = this.images[index];
    const outside = (x: number, y: number) =>
      !(x >= -0.5 && y >= -0.5 && x <= image.width - 0.5 && y <= image.height - 0.5);
    if (image && (prompt.points ?? []).some((q) => outside(q.x, q.y)))
      throw new Error(`the click is outside ${image.name}`);
    set.correct(index, prompt);
    this.parts.store.set({ error: undefined }); // a failure shown before is not this action's
    await this.run();
  }

  /**
   * Undo on the set's images: the last correction is taken back (its markers go) and the set is
   * segmented again, so every image shows what it showed before that correction.
   */
  async undo(): Promise<void> {
    const set = this.set;
    const index = set?.undoCorrection();
    if (!set || index === undefined)
      return this.parts.say('Nothing to undo on the template set: no correction yet.');
    this.parts.store.set({ error: undefined }); // a failure shown before is not this action's
    const viewportId = this.parts.host.services.viewportGridService.getState().activeViewportId;
    if (viewportId) this.parts.libs().tools.utilities.triggerAnnotationRenderForViewportIds([viewportId]);
    await this.run();
  }

  /** The corrections drawn on an image of the set in view (the prompt tool's markers). */
  markersOn(viewportId: string, imageIndex: number): Marker[] {
    const { viewportGridService, cornerstoneViewportService } = this.parts.host.services;
    const uid = viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
    const index = this.set && uid ? this.set.indexOf(uid, imageIndex) : -1;
    const prompt = index > 0 ? this.set?.correction(index) : undefined;
    const imageData = cornerstoneViewportService
      .getCornerstoneViewport(viewportId)
      ?.getImageData?.()?.imageData;
    const segment = this.parts.store.state.segments.find((s) => s.segmentIndex === this.segmentIndex);
    if (!prompt || !imageData) return [];
    const world = (x: number, y: number) => imageData.indexToWorld([x, y, 0]) as Point3;
    return promptMarkers(world, [
      { color: segment?.color ?? [255, 255, 0], prompt: { slice: imageIndex, ...prompt } },
    ]);
  }

  /** Whether the display set is one of the set's (painted by it, corrected by a click on it). */
  hasDisplaySet(uid: string): boolean {
    return this.layers.has(uid);
  }

  /** Whether the viewport shows a display set of the current set (a prompt there is a correction). */
  owns(viewportId: string): boolean {
    const uid = this.parts.host.services.viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
    return !!uid && !!this.set && this.layers.has(uid);
  }

  /** A prompt-tool gesture on an image of the set, as a correction in that image's pixels. */
  async gesture(g: PromptGesture): Promise<void> {
    await this.correctAt(g);
    this.parts.libs().tools.utilities.triggerAnnotationRenderForViewportIds([g.viewportId]);
  }

  private async correctAt(g: PromptGesture): Promise<void> {
    const set = this.set;
    const viewport = this.parts.host.services.cornerstoneViewportService.getCornerstoneViewport(g.viewportId);
    const uid = this.parts.host.services.viewportGridService.getDisplaySetsUIDsForViewport(g.viewportId)?.[0];
    const imageIndex = viewport?.getCurrentImageIdIndex?.();
    const imageId = imageIndex === undefined ? undefined : viewport?.getImageIds?.()[imageIndex];
    const index = set && uid && imageIndex !== undefined ? set.indexOf(uid, imageIndex) : -1;
    if (!set || index < 0 || !imageId) throw new Error('this image is not in the template set');
    // The image in view as cornerstone rendered it: world → pixel index (pixel centres at integers);
    // else cornerstone's image coordinates, which put the top-left corner at 0.
    const imageData = viewport?.getImageData?.()?.imageData;
    const toImage = this.parts.libs().core.utilities?.worldToImageCoords;
    const pixel = (w: Point3) => {
      if (imageData) {
        const [x, y] = imageData.worldToIndex(w);
        return { x, y };
      }
      const [x, y] = toImage?.(imageId, w) ?? [NaN, NaN];
      return { x: x - 0.5, y: y - 0.5 };
    };
    if (g.kind === 'point')
      return this.correct(index, { points: [{ ...pixel(g.world), label: g.include ? 1 : 0 }] });
    if (g.kind === 'box') {
      const a = pixel(g.from);
      const b = pixel(g.to);
      return this.correct(index, {
        box: [Math.min(a.x, b.x), Math.min(a.y, b.y), Math.max(a.x, b.x), Math.max(a.y, b.y)],
      });
    }
    if (g.kind === 'scribble')
      return this.correct(index, { points: scribblePoints(g.path.map(pixel), g.include ? 1 : 0) });
    throw new Error('a lasso is not a correction of a template image: click or drag a box');
  }

  /** Shows image `index` of the set in the active viewport (its display set put there if need be). */
  async jump(index: number): Promise<void> {
    const ref = this.set?.images[index];
    if (!ref) return;
    const { viewportGridService, cornerstoneViewportService, displaySetService } = this.parts.host.services;
    const viewportId = viewportGridService.getState().activeViewportId;
    if (!viewportId) return;
    const uid = ref.displaySetInstanceUID;
    if (viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0] !== uid) {
      const firstImage = displaySetService.getDisplaySetByUID(uid)?.imageIds?.[0];
      viewportGridService.setDisplaySetsForViewport({ viewportId, displaySetInstanceUIDs: [uid] });
      await until(
        () =>
          cornerstoneViewportService.getCornerstoneViewport(viewportId)?.getImageIds?.()[0] === firstImage,
      );
      await this.layers.get(uid)?.showIn(viewportId);
      const active = this.series.current;
      if (active && uid === active.series.displaySet.displaySetInstanceUID)
        await active.labelmap.showIn(viewportId);
    }
    await cornerstoneViewportService.getCornerstoneViewport(viewportId)?.setImageIdIndex?.(ref.imageIndex);
    this.publish({ shown: index });
  }

  /** One SEG per chosen display set (on its volume, or on its 2D images); one that cannot get one says why. */
  async export(): Promise<void> {
    const { parts } = this;
    const set = this.set;
    const model = parts.store.state.model.info;
    if (!set || !model) return parts.say('Nothing to export: use a prompted slice as template first.');
    const segment = parts.store.state.segments.find((s) => s.segmentIndex === this.segmentIndex);
    if (!segment) throw new Error('the template segment is gone');
    for (const x of parts.store.state.template.exports) if (x.downloadUrl) URL.revokeObjectURL(x.downloadUrl);
    this.publish({ exporting: true, exports: [] });
    const exports = await segsPerSeries(parts, set, [...this.layers.keys()], {
      segment,
      model,
      seriesNumber: (study) => this.exporter.nextSeriesNumber(study),
    });
    this.publish({ exporting: false, exports });
  }

  /** Segments the set (again): every image streamed into its labelmap and the list as it comes. */
  private async run(): Promise<void> {
    const set = this.set;
    if (!set) return;
    const { parts } = this;
    const controller = new AbortController();
    this.running = controller;
    this.publish({ status: 'running', done: 0, total: set.images.length, message: undefined, exports: [] });
    const images = this.images.map((img) => ({ ...img, data: img.data.slice() }));
    const stream = parts.client().segmentImageSet(this.setId, images, set.prompts(), {
      modality: this.modality,
      bank: sessionSettings(parts.store.state.settings).bank,
      signal: controller.signal,
    });
    try {
      for await (const u of stream) {
        const mask = new Uint8Array(u.mask);
        set.record(
          u.image,
          { confidence: u.confidence, present: u.present, prompted: u.prompted, area: maskArea(mask) },
          mask,
        );
        const ref = set.images[u.image];
        const layer = this.layers.get(ref.displaySetInstanceUID);
        if (layer && u.image > 0) {
          layer.writeSlice(this.segmentIndex, ref.imageIndex, mask, false);
          layer.changed([ref.imageIndex]);
        }
        // Quietly: the panel refreshes at its own pace while images stream in.
        this.publish({ done: u.progress.done, total: u.progress.total }, true);
        parts.store.publishIfPending();
      }
    } catch (e) {
      this.publish({
        status: 'failed',
        message: errorText(e),
        runs: this.parts.store.state.template.runs + 1,
      });
      throw e;
    } finally {
      if (this.running === controller) this.running = null;
    }
    const stopped = controller.signal.aborted;
    this.publish({
      runs: this.parts.store.state.template.runs + 1,
      status: stopped ? 'stopped' : 'done',
      message: stopped ? 'Stopped: the images done so far are kept.' : undefined,
    });
  }

  private clearLayers(): void {
    for (const layer of this.layers.values()) {
      try {
        this.parts.host.services.segmentationService.remove(layer.segmentationId);
      } catch {
        // already gone with its display set
      }
    }
    this.layers.clear();
  }

  /** The panel's template section: the patch, with the image list read from the set. */
  private publish(patch: Partial<TemplateState>, quiet = false): void {
    const set = this.set;
    const previous = this.parts.store.state.template ?? IDLE_TEMPLATE;
    const images = set
      ? set.images.map((r, index) => {
          const result = set.result(index);
          return {
            index,
            name: r.name,
            displaySetInstanceUID: r.displaySetInstanceUID,
            imageIndex: r.imageIndex,
            prompted: index === 0 || set.correction(index) !== undefined,
            ...(result ? { confidence: result.confidence, present: result.present, area: result.area } : {}),
          };
        })
      : [];
    const template = { ...previous, ...patch, images, corrections: set?.correctionSteps ?? 0 };
    if (quiet) this.parts.store.setQuietly({ template });
    else this.parts.store.set({ template });
  }
}

/** Waits (up to `ms`) until `ready()` holds. */
async function until(ready: () => boolean, ms = 10000): Promise<void> {
  const start = Date.now();
  while (!ready()) {
    if (Date.now() - start > ms) throw new Error('the viewport did not show the series in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The MedSAM-2 session in the viewer: connects the engine worker, the active series, the
 * cornerstone labelmap and the panel. Every panel action is a method here, and the commands module
 * exposes each one. State changes are published as immutable snapshots (ControllerState).
 */
import type { SliceUpdate } from '../engine/session';
import type { EngineClient } from '../worker/client';
import type { ModelInfo } from '../worker/protocol';
import type { Medsam2Config } from './config';
import type { ControllerState, SegmentState, SettingsState } from './controller-state';
import { ActionQueue } from './action-queue';
import { nextSeriesNumber, segSeriesDescription } from './export-naming';
import { exportSegmentation } from './export-seg';
import { type VoxelPrompt, gesturePrompt } from './gesture-prompt';
import { LabelmapLayer } from './labelmap';
import { ModelLoadError, ModelLoader } from './model-loader';
import type {
  CornerstoneCore,
  CornerstoneTools,
  CommandsManager,
  ExtensionManager,
  OhifDisplaySet,
  OhifServices,
  Point3,
} from './ohif-types';
import { PaintQueue, animationFrameScheduler } from './paint-queue';
import { PromptBindings } from './prompt-bindings';
import { PromptHistory } from './prompt-history';
import { PropagationRun } from './propagation-run';
import type { Marker } from './prompt-markers';
import { PROMPT_TOOL_NAME, type PromptGesture } from './prompt-tool';
import { type Rgb, type SegmentCodes, SegmentEditor, defaultSegmentLabel, newSegment } from './segments';
import { type SeriesVolume, loadSeriesVolume } from './series';
import { UndoStack, decodeRuns, encodeRuns } from './undo-stack';
import { DEFAULT_SETTINGS, sameSettings, sessionSettings } from './settings';
import { type WorldToVoxel, worldToVoxel } from './world-to-voxel';

export type { VoxelPrompt } from './gesture-prompt';

export interface HostContext {
  readonly services: OhifServices;
  readonly commandsManager: CommandsManager;
  readonly extensionManager: ExtensionManager;
  readonly config: Medsam2Config;
  /** Why the extension's configuration is unusable (shown as the model error). */
  readonly configError?: string;
}

/** The engine session on one series, with the labelmap it draws into. */
interface ActiveSeries {
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

/** How long the mode's start waits for an image before leaving the tool to the user. */
const START_WAIT_MS = 120_000;

/** How often streamed slice results refresh the panel at most. */
const PANEL_REFRESH_MS = 200;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class Medsam2Controller {
  private snapshot: ControllerState;
  private readonly listeners = new Set<(s: ControllerState) => void>();
  private readonly models: ModelLoader;
  private readonly bindings: PromptBindings;
  private active: ActiveSeries | null = null;
  private seriesLoad: Promise<ActiveSeries> | null = null;
  private readonly prompts = new PromptHistory();
  /** What each prompt's Undo puts back on screen (the engine keeps its own side). */
  private readonly undoFrames = new UndoStack();
  /** Series numbers given to this session's exports (each export gets a new one). */
  private readonly exportedSeriesNumbers: number[] = [];
  private readonly propagation = new PropagationRun();
  private readonly segments: SegmentEditor;
  /** User actions (and so every engine call that changes a session) run one at a time, in order. */
  private readonly actions = new ActionQueue((queued) => this.set({ queued }));
  /** A state change published at the next painted frame (slice results streaming in). */
  private publishPending = false;
  private publishTimer: ReturnType<typeof setTimeout> | undefined;
  private lastPublish = 0;

  constructor(private readonly host: HostContext) {
    this.models = new ModelLoader(host.config, (model) => this.set({ model }), host.configError);
    this.bindings = new PromptBindings(host.services.toolGroupService, host.commandsManager);
    this.segments = new SegmentEditor(
      host.services.segmentationService,
      () => this.snapshot,
      (patch, quiet) => (quiet ? this.setQuietly(patch) : this.set(patch)),
    );
    this.snapshot = {
      model: this.models.current,
      series: { status: 'none' },
      segments: [],
      activeObjectId: null,
      toolActive: false,
      propagation: { running: false, done: 0, total: 0, runs: 0 },
      settings: DEFAULT_SETTINGS,
      export: { status: 'idle' },
      canUndo: false,
      queued: 0,
    };
  }

  // ---- state -------------------------------------------------------------------------------

  get state(): ControllerState {
    return this.snapshot;
  }

  subscribe(listener: (s: ControllerState) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<ControllerState>): void {
    this.snapshot = { ...this.snapshot, ...patch, canUndo: this.prompts.canUndo };
    this.publishPending = false;
    this.lastPublish = Date.now();
    for (const l of this.listeners) l(this.snapshot);
  }

  /** Changes the state now and tells the panel at the next painted frame (see PaintQueue). */
  private setQuietly(patch: Partial<ControllerState>): void {
    this.snapshot = { ...this.snapshot, ...patch, canUndo: this.prompts.canUndo };
    this.publishPending = true;
  }

  /** Publishes quiet changes, at most every PANEL_REFRESH_MS (rebuilding the panel is not free). */
  private publishIfPending(): void {
    if (!this.publishPending || this.publishTimer) return;
    const wait = this.lastPublish + PANEL_REFRESH_MS - Date.now();
    if (wait <= 0) this.set({});
    else
      this.publishTimer = setTimeout(() => {
        this.publishTimer = undefined;
        if (this.publishPending) this.set({});
      }, wait);
  }

  /**
   * Queues a user action behind the ones before it. What cannot run says why in the panel: an
   * error, or a notice (`say`) for an action with nothing to do.
   */
  private act(task: () => Promise<void>): Promise<void> {
    return this.actions.run(async () => {
      if (this.snapshot.notice) this.set({ notice: undefined });
      try {
        await task();
      } catch (e) {
        this.fail(e);
      }
    });
  }

  private say(notice: string): void {
    this.set({ notice });
  }

  private fail(e: unknown): void {
    // A model failure is already on show in the model section; one place is enough.
    if (e instanceof ModelLoadError) this.set({ busy: undefined });
    else this.set({ error: errorText(e), busy: undefined });
  }

  private libs(): { core: CornerstoneCore; tools: CornerstoneTools } {
    const entry = this.host.extensionManager.getModuleEntry(
      '@ohif/extension-cornerstone.utilityModule.common',
    );
    const get = (entry?.exports as { getCornerstoneLibraries?: () => unknown } | undefined)
      ?.getCornerstoneLibraries;
    if (!get) throw new Error('the host has no @ohif/extension-cornerstone utility module');
    const { cornerstone, cornerstoneTools } = get() as {
      cornerstone: CornerstoneCore;
      cornerstoneTools: CornerstoneTools;
    };
    return { core: cornerstone, tools: cornerstoneTools };
  }

  // ---- model ---------------------------------------------------------------------------------

  /** Starts the worker and loads the model once; later calls share the same load. */
  ensureModel(): Promise<ModelInfo> {
    return this.models.ensure();
  }

  private client(): EngineClient {
    return this.models.client();
  }

  // ---- series --------------------------------------------------------------------------------

  private activeViewport(): { viewportId: string; displaySet: OhifDisplaySet } {
    const { viewportGridService, displaySetService } = this.host.services;
    const viewportId = viewportGridService.getState().activeViewportId;
    if (!viewportId) throw new Error('no active viewport: open a series first');
    const uid = viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
    const displaySet = uid ? displaySetService.getDisplaySetByUID(uid) : undefined;
    if (!displaySet) throw new Error('the active viewport shows no series');
    return { viewportId, displaySet };
  }

  /** The session on the active viewport's series, opened (model, volume, labelmap) on first use. */
  ensureSeries(): Promise<ActiveSeries> {
    const { viewportId, displaySet } = this.activeViewport();
    if (this.active?.series.displaySet.displaySetInstanceUID === displaySet.displaySetInstanceUID) {
      if (this.active.viewportId !== viewportId) {
        this.active.viewportId = viewportId;
        void this.active.labelmap.showIn(viewportId);
      }
      return Promise.resolve(this.active);
    }
    if (!this.seriesLoad) {
      this.seriesLoad = this.openSeries(viewportId, displaySet).finally(() => (this.seriesLoad = null));
    }
    return this.seriesLoad;
  }

  private async openSeries(viewportId: string, displaySet: OhifDisplaySet): Promise<ActiveSeries> {
    await this.ensureModel();
    const label =
      `${displaySet.Modality ?? ''} #${displaySet.SeriesNumber ?? '?'} ${displaySet.SeriesDescription ?? ''}`.trim();
    this.set({ series: { status: 'loading', label, loaded: 0, total: displaySet.imageIds?.length ?? 0 } });
    try {
      const { core, tools } = this.libs();
      const series = await loadSeriesVolume(displaySet, core, (loaded, total) =>
        this.set({ series: { ...this.snapshot.series, loaded, total } }),
      );
      const { volume } = series;
      const applied = this.snapshot.settings;
      const sessionId = await this.client().openVolume(
        { data: volume.data.slice(), dims: volume.dims, spacing: volume.spacing, modality: volume.modality },
        volume.seriesInstanceUID,
        sessionSettings(applied),
      );
      const firstLabel = defaultSegmentLabel(1);
      const objectId = await this.client().addObject(sessionId, firstLabel);
      const segment = newSegment(objectId, 1, firstLabel, volume.dims[2]);
      const labelmap = await LabelmapLayer.create(this.host.services, core, tools, series, viewportId, {
        label: segment.label,
        color: [...segment.color, 255],
      });
      this.prompts.clear();
      this.undoFrames.clear();
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
          () => this.publishIfPending(),
          (e) => this.fail(e),
        ),
        toVoxel: worldToVoxel(volume.affine),
        viewportId,
        applied,
      };
      this.active = active;
      this.set({
        series: {
          status: 'ready',
          label,
          slices: volume.dims[2],
          loaded: volume.dims[2],
          total: volume.dims[2],
        },
        segments: [segment],
        activeObjectId: objectId,
        export: { status: 'idle' },
        error: undefined,
      });
      return this.active;
    } catch (e) {
      this.set({ series: { status: 'error', label, message: errorText(e) } });
      throw e;
    }
  }

  // ---- tool ----------------------------------------------------------------------------------

  /**
   * Makes the prompt tool the active tool of every tool group (left = include/box, shift-left and
   * right = exclude) and opens the session.
   */
  async activatePromptTool(): Promise<void> {
    const { core, tools } = this.libs();
    this.addToolToGroups();
    this.bindings.activate(core, tools);
    this.set({ toolActive: true });
    try {
      await this.ensureSeries();
    } catch (e) {
      this.fail(e);
    }
  }

  /** Whether the prompt tool is the active tool of the viewport's tool group. */
  promptToolActiveOn(viewportId: string): boolean {
    const group = this.host.services.toolGroupService.getToolGroupForViewport(viewportId);
    return group?.toolOptions[PROMPT_TOOL_NAME]?.mode === 'Active';
  }

  /**
   * What the MedSAM-2 mode does when it opens: the model starts loading at once, and the prompt
   * tool becomes the active tool as soon as the active viewport shows an image (so the first click
   * on it is a prompt, not a Window/Level drag). Gives up quietly after START_WAIT_MS.
   */
  startOnOpen(): void {
    this.ensureModel().catch(() => undefined); // the model section shows a failure
    const started = Date.now();
    const poll = setInterval(() => {
      if (this.toolActive() || Date.now() - started > START_WAIT_MS) return clearInterval(poll);
      if (!this.imageOnScreen()) return;
      clearInterval(poll);
      void this.activatePromptTool();
    }, 250);
  }

  private toolActive(): boolean {
    return this.snapshot.toolActive;
  }

  private imageOnScreen(): boolean {
    const { viewportGridService, cornerstoneViewportService } = this.host.services;
    const viewportId = viewportGridService.getState().activeViewportId;
    if (!viewportId || !viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0]) return false;
    const index = cornerstoneViewportService.getCornerstoneViewport(viewportId)?.getCurrentImageIdIndex?.();
    return typeof index === 'number' && index >= 0;
  }

  /** Adds the (passive) prompt tool to every tool group that lacks it; safe to call often. */
  addToolToGroups(): void {
    const { toolGroupService } = this.host.services;
    for (const id of toolGroupService.getToolGroupIds()) {
      const group = toolGroupService.getToolGroup(id);
      if (group && !group.hasTool(PROMPT_TOOL_NAME)) group.addTool(PROMPT_TOOL_NAME);
    }
  }

  /**
   * A gesture of the prompt tool on a viewport (world coordinates) → a slice prompt, queued behind
   * the actions before it. A click during a propagation stops it; the prompt then goes in.
   */
  onGesture(g: PromptGesture): Promise<void> {
    // The view plane as it was at the click: the action may run a little later.
    const viewport = this.host.services.cornerstoneViewportService.getCornerstoneViewport(g.viewportId);
    const viewPlaneNormal = viewport?.getCamera().viewPlaneNormal;
    this.stop();
    return this.act(async () => {
      const active = await this.ensureSeries();
      const { dims, normal } = active.series.volume;
      const prompt = gesturePrompt(g, { toVoxel: active.toVoxel, dims, normal }, viewPlaneNormal);
      await this.addPrompt(active, prompt);
    });
  }

  /**
   * Adds a prompt on one slice for the active segment (`slice` = OHIF's image index, 0-based;
   * points accumulate on a slice, a box replaces the slice's box), queued like a click. Resolves
   * once that slice's mask is painted.
   */
  promptVoxels(p: VoxelPrompt): Promise<void> {
    this.stop();
    return this.act(async () => {
      const active = await this.ensureSeries();
      const slice = active.series.sliceOfImageIndex.get(p.slice);
      if (slice === undefined)
        throw new Error(
          `slice ${p.slice + 1} is not in the series (1..${active.series.imageIndexOfSlice.length})`,
        );
      await this.addPrompt(active, { ...p, slice });
    });
  }

  /** `p.slice` is a volume slice here. */
  private async addPrompt(active: ActiveSeries, p: VoxelPrompt): Promise<void> {
    const objectId = this.segments.requireActive();
    const next = this.prompts.merged(objectId, p);
    const { segmentIndex, slices } = this.segments.get(objectId);
    const [columns, rows, depth] = active.series.volume.dims;
    const before = {
      objectId,
      results: slices,
      masks: Array.from({ length: depth }, (_, k) => encodeRuns(active.labelmap.sliceMask(segmentIndex, k))),
      sliceSize: columns * rows,
    };
    const update = await this.client().setPrompt(active.sessionId, objectId, 'axial', p.slice, next, true);
    this.undoFrames.push(before);
    this.prompts.record(objectId, p.slice, next);
    this.redrawMarkers(active);
    this.apply(active, update, true);
    await active.paint.flush();
    this.set({ error: undefined });
  }

  // ---- propagation ---------------------------------------------------------------------------

  /**
   * Propagates the active segment through the series, once the actions before it (the prompts
   * clicked just before) are done. Slices are painted as they arrive; the run ends when the last
   * one is painted. With nothing to do it says so.
   */
  propagate(): Promise<void> {
    return this.act(async () => {
      const active = await this.ensureSeries();
      const objectId = this.segments.requireActive();
      if (!this.prompts.has(objectId)) {
        const { label } = this.segments.get(objectId);
        return this.say(`Nothing to propagate: click on ${label} on one slice first.`);
      }
      await this.applySettings(active);
      const previous = this.snapshot.propagation;
      const runs = previous.runs;
      this.set({ propagation: { running: true, done: 0, total: 0, runs }, error: undefined });
      let stopped = false;
      try {
        stopped = await this.propagation.run(
          (signal) => this.client().propagate(active.sessionId, [objectId], signal),
          (update) => {
            this.apply(active, update, false);
            const { done, total } = update.progress;
            this.setQuietly({ propagation: { running: true, done, total, runs } });
          },
        );
        await active.paint.flush();
      } finally {
        this.set({ propagation: { ...this.snapshot.propagation, running: false, runs: runs + 1 } });
      }
      if (stopped) this.say('Propagation stopped: the slices done so far are kept.');
      else if (this.snapshot.propagation.total === 0) {
        // Nothing ran: the last run's "n/n slices — done" stays on show.
        this.set({ propagation: { ...previous, running: false, runs: runs + 1 } });
        this.say('Every slice is up to date: nothing to propagate.');
      }
    });
  }

  /** Settings changed since the session was opened take effect now: every slice is redone. */
  private async applySettings(active: ActiveSeries): Promise<void> {
    const wanted = this.snapshot.settings;
    if (sameSettings(active.applied, wanted)) return;
    await this.client().updateSettings(active.sessionId, sessionSettings(wanted));
    active.applied = wanted;
    // Every result is redone under the new settings: the old ones cannot come back by Undo.
    this.undoFrames.clear();
    this.prompts.clearUndo();
  }

  /** Stops a running propagation at once (not queued); slices already drawn stay. */
  stop(): void {
    this.propagation.stop();
  }

  // ---- editing -------------------------------------------------------------------------------

  /**
   * Undoes the last prompt: the engine's state and the labelmap go back to exactly what they were
   * before it (masks, confidences, and the runs already done, so Propagate has nothing to redo).
   */
  undo(): Promise<void> {
    this.stop();
    return this.act(async () => {
      const change = this.prompts.peekUndo();
      const active = this.active;
      if (!change || !active) return this.say('Nothing to undo: no prompt yet.');
      const frame = this.undoFrames.pop(change.objectId);
      if (!frame) {
        this.prompts.clearUndo();
        return this.say('Nothing more to undo: earlier steps are no longer kept.');
      }
      await this.client().undoPrompt(active.sessionId, change.objectId);
      this.prompts.commitUndo();
      this.redrawMarkers(active);
      const { segmentIndex } = this.segments.get(change.objectId);
      frame.masks.forEach((runs, k) =>
        active.paint.write(segmentIndex, k, decodeRuns(runs, frame.sliceSize)),
      );
      this.segments.update(change.objectId, () => ({ slices: frame.results }));
      await active.paint.flush();
      this.set({});
    });
  }

  /**
   * Accepts the result: the engine's final volume mask of every segment replaces the labelmap
   * (the per-slice stream and the final mask agree; this also clears slices a later run left
   * empty) and the prompt tool is released.
   */
  accept(): Promise<void> {
    this.stop();
    return this.act(async () => {
      const active = this.active;
      if (!active) return this.say('Nothing to accept: no segmentation yet.');
      await active.paint.flush();
      for (const s of this.snapshot.segments) {
        const mask = await this.client().getMask(active.sessionId, s.objectId);
        active.labelmap.writeVolume(s.segmentIndex, mask);
      }
      this.host.commandsManager.runCommand('setToolActiveToolbar', { toolName: 'WindowLevel' });
      this.set({ toolActive: false, error: undefined });
    });
  }

  // ---- segments (segments.ts) -------------------------------------------------------------

  async addSegment(label?: string): Promise<number | undefined> {
    let added: number | undefined;
    await this.act(async () => {
      const active = await this.ensureSeries();
      added = await this.segments.add(active, active.series.volume.dims[2], label, (name) =>
        this.client().addObject(active.sessionId, name),
      );
    });
    return added;
  }

  selectSegment(objectId: number): void {
    this.segments.select(this.active, objectId);
  }

  renameSegment(objectId: number, label: string): void {
    this.segments.rename(this.active, objectId, label);
  }

  setSegmentColor(objectId: number, color: Rgb): void {
    this.segments.setColor(this.active, objectId, color);
  }

  setSegmentCodes(objectId: number, codes: SegmentCodes): void {
    this.segments.setCodes(objectId, codes);
  }

  // ---- settings and navigation ---------------------------------------------------------------

  /** New settings apply to the next propagation, on the current series too (it is redone in full). */
  updateSettings(patch: Partial<SettingsState>): void {
    this.set({ settings: { ...this.snapshot.settings, ...patch } });
  }

  /** Scrolls the active viewport to OHIF's image `index` (0-based; confidence strip clicks). */
  async jumpToSlice(index: number): Promise<void> {
    const active = this.active;
    if (!active) return;
    const viewport = this.host.services.cornerstoneViewportService.getCornerstoneViewport(active.viewportId);
    if (viewport?.setImageIdIndex && index >= 0 && index < active.series.imageIndexOfSlice.length)
      await viewport.setImageIdIndex(index);
  }

  /** Whether the active viewport shows this volume slice now. */
  private inView(active: ActiveSeries, slice: number): boolean {
    const viewport = this.host.services.cornerstoneViewportService.getCornerstoneViewport(active.viewportId);
    return viewport?.getCurrentImageIdIndex?.() === active.series.imageIndexOfSlice[slice];
  }

  // ---- export --------------------------------------------------------------------------------

  /** Writes a DICOM SEG of every segment, stores it with STOW-RS, or offers it for download. */
  exportSeg(): Promise<void> {
    this.stop();
    return this.actions.run(() => this.writeSeg());
  }

  private async writeSeg(): Promise<void> {
    const previous = this.snapshot.export.downloadUrl;
    if (previous) URL.revokeObjectURL(previous);
    try {
      const active = this.active;
      const info = this.snapshot.model.info;
      if (!active || !info) throw new Error('nothing to export: no segmentation yet');
      this.set({ export: { status: 'writing' } });
      const masks: { segment: SegmentState; mask: Uint8Array }[] = [];
      for (const segment of this.snapshot.segments) {
        masks.push({
          segment,
          mask: await this.client().getMask(active.sessionId, segment.objectId),
        });
      }
      // A new series each time, named after its segments and the time (export-naming.ts).
      const study = active.series.displaySet.StudyInstanceUID;
      const inUse = this.host.services.displaySetService
        .getActiveDisplaySets()
        .filter((d) => d.StudyInstanceUID === study)
        .map((d) => Number(d.SeriesNumber));
      const seriesNumber = nextSeriesNumber([...inUse, ...this.exportedSeriesNumbers]);
      const seriesDescription = segSeriesDescription(
        masks.map((m) => m.segment.label),
        new Date(),
      );
      const result = await exportSegmentation({
        volume: active.series.volume,
        segments: masks,
        model: info,
        seriesNumber,
        seriesDescription,
        format: this.host.config.segFormat,
        dataSource: this.host.extensionManager.getActiveDataSource()?.[0],
        onStoring: () => this.set({ export: { status: 'storing' } }),
      });
      this.exportedSeriesNumbers.push(seriesNumber);
      this.set({ export: { ...result, seriesNumber, seriesDescription }, error: undefined });
    } catch (e) {
      this.set({ export: { status: 'failed', message: errorText(e) } });
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * Queues one slice update for painting and records its result (published with the next painted
   * frame). The panel numbers slices as OHIF does: results are kept by image index.
   */
  private apply(active: ActiveSeries, update: SliceUpdate, prompted: boolean): void {
    if (update.axis !== 'axial') return; // secondary axes feed the aggregate; accept() draws it
    const segment = this.segments.get(update.objectId);
    // A skipped slice's mask is empty: it clears what an earlier run drew there.
    active.paint.write(segment.segmentIndex, update.slice, update.mask);
    const result = {
      confidence: update.confidence,
      present: update.present,
      prompted: prompted || update.direction === 0,
    };
    this.segments.setSliceResult(
      update.objectId,
      active.series.imageIndexOfSlice[update.slice],
      result,
      true,
    );
  }

  /**
   * The prompts to draw on a viewport showing OHIF image `imageIndex` of the open series: every
   * segment's points and box on that slice, in its colour.
   */
  markersOn(viewportId: string, imageIndex: number): Marker[] {
    const active = this.active;
    if (!active) return [];
    const shown = this.host.services.viewportGridService.getDisplaySetsUIDsForViewport(viewportId)?.[0];
    if (shown !== active.series.displaySet.displaySetInstanceUID) return [];
    const slice = active.series.sliceOfImageIndex.get(imageIndex);
    if (slice === undefined) return [];
    const a = active.series.volume.affine;
    const world = (x: number, y: number): Point3 => [
      a[0] * x + a[1] * y + a[2] * slice + a[3],
      a[4] * x + a[5] * y + a[6] * slice + a[7],
      a[8] * x + a[9] * y + a[10] * slice + a[11],
    ];
    const out: Marker[] = [];
    for (const segment of this.snapshot.segments) {
      const color = `rgb(${segment.color.join(', ')})`;
      const prompt = this.prompts.of(segment.objectId).find((p) => p.slice === slice);
      for (const p of prompt?.points ?? [])
        out.push({ kind: p.label === 1 ? 'include' : 'exclude', world: world(p.x, p.y), color });
      const b = prompt?.box;
      if (b)
        out.push({
          kind: 'box',
          corners: [world(b[0], b[1]), world(b[2], b[1]), world(b[2], b[3]), world(b[0], b[3])],
          color,
        });
    }
    return out;
  }

  /** Redraws the prompt markers (after a prompt is added or undone). */
  private redrawMarkers(active: ActiveSeries): void {
    this.libs().tools.utilities.triggerAnnotationRenderForViewportIds([active.viewportId]);
  }

  /** Pixel counts of a segment in the labelmap, by OHIF image index (for tests and automation). */
  labelmapCoverage(objectId?: number): number[] {
    const active = this.active;
    if (!active) return [];
    const s = this.segments.get(objectId ?? this.segments.requireActive());
    const bySlice = active.labelmap.coverage(s.segmentIndex);
    return active.series.imageIndexOfSlice.map(
      (_, image) => bySlice[active.series.sliceOfImageIndex.get(image) ?? -1] ?? 0,
    );
  }

  /** The active (or given) segment's prompts by OHIF image index, in (column, row) coordinates. */
  promptsOf(objectId?: number): VoxelPrompt[] {
    const id = objectId ?? this.snapshot.activeObjectId;
    const active = this.active;
    if (id === null || !active) return [];
    return this.prompts
      .of(id)
      .map((p) => ({ ...p, slice: active.series.imageIndexOfSlice[p.slice] }))
      .sort((a, b) => a.slice - b.slice);
  }

  dispose(): void {
    this.stop();
    this.models.dispose();
    this.active = null;
    this.listeners.clear();
  }
}

/**
 * The MedSAM-2 session in the viewer: connects the engine worker, the active series, the
 * cornerstone labelmap and the panel. Every panel action is a method here, and the commands module
 * exposes each one. State changes are published as immutable snapshots (ControllerState).
 *
 * The controller orders the actions (one queue, so a click before Propagate is in before it runs)
 * and says why one could not run; the work is done by its parts: open-series (the session on the
 * viewport's series), tool-startup (model and prompt tool when the mode opens), prompt-editing
 * (prompts, Undo, markers), propagation (Propagate, Update, Propagate between), slice-marks (the
 * strip's stale and prompted slices), seg-export, and segments (the segment list).
 */
import { errorText } from '../engine/errors';
import type { SlicePrompt } from '../engine/prompts/prompt';
import type { ModelInfo } from '../worker/protocol';
import { ActionQueue } from './action-queue';
import type { ControllerParts, HostContext } from './controller-parts';
import { type ControllerState, IDLE_TEMPLATE, type SettingsState } from './controller-state';
import { cornerstoneLibs } from './cornerstone-libs';
import type { VoxelPrompt } from './gesture-prompt';
import { ModelLoadError, ModelLoader } from './model-loader';
import { type ActiveSeries, SeriesSessions } from './open-series';
import { PromptEditor } from './prompt-editing';
import { PromptHistory } from './prompt-history';
import type { Marker } from './prompt-markers';
import type { PromptGesture } from './prompt-tool';
import { Propagation } from './propagation';
import { SegExport } from './seg-export';
import type { SegChoice } from './seg-choices';
import { SegOpener } from './seg-open';
import { type Rgb, type SegmentCodes, SegmentEditor } from './segments';
import { browserStorage } from './saved-work';
import { loadSettings, saveSettings } from './settings-storage';
import { SliceMarks, predictedSlices } from './slice-marks';
import { StateStore } from './state-store';
import { type TemplateChoice, TemplateRun } from './template-run';
import { ToolStartup } from './tool-startup';
import { UndoStack } from './undo-stack';
import { WorkKeeper } from './work-keeper';

export type { VoxelPrompt } from './gesture-prompt';
export type { HostContext } from './controller-parts';

export class Medsam2Controller {
  private readonly parts: ControllerParts;
  private readonly store: StateStore;
  private readonly series: SeriesSessions;
  private readonly tool: ToolStartup;
  private readonly prompts: PromptEditor;
  private readonly propagation: Propagation;
  private readonly exporter: SegExport;
  private readonly opener: SegOpener;
  private readonly marks: SliceMarks;
  private readonly template: TemplateRun;
  /** An automatic Update is queued (one is enough: it redoes whatever is stale when it runs). */
  private autoUpdateQueued = false;
  /** User actions (and so every engine call that changes a session) run one at a time, in order. */
  private readonly actions = new ActionQueue((queued) => this.store.set({ queued }));

  constructor(private readonly host: HostContext) {
    const history = new PromptHistory();
    // The loader publishes into the store once it loads (never from its constructor).
    const models = new ModelLoader(host.config, (model) => store.set({ model }), host.configError);
    const store = new StateStore(
      {
        model: models.current,
        series: { status: 'none' },
        segments: [],
        activeObjectId: null,
        toolActive: false,
        propagation: { running: false, done: 0, total: 0, runs: 0 },
        settings: loadSettings(browserStorage()),
        export: { status: 'idle' },
        template: IDLE_TEMPLATE,
        canUndo: false,
        preEncoded: [],
        queued: 0,
      },
      () => ({ canUndo: history.canUndo }),
    );
    this.store = store;
    this.parts = {
      host,
      store,
      models,
      prompts: history,
      undoFrames: new UndoStack(),
      work: new WorkKeeper(store),
      segments: new SegmentEditor(
        host.services.segmentationService,
        () => store.state,
        (patch, quiet) => (quiet ? store.setQuietly(patch) : store.set(patch)),
      ),
      libs: () => cornerstoneLibs(host.extensionManager),
      client: () => models.client(),
      say: (notice) => store.set({ notice }),
      fail: (e) => this.fail(e),
    };
    this.series = new SeriesSessions(this.parts);
    this.tool = new ToolStartup(this.parts, this.series);
    this.marks = new SliceMarks(this.parts);
    this.prompts = new PromptEditor(this.parts, this.series, this.marks);
    this.propagation = new Propagation(this.parts, this.series, this.marks);
    this.exporter = new SegExport(this.parts, this.series);
    this.opener = new SegOpener(this.parts, this.series);
    this.template = new TemplateRun(this.parts, this.series, this.exporter);
    this.series.inImageSet = (uid) => this.template.hasDisplaySet(uid);
    this.series.whenOpened = (active) => this.restoreSavedWork(active);
  }

  // ---- state -------------------------------------------------------------------------------

  get state(): ControllerState {
    return this.store.state;
  }

  subscribe(listener: (s: ControllerState) => void): () => void {
    return this.store.subscribe(listener);
  }

  /**
   * Queues a user action behind the ones before it. What cannot run says why in the panel: an
   * error, or a notice (`say`) for an action with nothing to do.
   */
  private act(task: () => Promise<void>): Promise<void> {
    return this.actions.run(async () => {
      if (this.store.state.notice) this.store.set({ notice: undefined });
      try {
        await task();
      } catch (e) {
        this.fail(e);
      }
    });
  }

  private fail(e: unknown): void {
    // A model failure is already on show in the model section; one place is enough.
    if (e instanceof ModelLoadError) this.store.set({ busy: undefined });
    else this.store.set({ error: errorText(e), busy: undefined });
  }

  // ---- model and tool (tool-startup.ts) -----------------------------------------------------

  /** Starts the worker and loads the model once; later calls share the same load. */
  ensureModel(): Promise<ModelInfo> {
    return this.parts.models.ensure();
  }

  activatePromptTool(): Promise<void> {
    return this.tool.activatePromptTool();
  }

  promptToolActiveOn(viewportId: string): boolean {
    return this.tool.promptToolActiveOn(viewportId);
  }

  startOnOpen(): void {
    this.tool.startOnOpen();
  }

  addToolToGroups(): void {
    this.tool.addToolToGroups();
  }

  // ---- prompts (prompt-editing.ts) ----------------------------------------------------------

  /**
   * A gesture of the prompt tool on a viewport (world coordinates) → a slice prompt, queued behind
   * the actions before it. A click during a propagation stops it; the prompt then goes in.
   */
  onGesture(g: PromptGesture): Promise<void> {
    if (this.template.owns(g.viewportId)) {
      // On an image of a "Use as template" set: a correction of that image.
      this.template.stop();
      return this.act(() => this.template.gesture(g));
    }
    // The view plane as it was at the click: the action may run a little later.
    const viewport = this.host.services.cornerstoneViewportService.getCornerstoneViewport(g.viewportId);
    const viewPlaneNormal = viewport?.getCamera().viewPlaneNormal;
    this.stop();
    return this.act(async () => {
      await this.prompts.addGesture(g, viewPlaneNormal);
      this.afterCorrection();
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
      await this.prompts.addVoxels(p);
      this.afterCorrection();
    });
  }

  /**
   * With "Update automatically after a correction" on, a prompt on a segment that was propagated
   * queues an Update behind the actions already waiting (clicks in a row: one Update after them).
   */
  private afterCorrection(): void {
    const s = this.store.state;
    const segment = s.segments.find((x) => x.objectId === s.activeObjectId);
    if (!s.settings.autoUpdate || this.autoUpdateQueued || !segment) return;
    if (segment.stale.length === 0 || predictedSlices(segment).length === 0) return;
    this.autoUpdateQueued = true;
    void this.act(() => {
      this.autoUpdateQueued = false;
      return this.propagation.update(true);
    });
  }

  /**
   * Undoes the last prompt (engine state, labelmap and strip as they were before it). With an image
   * of the template set in the active viewport, the last correction of the set instead: Undo never
   * takes back work the user does not see.
   */
  undo(): Promise<void> {
    const viewportId = this.host.services.viewportGridService.getState().activeViewportId;
    if (viewportId && this.template.owns(viewportId)) return this.undoTemplateCorrection();
    this.stop();
    return this.act(() => this.prompts.undo());
  }

  markersOn(viewportId: string, imageIndex: number): Marker[] {
    if (this.template.owns(viewportId)) return this.template.markersOn(viewportId, imageIndex);
    return this.prompts.markersOn(viewportId, imageIndex);
  }

  promptsOf(objectId?: number): VoxelPrompt[] {
    return this.prompts.promptsOf(objectId);
  }

  // ---- saved work (work-keeper.ts) --------------------------------------------------------------

  /** Forgets this browser's saved copy of the work on the open series (it stays on screen). */
  clearSavedWork(): void {
    this.parts.work.clear();
  }

  /** The engine settings a saved run had; the viewer's own (update automatically) stay as they are. */
  private replaySettings(settings: SettingsState): void {
    this.store.set({ settings: { ...settings, autoUpdate: this.store.state.settings.autoUpdate } });
  }

  /** The saved work on a series being opened, replayed through the same paths as the user's actions. */
  private restoreSavedWork(active: ActiveSeries): Promise<void> {
    const { segments } = this.parts;
    return this.parts.work.opened(active, {
      prompt: (a, p) => this.prompts.replay(a, p),
      undo: (a) => this.prompts.undo(a),
      propagate: async (a, settings) => {
        this.replaySettings(settings);
        await this.propagation.propagate(a);
      },
      between: async (a, from, to, settings) => {
        this.replaySettings(settings);
        await this.propagation.betweenSlices({ active: a, objectId: segments.requireActive() }, from, to);
      },
      segment: async (a, saved, index) => {
        const objectId =
          index === 0
            ? segments.requireActive()
            : await segments.add(a, a.series.volume.dims[2], saved.label, (name) =>
                this.parts.client().addObject(a.sessionId, name),
              );
        segments.rename(a, objectId, saved.label);
        segments.setColor(a, objectId, saved.color);
        segments.setCodes(objectId, { category: saved.category, type: saved.type });
        return objectId;
      },
      select: (a, objectId) => segments.select(a, objectId),
    });
  }

  // ---- propagation (propagation.ts) ---------------------------------------------------------

  /**
   * Propagates the active segment through the series, once the actions before it (the prompts
   * clicked just before) are done. Slices are painted as they arrive; the run ends when the last
   * one is painted. With nothing to do it says so.
   */
  propagate(): Promise<void> {
    return this.act(() => this.propagation.propagate());
  }

  /** Redoes the active segment's stale slices only (marked in the strip after a correction). */
  update(): Promise<void> {
    return this.act(() => this.propagation.update());
  }

  /** Propagates the active segment between two of its prompted slices (OHIF image indices). */
  propagateBetween(fromImage: number, toImage: number): Promise<void> {
    return this.act(() => this.propagation.between(fromImage, toImage));
  }

  /** Stops a running propagation at once (not queued); slices already drawn stay. */
  stop(): void {
    this.propagation.stop();
  }

  /**
   * Accepts the result: the engine's final volume mask of every segment replaces the labelmap
   * (the per-slice stream and the final mask agree; this also clears slices a later run left
   * empty) and the prompt tool is released.
   */
  accept(): Promise<void> {
    this.stop();
    return this.act(async () => {
      const active = this.series.current;
      if (!active) return this.parts.say('Nothing to accept: no segmentation yet.');
      await active.paint.flush();
      for (const s of this.store.state.segments) {
        const mask = await this.parts.client().getMask(active.sessionId, s.objectId);
        active.labelmap.writeVolume(s.segmentIndex, mask);
      }
      this.host.commandsManager.runCommand('setToolActiveToolbar', { toolName: 'WindowLevel' });
      this.tool.deactivated();
      this.store.set({ toolActive: false, error: undefined });
    });
  }

  // ---- segments (segments.ts) -------------------------------------------------------------

  async addSegment(label?: string): Promise<number | undefined> {
    let added: number | undefined;
    await this.act(async () => {
      const active = await this.series.ensure();
      added = await this.parts.segments.add(active, active.series.volume.dims[2], label, (name) =>
        this.parts.client().addObject(active.sessionId, name),
      );
      this.parts.work.save();
    });
    return added;
  }

  selectSegment(objectId: number): void {
    this.parts.segments.select(this.series.current, objectId);
  }

  renameSegment(objectId: number, label: string): void {
    this.parts.segments.rename(this.series.current, objectId, label);
    this.parts.work.save();
  }

  setSegmentColor(objectId: number, color: Rgb): void {
    this.parts.segments.setColor(this.series.current, objectId, color);
    this.parts.work.save();
  }

  setSegmentCodes(objectId: number, codes: SegmentCodes): void {
    this.parts.segments.setCodes(objectId, codes);
    this.parts.work.save();
  }

  // ---- opening a SEG for editing (seg-open.ts) ------------------------------------------------

  /** The SEG series of the study that reference the series in view ("Open SEG…" lists them). */
  segChoices(): SegChoice[] {
    return this.opener.choices();
  }

  /** Opens a SEG series as editable segments, queued like every action; a refusal changes nothing. */
  openSeg(displaySetInstanceUID: string): Promise<void> {
    this.stop();
    return this.act(() => this.opener.open(displaySetInstanceUID));
  }

  // ---- "Use as template" (template-run.ts) ----------------------------------------------------

  /** The study's display sets a template can be applied to. */
  templateChoices(): TemplateChoice[] {
    return this.template.choices();
  }

  /** The active segment's prompt on the slice in view segments every image of display sets `uids`. */
  useAsTemplate(uids: readonly string[]): Promise<void> {
    this.stop();
    return this.act(() => this.template.use(uids));
  }

  /** A correction on image `index` of the set (pixel coordinates): a new conditioning image. */
  correctTemplateImage(index: number, prompt: SlicePrompt): Promise<void> {
    this.template.stop();
    return this.act(() => this.template.correct(index, prompt));
  }

  /** Takes the set's last correction back and segments the set again. */
  undoTemplateCorrection(): Promise<void> {
    this.template.stop();
    return this.act(() => this.template.undo());
  }

  /** Shows image `index` of the set in the active viewport. */
  showTemplateImage(index: number): Promise<void> {
    return this.template.jump(index).catch((e) => this.fail(e));
  }

  /** Pixels of the set's segment per image of display set `uid`, in its labelmap. */
  templateCoverage(uid: string): number[] {
    return this.template.coverage(uid);
  }

  stopTemplate(): void {
    this.template.stop();
  }

  /** One SEG per display set of the set (on its volume, or on its 2D images); one that cannot get one says why. */
  exportTemplateSegs(): Promise<void> {
    return this.actions.run(() => this.template.export().catch((e) => this.fail(e)));
  }

  // ---- settings and navigation ---------------------------------------------------------------

  /**
   * New settings apply to the next propagation, on the current series too (it is redone in full:
   * the strip marks its slices stale meanwhile). They are kept for the next page load.
   */
  updateSettings(patch: Partial<SettingsState>): void {
    const settings = { ...this.store.state.settings, ...patch };
    this.store.set({ settings });
    saveSettings(browserStorage(), settings);
    const active = this.series.current;
    if (active) void this.act(() => this.marks.refresh(active));
  }

  /** Scrolls the active viewport to OHIF's image `index` (0-based; confidence strip clicks). */
  async jumpToSlice(index: number): Promise<void> {
    const active = this.series.current;
    if (!active) return;
    const viewport = this.host.services.cornerstoneViewportService.getCornerstoneViewport(active.viewportId);
    if (viewport?.setImageIdIndex && index >= 0 && index < active.series.imageIndexOfSlice.length)
      await viewport.setImageIdIndex(index);
  }

  // ---- export (seg-export.ts) ---------------------------------------------------------------

  /** Writes a DICOM SEG of every segment, stores it with STOW-RS, or offers it for download. */
  exportSeg(): Promise<void> {
    this.stop();
    return this.actions.run(() => this.exporter.write());
  }

  /** Pixel counts of a segment in the labelmap, by OHIF image index (for tests and automation). */
  labelmapCoverage(objectId?: number): number[] {
    const active = this.series.current;
    if (!active) return [];
    const s = this.parts.segments.get(objectId ?? this.parts.segments.requireActive());
    const bySlice = active.labelmap.coverage(s.segmentIndex);
    return active.series.imageIndexOfSlice.map(
      (_, image) => bySlice[active.series.sliceOfImageIndex.get(image) ?? -1] ?? 0,
    );
  }

  dispose(): void {
    this.stop();
    this.template.stop();
    this.parts.models.dispose();
    this.series.close();
    this.store.dispose();
  }
}

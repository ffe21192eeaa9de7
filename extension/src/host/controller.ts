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
} from './ohif-types';
import { PromptBindings } from './prompt-bindings';
import { PromptHistory } from './prompt-history';
import { PropagationRun } from './propagation-run';
import { PROMPT_TOOL_NAME, type PromptGesture } from './prompt-tool';
import { type Rgb, type SegmentCodes, SegmentEditor, defaultSegmentLabel, newSegment } from './segments';
import { type SeriesVolume, loadSeriesVolume } from './series';
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
  readonly toVoxel: WorldToVoxel;
  viewportId: string;
  /** The settings the worker session runs with; the panel's may be newer (applied on propagate). */
  applied: SettingsState;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class Medsam2Controller {
  private snapshot: ControllerState;
  private readonly listeners = new Set<(s: ControllerState) => void>();
  private readonly models: ModelLoader;
  private readonly bindings: PromptBindings;
  private active: ActiveSeries | null = null;
  private seriesLoad: Promise<ActiveSeries> | null = null;
  private readonly prompts = new PromptHistory();
  private readonly propagation = new PropagationRun();
  private readonly segments: SegmentEditor;
  /** Engine calls that change a session run one at a time, in call order. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: HostContext) {
    this.models = new ModelLoader(host.config, (model) => this.set({ model }), host.configError);
    this.bindings = new PromptBindings(host.services.toolGroupService, host.commandsManager);
    this.segments = new SegmentEditor(
      host.services.segmentationService,
      () => this.snapshot,
      (patch) => this.set(patch),
    );
    this.snapshot = {
      model: this.models.current,
      series: { status: 'none' },
      segments: [],
      activeObjectId: null,
      toolActive: false,
      propagation: { running: false, done: 0, total: 0 },
      settings: DEFAULT_SETTINGS,
      export: { status: 'idle' },
      canUndo: false,
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
    for (const l of this.listeners) l(this.snapshot);
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
      this.active = {
        series,
        sessionId,
        labelmap,
        toVoxel: worldToVoxel(volume.affine),
        viewportId,
        applied,
      };
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

  /** Adds the (passive) prompt tool to every tool group that lacks it; safe to call often. */
  addToolToGroups(): void {
    const { toolGroupService } = this.host.services;
    for (const id of toolGroupService.getToolGroupIds()) {
      const group = toolGroupService.getToolGroup(id);
      if (group && !group.hasTool(PROMPT_TOOL_NAME)) group.addTool(PROMPT_TOOL_NAME);
    }
  }

  /** A gesture of the prompt tool on a viewport (world coordinates) → a slice prompt. */
  async onGesture(g: PromptGesture): Promise<void> {
    try {
      const active = await this.ensureSeries();
      const { dims, normal } = active.series.volume;
      const viewport = this.host.services.cornerstoneViewportService.getCornerstoneViewport(g.viewportId);
      const prompt = gesturePrompt(
        g,
        { toVoxel: active.toVoxel, dims, normal },
        viewport?.getCamera().viewPlaneNormal,
      );
      await this.promptVoxels(prompt);
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Adds a prompt on one slice for the active segment (points accumulate on a slice, a box replaces
   * the slice's box) and draws that slice's mask as soon as the decoder returns.
   */
  async promptVoxels(p: VoxelPrompt): Promise<SliceUpdate> {
    await this.stopAndWait();
    const active = await this.ensureSeries();
    const objectId = this.segments.requireActive();
    const next = this.prompts.merged(objectId, p);
    const update = await this.serial(() =>
      this.client().setPrompt(active.sessionId, objectId, 'axial', p.slice, next),
    );
    this.prompts.record(objectId, p.slice, next);
    this.apply(active, update, true);
    this.set({ error: undefined });
    return update;
  }

  // ---- propagation ---------------------------------------------------------------------------

  /** Propagates the active segment through the series, drawing each slice as it arrives. */
  async propagate(): Promise<void> {
    try {
      await this.stopAndWait();
      const active = await this.ensureSeries();
      const objectId = this.segments.requireActive();
      if (!this.prompts.has(objectId)) throw new Error('add a prompt on a slice first');
      await this.applySettings(active);
      this.set({ propagation: { running: true, done: 0, total: 0 }, error: undefined });
      try {
        await this.propagation.run(
          (signal) => this.client().propagate(active.sessionId, [objectId], signal),
          (update) => {
            this.apply(active, update, false);
            const { done, total } = update.progress;
            this.set({ propagation: { running: true, done, total } });
          },
        );
      } finally {
        this.set({ propagation: { ...this.snapshot.propagation, running: false } });
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /** Settings changed since the session was opened take effect now: every slice is redone. */
  private async applySettings(active: ActiveSeries): Promise<void> {
    const wanted = this.snapshot.settings;
    if (sameSettings(active.applied, wanted)) return;
    await this.serial(() => this.client().updateSettings(active.sessionId, sessionSettings(wanted)));
    active.applied = wanted;
  }

  /** Stops a running propagation; slices already drawn stay. */
  stop(): void {
    this.propagation.stop();
  }

  private stopAndWait(): Promise<void> {
    return this.propagation.stopAndWait();
  }

  // ---- editing -------------------------------------------------------------------------------

  /** Undoes the last prompt: the slice gets its previous prompt back, or loses its prompt. */
  async undo(): Promise<void> {
    try {
      await this.stopAndWait();
      const change = this.prompts.peekUndo();
      const active = this.active;
      if (!change || !active) return;
      const { objectId, slice, prompt } = change;
      if (prompt) {
        const update = await this.serial(() =>
          this.client().setPrompt(active.sessionId, objectId, 'axial', slice, prompt),
        );
        this.prompts.commitUndo();
        this.apply(active, update, true);
      } else {
        await this.serial(() => this.client().removePrompt(active.sessionId, objectId, 'axial', slice));
        this.prompts.commitUndo();
        const [columns, rows] = active.series.volume.dims;
        active.labelmap.writeSlice(
          this.segments.get(objectId).segmentIndex,
          slice,
          new Uint8Array(columns * rows),
        );
        this.segments.setSliceResult(objectId, slice, null);
      }
      this.set({});
    } catch (e) {
      this.fail(e);
    }
  }

  /**
   * Accepts the result: the engine's final volume mask of every segment replaces the labelmap
   * (the per-slice stream and the final mask agree; this also clears slices a later run left
   * empty) and the prompt tool is released.
   */
  async accept(): Promise<void> {
    try {
      await this.stopAndWait();
      const active = this.active;
      if (!active) throw new Error('nothing to accept: no segmentation yet');
      for (const s of this.snapshot.segments) {
        const mask = await this.serial(() => this.client().getMask(active.sessionId, s.objectId));
        active.labelmap.writeVolume(s.segmentIndex, mask);
      }
      this.host.commandsManager.runCommand('setToolActiveToolbar', { toolName: 'WindowLevel' });
      this.set({ toolActive: false, error: undefined });
    } catch (e) {
      this.fail(e);
    }
  }

  // ---- segments (segments.ts) -------------------------------------------------------------

  async addSegment(label?: string): Promise<number | undefined> {
    try {
      const active = await this.ensureSeries();
      return await this.segments.add(active, active.series.volume.dims[2], label, (name) =>
        this.serial(() => this.client().addObject(active.sessionId, name)),
      );
    } catch (e) {
      this.fail(e);
      return undefined;
    }
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

  /** Scrolls the active viewport to a volume slice (confidence strip clicks). */
  async jumpToSlice(slice: number): Promise<void> {
    const active = this.active;
    if (!active) return;
    const viewport = this.host.services.cornerstoneViewportService.getCornerstoneViewport(active.viewportId);
    const index = active.series.imageIndexOfSlice[slice];
    if (viewport?.setImageIdIndex && index !== undefined) await viewport.setImageIdIndex(index);
  }

  // ---- export --------------------------------------------------------------------------------

  /** Writes a DICOM SEG of every segment, stores it with STOW-RS, or offers it for download. */
  async exportSeg(): Promise<void> {
    const previous = this.snapshot.export.downloadUrl;
    if (previous) URL.revokeObjectURL(previous);
    try {
      await this.stopAndWait();
      const active = this.active;
      const info = this.snapshot.model.info;
      if (!active || !info) throw new Error('nothing to export: no segmentation yet');
      this.set({ export: { status: 'writing' } });
      const masks: { segment: SegmentState; mask: Uint8Array }[] = [];
      for (const segment of this.snapshot.segments) {
        masks.push({
          segment,
          mask: await this.serial(() => this.client().getMask(active.sessionId, segment.objectId)),
        });
      }
      const result = await exportSegmentation({
        volume: active.series.volume,
        segments: masks,
        model: info,
        format: this.host.config.segFormat,
        dataSource: this.host.extensionManager.getActiveDataSource()?.[0],
        onStoring: () => this.set({ export: { status: 'storing' } }),
      });
      this.set({ export: result, error: undefined });
    } catch (e) {
      this.set({ export: { status: 'failed', message: errorText(e) } });
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Draws one slice update into the labelmap and records its confidence. */
  private apply(active: ActiveSeries, update: SliceUpdate, prompted: boolean): void {
    if (update.axis !== 'axial') return; // secondary axes feed the aggregate; accept() draws it
    const segment = this.segments.get(update.objectId);
    // A skipped slice's mask is empty: it clears what an earlier run drew there.
    active.labelmap.writeSlice(segment.segmentIndex, update.slice, update.mask);
    this.segments.setSliceResult(update.objectId, update.slice, {
      confidence: update.confidence,
      present: update.present,
      prompted: prompted || update.direction === 0,
    });
  }

  /** Pixel counts per slice of a segment in the labelmap (for tests and automation). */
  labelmapCoverage(objectId?: number): number[] {
    const active = this.active;
    if (!active) return [];
    const s = this.segments.get(objectId ?? this.segments.requireActive());
    return active.labelmap.coverage(s.segmentIndex);
  }

  /** The active (or given) segment's prompts, by slice, in voxel coordinates. */
  promptsOf(objectId?: number): VoxelPrompt[] {
    const id = objectId ?? this.snapshot.activeObjectId;
    return id === null ? [] : this.prompts.of(id);
  }

  dispose(): void {
    this.stop();
    this.models.dispose();
    this.active = null;
    this.listeners.clear();
  }
}

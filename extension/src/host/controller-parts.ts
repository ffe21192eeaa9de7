/**
 * What the controller's parts share: the OHIF host, the published state, the engine worker, and
 * the segments and prompts of the open series. The controller owns them and hands them to each
 * part (series, tool start-up, prompts, propagation, export), so every part reads one place.
 */
import type { EngineClient } from '../worker/client';
import type { Medsam2Config } from './config';
import type { CornerstoneLibs } from './cornerstone-libs';
import type { ModelLoader } from './model-loader';
import type { CommandsManager, ExtensionManager, OhifServices } from './ohif-types';
import type { PromptHistory } from './prompt-history';
import type { SegmentEditor } from './segments';
import type { StateStore } from './state-store';
import type { UndoStack } from './undo-stack';
import type { WorkKeeper } from './work-keeper';

export interface HostContext {
  readonly services: OhifServices;
  readonly commandsManager: CommandsManager;
  readonly extensionManager: ExtensionManager;
  readonly config: Medsam2Config;
  /** Why the extension's configuration is unusable (shown as the model error). */
  readonly configError?: string;
}

export interface ControllerParts {
  readonly host: HostContext;
  readonly store: StateStore;
  readonly models: ModelLoader;
  readonly segments: SegmentEditor;
  readonly prompts: PromptHistory;
  /** What each prompt's Undo puts back on screen (the engine keeps its own side). */
  readonly undoFrames: UndoStack;
  /** The steps of the work on the open series, kept in this browser for a reload. */
  readonly work: WorkKeeper;
  libs(): CornerstoneLibs;
  /** The running engine worker (the model is loaded). */
  client(): EngineClient;
  /** Tells the user why an action had nothing to do (the panel's notice). */
  say(notice: string): void;
  /** Shows an action's failure in the panel. */
  fail(e: unknown): void;
}

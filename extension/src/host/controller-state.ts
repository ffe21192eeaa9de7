/** What the panel shows: one immutable snapshot of the controller, replaced on every change. */
import type { Code } from '../dicom/codes';
import type { Workflow } from '../engine/session';
import type { BankPolicyName } from '../engine/memory/policies';
import type { ModelInfo } from '../worker/protocol';

export interface ModelState {
  readonly status: 'idle' | 'loading' | 'ready' | 'error';
  readonly url: string;
  readonly info?: ModelInfo;
  /** Total bytes to load: the model's files and onnxruntime's wasm binary, once their sizes are known. */
  readonly bytes?: number;
  /** Bytes loaded so far. */
  readonly loaded?: number;
  /** Of `loaded`, the bytes read from the browser's cache (Cache Storage) instead of the network. */
  readonly cached?: number;
  readonly message?: string;
}

export interface SeriesState {
  readonly status: 'none' | 'loading' | 'ready' | 'error';
  readonly label?: string;
  readonly loaded?: number;
  readonly total?: number;
  readonly slices?: number;
  readonly message?: string;
}

export interface SliceResult {
  readonly confidence: number;
  readonly present: boolean;
  readonly prompted: boolean;
  /** The slice holds the mask of a SEG opened for editing, as it was (not predicted). */
  readonly given?: boolean;
}

export interface SegmentState {
  readonly objectId: number;
  /** Segment index in the cornerstone labelmap (and the SEG). */
  readonly segmentIndex: number;
  readonly label: string;
  readonly color: readonly [number, number, number];
  readonly category: Code;
  readonly type: Code;
  /** The SEG series the segment was opened from ("Series 901: …"), for a segment opened for editing. */
  readonly openedFrom?: string;
  /** Per OHIF image index (OHIF's slice numbering): the latest result, or null where nothing was predicted yet. */
  readonly slices: readonly (SliceResult | null)[];
  /**
   * OHIF image indices, ascending, whose result the next propagate (Update) redoes: stale after a
   * correction, a new prompt, a stopped run or new settings.
   */
  readonly stale: readonly number[];
  /** OHIF image indices, ascending, that carry a prompt of this segment. */
  readonly promptedSlices: readonly number[];
}

export interface SettingsState {
  readonly policy: BankPolicyName;
  readonly capacity: number;
  readonly confidenceThreshold: number;
  readonly orientations: 'single' | 'all';
  /** 'sam2': SAM 2's video predictor; 'medsam2': MedSAM2's 3D scripts (engine/session.ts). */
  readonly workflow: Workflow;
  /** After a correction, redo the stale slices at once (no Update press); a viewer setting only. */
  readonly autoUpdate: boolean;
}

export interface ExportState {
  readonly status: 'idle' | 'writing' | 'storing' | 'stored' | 'failed';
  readonly message?: string;
  /** Object URL of the SEG when it could not be stored (or no store exists). */
  readonly downloadUrl?: string;
  readonly fileName?: string;
  readonly sopInstanceUID?: string;
  /** What the exported SEG series is called (SeriesNumber, SeriesDescription). */
  readonly seriesNumber?: number;
  readonly seriesDescription?: string;
}

/** One image of a "Use as template" set, as the panel lists it. */
export interface TemplateImageState {
  /** Its index in the set (0 = the template). */
  readonly index: number;
  readonly name: string;
  readonly displaySetInstanceUID: string;
  readonly imageIndex: number;
  /** Absent until the image is segmented. */
  readonly confidence?: number;
  readonly present?: boolean;
  /** The template, or an image with a correction (a conditioning image). */
  readonly prompted: boolean;
  readonly area?: number;
}

/** A display set's SEG from "Use as template": stored, offered for download, or why none. */
export interface TemplateSeriesExport {
  readonly displaySetInstanceUID: string;
  readonly label: string;
  readonly status: 'stored' | 'failed' | 'no-seg';
  readonly message: string;
  readonly downloadUrl?: string;
  readonly fileName?: string;
  readonly sopInstanceUID?: string;
}

export interface TemplateState {
  readonly status: 'idle' | 'loading' | 'running' | 'done' | 'stopped' | 'failed';
  /** The prompted slice the set starts from ("MR #2 … slice 9"). */
  readonly template?: string;
  readonly message?: string;
  readonly done: number;
  readonly total: number;
  readonly images: readonly TemplateImageState[];
  /** Runs ended so far (the first, then one per correction or Undo). */
  readonly runs: number;
  /** Corrections on the set's images that Undo can take back, last first. */
  readonly corrections: number;
  /** The image of the set last shown in the viewport. */
  readonly shown?: number;
  readonly exporting: boolean;
  readonly exports: readonly TemplateSeriesExport[];
}

export const IDLE_TEMPLATE: TemplateState = {
  status: 'idle',
  done: 0,
  total: 0,
  images: [],
  runs: 0,
  corrections: 0,
  exporting: false,
  exports: [],
};

export interface ControllerState {
  readonly model: ModelState;
  readonly series: SeriesState;
  readonly segments: readonly SegmentState[];
  readonly activeObjectId: number | null;
  readonly toolActive: boolean;
  readonly propagation: {
    readonly running: boolean;
    readonly done: number;
    readonly total: number;
    /** Propagations ended so far (finished, stopped or failed). */
    readonly runs: number;
  };
  readonly settings: SettingsState;
  readonly export: ExportState;
  /** "Use as template": the prompted slice's result on every image of chosen display sets. */
  readonly template: TemplateState;
  readonly canUndo: boolean;
  /** OHIF image indices of the open series encoded ahead of need (a click there skips the encoder). */
  readonly preEncoded: readonly number[];
  /** The last prompt: its OHIF image index, whether its encoding was cached, and click → painted ms. */
  readonly lastPrompt?: { readonly slice: number; readonly encoderCached: boolean; readonly ms: number };
  /** User actions queued or running (clicks, Propagate, Undo, ...), run in order. */
  readonly queued: number;
  /** Whether the work on the open series is kept in this browser for a reload, and what was restored. */
  readonly saved?: {
    readonly status: 'restoring' | 'kept' | 'not-kept' | 'cleared';
    readonly message: string;
  };
  /** Why the last action had nothing to do (e.g. every slice up to date). */
  readonly notice?: string;
  /** Last error of an action (prompt outside the image, worker failure, ...). */
  readonly error?: string;
  readonly busy?: string;
}

/**
 * The user's work on a series, kept in this browser (Web Storage) so that a page reload brings it
 * back. An entry is keyed by the StudyInstanceUID and SeriesInstanceUID only (no names or other
 * patient data) and holds the segments (label, colour, codes) and the steps that built them:
 * each prompt in voxel coordinates, each Undo, each Propagate with its settings. Reopening the
 * series replays the steps; the engine is deterministic, so the masks come back as they were.
 *
 * Bounded: one entry at most MAX_ENTRY_BYTES; all entries together at most MAX_TOTAL_BYTES, the
 * series saved longest ago dropped first. Storage the browser refuses (disabled, full, private
 * mode) is reported, never thrown: the work goes on, it only will not survive a reload.
 */
import type { Code } from '../dicom/codes';
import { BANK_POLICY_NAMES } from '../engine/memory/policies';
import { WORKFLOWS } from '../engine/session';
import type { SettingsState } from './controller-state';
import { MAX_SEGMENT_INDEX } from './opened-segments';
import type { VoxelPrompt } from './gesture-prompt';

export interface SavedSegment {
  readonly objectId: number;
  readonly label: string;
  readonly color: readonly [number, number, number];
  readonly category: Code;
  readonly type: Code;
}

/** One step of the work; `slice` of a prompt is the volume slice (the engine's numbering). */
export type WorkStep =
  | { readonly kind: 'prompt'; readonly objectId: number; readonly prompt: VoxelPrompt }
  | { readonly kind: 'undo'; readonly objectId: number }
  | { readonly kind: 'propagate'; readonly objectId: number; readonly settings: SettingsState }
  /** Propagate between two prompted volume slices (session.propagateBetween). */
  | {
      readonly kind: 'between';
      readonly objectId: number;
      readonly from: number;
      readonly to: number;
      readonly settings: SettingsState;
    };

export interface SavedWork {
  readonly savedAt: number;
  readonly segments: readonly SavedSegment[];
  readonly steps: readonly WorkStep[];
}

/** The parts of Web Storage (localStorage) used here; a test passes its own. */
export interface KeyValueStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type SaveOutcome =
  { readonly status: 'saved' } | { readonly status: 'not-saved'; readonly reason: string };

export const MAX_ENTRY_BYTES = 512 * 1024;
export const MAX_TOTAL_BYTES = 2 * 1024 * 1024;
const PREFIX = 'medsam2:work:v1:';
/** A DICOM UID: digits and dots, at most 64 characters. */
const UID = /^[0-9]+(\.[0-9]+)*$/;

/** This browser's localStorage, or null where the page may not use it (disabled, sandboxed). */
export function browserStorage(): KeyValueStorage | null {
  try {
    return (globalThis as { localStorage?: KeyValueStorage }).localStorage ?? null;
  } catch {
    return null; // reading localStorage itself throws where storage is blocked
  }
}

export class SavedWorkStore {
  constructor(
    private readonly storage: KeyValueStorage | null,
    private readonly limits = { entry: MAX_ENTRY_BYTES, total: MAX_TOTAL_BYTES },
  ) {}

  /**
   * The saved work on the series; null when there is none (or storage cannot be read); an entry
   * that is not what this code writes (corrupted, edited, too large) is `{ unreadable: why }`.
   */
  load(study: string, series: string): SavedWork | UnreadableWork | null {
    const key = keyOf(study, series);
    if (!key || !this.storage) return null;
    let text: string | null;
    try {
      text = this.storage.getItem(key);
    } catch {
      return null;
    }
    return text === null ? null : readSavedWork(text, this.limits.entry);
  }

  save(study: string, series: string, work: SavedWork): SaveOutcome {
    const key = keyOf(study, series);
    if (!key) return notSaved('the series has no valid Study/Series Instance UID to keep it under');
    if (!this.storage)
      return notSaved('this browser does not let the viewer keep data (storage is disabled)');
    const text = JSON.stringify(work);
    if (text.length > this.limits.entry)
      return notSaved(
        `the work on this series is too large to keep (${Math.ceil(text.length / 1024)} KB, at most ${this.limits.entry / 1024} KB)`,
      );
    try {
      this.makeRoom(key, text.length);
      this.storage.setItem(key, text);
      return { status: 'saved' };
    } catch (e) {
      return notSaved(
        `this browser refused to keep it (${(isObject(e) && isText(e.name, 64) && e.name) || String(e)})`,
      );
    }
  }

  clear(study: string, series: string): void {
    const key = keyOf(study, series);
    if (key) this.tryRemove(key);
  }

  /** Our entries: key, size and when saved (unreadable ones count as saved long ago). */
  private entries(): { key: string; size: number; savedAt: number }[] {
    const storage = this.storage as KeyValueStorage;
    const found: { key: string; size: number; savedAt: number }[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (!key?.startsWith(PREFIX)) continue;
      const text = storage.getItem(key) ?? '';
      found.push({ key, size: text.length, savedAt: parseSavedWork(text)?.savedAt ?? 0 });
    }
    return found;
  }

  /** Drops the series saved longest ago until `size` more fits under the total bound. */
  private makeRoom(key: string, size: number): void {
    const others = this.entries()
      .filter((e) => e.key !== key)
      .sort((a, b) => a.savedAt - b.savedAt);
    let used = others.reduce((n, e) => n + e.size, 0);
    for (const e of others) {
      if (used + size <= this.limits.total) break;
      this.tryRemove(e.key);
      used -= e.size;
    }
  }

  private tryRemove(key: string): void {
    try {
      this.storage?.removeItem(key);
    } catch {
      // Storage that cannot even remove has nothing of ours to lose.
    }
  }
}

const notSaved = (reason: string): SaveOutcome => ({ status: 'not-saved', reason });

function keyOf(study: string, series: string): string | null {
  const valid = (uid: string) => typeof uid === 'string' && uid.length <= 64 && UID.test(uid);
  return valid(study) && valid(series) ? `${PREFIX}${study}/${series}` : null;
}

// ---- reading an entry back: storage is outside our control, so every field is checked ----------

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isText = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length <= max;
const isCode = (v: unknown): v is Code =>
  isObject(v) && isText(v.value, 64) && isText(v.scheme, 64) && isText(v.meaning, 256);
const isColor = (v: unknown): v is [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((c) => Number.isInteger(c) && c >= 0 && c <= 255);

function isVoxelPrompt(v: unknown): v is VoxelPrompt {
  if (!isObject(v) || !isCount(v.slice)) return false;
  const pointsOk =
    v.points === undefined ||
    (Array.isArray(v.points) &&
      v.points.every(
        (p) => isObject(p) && isNumber(p.x) && isNumber(p.y) && (p.label === 0 || p.label === 1),
      ));
  const boxOk = v.box === undefined || (Array.isArray(v.box) && v.box.length === 4 && v.box.every(isNumber));
  const lassoOk =
    v.lasso === undefined ||
    (Array.isArray(v.lasso) &&
      v.lasso.length >= 3 &&
      v.lasso.every((p) => isObject(p) && isNumber(p.x) && isNumber(p.y)));
  return (
    pointsOk && boxOk && lassoOk && (v.points !== undefined || v.box !== undefined || v.lasso !== undefined)
  );
}

function isSettings(v: unknown): v is SettingsState {
  return (
    isObject(v) &&
    (BANK_POLICY_NAMES as readonly unknown[]).includes(v.policy) &&
    isCount(v.capacity) &&
    isNumber(v.confidenceThreshold) &&
    (v.orientations === 'single' || v.orientations === 'all') &&
    (WORKFLOWS as readonly unknown[]).includes(v.workflow)
  );
}

function isStep(v: unknown): v is WorkStep {
  if (!isObject(v) || !isCount(v.objectId)) return false;
  if (v.kind === 'prompt') return isVoxelPrompt(v.prompt);
  if (v.kind === 'undo') return true;
  if (v.kind === 'between') return isCount(v.from) && isCount(v.to) && isSettings(v.settings);
  return v.kind === 'propagate' && isSettings(v.settings);
}

function isSegment(v: unknown): v is SavedSegment {
  return (
    isObject(v) &&
    isCount(v.objectId) &&
    isText(v.label) &&
    isColor(v.color) &&
    isCode(v.category) &&
    isCode(v.type)
  );
}

/** A saved entry that cannot be replayed, and why (shown in the panel). */
export interface UnreadableWork {
  readonly unreadable: string;
}

export const isUnreadable = (w: SavedWork | UnreadableWork): w is UnreadableWork => 'unreadable' in w;

/**
 * The entry as SavedWork, or why not: anything in it that is not what this code writes, more
 * than `maxBytes` of it, or more segments than the viewer's labelmap holds, is refused before any
 * of it is replayed.
 */
export function readSavedWork(text: string, maxBytes = MAX_ENTRY_BYTES): SavedWork | UnreadableWork {
  const no = (why: string): UnreadableWork => ({ unreadable: why });
  if (text.length > maxBytes)
    return no(`${Math.ceil(text.length / 1024)} KB, more than the ${maxBytes / 1024} KB an entry may hold`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return no('not JSON');
  }
  if (!isObject(v) || !isNumber(v.savedAt) || !Array.isArray(v.segments) || !Array.isArray(v.steps))
    return no('not saved work of this viewer (savedAt, segments or steps missing)');
  if (v.segments.length === 0 || v.segments.length > MAX_SEGMENT_INDEX)
    return no(`${v.segments.length} segments (1 to ${MAX_SEGMENT_INDEX} fit the labelmap)`);
  const segment = v.segments.findIndex((s) => !isSegment(s));
  if (segment >= 0) return no(`segment ${segment + 1} is not one this viewer writes`);
  const step = v.steps.findIndex((s) => !isStep(s));
  if (step >= 0) return no(`step ${step + 1} of ${v.steps.length} is not one this viewer writes`);
  return { savedAt: v.savedAt, segments: v.segments, steps: v.steps };
}

/**
 * Why `work` does not fit a series of `depth` slices (a step on a slice the series does not have:
 * saved on another version of it, or edited), or null when every step's slice is in it.
 */
export function slicesProblem(work: SavedWork, depth: number): string | null {
  for (const [i, step] of work.steps.entries()) {
    const slices =
      step.kind === 'prompt' ? [step.prompt.slice] : step.kind === 'between' ? [step.from, step.to] : [];
    const outside = slices.find((k) => k >= depth);
    if (outside !== undefined) return `step ${i + 1} is on slice ${outside + 1}, the series has ${depth}`;
  }
  return null;
}

/** The entry as SavedWork, or null when anything in it is not what this code writes. */
export function parseSavedWork(text: string): SavedWork | null {
  const work = readSavedWork(text, Infinity);
  return isUnreadable(work) ? null : work;
}

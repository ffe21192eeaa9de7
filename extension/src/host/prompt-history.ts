/**
 * The prompts of every segment, by slice, and the undo history over them. Points accumulate on a
 * slice, a box or a lasso replaces the slice's box or lasso; undoing gives a slice its previous
 * prompt back, or none.
 */
import { lassoPrompt } from '../engine/prompts/freehand';
import type { SlicePrompt } from '../engine/prompts/prompt';
import type { VoxelPrompt } from './gesture-prompt';

/** A slice's prompt as the host keeps it: clicks, and a box or a lasso outline (filled for the engine). */
export type HostPrompt = Omit<SlicePrompt, 'mask'> & { readonly lasso?: { x: number; y: number }[] };

/** What the engine is given for a host prompt on a width×height slice: a lasso as its box and mask. */
export function enginePrompt(p: HostPrompt, width: number, height: number): SlicePrompt {
  const { lasso, ...rest } = p;
  if (!lasso) return rest;
  const { box, mask } = lassoPrompt(lasso, width, height);
  return { ...rest, box, mask };
}

export interface PromptChange {
  readonly objectId: number;
  readonly slice: number;
  /** The slice's prompt after the change; undefined = the slice has no prompt any more. */
  readonly prompt: HostPrompt | undefined;
}

interface UndoEntry {
  readonly objectId: number;
  readonly slice: number;
  readonly previous: HostPrompt | undefined;
}

export class PromptHistory {
  private readonly prompts = new Map<number, Map<number, HostPrompt>>();
  private readonly undoStack: UndoEntry[] = [];

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  /** The slice's prompt with `p` added; nothing changes until `record`. */
  merged(objectId: number, p: VoxelPrompt): HostPrompt {
    const previous = this.prompts.get(objectId)?.get(p.slice);
    const points = [...(previous?.points ?? []), ...(p.points ?? []).map((q) => ({ ...q }))];
    // A box and a lasso both mark the slice's region: the newer one replaces the older.
    const region = p.box || p.lasso ? p : previous;
    const box = region?.box && ([region.box[0], region.box[1], region.box[2], region.box[3]] as const);
    const lasso = region?.lasso?.map((v) => ({ x: v.x, y: v.y }));
    return {
      ...(points.length ? { points } : {}),
      ...(box ? { box: [...box] } : {}),
      ...(lasso ? { lasso } : {}),
    } as HostPrompt;
  }

  /** Stores the slice's new prompt (once the engine accepted it) and makes it undoable. */
  record(objectId: number, slice: number, prompt: HostPrompt): void {
    const slices = this.prompts.get(objectId) ?? new Map<number, HostPrompt>();
    this.prompts.set(objectId, slices);
    this.undoStack.push({ objectId, slice, previous: slices.get(slice) });
    slices.set(slice, prompt);
  }

  /** The change the last prompt's undo makes, without making it (see `commitUndo`). */
  peekUndo(): PromptChange | undefined {
    const last = this.undoStack.at(-1);
    return last && { objectId: last.objectId, slice: last.slice, prompt: last.previous };
  }

  /** Applies the change `peekUndo` described (once the engine made it too). */
  commitUndo(): void {
    const entry = this.undoStack.pop();
    if (!entry) return;
    const slices = this.prompts.get(entry.objectId);
    if (entry.previous) slices?.set(entry.slice, entry.previous);
    else slices?.delete(entry.slice);
  }

  has(objectId: number): boolean {
    return (this.prompts.get(objectId)?.size ?? 0) > 0;
  }

  /** The segment's prompts in slice order. */
  of(objectId: number): VoxelPrompt[] {
    return [...(this.prompts.get(objectId) ?? [])]
      .sort(([a], [b]) => a - b)
      .map(([slice, p]) => ({ slice, ...p }));
  }

  /** Forgets the undo history, keeping the prompts (a settings change redid every result). */
  clearUndo(): void {
    this.undoStack.length = 0;
  }

  clear(): void {
    this.prompts.clear();
    this.undoStack.length = 0;
  }
}

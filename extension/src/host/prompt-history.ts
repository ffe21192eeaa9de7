/**
 * The prompts of every segment, by slice, and the undo history over them. Points accumulate on a
 * slice, a box replaces the slice's box; undoing gives a slice its previous prompt back, or none.
 */
import type { SlicePrompt } from '../engine/prompts/prompt';
import type { VoxelPrompt } from './gesture-prompt';

export interface PromptChange {
  readonly objectId: number;
  readonly slice: number;
  /** The slice's prompt after the change; undefined = the slice has no prompt any more. */
  readonly prompt: SlicePrompt | undefined;
}

interface UndoEntry {
  readonly objectId: number;
  readonly slice: number;
  readonly previous: SlicePrompt | undefined;
}

export class PromptHistory {
  private readonly prompts = new Map<number, Map<number, SlicePrompt>>();
  private readonly undoStack: UndoEntry[] = [];

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  /** The slice's prompt with `p` added; nothing changes until `record`. */
  merged(objectId: number, p: VoxelPrompt): SlicePrompt {
    const previous = this.prompts.get(objectId)?.get(p.slice);
    const points = [...(previous?.points ?? []), ...(p.points ?? []).map((q) => ({ ...q }))];
    const box = p.box ? ([p.box[0], p.box[1], p.box[2], p.box[3]] as const) : previous?.box;
    return { ...(points.length ? { points } : {}), ...(box ? { box: [...box] } : {}) } as SlicePrompt;
  }

  /** Stores the slice's new prompt (once the engine accepted it) and makes it undoable. */
  record(objectId: number, slice: number, prompt: SlicePrompt): void {
    const slices = this.prompts.get(objectId) ?? new Map<number, SlicePrompt>();
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

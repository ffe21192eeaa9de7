/**
 * Keeps the work on the open series in this browser as it is done (saved-work.ts), and gives it
 * back when the same series is opened again (a page reload): the segments are made again with
 * their names, colours and codes, and the steps replayed in order (prompts, Undo, Propagate with
 * the settings it ran with) through the same paths a user's actions take, so the masks, the
 * markers and the strip come back as they were. "Clear saved work" forgets the series' saved copy
 * and keeps nothing more of it until the series is opened again.
 */
import { errorText } from '../engine/errors';
import type { SettingsState } from './controller-state';
import type { VoxelPrompt } from './gesture-prompt';
import type { ActiveSeries } from './open-series';
import {
  type SavedSegment,
  type SavedWork,
  SavedWorkStore,
  type WorkStep,
  browserStorage,
  isUnreadable,
  slicesProblem,
} from './saved-work';
import type { StateStore } from './state-store';

/** What replaying needs, on the series being opened (not yet anyone else's to use). */
export interface ReplayOps {
  /** `p.slice` is a volume slice. */
  prompt(active: ActiveSeries, p: VoxelPrompt): Promise<void>;
  undo(active: ActiveSeries): Promise<void>;
  propagate(active: ActiveSeries, settings: SettingsState): Promise<void>;
  /** Propagate between two prompted volume slices of the selected segment. */
  between(active: ActiveSeries, from: number, to: number, settings: SettingsState): Promise<void>;
  /** Makes a segment like `saved` (the first one exists already) and selects it; its object id. */
  segment(active: ActiveSeries, saved: SavedSegment, index: number): Promise<number>;
  select(active: ActiveSeries, objectId: number): void;
}

const clock = (t: number): string => new Date(t).toTimeString().slice(0, 5);

export class WorkKeeper {
  private uids: { study: string; series: string } | null = null;
  private steps: WorkStep[] = [];
  /** Replaying or cleared: steps are not saved (a failed replay must not overwrite the copy). */
  private paused = true;

  constructor(
    private readonly state: StateStore,
    private readonly store = new SavedWorkStore(browserStorage()),
  ) {}

  /** The series opened: its saved work is replayed, then everything done on it is kept. */
  async opened(active: ActiveSeries, ops: ReplayOps): Promise<void> {
    const { StudyInstanceUID: study, SeriesInstanceUID: series } = active.series.displaySet;
    this.uids = { study, series };
    this.steps = [];
    this.paused = true;
    const loaded = this.store.load(study, series);
    if (loaded && isUnreadable(loaded)) {
      // Nothing of it is replayed; the work done from now on is kept in its place.
      this.paused = false;
      this.state.set({
        saved: {
          status: 'not-kept',
          message: `Saved work on this series could not be read (${loaded.unreadable}); the series opens without it.`,
        },
      });
      return;
    }
    const misfit = loaded && slicesProblem(loaded, active.series.volume.dims[2]);
    if (misfit) {
      // It may fit the series as it was saved (all its instances): the copy stays as it is.
      this.state.set({
        saved: {
          status: 'not-kept',
          message: `Your saved work does not fit this series (${misfit}); it is still kept, and nothing more is saved in this page.`,
        },
      });
      return;
    }
    const saved = loaded;
    if (saved)
      this.state.set({
        saved: { status: 'restoring', message: 'Restoring your saved work on this series…' },
      });
    try {
      if (saved) await this.replay(active, saved, ops);
    } catch (e) {
      this.state.set({
        saved: {
          status: 'not-kept',
          message: `Your saved work could not be restored (${errorText(e)}); it is still kept.`,
        },
      });
      return; // the saved copy stays as it was; nothing more is saved over it in this page
    }
    this.paused = false;
    if (saved) {
      const prompts = saved.steps.filter((s) => s.kind === 'prompt').length;
      this.state.set({
        saved: {
          status: 'kept',
          message: `Restored your work from ${clock(saved.savedAt)} (${prompts} prompt${prompts === 1 ? '' : 's'}).`,
        },
      });
    } else this.state.set({ saved: undefined });
  }

  prompt(objectId: number, prompt: VoxelPrompt): void {
    this.add({ kind: 'prompt', objectId, prompt });
  }

  undo(objectId: number): void {
    this.add({ kind: 'undo', objectId });
  }

  propagate(objectId: number, settings: SettingsState): void {
    this.add({ kind: 'propagate', objectId, settings });
  }

  between(objectId: number, from: number, to: number, settings: SettingsState): void {
    this.add({ kind: 'between', objectId, from, to, settings });
  }

  /**
   * Saves the segments and steps (after each step; call it when segment names, colours or codes
   * change). A SEG opened for editing is not kept (its masks are not steps): its segments and
   * the steps on them are left out.
   */
  save(): void {
    if (this.paused || !this.uids) return;
    const kept = this.state.state.segments.filter((s) => !s.openedFrom);
    const ids = new Set(kept.map((s) => s.objectId));
    const steps = this.steps.filter((s) => ids.has(s.objectId));
    if (steps.length === 0) return;
    const segments = kept.map((s): SavedSegment => ({
      objectId: s.objectId,
      label: s.label,
      color: [s.color[0], s.color[1], s.color[2]],
      category: s.category,
      type: s.type,
    }));
    const work: SavedWork = { savedAt: Date.now(), segments, steps };
    const outcome = this.store.save(this.uids.study, this.uids.series, work);
    const saved =
      outcome.status === 'saved'
        ? {
            status: 'kept' as const,
            message: 'Your work on this series is kept in this browser for a reload.',
          }
        : { status: 'not-kept' as const, message: `Your work will not survive a reload: ${outcome.reason}.` };
    const now = this.state.state.saved;
    if (now?.status !== saved.status || now.message !== saved.message) this.state.set({ saved });
  }

  /** Forgets the series' saved copy; nothing more is kept until the series is opened again. */
  clear(): void {
    if (this.uids) this.store.clear(this.uids.study, this.uids.series);
    this.paused = true;
    this.state.set({
      saved: {
        status: 'cleared',
        message: 'Saved work cleared: this series will open empty after a reload.',
      },
    });
  }

  private add(step: WorkStep): void {
    if (this.paused) return;
    this.steps.push(step);
    this.save();
  }

  private async replay(active: ActiveSeries, saved: SavedWork, ops: ReplayOps): Promise<void> {
    const ids = new Map<number, number>();
    for (const [index, segment] of saved.segments.entries())
      ids.set(segment.objectId, await ops.segment(active, segment, index));
    for (const step of saved.steps) {
      const objectId = ids.get(step.objectId);
      if (objectId === undefined) continue;
      ops.select(active, objectId);
      if (step.kind === 'prompt') await ops.prompt(active, step.prompt);
      else if (step.kind === 'undo') await ops.undo(active);
      else if (step.kind === 'between') await ops.between(active, step.from, step.to, step.settings);
      else await ops.propagate(active, step.settings);
      this.steps.push({ ...step, objectId });
    }
    const first = ids.get(saved.segments[0].objectId);
    if (first !== undefined) ops.select(active, first);
  }
}

/**
 * Propagate, Update and Propagate-between for the panel: the active segment through the series (or
 * between two of its prompted slices), slices painted as they arrive, the run's progress in the
 * panel, "done" once the last slice is painted, and the strip's marks (stale, prompted) read again
 * when it ends. Settings changed since the session opened take effect first. The methods do the
 * work; the controller queues them behind the prompts clicked before.
 */
import type { SliceUpdate } from '../engine/session';
import type { ControllerParts } from './controller-parts';
import type { ActiveSeries, SeriesSessions } from './open-series';
import { PropagationRun } from './propagation-run';
import { sameSettings, sessionSettings } from './settings';
import type { SliceMarks } from './slice-marks';
import { showSliceUpdate } from './slice-results';

type Stream = (signal: AbortSignal) => AsyncIterable<SliceUpdate>;

export class Propagation {
  private readonly run = new PropagationRun();

  constructor(
    private readonly parts: ControllerParts,
    private readonly series: SeriesSessions,
    private readonly marks: SliceMarks,
  ) {}

  /**
   * Propagates the active segment; with nothing to do it says so. `opening`: the series being
   * opened (a saved Propagate replayed), else the open one.
   */
  async propagate(opening?: ActiveSeries): Promise<void> {
    const ready = await this.prompted(opening);
    if (!ready) return;
    const { active, objectId } = ready;
    const ran = await this.whole(active, objectId);
    if (!ran) this.parts.say('Every slice is up to date: nothing to propagate.');
  }

  /**
   * Redoes the active segment's stale slices (those a correction invalidated): the engine's
   * propagate keeps every slice whose memories did not change, so only these are predicted and
   * painted again. `auto`: the automatic update after a correction, silent when nothing is stale.
   */
  async update(auto = false): Promise<void> {
    const active = this.series.current;
    const objectId = this.parts.store.state.activeObjectId;
    const segment = this.parts.store.state.segments.find((s) => s.objectId === objectId);
    if (!active || objectId === null || !segment || segment.stale.length === 0) {
      if (!auto) this.parts.say('Every slice is up to date: nothing to update.');
      return;
    }
    await this.whole(active, objectId);
  }

  /**
   * Propagates the active segment only between two of its prompted slices (OHIF image indices,
   * either order): the slices strictly between are predicted, the rest keep their results.
   */
  async between(fromImage: number, toImage: number): Promise<void> {
    const ready = await this.prompted();
    if (!ready) return;
    const { active } = ready;
    const [from, to] = [fromImage, toImage].map((k) => active.series.sliceOfImageIndex.get(k) ?? -1);
    await this.betweenSlices(ready, from, to);
  }

  /** `between` on volume slices (the engine's numbering, as saved work keeps them). */
  async betweenSlices(
    ready: { active: ActiveSeries; objectId: number },
    from: number,
    to: number,
  ): Promise<void> {
    const { active, objectId } = ready;
    const { parts } = this;
    const image = (k: number) => (active.series.imageIndexOfSlice[k] ?? k) + 1;
    const prompted = parts.prompts.of(objectId).map((p) => p.slice);
    if (![from, to].every((k) => prompted.includes(k)))
      throw new Error(
        `Propagate between: slices ${image(from)} and ${image(to)} must both carry a prompt of ${parts.segments.get(objectId).label} (prompted: ${prompted
          .map(image)
          .sort((a, b) => a - b)
          .join(', ')})`,
      );
    const ran = await this.stream(
      active,
      () => parts.work.between(objectId, from, to, active.applied),
      (signal) => parts.client().propagateBetween(active.sessionId, objectId, from, to, signal),
    );
    if (!ran)
      parts.say(`Every slice between ${image(from)} and ${image(to)} is up to date: nothing to propagate.`);
  }

  /** Stops a running propagation at once; slices already drawn stay. */
  stop(): void {
    this.run.stop();
  }

  /**
   * The open series and the active segment when it can be propagated (it has a prompt, and was not
   * opened from a SEG: those keep their slices as given); otherwise says why not.
   */
  private async prompted(opening?: ActiveSeries): Promise<{ active: ActiveSeries; objectId: number } | null> {
    const { parts } = this;
    const active = opening ?? (await this.series.ensure());
    const objectId = parts.segments.requireActive();
    const { label, openedFrom } = parts.segments.get(objectId);
    if (openedFrom) {
      parts.say(
        `${label} (opened from ${openedFrom}) keeps its slices as they are, and a click corrects the ` +
          `slice it is on: nothing to propagate.`,
      );
      return null;
    }
    if (parts.prompts.has(objectId)) return { active, objectId };
    parts.say(`Nothing to propagate: click on ${label} on one slice first.`);
    return null;
  }

  /** The whole propagation of one segment (Propagate, Update), kept as a saved-work step. */
  private whole(active: ActiveSeries, objectId: number): Promise<boolean> {
    return this.stream(
      active,
      () => this.parts.work.propagate(objectId, active.applied),
      (signal) => this.parts.client().propagate(active.sessionId, [objectId], signal),
    );
  }

  /**
   * Runs one propagation stream into the labelmap and the panel; answers whether any slice was
   * redone (when none was, the last run's "n/n slices — done" stays on show). `keep` records a run
   * that went to the end as a step of the saved work (a stopped run cannot be replayed to the same
   * point).
   */
  private async stream(active: ActiveSeries, keep: () => void, start: Stream): Promise<boolean> {
    const { store, segments } = this.parts;
    await this.applySettings(active);
    const previous = store.state.propagation;
    const runs = previous.runs;
    store.set({ propagation: { running: true, done: 0, total: 0, runs }, error: undefined });
    let stopped = false;
    let failure: { error: unknown } | null = null;
    try {
      stopped = await this.run.run(start, (update) => {
        showSliceUpdate(segments, active, update, false);
        const { done, total } = update.progress;
        store.setQuietly({ propagation: { running: true, done, total, runs } });
      });
      await active.paint.flush();
      if (!stopped && store.state.propagation.total > 0) keep();
    } catch (error) {
      failure = { error };
    }
    // The strip's marks are read again before the run counts as ended: once `runs` moves on, what
    // the panel shows (stale, prompted, "done") is final. After a failed run the run's own error is
    // the one to show, not a second one from reading the marks.
    try {
      await this.marks.refresh(active);
    } catch (error) {
      failure ??= { error };
    } finally {
      store.set({ propagation: { ...store.state.propagation, running: false, runs: runs + 1 } });
    }
    if (failure) throw failure.error;
    if (stopped) {
      this.parts.say('Propagation stopped: the slices done so far are kept.');
      return true;
    }
    if (store.state.propagation.total > 0) return true;
    store.set({ propagation: { ...previous, running: false, runs: runs + 1 } });
    return false;
  }

  /** Settings changed since the session was opened take effect now: every slice is redone. */
  private async applySettings(active: ActiveSeries): Promise<void> {
    const { parts } = this;
    const wanted = parts.store.state.settings;
    if (sameSettings(active.applied, wanted)) return;
    await parts.client().updateSettings(active.sessionId, sessionSettings(wanted));
    active.applied = wanted;
    // Every result is redone under the new settings: the old ones cannot come back by Undo.
    parts.undoFrames.clear();
    parts.prompts.clearUndo();
  }
}

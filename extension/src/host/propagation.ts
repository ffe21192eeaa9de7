/**
 * Propagate for the panel: the active segment through the series, slices painted as they arrive,
 * the run's progress in the panel, "done" once the last slice is painted. Settings changed since
 * the session opened take effect first. The method does the work; the controller queues it
 * behind the prompts clicked before it.
 */
import type { ControllerParts } from './controller-parts';
import type { ActiveSeries, SeriesSessions } from './open-series';
import { PropagationRun } from './propagation-run';
import { sameSettings, sessionSettings } from './settings';
import { showSliceUpdate } from './slice-results';

export class Propagation {
  private readonly run = new PropagationRun();

  constructor(
    private readonly parts: ControllerParts,
    private readonly series: SeriesSessions,
  ) {}

  /**
   * Propagates the active segment; with nothing to do it says so. `opening`: the series being
   * opened (a saved Propagate replayed), else the open one.
   */
  async propagate(opening?: ActiveSeries): Promise<void> {
    const { parts } = this;
    const { store, segments } = parts;
    const active = opening ?? (await this.series.ensure());
    const objectId = segments.requireActive();
    const { label, openedFrom } = segments.get(objectId);
    if (openedFrom)
      return parts.say(
        `${label} (opened from ${openedFrom}) keeps its slices as they are, and a click corrects the ` +
          `slice it is on: nothing to propagate.`,
      );
    if (!parts.prompts.has(objectId)) {
      return parts.say(`Nothing to propagate: click on ${label} on one slice first.`);
    }
    await this.applySettings(active);
    const previous = store.state.propagation;
    const runs = previous.runs;
    store.set({ propagation: { running: true, done: 0, total: 0, runs }, error: undefined });
    let stopped = false;
    try {
      stopped = await this.run.run(
        (signal) => parts.client().propagate(active.sessionId, [objectId], signal),
        (update) => {
          showSliceUpdate(segments, active, update, false);
          const { done, total } = update.progress;
          store.setQuietly({ propagation: { running: true, done, total, runs } });
        },
      );
      await active.paint.flush();
    } finally {
      store.set({ propagation: { ...store.state.propagation, running: false, runs: runs + 1 } });
    }
    // Kept for a reload when it ran to the end (a stopped run cannot be replayed to the same point).
    if (!stopped && store.state.propagation.total > 0) parts.work.propagate(objectId, active.applied);
    if (stopped) parts.say('Propagation stopped: the slices done so far are kept.');
    else if (store.state.propagation.total === 0) {
      // Nothing ran: the last run's "n/n slices — done" stays on show.
      store.set({ propagation: { ...previous, running: false, runs: runs + 1 } });
      parts.say('Every slice is up to date: nothing to propagate.');
    }
  }

  /** Stops a running propagation at once; slices already drawn stay. */
  stop(): void {
    this.run.stop();
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

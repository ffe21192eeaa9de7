/**
 * The panel's propagation section: Propagate, Update (only the stale slices, after a correction),
 * Stop, "Propagate between" two prompted slices of the active segment, the queue, and the run's
 * progress. "n/n slices — done" shows only when nothing is stale; otherwise the section says how
 * many slices are out of date.
 */
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState, SegmentState } from '../host/controller-state';
import { STYLE, button } from './controls';
import { h } from './dom';

/** Neighbouring prompted slices (OHIF image indices): the ranges Propagate between offers. */
export const promptedPairs = (prompted: readonly number[]): [number, number][] =>
  prompted.slice(1).map((to, i) => [prompted[i], to]);

export class PropagationView {
  /** The chosen pair of prompted slices, as "from-to" (kept across renders). */
  private pair = '';

  constructor(private readonly controller: Medsam2Controller) {}

  render(s: ControllerState): HTMLElement {
    const p = s.propagation;
    const segment = s.segments.find((x) => x.objectId === s.activeObjectId);
    const stale = segment?.stale.length ?? 0;
    const fraction = p.total > 0 ? p.done / p.total : 0;
    const noSeries = s.series.status !== 'ready';
    const running = p.running ? 'A propagation is running: Stop it first.' : undefined;
    return h(
      'div',
      { style: STYLE.section, 'data-cy': 'medsam2-propagation' },
      h(
        'div',
        { style: STYLE.row },
        button('medsam2-propagate', 'Propagate', () => this.controller.propagate(), {
          primary: true,
          disabled: p.running || noSeries,
          why: running ?? 'Open a series with the MedSAM-2 tool first.',
        }),
        button(
          'medsam2-update',
          stale > 0 ? `Update ${stale} slices` : 'Update',
          () => this.controller.update(),
          {
            disabled: p.running || stale === 0,
            why: running ?? 'Every slice is up to date: a correction marks the slices it invalidates.',
          },
        ),
        button('medsam2-stop', 'Stop', () => this.controller.stop(), {
          disabled: !p.running,
          why: 'No propagation is running.',
        }),
      ),
      segment ? this.between(s, segment) : null,
      s.queued > 1
        ? h(
            'div',
            { 'data-cy': 'medsam2-queued', style: STYLE.note },
            `${s.queued - 1} more action(s) waiting their turn…`,
          )
        : null,
      h(
        'div',
        { style: STYLE.track },
        h('div', {
          'data-cy': 'medsam2-progress',
          'data-done': p.done,
          'data-total': p.total,
          'data-running': p.running ? 'true' : 'false',
          style: `height:100%;width:${(fraction * 100).toFixed(1)}%;background:#2b8bc6;`,
        }),
      ),
      h(
        'div',
        { style: stale > 0 && !p.running ? STYLE.warning : STYLE.note, 'data-cy': 'medsam2-progress-text' },
        progressText(p, stale, segment?.slices.length ?? 0),
      ),
    );
  }

  /** "Propagate between" two neighbouring prompted slices, when the segment has two or more. */
  private between(s: ControllerState, segment: SegmentState): HTMLElement | null {
    const pairs = promptedPairs(segment.promptedSlices);
    if (pairs.length === 0) return null;
    const keys = pairs.map(([a, b]) => `${a}-${b}`);
    const chosen = keys.includes(this.pair) ? this.pair : keys[0];
    // The pair is read when pressed: choosing one re-renders nothing.
    const run = () => {
      const [from, to] = pairs[Math.max(0, keys.indexOf(this.pair))];
      return this.controller.propagateBetween(from, to);
    };
    const allPlanes = s.settings.orientations === 'all';
    return h(
      'div',
      { style: STYLE.row, 'data-cy': 'medsam2-between' },
      button('medsam2-propagate-between', 'Propagate between', run, {
        disabled: s.propagation.running || allPlanes,
        why: allPlanes
          ? 'Works on the prompted plane only: set Orientations to "acquisition plane" in Settings.'
          : 'A propagation is running: Stop it first.',
      }),
      h(
        'select',
        {
          'data-cy': 'medsam2-between-range',
          style: STYLE.input,
          onchange: (e: Event) => (this.pair = (e.target as HTMLSelectElement).value),
        },
        ...pairs.map(([a, b], i) =>
          h('option', { value: keys[i], selected: keys[i] === chosen }, `slices ${a + 1} – ${b + 1}`),
        ),
      ),
    );
  }
}

/** While running: done/total; after: what is out of date, else "n/n slices — done". */
export function progressText(p: ControllerState['propagation'], stale: number, slices: number): string {
  if (p.running) return p.total > 0 ? `${p.done}/${p.total} slices` : '';
  if (stale > 0) return `${stale} of ${slices} slices out of date: Update redoes them.`;
  return p.total > 0 ? `${p.done}/${p.total} slices — done` : '';
}

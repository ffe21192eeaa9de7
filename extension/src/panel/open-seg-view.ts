/**
 * "Open SEG…" in the Segments section: the SEG series of the study that reference the series in
 * view, as a list to choose from; choosing one opens it as editable segments. Unusable, it says why.
 */
import type { ControllerState } from '../host/controller-state';
import type { SegChoice } from '../host/seg-choices';
import { h } from './dom';

export function openSegControl(
  s: ControllerState,
  choices: readonly SegChoice[],
  open: (displaySetInstanceUID: string) => void,
  style: string,
): HTMLElement {
  const why =
    s.series.status !== 'ready'
      ? 'Open a series with the MedSAM-2 tool first.'
      : choices.length === 0
        ? 'No SEG in this study references the series in view.'
        : undefined;
  return h(
    'select',
    {
      'data-cy': 'medsam2-open-seg',
      // A long series description must not widen the panel.
      style: `${style}max-width:100%;min-width:0;`,
      disabled: why !== undefined,
      title: why ?? 'Open a SEG of this series for editing: its segments become segments here.',
      onchange: (e: Event) => {
        const select = e.target as HTMLSelectElement;
        const uid = select.value;
        select.value = '';
        if (uid) open(uid);
      },
    },
    h('option', { value: '', selected: true }, 'Open SEG…'),
    ...choices.map((c) => h('option', { value: c.displaySetInstanceUID }, c.label)),
  );
}

/** Under an opened segment: where it came from and what a click does. */
export function openedFromNote(
  openedFrom: string | undefined,
  objectId: number,
  style: string,
): HTMLElement | null {
  if (!openedFrom) return null;
  return h(
    'div',
    { 'data-cy': `medsam2-segment-opened-${objectId}`, style },
    `Opened from ${openedFrom}: slices kept as they are; a click corrects the slice it is on.`,
  );
}

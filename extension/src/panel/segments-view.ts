/**
 * The panel's segments section: "+ Add", "Open SEG…", and one row per segment — active choice,
 * colour, label, SNOMED CT category and type (a list, or a search of the catalogue), where an opened
 * segment came from, and its confidence strip.
 */
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState, SegmentState } from '../host/controller-state';
import { confidenceStrip } from './confidence-strip';
import { STYLE, button } from './controls';
import { h, hexToRgb, rgbToHex } from './dom';
import { openSegControl, openedFromNote } from './open-seg-view';
import { CATEGORY_CHOICES, TYPE_CHOICES, findType } from './segment-codes';

export function segmentsSection(
  s: ControllerState,
  controller: Medsam2Controller,
  /** Renders the panel again (a text field left keeps no stale text). */
  rerender: () => void,
): HTMLElement {
  return h(
    'div',
    { style: STYLE.section, 'data-cy': 'medsam2-segments' },
    h(
      'div',
      { style: STYLE.row },
      h('span', { style: STYLE.title }, 'Segments'),
      button('medsam2-add-segment', '+ Add', () => controller.addSegment(), {
        disabled: s.series.status !== 'ready',
        why: 'Open a series with the MedSAM-2 tool first.',
      }),
      openSegControl(s, controller.segChoices(), (uid) => void controller.openSeg(uid), STYLE.input),
    ),
    s.busy ? h('div', { 'data-cy': 'medsam2-busy', style: STYLE.note }, s.busy) : null,
    ...s.segments.map((seg) =>
      segmentRow(
        seg,
        seg.objectId === s.activeObjectId,
        s.settings.confidenceThreshold,
        controller,
        rerender,
      ),
    ),
  );
}

function segmentRow(
  seg: SegmentState,
  active: boolean,
  threshold: number,
  controller: Medsam2Controller,
  rerender: () => void,
): HTMLElement {
  const id = seg.objectId;
  const select = (
    cy: string,
    choices: typeof CATEGORY_CHOICES,
    current: SegmentState['type'],
    set: (v: number) => void,
  ) =>
    h(
      'select',
      {
        'data-cy': cy,
        style: STYLE.input,
        onchange: (e: Event) => {
          const i = Number((e.target as HTMLSelectElement).value);
          if (i >= 0) set(i);
        },
      },
      // A code from elsewhere (an opened SEG's) is shown as it is, not as the list's first entry.
      choices.some((c) => c.value === current.value)
        ? null
        : h('option', { value: -1, selected: true }, current.meaning),
      ...choices.map((c, i) => h('option', { value: i, selected: c.value === current.value }, c.meaning)),
    );
  return h(
    'div',
    {
      'data-cy': `medsam2-segment-${id}`,
      'data-active': active ? 'true' : 'false',
      style: `display:flex;flex-direction:column;gap:4px;padding:4px;border-radius:4px;${active ? 'background:#12263a;border:1px solid #2b8bc6;' : 'border:1px solid transparent;'}`,
    },
    h(
      'div',
      { style: STYLE.row },
      h('input', {
        type: 'radio',
        name: 'medsam2-active-segment',
        'data-cy': `medsam2-segment-select-${id}`,
        checked: active,
        onchange: () => controller.selectSegment(id),
      }),
      h('input', {
        type: 'color',
        'data-cy': `medsam2-segment-color-${id}`,
        value: rgbToHex(seg.color),
        onchange: (e: Event) =>
          controller.setSegmentColor(id, hexToRgb((e.target as HTMLInputElement).value)),
      }),
      h('input', {
        type: 'text',
        'data-cy': `medsam2-segment-label-${id}`,
        value: seg.label,
        style: `${STYLE.input}flex:1;min-width:80px;`,
        onchange: (e: Event) => controller.renameSegment(id, (e.target as HTMLInputElement).value),
        onblur: rerender,
      }),
    ),
    h(
      'div',
      { style: STYLE.row },
      select(`medsam2-segment-category-${id}`, CATEGORY_CHOICES, seg.category, (i) =>
        controller.setSegmentCodes(id, { category: CATEGORY_CHOICES[i] }),
      ),
      select(`medsam2-segment-type-${id}`, TYPE_CHOICES, seg.type, (i) =>
        controller.setSegmentCodes(id, { type: TYPE_CHOICES[i] }),
      ),
    ),
    h(
      'div',
      { style: STYLE.row },
      h('input', {
        type: 'text',
        list: 'medsam2-type-catalog',
        'data-cy': `medsam2-segment-type-search-${id}`,
        placeholder: 'Find a structure (SNOMED CT)…',
        style: `${STYLE.input}flex:1;min-width:80px;`,
        onchange: (e: Event) => {
          const found = findType((e.target as HTMLInputElement).value);
          if (found) controller.setSegmentCodes(id, found);
          (e.target as HTMLInputElement).value = '';
        },
        onblur: rerender,
      }),
      h(
        'datalist',
        { id: 'medsam2-type-catalog' },
        ...TYPE_CHOICES.map((c) => h('option', { value: c.meaning })),
      ),
    ),
    openedFromNote(seg.openedFrom, id, STYLE.note),
    confidenceStrip(seg, threshold, (k) => void controller.jumpToSlice(k)),
  );
}

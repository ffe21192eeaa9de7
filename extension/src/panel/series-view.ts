/**
 * The panel's series section: the MedSAM-2 tool, Undo and Accept, the series in use (or why it
 * cannot be used), the mouse gestures, and whether the work survives a reload ("Clear saved work").
 */
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState } from '../host/controller-state';
import { STYLE, button } from './controls';
import { h } from './dom';

export function seriesSection(s: ControllerState, controller: Medsam2Controller): HTMLElement {
  const r = s.series;
  const text =
    r.status === 'none'
      ? s.toolActive && s.model.status !== 'error'
        ? 'The series opens as soon as the model is loaded.'
        : 'Press the MedSAM-2 tool and click on a slice.'
      : r.status === 'loading'
        ? `Reading ${r.label ?? 'series'}: ${r.loaded ?? 0}/${r.total ?? '?'} images`
        : r.status === 'ready'
          ? `${r.label ?? ''} · ${r.slices} slices`
          : `Cannot use ${r.label ?? 'this series'}: ${r.message ?? ''}`;
  return h(
    'div',
    { style: STYLE.section, 'data-cy': 'medsam2-series', 'data-status': r.status },
    h(
      'div',
      { style: STYLE.row },
      button(
        'medsam2-activate-tool',
        s.toolActive ? 'MedSAM-2 tool on' : 'MedSAM-2 tool',
        () => controller.activatePromptTool(),
        { primary: !s.toolActive },
      ),
      button('medsam2-undo', 'Undo', () => controller.undo(), {
        disabled: !s.canUndo,
        why: 'Nothing to undo: no prompt yet.',
      }),
      button('medsam2-accept', 'Accept', () => controller.accept(), {
        disabled: r.status !== 'ready',
        why: 'Nothing to accept: no series open yet.',
      }),
    ),
    h(
      'div',
      {
        style: r.status === 'error' ? STYLE.error : STYLE.note,
        'data-cy': r.status === 'error' ? 'medsam2-series-error' : 'medsam2-series-text',
      },
      text,
    ),
    h(
      'div',
      { style: STYLE.note },
      'Click = include · Shift-click or right-click = exclude · Drag = box · Alt-drag = scribble (Alt+Shift: exclude) · Shift-drag = lasso',
    ),
    s.saved ? savedWork(s.saved, controller) : null,
  );
}

/** Whether the work survives a reload (or what was restored), with "Clear saved work". */
function savedWork(saved: NonNullable<ControllerState['saved']>, controller: Medsam2Controller): HTMLElement {
  return h(
    'div',
    { style: STYLE.row, 'data-cy': 'medsam2-saved', 'data-status': saved.status },
    h(
      'span',
      { style: saved.status === 'not-kept' ? STYLE.warning : STYLE.note, 'data-cy': 'medsam2-saved-text' },
      saved.message,
    ),
    saved.status === 'cleared' || saved.status === 'restoring'
      ? null
      : button('medsam2-clear-saved', 'Clear saved work', () => controller.clearSavedWork()),
  );
}

/**
 * The panel's Settings (folded by default): update automatically after a correction, the memory
 * bank policy, K and the IoU threshold, the orientations (§3.3) and the workflow. Changes apply at
 * the next Propagate.
 */
import { type Workflow, WORKFLOWS } from '../engine/session';
import { BANK_POLICY_NAMES, type BankPolicyName } from '../engine/memory/policies';
import type { Medsam2Controller } from '../host/controller';
import type { ControllerState } from '../host/controller-state';
import { STYLE } from './controls';
import { h } from './dom';

export function settingsSection(
  s: ControllerState,
  controller: Medsam2Controller,
  /** Whether the section is unfolded (as the user left it). */
  open: boolean,
): HTMLElement {
  const st = s.settings;
  const num = (cy: string, value: number, step: number, set: (v: number) => void) =>
    h('input', {
      type: 'number',
      'data-cy': cy,
      value,
      step,
      style: `${STYLE.input}width:64px;`,
      onchange: (e: Event) => set(Number((e.target as HTMLInputElement).value)),
    });
  /** A labelled drop-down of [value, text] options; `set` gets the value chosen. */
  const choice = (
    label: string,
    cy: string,
    options: readonly (readonly [string, string])[],
    current: string,
    set: (v: string) => void,
  ) =>
    h(
      'label',
      { style: STYLE.row },
      label,
      h(
        'select',
        {
          'data-cy': cy,
          style: STYLE.input,
          onchange: (e: Event) => set((e.target as HTMLSelectElement).value),
        },
        ...options.map(([value, text]) => h('option', { value, selected: value === current }, text)),
      ),
    );
  return h(
    'details',
    { style: STYLE.section, 'data-cy': 'medsam2-settings', open },
    h('summary', { style: 'cursor:pointer;' }, 'Settings'),
    h(
      'label',
      { style: STYLE.row, title: 'Otherwise the strip marks them stale until you press Update.' },
      h('input', {
        type: 'checkbox',
        'data-cy': 'medsam2-setting-auto-update',
        checked: st.autoUpdate,
        onchange: (e: Event) =>
          controller.updateSettings({ autoUpdate: (e.target as HTMLInputElement).checked }),
      }),
      'Update automatically after a correction',
    ),
    h(
      'div',
      { 'data-cy': 'medsam2-settings-hint', style: STYLE.note },
      'Changes apply at the next Propagate, to this series too: it is redone from its prompts.',
    ),
    choice(
      'Memory bank',
      'medsam2-setting-policy',
      BANK_POLICY_NAMES.map((n) => [n, n]),
      st.policy,
      (v) => controller.updateSettings({ policy: v as BankPolicyName }),
    ),
    h(
      'label',
      { style: STYLE.row },
      'K',
      num('medsam2-setting-k', st.capacity, 1, (v) => controller.updateSettings({ capacity: v })),
      'IoU threshold',
      num('medsam2-setting-threshold', st.confidenceThreshold, 0.05, (v) =>
        controller.updateSettings({ confidenceThreshold: v }),
      ),
    ),
    choice(
      'Orientations',
      'medsam2-setting-orientations',
      [
        ['single', 'acquisition plane'],
        ['all', 'all six (§3.3)'],
      ],
      st.orientations,
      (v) => controller.updateSettings({ orientations: v === 'all' ? 'all' : 'single' }),
    ),
    choice(
      'Workflow',
      'medsam2-setting-workflow',
      [
        ['sam2', 'SAM 2 video predictor'],
        ['medsam2', 'MedSAM2 (box → mask, forward then backward)'],
        ['medsam2-box', 'MedSAM2 (box in both passes)'],
      ],
      st.workflow,
      (v) => controller.updateSettings({ workflow: workflowOf(v) }),
    ),
  );
}

const workflowOf = (value: string): Workflow =>
  (WORKFLOWS as readonly string[]).includes(value) ? (value as Workflow) : 'sam2';

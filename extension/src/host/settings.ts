/**
 * The panel's engine settings (bank policy, K, threshold, orientations, workflow) and the worker session
 * settings they stand for. They apply at the next Propagate, on the open series too. The viewer's own
 * settings (autoUpdate) are not the engine's: changing them redoes nothing.
 */
import { DEFAULT_BANK_OPTIONS } from '../engine/memory/policies';
import type { SessionSettings } from '../worker/protocol';
import type { SettingsState } from './controller-state';

export const DEFAULT_SETTINGS: SettingsState = {
  policy: DEFAULT_BANK_OPTIONS.policy,
  capacity: DEFAULT_BANK_OPTIONS.capacity,
  confidenceThreshold: DEFAULT_BANK_OPTIONS.confidenceThreshold,
  orientations: 'single',
  workflow: 'sam2',
  autoUpdate: false,
};

export function sessionSettings(s: SettingsState): SessionSettings {
  return {
    bank: {
      ...DEFAULT_BANK_OPTIONS,
      policy: s.policy,
      capacity: s.capacity,
      confidenceThreshold: s.confidenceThreshold,
    },
    orientations: s.orientations,
    workflow: s.workflow,
  };
}

/** Whether two settings make the same engine session (the viewer's own settings aside). */
export const sameSettings = (a: SettingsState, b: SettingsState): boolean =>
  a.policy === b.policy &&
  a.capacity === b.capacity &&
  a.confidenceThreshold === b.confidenceThreshold &&
  a.orientations === b.orientations &&
  a.workflow === b.workflow;

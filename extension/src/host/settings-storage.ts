/**
 * The panel's settings kept in the browser (localStorage) across page loads. Only the settings are
 * stored — no UIDs, no patient data. What is read back is checked field by field: a field that is
 * missing or not a valid value falls back to its default, so a stale or tampered entry never reaches
 * the engine.
 */
import { BANK_POLICY_NAMES, type BankPolicyName } from '../engine/memory/policies';
import { WORKFLOWS, type Workflow } from '../engine/session';
import type { SettingsState } from './controller-state';
import { DEFAULT_SETTINGS } from './settings';

export const SETTINGS_KEY = 'medsam2.settings.v1';

/** The part of the Web Storage API used here (localStorage, or a stand-in in tests). */
export type SettingsStore = Pick<Storage, 'getItem' | 'setItem'>;

const oneOf = <T extends string>(names: readonly T[], v: unknown): T | undefined =>
  typeof v === 'string' && (names as readonly string[]).includes(v) ? (v as T) : undefined;

/** The stored settings over the defaults; anything unreadable or invalid keeps its default. */
export function loadSettings(store: SettingsStore | null | undefined): SettingsState {
  let raw: unknown;
  try {
    raw = JSON.parse(store?.getItem(SETTINGS_KEY) ?? 'null');
  } catch {
    return DEFAULT_SETTINGS;
  }
  if (typeof raw !== 'object' || raw === null) return DEFAULT_SETTINGS;
  const r = raw as Record<string, unknown>;
  const d = DEFAULT_SETTINGS;
  const capacity = r.capacity;
  const threshold = r.confidenceThreshold;
  return {
    policy: oneOf<BankPolicyName>(BANK_POLICY_NAMES, r.policy) ?? d.policy,
    capacity:
      typeof capacity === 'number' && Number.isInteger(capacity) && capacity >= 1 && capacity <= 1000
        ? capacity
        : d.capacity,
    confidenceThreshold:
      typeof threshold === 'number' && threshold >= 0 && threshold <= 1 ? threshold : d.confidenceThreshold,
    orientations: oneOf(['single', 'all'] as const, r.orientations) ?? d.orientations,
    workflow: oneOf<Workflow>(WORKFLOWS, r.workflow) ?? d.workflow,
    autoUpdate: typeof r.autoUpdate === 'boolean' ? r.autoUpdate : d.autoUpdate,
  };
}

/** Stores the settings; a full or refused storage only means they are not kept. */
export function saveSettings(store: SettingsStore | null | undefined, settings: SettingsState): void {
  try {
    store?.setItem(SETTINGS_KEY, JSON.stringify(settings));
  } catch {
    // quota exceeded or storage disabled: the settings still apply to this page
  }
}

/** A controller state as the controller starts with it (no model, no series), for host tests. */
import { type ControllerState, IDLE_TEMPLATE } from '../../extension/src/host/controller-state';
import { DEFAULT_SETTINGS } from '../../extension/src/host/settings';

export const INITIAL_STATE: ControllerState = {
  model: { status: 'idle', url: '/model' },
  series: { status: 'none' },
  segments: [],
  activeObjectId: null,
  toolActive: false,
  propagation: { running: false, done: 0, total: 0, runs: 0 },
  settings: DEFAULT_SETTINGS,
  export: { status: 'idle' },
  template: IDLE_TEMPLATE,
  canUndo: false,
  preEncoded: [],
  queued: 0,
};

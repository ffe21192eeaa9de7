/** Panel settings → worker session settings. */
import { DEFAULT_BANK_OPTIONS } from '../../extension/src/engine/memory/policies';
import { DEFAULT_SETTINGS, sameSettings, sessionSettings } from '../../extension/src/host/settings';

test('the panel starts from the engine’s defaults', () => {
  expect(sessionSettings(DEFAULT_SETTINGS)).toEqual({
    bank: DEFAULT_BANK_OPTIONS,
    orientations: 'single',
    workflow: 'sam2',
  });
});

test('each panel setting reaches the session settings, and any change counts as a change', () => {
  const changed = {
    policy: 'sam2-fifo',
    capacity: 3,
    confidenceThreshold: 0.7,
    orientations: 'all',
    workflow: 'medsam2',
  } as const;
  expect(sessionSettings({ ...changed, autoUpdate: false })).toEqual({
    bank: { ...DEFAULT_BANK_OPTIONS, policy: 'sam2-fifo', capacity: 3, confidenceThreshold: 0.7 },
    orientations: 'all',
    workflow: 'medsam2',
  });
  expect(sameSettings(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS })).toBe(true);
  for (const [key, value] of Object.entries(changed))
    expect(sameSettings(DEFAULT_SETTINGS, { ...DEFAULT_SETTINGS, [key]: value })).toBe(false);
});

test('the viewer-only setting (update automatically) does not change the engine session', () => {
  const auto = { ...DEFAULT_SETTINGS, autoUpdate: true };
  expect(sameSettings(DEFAULT_SETTINGS, auto)).toBe(true);
  expect(sessionSettings(auto)).toEqual(sessionSettings(DEFAULT_SETTINGS));
});

import { DEFAULT_SETTINGS } from '../../extension/src/host/settings';
import {
  SETTINGS_KEY,
  type SettingsStore,
  loadSettings,
  saveSettings,
} from '../../extension/src/host/settings-storage';

function memoryStore(initial?: string): SettingsStore & { value: string | null } {
  const store = {
    value: initial ?? null,
    getItem: (key: string) => (key === SETTINGS_KEY ? store.value : null),
    setItem: (key: string, v: string) => {
      if (key === SETTINGS_KEY) store.value = v;
    },
  };
  return store;
}

describe('settings kept across page loads', () => {
  test('what is saved is loaded back, the update-automatically setting included', () => {
    const store = memoryStore();
    const settings = {
      ...DEFAULT_SETTINGS,
      policy: 'sam2-fifo',
      capacity: 4,
      confidenceThreshold: 0.25,
      workflow: 'medsam2',
      autoUpdate: true,
    } as const;
    saveSettings(store, settings);
    expect(loadSettings(store)).toEqual(settings);
  });

  test('nothing stored, no storage, or unreadable JSON: the defaults', () => {
    expect(loadSettings(memoryStore())).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStore('{"policy": '))).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStore('[1,2]'))).toEqual(DEFAULT_SETTINGS);
  });

  test('each invalid field falls back to its default, the valid ones are kept', () => {
    const stored = JSON.stringify({
      policy: 'rm -rf',
      capacity: 2.5,
      confidenceThreshold: 7,
      orientations: 'all',
      workflow: { toString: 'x' },
      autoUpdate: 'yes',
    });
    expect(loadSettings(memoryStore(stored))).toEqual({ ...DEFAULT_SETTINGS, orientations: 'all' });
    expect(loadSettings(memoryStore(JSON.stringify({ capacity: 1e9 }))).capacity).toBe(
      DEFAULT_SETTINGS.capacity,
    );
  });

  test('a storage that refuses to write only means nothing is kept', () => {
    const refusing: SettingsStore = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(() => saveSettings(refusing, DEFAULT_SETTINGS)).not.toThrow();
  });
});

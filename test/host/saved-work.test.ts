import {
  type KeyValueStorage,
  type SavedWork,
  SavedWorkStore,
  parseSavedWork,
  readSavedWork,
} from '../../extension/src/host/saved-work';
import type { ActiveSeries } from '../../extension/src/host/open-series';
import { DEFAULT_SETTINGS } from '../../extension/src/host/settings';
import { StateStore } from '../../extension/src/host/state-store';
import { type ReplayOps, WorkKeeper } from '../../extension/src/host/work-keeper';
import { INITIAL_STATE } from '../support/controller-state';

/** Web Storage's shape in memory; `refuse` makes setItem throw as a full or blocked storage does. */
class MemoryStorage implements KeyValueStorage {
  readonly map = new Map<string, string>();
  refuse: string | null = null;
  get length() {
    return this.map.size;
  }
  key(i: number) {
    return [...this.map.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (this.refuse) throw new DOMException('refused', this.refuse);
    this.map.set(k, v);
  }
  removeItem(k: string) {
    this.map.delete(k);
  }
}

const STUDY = '1.2.826.0.1.3680043.8.498.1';
const SERIES = '1.2.826.0.1.3680043.8.498.2';
const tissue = { value: '85756007', scheme: 'SCT', meaning: 'Tissue' };

function work(savedAt = 1000, extraSteps = 0): SavedWork {
  return {
    savedAt,
    segments: [{ objectId: 1, label: 'Liver', color: [220, 50, 50], category: tissue, type: tissue }],
    steps: [
      { kind: 'prompt', objectId: 1, prompt: { slice: 7, points: [{ x: 12.5, y: 30, label: 1 }] } },
      { kind: 'prompt', objectId: 1, prompt: { slice: 7, box: [1, 2, 30, 40] } },
      { kind: 'undo', objectId: 1 },
      { kind: 'propagate', objectId: 1, settings: DEFAULT_SETTINGS },
      { kind: 'between', objectId: 1, from: 3, to: 7, settings: DEFAULT_SETTINGS },
      ...Array.from({ length: extraSteps }, () => ({ kind: 'undo' as const, objectId: 1 })),
    ],
  };
}

describe('saved work (prompts that survive a reload)', () => {
  test('round-trips under a key made of the two UIDs only', () => {
    const storage = new MemoryStorage();
    const store = new SavedWorkStore(storage);
    expect(store.save(STUDY, SERIES, work())).toEqual({ status: 'saved' });
    expect(store.load(STUDY, SERIES)).toEqual(work());
    expect([...storage.map.keys()]).toEqual([`medsam2:work:v1:${STUDY}/${SERIES}`]);
    expect(store.load(STUDY, '1.2.3')).toBeNull();
  });

  test('a UID that is not one (a name, a path) keeps nothing and finds nothing', () => {
    const storage = new MemoryStorage();
    const store = new SavedWorkStore(storage);
    for (const bad of ['Doe^John', '../1.2', '1..2', '', '1.2.3a', '1'.repeat(65)]) {
      expect(store.save(bad, SERIES, work())).toMatchObject({ status: 'not-saved' });
      expect(store.load(bad, SERIES)).toBeNull();
    }
    expect(storage.map.size).toBe(0);
  });

  test('an entry that is not what this code writes is ignored, never half-read', () => {
    const good = JSON.stringify(work());
    expect(parseSavedWork(good)).toEqual(work());
    const broken = [
      '{',
      'null',
      good.replace('"kind":"undo"', '"kind":"erase"'),
      good.replace('12.5', '"12.5"'),
      good.replace('"label":1', '"label":2'),
      good.replace('[220,50,50]', '[220,50,500]'),
      good.replace('"policy":"', '"policy":"x'),
      JSON.stringify({ ...work(), segments: [] }),
      JSON.stringify({ ...work(), steps: [{ kind: 'prompt', objectId: 1, prompt: { slice: 2 } }] }),
      JSON.stringify({ ...work(), segments: [{ ...work().segments[0], label: 'x'.repeat(300) }] }),
      JSON.stringify({
        ...work(),
        steps: [{ kind: 'between', objectId: 1, from: 2.5, to: 9, settings: DEFAULT_SETTINGS }],
      }),
      JSON.stringify({ ...work(), steps: [{ kind: 'between', objectId: 1, from: -1, to: 9 }] }),
    ];
    for (const text of broken) expect(parseSavedWork(text)).toBeNull();
  });

  test('an entry refused says why: where it breaks, too large, too many segments', () => {
    const good = JSON.stringify(work());
    expect(readSavedWork('{')).toEqual({ unreadable: 'not JSON' });
    expect(readSavedWork('[1,2]')).toEqual({
      unreadable: 'not saved work of this viewer (savedAt, segments or steps missing)',
    });
    expect(readSavedWork(good.replace('"kind":"undo"', '"kind":"erase"'))).toEqual({
      unreadable: 'step 3 of 5 is not one this viewer writes',
    });
    expect(readSavedWork(good.replace('[220,50,50]', '[220,50,500]'))).toEqual({
      unreadable: 'segment 1 is not one this viewer writes',
    });
    const many = { ...work(), segments: Array.from({ length: 300 }, () => work().segments[0]) };
    expect(readSavedWork(JSON.stringify(many))).toEqual({
      unreadable: '300 segments (1 to 255 fit the labelmap)',
    });
    expect(readSavedWork(good, 100)).toEqual({
      unreadable: `${Math.ceil(good.length / 1024)} KB, more than the ${100 / 1024} KB an entry may hold`,
    });
  });

  test('an entry larger than an entry may be (written by something else) is refused on loading, not replayed', () => {
    const storage = new MemoryStorage();
    const store = new SavedWorkStore(storage, { entry: 2048, total: 8192 });
    storage.setItem(`medsam2:work:v1:${STUDY}/${SERIES}`, JSON.stringify(work(1000, 200)));
    expect(store.load(STUDY, SERIES)).toEqual({
      unreadable: expect.stringMatching(/^\d+ KB, more than the 2 KB an entry may hold$/),
    });
  });

  test('"__proto__" keys in an entry change no prototype', () => {
    const text = JSON.stringify(work()).replace(
      '{"kind":"undo","objectId":1}',
      '{"kind":"undo","objectId":1,"__proto__":{"polluted":true}}',
    );
    const read = parseSavedWork(`{"__proto__":{"polluted":true},${text.slice(1)}`) as SavedWork;
    expect(read.steps[2]).toMatchObject({ kind: 'undo', objectId: 1 });
    expect(Object.getPrototypeOf(read.steps[2])).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a lasso step round-trips; a lasso of fewer than 3 vertices or with a non-number is refused', () => {
    const lasso = [
      { x: 1, y: 2 },
      { x: 9, y: 2 },
      { x: 5, y: 8.5 },
    ];
    const withLasso = {
      ...work(),
      steps: [{ kind: 'prompt' as const, objectId: 1, prompt: { slice: 3, lasso } }],
    };
    expect(parseSavedWork(JSON.stringify(withLasso))).toEqual(withLasso);
    const bad = (l: unknown) =>
      JSON.stringify({ ...work(), steps: [{ kind: 'prompt', objectId: 1, prompt: { slice: 3, lasso: l } }] });
    expect(parseSavedWork(bad(lasso.slice(0, 2)))).toBeNull();
    expect(parseSavedWork(bad([...lasso.slice(0, 2), { x: '5', y: 8 }]))).toBeNull();
  });

  test('storage that refuses, is missing, or an entry over the bound: not saved, and why', () => {
    const storage = new MemoryStorage();
    storage.refuse = 'QuotaExceededError';
    expect(new SavedWorkStore(storage).save(STUDY, SERIES, work())).toEqual({
      status: 'not-saved',
      reason: 'this browser refused to keep it (QuotaExceededError)',
    });
    expect(new SavedWorkStore(null).save(STUDY, SERIES, work())).toMatchObject({
      reason: expect.stringContaining('storage is disabled'),
    });
    const small = new SavedWorkStore(new MemoryStorage(), { entry: 2048, total: 10_000 });
    expect(small.save(STUDY, SERIES, work(1, 100))).toMatchObject({
      status: 'not-saved',
      reason: expect.stringMatching(/too large to keep \(\d+ KB, at most 2 KB\)/),
    });
  });

  test('past the total bound the series saved longest ago goes first; clear removes one series', () => {
    const storage = new MemoryStorage();
    const size = JSON.stringify(work()).length;
    const store = new SavedWorkStore(storage, { entry: 4096, total: size * 2 + 10 });
    store.save(STUDY, '1.1', work(3));
    store.save(STUDY, '1.2', work(1));
    store.save(STUDY, '1.3', work(5));
    expect(store.load(STUDY, '1.2')).toBeNull();
    expect(store.load(STUDY, '1.1')).not.toBeNull();
    expect(store.load(STUDY, '1.3')).not.toBeNull();
    store.clear(STUDY, '1.1');
    expect(store.load(STUDY, '1.1')).toBeNull();
    expect(store.load(STUDY, '1.3')).not.toBeNull();
  });
});

describe('WorkKeeper (the work on the open series, kept and replayed)', () => {
  const series = {
    series: {
      displaySet: { StudyInstanceUID: STUDY, SeriesInstanceUID: SERIES },
      volume: { dims: [64, 64, 20] },
    },
  } as unknown as ActiveSeries;
  const liver = {
    objectId: 1,
    segmentIndex: 1,
    label: 'Liver',
    color: [220, 50, 50] as const,
    category: tissue,
    type: tissue,
    slices: [],
    stale: [],
    promptedSlices: [],
  };

  function keeper(storage = new MemoryStorage()) {
    const state = new StateStore({ ...INITIAL_STATE, segments: [liver] }, () => ({}));
    return { state, storage, work: new WorkKeeper(state, new SavedWorkStore(storage)) };
  }

  /** Replay operations that log what they are asked; object ids handed out from 11. */
  function ops(fail?: string): { ops: ReplayOps; log: string[] } {
    const log: string[] = [];
    let next = 11;
    return {
      log,
      ops: {
        segment: async (_a, s, index) => {
          log.push(`segment ${index} ${s.label}`);
          return next++;
        },
        select: (_a, id) => log.push(`select ${id}`),
        prompt: async (_a, p) => {
          if (fail === 'prompt') throw new Error('worker gone');
          log.push(`prompt ${p.slice}`);
        },
        undo: async () => void log.push('undo'),
        propagate: async (_a, s) => void log.push(`propagate ${s.policy}`),
        between: async (_a, from, to, s) => void log.push(`between ${from}-${to} ${s.workflow}`),
      },
    };
  }

  /** Opens the series with `entry` stored under its key; what the keeper replayed and said. */
  async function openOver(entry: string) {
    const key = `medsam2:work:v1:${STUDY}/${SERIES}`;
    const { storage, work: keeperOf, state } = keeper();
    storage.setItem(key, entry);
    const replay = ops();
    await keeperOf.opened(series, replay.ops);
    return { storage, key, keeperOf, state, replay };
  }

  test('records each step as it is done and replays them in order on the next opening', async () => {
    const { storage, work, state } = keeper();
    await work.opened(series, ops().ops);
    expect(state.state.saved).toBeUndefined();
    work.prompt(1, { slice: 4, points: [{ x: 1, y: 2, label: 1 }] });
    work.undo(1);
    work.prompt(1, { slice: 5, box: [0, 0, 9, 9] });
    work.propagate(1, DEFAULT_SETTINGS);
    work.between(1, 4, 5, { ...DEFAULT_SETTINGS, workflow: 'medsam2' });
    expect(state.state.saved).toMatchObject({ status: 'kept' });

    const again = keeper(storage);
    const replay = ops();
    await again.work.opened(series, replay.ops);
    expect(replay.log).toEqual([
      'segment 0 Liver',
      'select 11',
      'prompt 4',
      'select 11',
      'undo',
      'select 11',
      'prompt 5',
      'select 11',
      `propagate ${DEFAULT_SETTINGS.policy}`,
      'select 11',
      'between 4-5 medsam2',
      'select 11',
    ]);
    expect(again.state.state.saved?.message).toMatch(/^Restored your work from \d\d:\d\d \(2 prompts\)\.$/);
  });

  test('a SEG opened for editing is not kept: its segments and the steps on them are left out', async () => {
    const { storage, work, state } = keeper();
    await work.opened(series, ops().ops);
    state.set({
      segments: [liver, { ...liver, objectId: 2, segmentIndex: 2, label: 'Opened', openedFrom: 'SEG 901' }],
    });
    work.prompt(2, { slice: 3, points: [{ x: 1, y: 2, label: 1 }] });
    expect(storage.map.size).toBe(0);
    work.prompt(1, { slice: 4, points: [{ x: 1, y: 2, label: 1 }] });
    const saved = parseSavedWork([...storage.map.values()][0]);
    expect(saved?.segments.map((s) => s.label)).toEqual(['Liver']);
    expect(saved?.steps.map((s) => s.objectId)).toEqual([1]);
  });

  test('a replay that fails keeps the saved copy as it was and says so', async () => {
    const { storage, work } = keeper();
    await work.opened(series, ops().ops);
    work.prompt(1, { slice: 4, points: [{ x: 1, y: 2, label: 1 }] });
    const copy = [...storage.map.values()][0];
    const again = keeper(storage);
    await again.work.opened(series, ops('prompt').ops);
    again.work.prompt(1, { slice: 6, points: [{ x: 1, y: 2, label: 1 }] });
    expect([...storage.map.values()]).toEqual([copy]);
    expect(again.state.state.saved).toMatchObject({
      status: 'not-kept',
      message: expect.stringContaining('could not be restored (worker gone)'),
    });
  });

  test('an entry that cannot be read is said in the panel, nothing of it replayed, and new work kept in its place', async () => {
    const broken = JSON.stringify(work()).replace('"slice":7', '"slice":-7');
    const { storage, key, keeperOf, state, replay } = await openOver(broken);
    expect(replay.log).toEqual([]);
    expect(state.state.saved).toEqual({
      status: 'not-kept',
      message:
        'Saved work on this series could not be read (step 1 of 5 is not one this viewer writes); ' +
        'the series opens without it.',
    });
    keeperOf.prompt(1, { slice: 4, points: [{ x: 1, y: 2, label: 1 }] });
    expect(parseSavedWork(storage.getItem(key) as string)?.steps).toHaveLength(1);
    expect(state.state.saved).toMatchObject({ status: 'kept' });
  });

  test('saved work on slices the series does not have is said, nothing replayed, and the copy kept as it is', async () => {
    const far = JSON.stringify({
      ...work(),
      steps: [...work().steps, { kind: 'between', objectId: 1, from: 7, to: 25, settings: DEFAULT_SETTINGS }],
    });
    const { storage, key, keeperOf, state, replay } = await openOver(far);
    expect(replay.log).toEqual([]);
    expect(state.state.saved).toEqual({
      status: 'not-kept',
      message:
        'Your saved work does not fit this series (step 6 is on slice 26, the series has 20); it is still kept, ' +
        'and nothing more is saved in this page.',
    });
    keeperOf.prompt(1, { slice: 4, points: [{ x: 1, y: 2, label: 1 }] });
    expect(storage.getItem(key)).toBe(far);
  });

  test('storage that refuses is said in the panel; "Clear saved work" forgets and stops keeping', async () => {
    const { storage, work, state } = keeper();
    await work.opened(series, ops().ops);
    storage.refuse = 'QuotaExceededError';
    work.prompt(1, { slice: 4, points: [{ x: 1, y: 2, label: 1 }] });
    expect(state.state.saved).toEqual({
      status: 'not-kept',
      message: 'Your work will not survive a reload: this browser refused to keep it (QuotaExceededError).',
    });
    storage.refuse = null;
    work.prompt(1, { slice: 5, points: [{ x: 1, y: 2, label: 1 }] });
    expect(storage.map.size).toBe(1);
    work.clear();
    work.prompt(1, { slice: 6, points: [{ x: 1, y: 2, label: 1 }] });
    expect(storage.map.size).toBe(0);
    expect(state.state.saved).toMatchObject({ status: 'cleared' });
  });
});

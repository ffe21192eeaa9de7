import type { ControllerState } from '../../extension/src/host/controller-state';
import { StateStore } from '../../extension/src/host/state-store';
import { INITIAL_STATE as initial } from '../support/controller-state';

describe('StateStore', () => {
  afterEach(() => jest.useRealTimers());

  test('a change is published at once with the derived fields recomputed', () => {
    let undoable = false;
    const store = new StateStore(initial, () => ({ canUndo: undoable }));
    const seen: ControllerState[] = [];
    store.subscribe((s) => seen.push(s));
    undoable = true;
    store.set({ queued: 2 });
    expect(seen.map((s) => [s.queued, s.canUndo])).toEqual([
      [0, false],
      [2, true],
    ]);
  });

  test('quiet changes reach subscribers only when published, at most every 200 ms', () => {
    jest.useFakeTimers();
    const store = new StateStore(initial, () => ({}));
    const seen: number[] = [];
    store.subscribe((s) => seen.push(s.propagation.done));
    store.set({}); // just published: the next quiet change waits
    store.setQuietly({ propagation: { running: true, done: 1, total: 5, runs: 0 } });
    expect(store.state.propagation.done).toBe(1);
    store.publishIfPending();
    store.setQuietly({ propagation: { running: true, done: 2, total: 5, runs: 0 } });
    store.publishIfPending(); // one timer only
    expect(seen).toEqual([0, 0]);
    jest.advanceTimersByTime(200);
    expect(seen).toEqual([0, 0, 2]);
    store.publishIfPending(); // nothing pending: nothing published
    jest.advanceTimersByTime(500);
    expect(seen).toEqual([0, 0, 2]);
  });

  test('an unsubscribed listener hears nothing more', () => {
    const store = new StateStore(initial, () => ({}));
    const seen: number[] = [];
    const off = store.subscribe((s) => seen.push(s.queued));
    off();
    store.set({ queued: 3 });
    expect(seen).toEqual([0]);
  });
});

/**
 * The end of a propagation as the panel (and the e2e) sees it: `propagation.runs` moves on only
 * once the strip's marks were read again, so a state read at that moment is final. The engine
 * worker is faked (two slice updates and the stale slices it reports); the marks are the real
 * SliceMarks reading it.
 */
import type { SliceUpdate } from '../../extension/src/engine/session';
import type { ControllerParts } from '../../extension/src/host/controller-parts';
import type { ActiveSeries, SeriesSessions } from '../../extension/src/host/open-series';
import { Propagation } from '../../extension/src/host/propagation';
import { newSegment, SegmentEditor } from '../../extension/src/host/segments';
import { SliceMarks } from '../../extension/src/host/slice-marks';
import { StateStore } from '../../extension/src/host/state-store';
import { INITIAL_STATE } from '../support/controller-state';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const update = (slice: number): SliceUpdate =>
  ({
    objectId: 1,
    axis: 'axial',
    slice,
    direction: 1,
    mask: new Uint8Array(4),
    confidence: 0.9,
    present: true,
    progress: { done: slice, total: 2 },
  }) as unknown as SliceUpdate;

function setup(stream: () => AsyncIterable<SliceUpdate>) {
  const store = new StateStore(
    { ...INITIAL_STATE, segments: [newSegment(1, 1, 'Liver', 3)], activeObjectId: 1 },
    () => ({}),
  );
  const pending = deferred<number[]>();
  const client = {
    propagate: () => stream(),
    pendingSlices: () => pending.promise,
  };
  const parts = {
    store,
    segments: new SegmentEditor(
      {} as never,
      () => store.state,
      (patch, quiet) => (quiet ? store.setQuietly(patch) : store.set(patch)),
    ),
    prompts: { has: () => true, of: () => [{ slice: 0 }] },
    work: { propagate: () => undefined },
    client: () => client,
    say: () => undefined,
  } as unknown as ControllerParts;
  const active = {
    sessionId: 7,
    applied: store.state.settings,
    series: { imageIndexOfSlice: [0, 1, 2] },
    paint: { write: () => undefined, flush: async () => undefined },
  } as unknown as ActiveSeries;
  const series = { ensure: async () => active, current: active } as unknown as SeriesSessions;
  const propagation = new Propagation(parts, series, new SliceMarks(parts));
  return { store, pending, propagation };
}

test('a run counts as ended only after the stale slices are read again', async () => {
  const { store, pending, propagation } = setup(async function* () {
    yield update(1);
    yield update(2);
  });
  const done = propagation.propagate();
  // Let the stream and the paint finish: the marks are still being read.
  for (let i = 0; i < 20; i++) await Promise.resolve();
  expect(store.state.propagation).toMatchObject({ running: true, runs: 0 });
  pending.resolve([2]);
  await done;
  expect(store.state.propagation).toMatchObject({ running: false, runs: 1, done: 2, total: 2 });
  expect(store.state.segments[0].stale).toEqual([2]);
});

test("a failed run still ends, and shows its own error rather than the marks'", async () => {
  const { store, pending, propagation } = setup(async function* () {
    yield update(1);
    throw new Error('memory_attention failed on slice 2');
  });
  const run = propagation.propagate();
  pending.reject(new Error('the worker is gone'));
  await expect(run).rejects.toThrow('memory_attention failed on slice 2');
  expect(store.state.propagation).toMatchObject({ running: false, runs: 1 });
});

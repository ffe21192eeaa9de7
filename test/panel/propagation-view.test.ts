import { progressText, promptedPairs } from '../../extension/src/panel/propagation-view';

const run = (done: number, total: number, running = false) => ({ running, done, total, runs: 1 });

describe('the propagation section’s words', () => {
  test('"n/n slices — done" only when no slice is stale', () => {
    expect(progressText(run(19, 19), 0, 20)).toBe('19/19 slices — done');
    expect(progressText(run(19, 19), 7, 20)).toBe('7 of 20 slices out of date: Update redoes them.');
  });

  test('while running, the run’s own count', () => {
    expect(progressText(run(3, 7, true), 7, 20)).toBe('3/7 slices');
    expect(progressText(run(0, 0, true), 7, 20)).toBe('');
  });

  test('nothing run and nothing stale: nothing to say', () => {
    expect(progressText(run(0, 0), 0, 20)).toBe('');
  });
});

test('Propagate between offers each pair of neighbouring prompted slices', () => {
  expect(promptedPairs([])).toEqual([]);
  expect(promptedPairs([4])).toEqual([]);
  expect(promptedPairs([2, 9, 15])).toEqual([
    [2, 9],
    [9, 15],
  ]);
});

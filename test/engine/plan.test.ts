import { framesOf, planRuns } from '../../extension/src/engine/propagation/plan';

const covered = (runs: ReturnType<typeof planRuns>) =>
  runs.flatMap((r) => [...framesOf(r)]).sort((a, b) => a - b);

describe('planRuns: every frame predicted once, from its nearest conditioning frame', () => {
  it('one prompt runs backward to the first slice and forward to the last', () => {
    expect(planRuns([4], 10)).toEqual([
      { origin: 4, direction: -1, from: 3, to: 0, bounds: [4] },
      { origin: 4, direction: 1, from: 5, to: 9, bounds: [4] },
    ]);
  });

  it('a gap between two prompts is split in the middle and both runs attend both bounds', () => {
    const runs = planRuns([2, 9], 12);
    expect(runs).toContainEqual({ origin: 2, direction: 1, from: 3, to: 5, bounds: [2, 9] });
    expect(runs).toContainEqual({ origin: 9, direction: -1, from: 8, to: 6, bounds: [9, 2] });
    expect(covered(runs)).toEqual([0, 1, 3, 4, 5, 6, 7, 8, 10, 11]);
  });

  it('prompts at the ends and on adjacent slices leave no empty runs', () => {
    expect(planRuns([0, 1, 9], 10).every((r) => Math.abs(r.to - r.from) >= 0)).toBe(true);
    expect(covered(planRuns([0, 1, 9], 10))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(planRuns([0], 1)).toEqual([]);
  });

  it('no prompt, no run; duplicates and order do not matter', () => {
    expect(planRuns([], 5)).toEqual([]);
    expect(planRuns([7, 3, 7], 10)).toEqual(planRuns([3, 7], 10));
  });
});

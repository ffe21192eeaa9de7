import { aggregateProbabilities, binarize } from '../../extension/src/engine/volume/aggregate';

const f = (...v: number[]) => new Float32Array(v);

describe('aggregateProbabilities (paper §3.3: Y_3D = Aggregate({Y^(o)}))', () => {
  it('averages probabilities voxel by voxel', () => {
    const out = aggregateProbabilities([f(0, 1, 0.2), f(0.5, 1, 0.4), f(1, 0.4, 0.9)], 'mean');
    expect(out[0]).toBeCloseTo(0.5, 6);
    expect(out[1]).toBeCloseTo(0.8, 6);
    expect(out[2]).toBeCloseTo(0.5, 6);
  });

  it('counts the fraction of orientations voting foreground (p > 0.5) for majority', () => {
    // six orientations; voxel 0: 4 votes, voxel 1: 2 votes, voxel 2: p = 0.5 exactly is no vote
    const results = [
      f(0.9, 0.9, 0.5),
      f(0.8, 0.1, 0.5),
      f(0.7, 0.2, 0.5),
      f(0.6, 0.6, 0.5),
      f(0.4, 0.3, 0.5),
      f(0.0, 0.0, 0.5),
    ];
    const out = aggregateProbabilities(results, 'majority');
    expect(out[0]).toBeCloseTo(4 / 6, 6);
    expect(out[1]).toBeCloseTo(2 / 6, 6);
    expect(out[2]).toBe(0);
  });

  it('gives exactly 0.5 on a tie (3 of 6), which binarize makes background', () => {
    const six = [f(1), f(1), f(1), f(0), f(0), f(0)];
    const out = aggregateProbabilities(six, 'majority');
    expect(out[0]).toBe(0.5);
    expect(Array.from(binarize(out))).toEqual([0]);
    expect(Array.from(binarize(aggregateProbabilities([...six, f(1)], 'majority')))).toEqual([1]);
  });

  it('differs from the mean where a confident minority outweighs a lukewarm majority', () => {
    const results = [f(0.55), f(0.55), f(0.55), f(0.55), f(0.0), f(0.0)];
    expect(binarize(aggregateProbabilities(results, 'majority'))[0]).toBe(1);
    expect(binarize(aggregateProbabilities(results, 'mean'))[0]).toBe(0);
  });

  it('refuses no results, mismatched sizes and unknown methods', () => {
    expect(() => aggregateProbabilities([], 'mean')).toThrow(/no orientation results/);
    expect(() => aggregateProbabilities([f(1, 2), f(1)], 'mean')).toThrow(
      /result 1 has 1 voxels, result 0 has 2/,
    );
    expect(() => aggregateProbabilities([f(1)], 'median' as 'mean')).toThrow(/unknown method 'median'/);
  });
});

describe('binarize', () => {
  it('is 1 strictly above the threshold', () => {
    expect(Array.from(binarize(f(0, 0.5, 0.5001, 1)))).toEqual([0, 0, 1, 1]);
    expect(Array.from(binarize(f(0.2, 0.3), 0.25))).toEqual([0, 1]);
  });
});

/**
 * Metric code against hand-computed cases and brute-force re-implementations written here
 * (overlap, EDT, surfaces, HD95 with anisotropic spacing, percentile).
 */
import { squaredDistanceToFeatures } from '../../extension/src/eval/edt';
import { overlap } from '../../extension/src/eval/overlap';
import { meanSd, percentile, sampleSd } from '../../extension/src/eval/stats';
import { surfaceVoxels } from '../../extension/src/eval/surface';
import { surfaceDistances } from '../../extension/src/eval/surface-distance';
import { seededMask, voxelIndex } from './helpers';

describe('overlap', () => {
  it('computes Dice and IoU of a hand-made case', () => {
    // pred: 4 voxels, truth: 5 voxels, 3 shared → Dice 6/9, IoU 3/6.
    const pred = Uint8Array.from([1, 1, 1, 1, 0, 0, 0, 0]);
    const truth = Uint8Array.from([0, 1, 1, 1, 1, 1, 0, 0]);
    const o = overlap(pred, truth);
    expect(o).toMatchObject({ intersection: 3, predicted: 4, truth: 5 });
    expect(o.dice).toBeCloseTo(6 / 9, 12);
    expect(o.iou).toBeCloseTo(3 / 6, 12);
  });

  it('gives 1 for two empty masks and 0 for disjoint ones', () => {
    expect(overlap(new Uint8Array(4), new Uint8Array(4)).dice).toBe(1);
    const o = overlap(Uint8Array.from([1, 0]), Uint8Array.from([0, 1]));
    expect([o.dice, o.iou]).toEqual([0, 0]);
  });

  it('refuses masks of different sizes', () => {
    expect(() => overlap(new Uint8Array(3), new Uint8Array(4))).toThrow(/3 vs 4/);
  });
});

describe('percentile and summaries', () => {
  it('interpolates linearly between ranks like numpy', () => {
    // np.percentile([1,2,3,4], 95) = 3.85; np.percentile([5], 95) = 5; [10, 0, 20] median 10.
    expect(percentile([4, 1, 3, 2], 95)).toBeCloseTo(3.85, 12);
    expect(percentile([5], 95)).toBe(5);
    expect(percentile([10, 0, 20], 50)).toBe(10);
    expect(Number.isNaN(percentile([], 95))).toBe(true);
  });

  it('reports sample sd and counts non-finite values apart', () => {
    expect(sampleSd([1, 2, 3, 4])).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(meanSd([1, 3, Infinity])).toEqual({ mean: 2, sd: Math.SQRT2, n: 2, nonFinite: 1 });
  });
});

/** Squared distance to the nearest feature by checking every feature (O(n²)), for comparison. */
function bruteSquaredDistance(feature: Uint8Array, dims: number[], spacing: number[]): Float64Array {
  const coords = (i: number) => {
    const c: number[] = [];
    for (const n of dims) {
      c.push(i % n);
      i = Math.floor(i / n);
    }
    return c;
  };
  const features = [...feature.keys()].filter((i) => feature[i]).map(coords);
  return Float64Array.from(feature, (_, i) => {
    const c = coords(i);
    let best = Infinity;
    for (const f of features) {
      const d = f.reduce((s, v, a) => s + ((v - c[a]) * spacing[a]) ** 2, 0);
      if (d < best) best = d;
    }
    return best;
  });
}

describe('exact distance transform', () => {
  it('matches brute force in 1-D, 2-D and 3-D with anisotropic spacing', () => {
    const cases: [number[], number[], number][] = [
      [[17], [0.7], 0.2],
      [[13, 9], [1, 2.5], 0.1],
      [[9, 7, 6], [0.5, 1.3, 3], 0.05],
      [[8, 8, 8], [1, 1, 1], 0.01],
    ];
    cases.forEach(([dims, spacing, density], k) => {
      const f = seededMask(
        dims.reduce((a, b) => a * b, 1),
        density,
        100 + k,
      );
      const fast = squaredDistanceToFeatures(f, dims, spacing);
      const brute = bruteSquaredDistance(f, dims, spacing);
      for (let i = 0; i < f.length; i++) expect(fast[i]).toBeCloseTo(brute[i], 9);
    });
  });

  it('is Infinity everywhere without features and refuses a wrong size', () => {
    expect([...squaredDistanceToFeatures(new Uint8Array(6), [3, 2], [1, 1])]).toEqual(
      new Array(6).fill(Infinity),
    );
    expect(() => squaredDistanceToFeatures(new Uint8Array(5), [3, 2], [1, 1])).toThrow(/dims 3×2 need 6/);
  });
});

describe('surface voxels', () => {
  it('keeps the 26 outer voxels of a 3×3×3 cube and not its centre', () => {
    const dims = [5, 5, 5];
    const cube = new Uint8Array(125);
    for (let z = 1; z <= 3; z++)
      for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) cube[voxelIndex(dims, x, y, z)] = 1;
    const s = surfaceVoxels(cube, dims);
    expect(s.reduce((a, b) => a + b, 0)).toBe(26);
    expect(s[voxelIndex(dims, 2, 2, 2)]).toBe(0);
  });

  it('treats the array border as outside', () => {
    const s = surfaceVoxels(new Uint8Array(27).fill(1), [3, 3, 3]);
    expect(s.reduce((a, b) => a + b, 0)).toBe(26);
    // 2-D: a full 4×3 image keeps its 10 border pixels.
    expect(surfaceVoxels(new Uint8Array(12).fill(1), [4, 3]).reduce((a, b) => a + b, 0)).toBe(10);
  });
});

describe('surface distances and HD95', () => {
  const dims = [8, 9, 10];
  const spacing = [0.5, 0.7, 2];
  const single = (x: number, y: number, z: number) => {
    const m = new Uint8Array(8 * 9 * 10);
    m[voxelIndex(dims, x, y, z)] = 1;
    return m;
  };

  it('uses the voxel spacing along each axis', () => {
    expect(surfaceDistances(single(2, 2, 2), single(2, 2, 5), dims, spacing).hd95).toBeCloseTo(6, 12);
    expect(surfaceDistances(single(2, 2, 2), single(5, 2, 2), dims, spacing).hd95).toBeCloseTo(1.5, 12);
    const diagonal = surfaceDistances(single(2, 2, 2), single(5, 6, 2), dims, spacing);
    expect(diagonal.hd95).toBeCloseTo(Math.hypot(1.5, 2.8), 12);
    expect(diagonal.assd).toBeCloseTo(Math.hypot(1.5, 2.8), 12);
  });

  it('pools both directions before taking the 95th percentile', () => {
    // pred = a 1×1×4 rod along z (z = 0..3), truth = its first voxel. pred→truth: 0, 2, 4, 6 mm;
    // truth→pred: 0. Pooled [0,0,2,4,6]: 95th percentile = 4 + 0.8·2 = 5.6, max 6, mean 2.4.
    const rod = new Uint8Array(8 * 9 * 10);
    for (let z = 0; z < 4; z++) rod[voxelIndex(dims, 3, 3, z)] = 1;
    const d = surfaceDistances(rod, single(3, 3, 0), dims, spacing);
    expect([...d.predToTruth].sort()).toEqual([0, 2, 4, 6]);
    expect([...d.truthToPred]).toEqual([0]);
    expect(d.hd95).toBeCloseTo(5.6, 12);
    expect(d.hd).toBeCloseTo(6, 12);
    expect(d.assd).toBeCloseTo(2.4, 12);
  });

  it('is 0 for identical masks and both-empty, Infinity when one is empty', () => {
    const m = seededMask(8 * 9 * 10, 0.3, 7);
    expect(surfaceDistances(m, m, dims, spacing).hd95).toBe(0);
    expect(surfaceDistances(new Uint8Array(720), new Uint8Array(720), dims, spacing).hd95).toBe(0);
    expect(surfaceDistances(m, new Uint8Array(720), dims, spacing).hd95).toBe(Infinity);
  });

  it('matches a brute-force surface distance on random shapes', () => {
    const a = seededMask(720, 0.2, 11);
    const b = seededMask(720, 0.25, 12);
    const d = surfaceDistances(a, b, dims, spacing);
    const sa = surfaceVoxels(a, dims);
    const sb = surfaceVoxels(b, dims);
    const toB = bruteSquaredDistance(sb, dims, spacing);
    const toA = bruteSquaredDistance(sa, dims, spacing);
    const expected = [
      ...[...sa.keys()].filter((i) => sa[i]).map((i) => Math.sqrt(toB[i])),
      ...[...sb.keys()].filter((i) => sb[i]).map((i) => Math.sqrt(toA[i])),
    ];
    expect(d.predToTruth.length + d.truthToPred.length).toBe(expected.length);
    expect(d.hd95).toBeCloseTo(percentile(expected, 95), 9);
  });

  it('refuses bad spacing and sizes', () => {
    expect(() => surfaceDistances(new Uint8Array(720), new Uint8Array(720), dims, [1, 0, 1])).toThrow(
      /spacing/,
    );
    expect(() => surfaceDistances(new Uint8Array(719), new Uint8Array(720), dims, spacing)).toThrow(
      /need 720/,
    );
  });
});

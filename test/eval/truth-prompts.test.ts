/** Prompts from the ground truth: key slice, deepest click, box, jitter, prompt frequency; floors. */
import { copyKeySliceMask, keySliceOnlyMask } from '../../extension/src/eval/floors';
import { axialExtent, boxAround, cropArray, type Dims3 } from '../../extension/src/eval/structure';
import {
  boundingBox,
  deepestPoint,
  jitterBox,
  keySlice,
  truthPrompts,
} from '../../extension/src/eval/truth-prompts';
import { voxelIndex } from './helpers';

/** A 6×5×6 volume whose slice z holds a w×h rectangle at (1,1) (sizes per slice given). */
function stack(sizes: ([number, number] | null)[]): { mask: Uint8Array; dims: Dims3 } {
  const dims: Dims3 = [6, 5, sizes.length];
  const mask = new Uint8Array(6 * 5 * sizes.length);
  sizes.forEach((s, z) => {
    if (!s) return;
    for (let y = 1; y < 1 + s[1]; y++) for (let x = 1; x < 1 + s[0]; x++) mask[voxelIndex(dims, x, y, z)] = 1;
  });
  return { mask, dims };
}

describe('key slice', () => {
  it('is the largest cross-section; ties go to the middle of the extent', () => {
    // areas 0, 2, 6, 4, 6, 6, 1, 0: the maximum 6 is at z = 2, 4, 5; the extent 1..6 has its
    // middle at 3.5, and 4 is the nearest of the three.
    const { mask, dims } = stack([null, [2, 1], [3, 2], [2, 2], [3, 2], [2, 3], [1, 1], null]);
    expect(keySlice(mask, dims)).toBe(4);
    expect(axialExtent(mask, dims)).toEqual({ first: 1, last: 6 });
    expect(keySlice(new Uint8Array(mask.length), dims)).toBe(-1);
  });
});

describe('click: deepest interior point', () => {
  it('is the centre of a rectangle', () => {
    const m = new Uint8Array(9 * 7);
    for (let y = 1; y <= 5; y++) for (let x = 2; x <= 6; x++) m[x + 9 * y] = 1;
    expect(deepestPoint(m, 9, 7)).toEqual({ x: 4, y: 3 });
  });

  it('picks the thick part of an L shape, not the centroid', () => {
    // A 5×5 block at x 0..4, y 0..4 plus a 1-pixel-thick arm along y = 4 to x = 12.
    const w = 13;
    const h = 6;
    const m = new Uint8Array(w * h);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) m[x + w * y] = 1;
    for (let x = 5; x < 13; x++) m[x + w * 4] = 1;
    // With the image border counting as background the deepest pixel is the block's centre (2, 2).
    expect(deepestPoint(m, w, h)).toEqual({ x: 2, y: 2 });
  });

  it('measures depth in mm with the in-plane spacing', () => {
    // Blob A: a 3×3 square at x 1..3, y 1..3 (2 px deep at (2, 2)); blob B: a 1-wide, 9-tall bar at
    // x = 6, y 0..8 (1 px deep). With 1 mm pixels A wins; with 5 mm columns the bar's middle is
    // 5 mm from the background (x) and its ends 5 rows away (y), while A's centre is 2 mm from it (y).
    const w = 8;
    const h = 9;
    const m = new Uint8Array(w * h);
    for (let y = 1; y <= 3; y++) for (let x = 1; x <= 3; x++) m[x + w * y] = 1;
    for (let y = 0; y < 9; y++) m[6 + w * y] = 1;
    expect(deepestPoint(m, w, h, [1, 1])).toEqual({ x: 2, y: 2 });
    expect(deepestPoint(m, w, h, [5, 1])).toEqual({ x: 6, y: 4 });
    expect(deepestPoint(new Uint8Array(9), 3, 3)).toBeNull();
  });
});

describe('box', () => {
  it('covers the object pixels on pixel edges', () => {
    const m = new Uint8Array(8 * 6);
    m[2 + 8 * 1] = 1;
    m[5 + 8 * 4] = 1;
    expect(boundingBox(m, 8, 6)).toEqual([1.5, 0.5, 5.5, 4.5]);
    expect(boundingBox(new Uint8Array(4), 2, 2)).toBeNull();
  });

  it('jitters reproducibly, within the bound and the image', () => {
    const box: [number, number, number, number] = [10.5, 20.5, 30.5, 40.5];
    const a = jitterBox(box, 0.1, 64, 64, 3);
    expect(jitterBox(box, 0.1, 64, 64, 3)).toEqual(a);
    expect(a).not.toEqual(box);
    expect(jitterBox(box, 0.1, 64, 64, 4)).not.toEqual(a);
    a.forEach((v, i) => expect(Math.abs(v - box[i])).toBeLessThanOrEqual(2 + 1e-9));
    expect(jitterBox(box, 0, 64, 64, 3)).toEqual(box);
    const edge = jitterBox([-0.5, -0.5, 2.5, 2.5], 1, 4, 4, 9);
    expect(edge[0]).toBeGreaterThanOrEqual(-0.5);
    expect(edge[2]).toBeLessThanOrEqual(3.5);
    expect(edge[2] - edge[0]).toBeGreaterThanOrEqual(1 - 1e-9);
  });
});

describe('truth prompts', () => {
  const { mask, dims } = stack([null, [2, 1], [3, 2], [2, 2], [3, 3], [2, 3], [1, 1], null]);

  it('prompts the key slice with a click, a box or its mask', () => {
    const spacing: [number, number, number] = [1, 1, 1];
    expect(truthPrompts(mask, dims, { kind: 'click', spacing })).toEqual([
      { slice: 4, prompt: { points: [{ x: 2, y: 2, label: 1 }] } },
    ]);
    expect(truthPrompts(mask, dims, { kind: 'box', spacing })).toEqual([
      { slice: 4, prompt: { box: [0.5, 0.5, 3.5, 3.5] } },
    ]);
    const [m] = truthPrompts(mask, dims, { kind: 'mask', spacing });
    expect(m.slice).toBe(4);
    expect(m.prompt.mask?.reduce((a, b) => a + b, 0)).toBe(9);
  });

  it('with frequency 1 prompts every non-empty slice of the extent, with 0 only the key slice', () => {
    const all = truthPrompts(mask, dims, { kind: 'click', spacing: [1, 1, 1], frequency: 1 });
    expect(all.map((p) => p.slice).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const some = truthPrompts(mask, dims, { kind: 'click', spacing: [1, 1, 1], frequency: 0.5, seed: 2 });
    expect(truthPrompts(mask, dims, { kind: 'click', spacing: [1, 1, 1], frequency: 0.5, seed: 2 })).toEqual(
      some,
    );
    expect(some[0].slice).toBe(4);
  });
});

describe('floors', () => {
  const { mask, dims } = stack([null, [2, 1], [3, 2], [2, 2], [3, 3], [2, 3], [1, 1], null]);

  it('copies the key slice over the extent only', () => {
    const f = copyKeySliceMask(mask, dims, 4);
    const plane = 30;
    expect(f.subarray(0, plane).every((v) => v === 0)).toBe(true);
    expect(f.subarray(7 * plane).every((v) => v === 0)).toBe(true);
    for (let z = 1; z <= 6; z++)
      expect([...f.subarray(z * plane, (z + 1) * plane)]).toEqual([...mask.subarray(4 * plane, 5 * plane)]);
    const only = keySliceOnlyMask(mask, dims, 4);
    expect(only.reduce((a, b) => a + b, 0)).toBe(9);
  });

  it('crops around a structure with a margin, clipped to the volume', () => {
    const box = boxAround(mask, dims, 1);
    expect(box).toEqual({ lo: [0, 0, 0], hi: [5, 5, 8] });
    const c = cropArray(mask, dims, box!);
    expect(c.reduce((a, b) => a + b, 0)).toBe(mask.reduce((a, b) => a + b, 0));
  });
});

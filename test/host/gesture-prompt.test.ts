/** Prompt-tool gestures (world coordinates) → slice prompts in voxel coordinates. */
import { gesturePrompt, type PromptGeometry } from '../../extension/src/host/gesture-prompt';
import { worldToVoxel } from '../../extension/src/host/world-to-voxel';

// 0.5 mm pixels, 2 mm slices, origin at (10, 20, 30): world = origin + (0.5 i, 0.5 j, 2 k).
const AFFINE = [0.5, 0, 0, 10, 0, 0.5, 0, 20, 0, 0, 2, 30, 0, 0, 0, 1];
const GEOMETRY: PromptGeometry = { toVoxel: worldToVoxel(AFFINE), dims: [64, 48, 10], normal: [0, 0, 1] };
const world = (i: number, j: number, k: number): [number, number, number] => [
  10 + 0.5 * i,
  20 + 0.5 * j,
  30 + 2 * k,
];

describe('gesturePrompt', () => {
  test('a click is one point on the slice under it; include and exclude set the label', () => {
    expect(
      gesturePrompt({ kind: 'point', world: world(12, 30, 4.2), include: true, viewportId: 'v' }, GEOMETRY),
    ).toEqual({
      slice: 4,
      points: [{ x: 12, y: 30, label: 1 }],
    });
    const exclude = gesturePrompt(
      { kind: 'point', world: world(1, 2, 7), include: false, viewportId: 'v' },
      GEOMETRY,
    );
    expect(exclude.points?.[0].label).toBe(0);
  });

  test('a drag is a box on the slice where it started, corners ordered and clamped to the image', () => {
    const box = gesturePrompt(
      { kind: 'box', from: world(70, 10, 2), to: world(20, -5, 3), viewportId: 'v' },
      GEOMETRY,
    );
    expect(box).toEqual({ slice: 2, box: [20, -0.5, 63.5, 10] });
  });

  test('a scribble becomes clicks sampled along it on the slice where it started; a lasso its outline', () => {
    // 24 voxels long: a click every 12 voxels along it, both ends included.
    const path = [world(10, 10, 3.1), world(20, 10, 3.2), world(34, 10, 3.4)];
    const scribble = gesturePrompt({ kind: 'scribble', path, include: false, viewportId: 'v' }, GEOMETRY);
    expect(scribble.slice).toBe(3);
    expect(scribble.points?.map((p) => [p.x, p.y, p.label])).toEqual([
      [10, 10, 0],
      [22, 10, 0],
      [34, 10, 0],
    ]);
    const lasso = gesturePrompt(
      { kind: 'lasso', path: [world(5, 5, 2), world(90, 5, 2), world(20, 30, 2)], viewportId: 'v' },
      GEOMETRY,
    );
    // Vertices are kept on the image (clamped), the filling happens for the engine.
    expect(lasso).toEqual({
      slice: 2,
      lasso: [
        { x: 5, y: 5 },
        { x: 63.5, y: 5 },
        { x: 20, y: 30 },
      ],
    });
    expect(() =>
      gesturePrompt({ kind: 'lasso', path: [world(1, 1, 1), world(9, 9, 1)], viewportId: 'v' }, GEOMETRY),
    ).toThrow(/the lasso encloses nothing/);
  });

  test('a click outside the image and a prompt on another plane are refused', () => {
    expect(() =>
      gesturePrompt({ kind: 'point', world: world(64, 3, 1), include: true, viewportId: 'v' }, GEOMETRY),
    ).toThrow('the click is outside the image');
    expect(() =>
      gesturePrompt(
        { kind: 'point', world: world(3, 3, 1), include: true, viewportId: 'v' },
        GEOMETRY,
        [0, 1, 0],
      ),
    ).toThrow(/acquisition plane/);
    // The same plane seen from the other side is fine.
    expect(
      gesturePrompt(
        { kind: 'point', world: world(3, 3, 1), include: true, viewportId: 'v' },
        GEOMETRY,
        [0, 0, -1],
      ).slice,
    ).toBe(1);
  });
});

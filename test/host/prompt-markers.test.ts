import { sliceMarkers } from '../../extension/src/host/prompt-markers';

// voxel → patient: 0.5 mm columns, 2 mm rows, 3 mm slices, origin (10, 20, 30).
const affine = [0.5, 0, 0, 10, 0, 2, 0, 20, 0, 0, 3, 30, 0, 0, 0, 1];

describe('sliceMarkers', () => {
  test('points and the box of each segment land at their patient positions, in its colour', () => {
    const markers = sliceMarkers(affine, 4, [
      {
        color: [255, 0, 0],
        prompt: {
          slice: 4,
          points: [
            { x: 2, y: 3, label: 1 },
            { x: 6, y: 1, label: 0 },
          ],
        },
      },
      { color: [0, 0, 255], prompt: { slice: 4, box: [0, 0, 10, 5] } },
      { color: [0, 255, 0], prompt: undefined },
    ]);
    expect(markers).toEqual([
      { kind: 'include', world: [11, 26, 42], color: 'rgb(255, 0, 0)' },
      { kind: 'exclude', world: [13, 22, 42], color: 'rgb(255, 0, 0)' },
      {
        kind: 'box',
        corners: [
          [10, 20, 42],
          [15, 20, 42],
          [15, 30, 42],
          [10, 30, 42],
        ],
        color: 'rgb(0, 0, 255)',
      },
    ]);
  });
});

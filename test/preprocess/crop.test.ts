import { InputError } from '../../extension/src/engine/errors';
import { nonZeroBox } from '../../extension/src/engine/preprocess/crop';
import type { Volume } from '../../extension/src/engine/types';
import { orientedSequence } from '../../extension/src/engine/volume/orientations';

function volumeWith(dims: [number, number, number], voxels: [number, number, number][]): Volume {
  const data = new Float32Array(dims[0] * dims[1] * dims[2]);
  for (const [x, y, z] of voxels) data[x + dims[0] * (y + dims[1] * z)] = 5;
  return { data, dims, spacing: [1, 1, 1], modality: 'MR' };
}

describe('nonZeroBox', () => {
  it('is the union over all slices of a volume, in x and y', () => {
    const v = volumeWith(
      [10, 8, 4],
      [
        [3, 2, 0],
        [6, 5, 3],
        [4, 1, 2],
      ],
    );
    expect(nonZeroBox(v)).toEqual({ x0: 3, y0: 1, width: 4, height: 5 });
  });

  it('counts negative values as content (only exact zeros are padding)', () => {
    const v = volumeWith([6, 6, 1], []);
    (v.data as Float32Array)[2 + 6 * 3] = -1000;
    expect(nonZeroBox(v)).toEqual({ x0: 2, y0: 3, width: 1, height: 1 });
  });

  it('is the full image when everything is zero', () => {
    expect(nonZeroBox(volumeWith([7, 3, 2], []))).toEqual({ x0: 0, y0: 0, width: 7, height: 3 });
  });

  it('works on an array of equally sized slices', () => {
    const a = { data: new Float32Array(12), width: 4, height: 3 };
    const b = { data: new Float32Array(12), width: 4, height: 3 };
    a.data[1] = 1; // (1, 0)
    b.data[2 + 4 * 2] = 1; // (2, 2)
    expect(nonZeroBox([a, b])).toEqual({ x0: 1, y0: 0, width: 2, height: 3 });
  });

  it('refuses slices of different sizes, naming the odd one', () => {
    const a = { data: new Float32Array(12), width: 4, height: 3 };
    const b = { data: new Float32Array(9), width: 3, height: 3 };
    expect(() => nonZeroBox([a, b])).toThrow(InputError);
    expect(() => nonZeroBox([a, b])).toThrow(/slice 1 is 3×3/);
  });

  it('boxes a sagittal sequence in its own (y, z) plane', () => {
    const v = volumeWith(
      [5, 6, 7],
      [
        [0, 2, 3],
        [4, 4, 5],
      ],
    );
    expect(nonZeroBox(orientedSequence(v, 'sagittal'))).toEqual({ x0: 2, y0: 3, width: 3, height: 3 });
  });
});

import { InputError } from '../../extension/src/engine/errors';
import type { Volume } from '../../extension/src/engine/types';
import {
  ORIENTATIONS,
  orientedSequence,
  writeSliceToVolume,
  type OrientationName,
} from '../../extension/src/engine/volume/orientations';

// 3×4×5 volume whose every voxel holds a unique value that encodes its (x, y, z).
const X = 3;
const Y = 4;
const Z = 5;
const code = (x: number, y: number, z: number) => 100 * x + 10 * y + z + 1;
const data = new Float32Array(X * Y * Z);
for (let z = 0; z < Z; z++)
  for (let y = 0; y < Y; y++) for (let x = 0; x < X; x++) data[x + X * (y + Y * z)] = code(x, y, z);
const volume: Volume = { data, dims: [X, Y, Z], spacing: [1, 1, 2], modality: 'CT' };

/** Paper §3.3, written out per orientation: which voxel (x, y, z) is pixel (u, v) of sequence slice t. */
const DIRECT: Record<
  OrientationName,
  { n: number; w: number; h: number; voxel: (t: number, u: number, v: number) => number[] }
> = {
  axial: { n: Z, w: X, h: Y, voxel: (t, u, v) => [u, v, t] },
  'axial-reversed': { n: Z, w: X, h: Y, voxel: (t, u, v) => [u, v, Z - 1 - t] },
  coronal: { n: Y, w: X, h: Z, voxel: (t, u, v) => [u, t, v] },
  'coronal-reversed': { n: Y, w: X, h: Z, voxel: (t, u, v) => [u, Y - 1 - t, v] },
  sagittal: { n: X, w: Y, h: Z, voxel: (t, u, v) => [t, u, v] },
  'sagittal-reversed': { n: X, w: Y, h: Z, voxel: (t, u, v) => [X - 1 - t, u, v] },
};

describe.each(ORIENTATIONS)('orientedSequence(%s)', (o) => {
  const seq = orientedSequence(volume, o);
  const ref = DIRECT[o];

  it('has the documented length and in-plane size', () => {
    expect([seq.length, seq.width, seq.height]).toEqual([ref.n, ref.w, ref.h]);
  });

  it('gives each slice the voxels of direct indexing, and toVolumeIndex points at them', () => {
    for (let k = 0; k < seq.length; k++) {
      const s = seq.slice(k);
      expect([s.width, s.height, s.data.length]).toEqual([ref.w, ref.h, ref.w * ref.h]);
      for (let v = 0; v < ref.h; v++) {
        for (let u = 0; u < ref.w; u++) {
          const [x, y, z] = ref.voxel(k, u, v);
          expect(s.data[u + ref.w * v]).toBe(code(x, y, z));
          expect(seq.toVolumeIndex(k, u, v)).toBe(x + X * (y + Y * z));
          expect(seq.toVoxel(k, u, v)).toEqual([x, y, z]);
          expect(seq.fromVoxel(x, y, z)).toEqual({ k, x: u, y: v });
        }
      }
    }
  });

  it('round-trips every slice through writeSliceToVolume', () => {
    const target = new Float32Array(X * Y * Z);
    for (let k = 0; k < seq.length; k++) writeSliceToVolume(seq, k, seq.slice(k).data, target);
    expect(Array.from(target)).toEqual(Array.from(data));
  });

  it('finds the sequence position of a volume slice', () => {
    const reversed = o.endsWith('-reversed');
    expect(seq.sliceIndexOf({ axis: seq.axis, index: 1 })).toBe(reversed ? seq.length - 2 : 1);
  });
});

describe('orientations: order and errors', () => {
  it('runs a reversed sequence backwards: its first slice is the forward one’s last', () => {
    for (const base of ['axial', 'coronal', 'sagittal'] as const) {
      const fwd = orientedSequence(volume, base);
      const rev = orientedSequence(volume, `${base}-reversed`);
      for (let k = 0; k < fwd.length; k++) {
        expect(Array.from(rev.slice(k).data)).toEqual(Array.from(fwd.slice(fwd.length - 1 - k).data));
      }
    }
  });

  it('writes a slice only where it belongs', () => {
    const seq = orientedSequence(volume, 'coronal-reversed');
    const target = new Float32Array(X * Y * Z);
    writeSliceToVolume(seq, 0, new Float32Array(X * Z).fill(7), target); // volume y = Y − 1
    for (let z = 0; z < Z; z++)
      for (let y = 0; y < Y; y++)
        for (let x = 0; x < X; x++) expect(target[x + X * (y + Y * z)]).toBe(y === Y - 1 ? 7 : 0);
  });

  it('refuses positions and pixels outside the sequence, naming them', () => {
    const seq = orientedSequence(volume, 'sagittal');
    expect(() => seq.slice(3)).toThrow(InputError);
    expect(() => seq.slice(3)).toThrow(
      /sagittal sequence of a 3×4×5 volume: slice position 3 is outside 0..2/,
    );
    expect(() => seq.toVolumeIndex(0, 4, 0)).toThrow(/pixel \(4, 0\) is outside the 4×5 slice/);
    expect(() => seq.sliceIndexOf({ axis: 2, index: 0 })).toThrow(/walks array axis 0, not axis 2/);
    expect(() => seq.sliceIndexOf({ axis: 0, index: 9 })).toThrow(/slice index 9 is outside 0..2/);
    expect(() => seq.fromVoxel(0, 0, 5)).toThrow(/voxel \(0, 0, 5\) is outside the volume/);
  });

  it('refuses write-back buffers of the wrong size', () => {
    const seq = orientedSequence(volume, 'axial');
    expect(() => writeSliceToVolume(seq, 0, new Float32Array(5), new Float32Array(X * Y * Z))).toThrow(
      /axial slice 0: 5 values, the 3×4 slice needs 12/,
    );
    expect(() => writeSliceToVolume(seq, 0, new Float32Array(12), new Float32Array(10))).toThrow(
      /target buffer has 10 values, the 3×4×5 volume needs 60/,
    );
  });

  it('refuses a volume whose data does not fill its dims, and an unknown orientation', () => {
    const bad: Volume = { ...volume, data: new Float32Array(59) };
    expect(() => orientedSequence(bad, 'axial')).toThrow(/59 voxels, dims 3×4×5 need 60/);
    expect(() => orientedSequence(volume, 'oblique' as OrientationName)).toThrow(
      /unknown orientation 'oblique'/,
    );
  });
});

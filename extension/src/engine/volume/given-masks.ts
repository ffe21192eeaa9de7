/**
 * An object opened from an existing segmentation (e.g. a DICOM SEG): every slice along its axis
 * holds the segment's mask as given, as if SAM 2 had been given each slice as a mask prompt
 * (`add_new_mask` on every frame, empty slices included). So nothing is left to propagate, and a
 * correction on a slice re-predicts that slice alone: the slice's given mask becomes its mask
 * prompt (predict-frame.ts, mask-as-output) and the click then refines it with that output as the
 * decoder's mask input, as SAM 2 does with a click on a mask-prompted frame.
 *
 * The masks are kept exactly, on the slice grid (not the model's low-res grid), and stand for a
 * slice until that slice has a prediction of its own: a segment opened and exported unchanged keeps
 * every voxel. No frame is ever predicted from memory here, so the given slices need no encoding.
 */
import { InputError } from '../errors';
import type { OrientedSequence } from './orientations';

export class GivenMasks {
  private constructor(
    /** The object's mask on the volume grid (x fastest), 0/1. */
    readonly volumeMask: Uint8Array,
    private readonly seq: OrientedSequence,
  ) {}

  /** Checks `mask` (one 0/1 byte per voxel of the sequence's volume) and keeps it. */
  static of(mask: Uint8Array, seq: OrientedSequence, objectId: number): GivenMasks {
    const [nx, ny, nz] = seq.volumeDims;
    if (!(mask instanceof Uint8Array) || mask.length !== nx * ny * nz)
      throw new InputError(
        'invalid-prompt',
        `object ${objectId}: a given mask needs ${nx}×${ny}×${nz} = ${nx * ny * nz} values, got ${mask?.length}`,
      );
    const bad = mask.findIndex((v) => v !== 0 && v !== 1);
    if (bad >= 0)
      throw new InputError(
        'invalid-prompt',
        `object ${objectId}: given mask value ${mask[bad]} at voxel ${bad} is not 0 or 1`,
      );
    return new GivenMasks(mask, seq);
  }

  /** Slice k's mask on the slice grid (x + width·y). */
  slice(k: number): Uint8Array {
    const { width, height } = this.seq;
    const out = new Uint8Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) out[x + width * y] = this.volumeMask[this.seq.toVolumeIndex(k, x, y)];
    return out;
  }

  /** Writes probability 1/0 of every slice not in `predicted` into `out` (volume grid). */
  fill(out: Float32Array, predicted: ReadonlySet<number>): void {
    const { width, height, length } = this.seq;
    for (let k = 0; k < length; k++) {
      if (predicted.has(k)) continue;
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const v = this.seq.toVolumeIndex(k, x, y);
          out[v] = this.volumeMask[v];
        }
    }
  }
}

/**
 * 16-bit signed stored values for arbitrary real voxel values: RescaleSlope/Intercept chosen so that
 * stored·slope + intercept gives the value back — exactly for integer volumes whose range fits 16
 * bits, within slope/2 otherwise. Slope and intercept are used as their DS strings read back.
 */
import { InputError } from '../engine/errors';
import { asWritten } from './series-geometry';

export interface Int16Rescale {
  readonly slope: number;
  readonly intercept: number;
  /** Largest |value − (stored·slope + intercept)| over the volume, before Float32 rounding. */
  readonly maxError: number;
  /** Smallest and largest value of the volume. */
  readonly range: readonly [number, number];
}

const INT16_MIN = -32768;
const INT16_MAX = 32767;

/** The rescale for `data`; NaN or ±Infinity is an InputError naming `name` and the voxel. */
export function int16Rescale(data: ArrayLike<number>, name: string): Int16Rescale {
  let [lo, hi] = [Infinity, -Infinity];
  let integers = true;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v))
      throw new InputError(
        'invalid-volume',
        `${name}: voxel ${i} is ${v}; DICOM images hold finite values only (replace NaN/Inf first)`,
      );
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  if (data.length === 0) throw new InputError('invalid-volume', `${name}: the volume has no voxels`);
  if (integers && hi - lo <= INT16_MAX - INT16_MIN) {
    const intercept = lo >= INT16_MIN && hi <= INT16_MAX ? 0 : lo - INT16_MIN;
    return { slope: 1, intercept, maxError: 0, range: [lo, hi] };
  }
  // Map [lo, hi] onto [−32767, 32767] (one step of slack for the DS rounding of slope and intercept).
  const slope = asWritten(hi > lo ? (hi - lo) / (2 * INT16_MAX) : 1);
  const intercept = asWritten((lo + hi) / 2);
  let maxError = 0;
  for (let i = 0; i < data.length; i++) {
    const back = toStored(data[i], slope, intercept) * slope + intercept;
    maxError = Math.max(maxError, Math.abs(back - data[i]));
  }
  return { slope, intercept, maxError, range: [lo, hi] };
}

/** The stored value for `v` (rounded, clamped to int16). */
export function toStored(v: number, slope: number, intercept: number): number {
  return Math.min(INT16_MAX, Math.max(INT16_MIN, Math.round((v - intercept) / slope)));
}

/**
 * Surface distances in mm between two binary masks on the same grid: for every surface voxel of
 * one mask, the Euclidean distance (voxel spacing applied) to the nearest surface voxel of the
 * other, in both directions. HD95 is the 95th percentile of both directions pooled (MedPy's
 * `hd95`); HD the maximum; ASSD the mean.
 */
import { squaredDistanceToFeatures } from './edt';
import { percentile } from './stats';
import { surfaceVoxels } from './surface';

export interface SurfaceDistances {
  /** Distances (mm) from the prediction's surface to the truth's, then the reverse. */
  readonly predToTruth: Float64Array;
  readonly truthToPred: Float64Array;
  /**
   * 95th percentile of both directions pooled (mm). 0 when both masks are empty; Infinity when
   * exactly one is empty (no surface to measure to).
   */
  readonly hd95: number;
  readonly hd: number;
  readonly assd: number;
}

type Box = { lo: number[]; hi: number[] };

function unionBox(a: ArrayLike<number>, b: ArrayLike<number>, dims: readonly number[]): Box | null {
  const lo = dims.map((n) => n);
  const hi = dims.map(() => -1);
  const coord = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < a.length; i++) {
    if (i > 0)
      for (let ax = 0; ax < dims.length; ax++) {
        if (++coord[ax] < dims[ax]) break;
        coord[ax] = 0;
      }
    if (!a[i] && !b[i]) continue;
    for (let ax = 0; ax < dims.length; ax++) {
      if (coord[ax] < lo[ax]) lo[ax] = coord[ax];
      if (coord[ax] > hi[ax]) hi[ax] = coord[ax];
    }
  }
  return hi[0] < 0 ? null : { lo, hi };
}

/** Copies the box out of `m` (a 1..3-D array, x fastest). */
function cropTo(m: ArrayLike<number>, dims: readonly number[], box: Box): Uint8Array {
  const d = [...dims, 1, 1].slice(0, 3);
  const lo = [...box.lo, 0, 0].slice(0, 3);
  const hi = [...box.hi, 0, 0].slice(0, 3);
  const size = hi.map((h, i) => h - lo[i] + 1);
  const out = new Uint8Array(size[0] * size[1] * size[2]);
  let o = 0;
  for (let z = lo[2]; z <= hi[2]; z++)
    for (let y = lo[1]; y <= hi[1]; y++) {
      const row = d[0] * (y + d[1] * z);
      for (let x = lo[0]; x <= hi[0]; x++) out[o++] = m[row + x] ? 1 : 0;
    }
  return out;
}

function distancesFrom(source: Uint8Array, targetDist: Float64Array): Float64Array {
  const out: number[] = [];
  for (let i = 0; i < source.length; i++) if (source[i]) out.push(Math.sqrt(targetDist[i]));
  return Float64Array.from(out);
}

export function surfaceDistances(
  predicted: ArrayLike<number>,
  truth: ArrayLike<number>,
  dims: readonly number[],
  spacing: readonly number[],
): SurfaceDistances {
  const total = dims.reduce((x, y) => x * y, 1);
  if (predicted.length !== total || truth.length !== total)
    throw new RangeError(
      `masks have ${predicted.length} and ${truth.length} values, dims ${dims.join('×')} need ${total}`,
    );
  if (spacing.length !== dims.length || !spacing.every((s) => s > 0 && Number.isFinite(s)))
    throw new RangeError(`spacing [${spacing.join(', ')}] must be ${dims.length} positive numbers`);
  const empty = new Float64Array(0);
  const box = unionBox(predicted, truth, dims);
  if (!box) return { predToTruth: empty, truthToPred: empty, hd95: 0, hd: 0, assd: 0 };
  // Every surface voxel lies in the union's box, so distances computed inside it are exact; the
  // voxels just outside it are background in both masks, as the array border is.
  const size = box.hi.map((h, i) => h - box.lo[i] + 1);
  const a = cropTo(predicted, dims, box);
  const b = cropTo(truth, dims, box);
  const sa = surfaceVoxels(a, size);
  const sb = surfaceVoxels(b, size);
  const hasA = sa.some((v) => v !== 0);
  const hasB = sb.some((v) => v !== 0);
  if (!hasA || !hasB) {
    return { predToTruth: empty, truthToPred: empty, hd95: Infinity, hd: Infinity, assd: Infinity };
  }
  const predToTruth = distancesFrom(sa, squaredDistanceToFeatures(sb, size, spacing));
  const truthToPred = distancesFrom(sb, squaredDistanceToFeatures(sa, size, spacing));
  const all = new Float64Array(predToTruth.length + truthToPred.length);
  all.set(predToTruth);
  all.set(truthToPred, predToTruth.length);
  let max = 0;
  let sum = 0;
  for (const v of all) {
    if (v > max) max = v;
    sum += v;
  }
  return { predToTruth, truthToPred, hd95: percentile(all, 95), hd: max, assd: sum / all.length };
}

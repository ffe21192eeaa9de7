/**
 * Modality-aware intensity normalisation (paper App. C.1).
 *
 * The paper clips intensities (CT: a window; MR, X-ray, US: the 0.5th–99.5th percentiles) and then
 * standardises by mean/std. SAM2-family checkpoints (MedSAM-2 included) instead expect a [0,1] image
 * that the model's own normalisation — the manifest's `input.mean`/`input.std`, applied in
 * `prepareSlice` — turns into network input. So this module does the paper's *clipping* step and maps
 * the clipped range linearly to [0,1]: `(clip(v, lo, hi) − lo) / (hi − lo)`; the standardisation
 * step is the manifest's, not a per-image mean/std, so every slice of a sequence is mapped the same way.
 *
 * Percentiles are taken once over the **whole volume's non-zero voxels** (the paper's "global
 * foreground" scheme; zero is background padding in MR and cropped regions), so all slices of all six
 * orientations share one mapping and memory features stay comparable from slice to slice.
 */
import { InputError } from '../errors';
import type { Modality } from '../types';

export type IntensityPolicy =
  | { kind: 'ct-window'; center: number; width: number }
  | { kind: 'percentile'; low: number; high: number }
  | { kind: 'none' };

export interface IntensityRange {
  lo: number;
  hi: number;
}

/**
 * CT: a soft-tissue window, level 40 HU / width 400 HU ([−160, 240] HU), the usual abdominal window
 * and the one MedSAM2's CT examples use. Other modalities: the 0.5th–99.5th percentiles (App. C.1).
 */
export function defaultIntensityPolicy(modality: Modality): IntensityPolicy {
  if (modality === 'CT') return { kind: 'ct-window', center: 40, width: 400 };
  return { kind: 'percentile', low: 0.5, high: 99.5 };
}

/**
 * The [lo, hi] range that maps to [0, 1].
 * - `ct-window`: [center − width/2, center + width/2].
 * - `percentile`: the `low`-th and `high`-th percentiles (linear interpolation between order
 *   statistics, as numpy's default) of the finite non-zero voxels. A volume with no such voxel gets [0, 1].
 * - `none`: [0, 1] (the data is taken as already scaled).
 */
export function intensityRange(data: Float32Array, policy: IntensityPolicy): IntensityRange {
  switch (policy.kind) {
    case 'ct-window': {
      if (!Number.isFinite(policy.center) || !Number.isFinite(policy.width) || policy.width <= 0) {
        throw new InputError(
          'invalid-options',
          `CT window: center ${policy.center} / width ${policy.width} is not usable (width must be > 0)`,
        );
      }
      return { lo: policy.center - policy.width / 2, hi: policy.center + policy.width / 2 };
    }
    case 'percentile': {
      const { low, high } = policy;
      if (!(low >= 0 && high <= 100 && low < high)) {
        throw new InputError(
          'invalid-options',
          `percentile range ${low}–${high} is not usable (need 0 ≤ low < high ≤ 100)`,
        );
      }
      return nonZeroPercentiles(data, low, high);
    }
    case 'none':
      return { lo: 0, hi: 1 };
  }
}

/**
 * `(clip(v, lo, hi) − lo) / (hi − lo)`; a degenerate range (hi ≤ lo) maps v ≤ lo to 0, the rest to 1.
 * NaN (a voxel without a value, as NIfTI files from registration or masking carry) maps to 0, the
 * bottom of the range (background in MR, air in CT): left as NaN it would spread through the
 * network and end the propagation with an error about the memory bank.
 */
export function scaleToUnit(value: number, range: IntensityRange): number {
  const { lo, hi } = range;
  if (!(hi > lo)) return value > lo ? 1 : 0;
  if (!(value > lo)) return 0;
  if (value >= hi) return 1;
  return (value - lo) / (hi - lo);
}

const HISTOGRAM_BINS = 4096;

/** Finite and non-zero (`v − v` is NaN for ±Infinity and NaN: cheaper than Number.isFinite in hot loops). */
const isForeground = (v: number): boolean => v !== 0 && v - v === 0;

/**
 * Exact percentiles without sorting (or copying) the whole volume: a histogram finds the bin holding
 * each wanted order statistic, then only that bin's values are sorted.
 */
function nonZeroPercentiles(data: Float32Array, low: number, high: number): IntensityRange {
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (isForeground(v)) {
      count++;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (count === 0) return { lo: 0, hi: 1 };
  if (min === max) return { lo: min, hi: max };

  const rankLow = (low / 100) * (count - 1);
  const rankHigh = (high / 100) * (count - 1);
  const wanted = [Math.floor(rankLow), Math.ceil(rankLow), Math.floor(rankHigh), Math.ceil(rankHigh)];
  const stats = orderStatistics(data, count, min, max, wanted);
  const at = (rank: number, i: number): number =>
    stats[i] + (rank - Math.floor(rank)) * (stats[i + 1] - stats[i]);
  return { lo: at(rankLow, 0), hi: at(rankHigh, 2) };
}

function orderStatistics(
  data: Float32Array,
  count: number,
  min: number,
  max: number,
  ks: number[],
): number[] {
  const scale = HISTOGRAM_BINS / (max - min);
  const binOf = (v: number): number => Math.min(HISTOGRAM_BINS - 1, ((v - min) * scale) | 0);
  const histogram = new Float64Array(HISTOGRAM_BINS);
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (isForeground(v)) histogram[binOf(v)]++;
  }
  // For each wanted rank k: the bin b that holds it and its rank inside that bin.
  const targets = ks.map((k) => {
    const rank = Math.min(Math.max(k, 0), count - 1);
    let before = 0;
    let b = 0;
    while (before + histogram[b] <= rank) before += histogram[b++];
    return { bin: b, rankInBin: rank - before };
  });
  // Collect only the values of the (at most four) bins that hold a wanted rank.
  const slotOfBin = new Int8Array(HISTOGRAM_BINS).fill(-1);
  const slots: number[][] = [];
  for (const t of targets) {
    if (slotOfBin[t.bin] < 0) {
      slotOfBin[t.bin] = slots.length;
      slots.push([]);
    }
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (isForeground(v)) {
      const slot = slotOfBin[binOf(v)];
      if (slot >= 0) slots[slot].push(v);
    }
  }
  for (const values of slots) values.sort((a, b) => a - b);
  return targets.map((t) => slots[slotOfBin[t.bin]][t.rankInBin]);
}

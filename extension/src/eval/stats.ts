/** Small statistics helpers with the conventions the reports state. */

/**
 * The q-th percentile (0..100) with linear interpolation between closest ranks — numpy's default
 * (`np.percentile(..., method='linear')`), so figures match the usual Python tooling.
 */
export function percentile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return NaN;
  if (!(q >= 0 && q <= 100)) throw new RangeError(`percentile q must be in [0, 100], got ${q}`);
  const sorted = Float64Array.from(values).sort();
  const pos = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for a single value, NaN for none. */
export function sampleSd(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  if (values.length === 1) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) * (v - m), 0) / (values.length - 1));
}

export interface MeanSd {
  readonly mean: number;
  readonly sd: number;
  readonly n: number;
}

/** Mean ± sd over the finite values (an infinite HD95 from an empty prediction is counted apart). */
export function meanSd(values: readonly number[]): MeanSd & { readonly nonFinite: number } {
  const finite = values.filter(Number.isFinite);
  return {
    mean: mean(finite),
    sd: sampleSd(finite),
    n: finite.length,
    nonFinite: values.length - finite.length,
  };
}

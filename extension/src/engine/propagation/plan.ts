/**
 * Which frames are predicted from which conditioning (prompted) frame.
 *
 * Propagation starts at every conditioning frame and runs in both directions (paper §3.3; the
 * reversed orientations are the backward runs). Each frame is predicted once, from its nearest
 * conditioning frame: between two conditioning frames the gap is split in the middle, and a run
 * attends the conditioning frames that bound its gap. A new prompt therefore only invalidates the
 * runs of the gap it falls in, which is what makes corrective prompts cheap.
 */
export type Direction = 1 | -1;

export interface Run {
  /** The conditioning frame the run starts from. */
  readonly origin: number;
  readonly direction: Direction;
  /** First and last frame the run predicts (inclusive), in run order. */
  readonly from: number;
  readonly to: number;
  /** Conditioning frames attended by every frame of the run (always, never evicted). */
  readonly bounds: readonly number[];
}

export const runLength = (run: Run): number => Math.abs(run.to - run.from) + 1;

export function* framesOf(run: Run): Generator<number> {
  for (let t = run.from; run.direction > 0 ? t <= run.to : t >= run.to; t += run.direction) yield t;
}

export function planRuns(conditioningFrames: readonly number[], length: number): Run[] {
  const cond = [...new Set(conditioningFrames)].sort((a, b) => a - b);
  if (cond.length === 0) return [];
  const runs: Run[] = [];
  const first = cond[0];
  const last = cond[cond.length - 1];
  if (first > 0) runs.push({ origin: first, direction: -1, from: first - 1, to: 0, bounds: [first] });
  for (let i = 0; i + 1 < cond.length; i++) {
    const lo = cond[i];
    const hi = cond[i + 1];
    const gap = hi - lo - 1;
    if (gap <= 0) continue;
    const forward = Math.ceil(gap / 2);
    runs.push({ origin: lo, direction: 1, from: lo + 1, to: lo + forward, bounds: [lo, hi] });
    if (gap - forward > 0)
      runs.push({ origin: hi, direction: -1, from: hi - 1, to: lo + forward + 1, bounds: [hi, lo] });
  }
  if (last < length - 1)
    runs.push({ origin: last, direction: 1, from: last + 1, to: length - 1, bounds: [last] });
  return runs;
}

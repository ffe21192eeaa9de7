/**
 * Propagation runs of a session: every object (or the given ones) from its prompted slices through
 * the volume — SAM 2's passes on the prompted axis, then in 'all' orientations the two other axes
 * seeded from that result (seed-axis.ts) — or one object between two of its prompted slices; each
 * slice streamed as an update as soon as it is predicted, with progress counted over all runs.
 */
import { InputError } from '../errors';
import { type FrameOutcome, outcomeOf } from '../propagation/frame-state';
import type { TrackedObject } from './objects';
import type { SessionParts } from './parts';
import { seedSecondaryAxis } from './seed-axis';
import { skippedOutcome, type SliceUpdate } from './slice-updates';
import { AXES, type AxisName } from './volume-axes';

export interface PropagateOptions {
  readonly objectIds?: readonly number[];
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

/** See `SegmentationSession.propagate`. */
export async function* propagate(s: SessionParts, options: PropagateOptions): AsyncGenerator<SliceUpdate> {
  const ids = options.objectIds ?? s.objects.ids;
  const objects = ids.map((id) => s.objects.get(id)).filter((o) => o.promptAxis && !o.given);
  const progress = { done: 0, total: 0 };
  for (const o of objects) {
    progress.total += pendingFrames(s, o, o.promptAxis as AxisName);
    if (s.options.orientations === 'all')
      for (const axis of AXES) if (axis !== o.promptAxis) progress.total += s.axes.frames(axis).seq.length;
  }
  options.onProgress?.({ ...progress });
  for (const o of objects) {
    const primary = o.promptAxis as AxisName;
    const before = progress.done;
    yield* runTrack(s, o, primary, progress, options);
    if (s.options.orientations !== 'all') continue;
    const changed = progress.done > before;
    for (const axis of AXES) {
      if (axis === primary) continue;
      const expected = s.axes.frames(axis).seq.length;
      if (!changed && o.tracks.get(axis)) {
        progress.total -= expected;
        continue;
      }
      const seeded = await seedSecondaryAxis(s, o, axis, progress);
      if (!seeded) {
        progress.total -= expected;
        continue;
      }
      progress.done++;
      options.onProgress?.({ ...progress });
      yield seeded;
      const pending = pendingFrames(s, o, axis);
      progress.total -= expected - 1 - pending;
      yield* runTrack(s, o, axis, progress, options);
    }
  }
}

/** See `SegmentationSession.propagateBetween`. */
export async function* propagateBetween(
  s: SessionParts,
  objectId: number,
  from: number,
  to: number,
  options: Pick<PropagateOptions, 'signal' | 'onProgress'>,
): AsyncGenerator<SliceUpdate> {
  const object = s.objects.get(objectId);
  if (s.options.orientations === 'all')
    throw new InputError(
      'invalid-options',
      "propagating between two slices works on the prompted plane only (orientations 'single')",
    );
  const axis = object.promptAxis;
  const axisTrack = axis ? object.tracks.get(axis) : undefined;
  if (!axis || !axisTrack || object.given)
    throw new InputError('invalid-prompt', `object ${objectId} has no prompted slices to propagate between`);
  for (const slice of [from, to])
    if (!axisTrack.prompts.has(slice))
      throw new InputError(
        'invalid-prompt',
        `${axis} slice ${slice} of object ${objectId} has no prompt (prompted: ${[...axisTrack.prompts.keys()].sort((a, b) => a - b).join(', ')})`,
      );
  if (from === to)
    throw new InputError('invalid-prompt', `propagate between two different slices, got ${from} twice`);
  const progress = { done: 0, total: axisTrack.track.framesBetween(from, to).length };
  options.onProgress?.({ ...progress });
  yield* runTrack(s, object, axis, progress, options, { from, to });
}

/** See `SegmentationSession.pendingSlices`. */
export function pendingSlices(s: SessionParts, objectId: number): number[] {
  const o = s.objects.get(objectId);
  if (!o.promptAxis) return [];
  const t = s.objects.track(o, o.promptAxis);
  return t.upToDate ? [] : t.track.staleFrames();
}

/**
 * Slices the next propagation of this axis predicts (the progress total): exactly the stale ones;
 * with stopAfterAbsent an upper bound (a stopped pass reports every slice after it as skipped).
 */
function pendingFrames(s: SessionParts, object: TrackedObject, axis: AxisName): number {
  const t = object.tracks.get(axis);
  if (!t || t.upToDate) return 0;
  if (s.options.stopAfterAbsent > 0) return t.track.plan().reduce((n, p) => n + p.frames.length, 0);
  return t.track.staleFrames().length;
}

/**
 * Streams one axis's propagation (all of it, or only between two slices: `range`) as slice
 * updates, counting progress; slices whose memories had not changed keep their output unsent.
 */
async function* runTrack(
  s: SessionParts,
  object: TrackedObject,
  axis: AxisName,
  progress: { done: number; total: number },
  options: PropagateOptions,
  range?: { readonly from: number; readonly to: number },
): AsyncGenerator<SliceUpdate> {
  const axisTrack = s.objects.track(object, axis);
  if (!range && axisTrack.upToDate) return;
  const { track } = axisTrack;
  const expected = range ? track.framesBetween(range.from, range.to).length : pendingFrames(s, object, axis);
  const events = range
    ? track.propagateBetween(range.from, range.to, options.signal)
    : track.propagate(options.signal);
  let visited = 0;
  try {
    for await (const event of events) {
      visited++;
      let outcome: FrameOutcome;
      if (event.kind === 'predicted') {
        axisTrack.skipped.delete(event.state.frame);
        outcome = outcomeOf(event.state);
      } else {
        axisTrack.skipped.add(event.frame);
        outcome = skippedOutcome(event.frame);
      }
      progress.done++;
      options.onProgress?.({ ...progress });
      yield s.updates.next(
        object.id,
        axis,
        event.direction,
        outcome,
        progress,
        s.options.trace && event.kind === 'predicted' ? event.trace : undefined,
      );
    }
  } finally {
    // A part of the volume redone leaves the rest to the next full propagate.
    if (range && visited > 0) axisTrack.upToDate = false;
  }
  if (!range) axisTrack.upToDate = true;
  // Slices whose memories had not changed kept their output: count them as done.
  progress.total -= expected - visited;
  options.onProgress?.({ ...progress });
}

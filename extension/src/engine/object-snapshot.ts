/**
 * Undo for a session's object: a snapshot of everything the session tracks for it (its prompts
 * with their conditioning states, every slice's outcome, the runs already done) and the restore
 * that puts exactly that back, so the masks, confidences and the "nothing to redo" state after an
 * Undo are those before the undone prompt.
 *
 * The session keeps this state private; this module reads it through the narrow shape below,
 * and its unit test fails if the session's internals stop matching (see test/engine/object-snapshot).
 * Outcomes and conditioning states are never changed in place by the session (they are replaced),
 * so the snapshot shares them and copies only the containers.
 */
import { InputError } from './errors';
import type { AxisName, SegmentationSession } from './session';

interface TrackShape {
  readonly cond: Map<number, unknown>;
  readonly outcomes: Map<number, unknown>;
  readonly completedRuns: Set<string>;
}

interface ObjectShape {
  readonly id: number;
  label: string;
  promptAxis: AxisName | null;
  readonly tracks: Map<AxisName, TrackShape>;
}

export interface ObjectSnapshot {
  readonly objectId: number;
  readonly label: string;
  readonly promptAxis: AxisName | null;
  readonly tracks: ReadonlyMap<AxisName, TrackShape>;
}

function objectOf(session: SegmentationSession, objectId: number): ObjectShape {
  const objects = (session as unknown as { objects?: Map<number, ObjectShape> }).objects;
  if (!(objects instanceof Map))
    throw new Error('object-snapshot: the session no longer keeps its objects in a map; update this module');
  const object = objects.get(objectId);
  if (!object) throw new InputError('unknown-object', `no object with id ${objectId} to snapshot or restore`);
  return object;
}

const copyTrack = (t: TrackShape): TrackShape => ({
  cond: new Map(t.cond),
  outcomes: new Map(t.outcomes),
  completedRuns: new Set(t.completedRuns),
});

export function snapshotObject(session: SegmentationSession, objectId: number): ObjectSnapshot {
  const o = objectOf(session, objectId);
  const tracks = new Map<AxisName, TrackShape>();
  for (const [axis, t] of o.tracks) tracks.set(axis, copyTrack(t));
  return { objectId, label: o.label, promptAxis: o.promptAxis, tracks };
}

/** Puts the object back as it was when `snapshot` was taken. */
export function restoreObject(session: SegmentationSession, snapshot: ObjectSnapshot): void {
  const o = objectOf(session, snapshot.objectId);
  o.label = snapshot.label;
  o.promptAxis = snapshot.promptAxis;
  o.tracks.clear();
  for (const [axis, t] of snapshot.tracks) o.tracks.set(axis, copyTrack(t));
}

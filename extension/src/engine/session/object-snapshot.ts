/**
 * Undo for one object: everything the session holds for it (prompts, every slice's output, what
 * propagation already did), taken by `snapshotObject` and put back exactly by `restoreObject`.
 * Containers are copied; the states in them are shared (the engine replaces states, it never
 * changes one in place).
 */
import type { SlicePrompt } from '../prompts/prompt';
import type { TrackSnapshot } from '../propagation/object-track';
import type { SessionObjects } from './objects';
import type { AxisName } from './volume-axes';

interface AxisTrackSnapshot {
  readonly track: TrackSnapshot;
  readonly prompts: ReadonlyMap<number, SlicePrompt>;
  readonly skipped: ReadonlySet<number>;
  readonly upToDate: boolean;
}

/** What `snapshot` returns: opaque to callers, given back to `restore`. */
export interface ObjectSnapshot {
  readonly objectId: number;
  readonly label: string;
  readonly promptAxis: AxisName | null;
  readonly tracks: ReadonlyMap<AxisName, AxisTrackSnapshot>;
}

export function snapshotObject(objects: SessionObjects, objectId: number): ObjectSnapshot {
  const o = objects.get(objectId);
  const tracks = new Map<AxisName, AxisTrackSnapshot>();
  for (const [axis, t] of o.tracks)
    tracks.set(axis, {
      track: t.track.snapshot(),
      prompts: new Map(t.prompts),
      skipped: new Set(t.skipped),
      upToDate: t.upToDate,
    });
  return { objectId, label: o.label, promptAxis: o.promptAxis, tracks };
}

export function restoreObject(objects: SessionObjects, snapshot: ObjectSnapshot): void {
  const o = objects.get(snapshot.objectId);
  o.label = snapshot.label;
  o.promptAxis = snapshot.promptAxis;
  o.tracks.clear();
  for (const [axis, s] of snapshot.tracks) {
    const t = objects.track(o, axis);
    t.track.restore(s.track);
    t.prompts.clear();
    for (const [k, v] of s.prompts) t.prompts.set(k, v);
    t.skipped.clear();
    for (const f of s.skipped) t.skipped.add(f);
    t.upToDate = s.upToDate;
  }
}

/**
 * Seeding the two other axes in 'all' orientations (paper §3.3 leaves how open): the slice of the
 * secondary axis where the prompted axis's current result has the largest cross-section becomes a
 * conditioning frame with that cross-section as its mask prompt.
 */
import { encodePrompt, type SlicePrompt } from '../prompts/prompt';
import { outcomeOf } from '../propagation/frame-state';
import { FOREGROUND_THRESHOLD } from '../volume/aggregate';
import { axisProbabilities } from './object-results';
import type { TrackedObject } from './objects';
import type { SessionParts } from './parts';
import type { SliceUpdate } from './slice-updates';
import type { AxisName } from './volume-axes';

/**
 * Replaces the object's track on `axis` by one seeded from the prompted axis's result. Returns the
 * seed's update, or null when the result is empty (nothing to seed; the axis contributes
 * probability 0).
 */
export async function seedSecondaryAxis(
  s: SessionParts,
  object: TrackedObject,
  axis: AxisName,
  progress: { done: number; total: number },
): Promise<SliceUpdate | null> {
  const primary = object.promptAxis as AxisName;
  const probabilities = axisProbabilities(s, object, primary);
  const { seq } = s.axes.frames(axis);
  let best = -1;
  let bestArea = 0;
  const masks: Uint8Array[] = [];
  for (let k = 0; k < seq.length; k++) {
    const m = new Uint8Array(seq.width * seq.height);
    let area = 0;
    for (let y = 0; y < seq.height; y++)
      for (let x = 0; x < seq.width; x++)
        if (probabilities[seq.toVolumeIndex(k, x, y)] > FOREGROUND_THRESHOLD) {
          m[x + y * seq.width] = 1;
          area++;
        }
    masks.push(m);
    if (area > bestArea) {
      bestArea = area;
      best = k;
    }
  }
  object.tracks.delete(axis);
  if (best < 0) return null;
  const axisTrack = s.objects.track(object, axis);
  const { transform } = s.axes.frames(axis);
  const prompt: SlicePrompt = { mask: masks[best] };
  const encoded = encodePrompt(prompt, transform);
  const state = await axisTrack.track.addMask(best, encoded.maskS as Uint8Array);
  axisTrack.prompts.set(best, prompt);
  return s.updates.next(object.id, axis, 0, outcomeOf(state), progress);
}

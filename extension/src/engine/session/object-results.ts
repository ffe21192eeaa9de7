/**
 * An object's result on the volume grid: per-slice outcomes along its prompted axis (confidence
 * strip, traces), per-voxel probabilities (sigmoid of the logits; aggregated over the three axes in
 * 'all' mode, paper §3.3), its binary mask (MedSAM2's largest component under its workflows), and
 * all objects as one label volume.
 */
import { type FrameOutcome, outcomeOf } from '../propagation/frame-state';
import { aggregateProbabilities, binarize } from '../volume/aggregate';
import { largestComponent } from '../volume/largest-component';
import type { AxisTrack, TrackedObject } from './objects';
import { isMedsam2 } from './options';
import type { SessionParts } from './parts';
import { skippedOutcome } from './slice-updates';
import { AXES, type AxisName } from './volume-axes';

/** Per-slice outcome along the object's prompted axis. */
export function objectOutcomes(s: SessionParts, objectId: number): FrameOutcome[] {
  const object = s.objects.get(objectId);
  if (!object.promptAxis) return [];
  return axisOutcomes(s.objects.track(object, object.promptAxis));
}

/** The object's mask on the volume grid (x fastest), aggregated over axes in 'all' mode. */
export function objectMask(s: SessionParts, objectId: number): Uint8Array {
  const mask = binarize(objectProbabilities(s, objectId));
  // MedSAM2's post-processing is for its own results: an opened segment keeps all its parts.
  const given = s.objects.get(objectId).given !== undefined;
  return isMedsam2(s.options.workflow) && !given ? largestComponent(mask, s.volume.dims) : mask;
}

/**
 * Per-voxel probability of the object: the prompted axis's sigmoid(logits) in 'single' mode; in
 * 'all' mode the aggregation (mean probability or majority vote) over the three axes, both
 * directions of each axis having covered its half of the volume.
 */
export function objectProbabilities(s: SessionParts, objectId: number): Float32Array {
  const object = s.objects.get(objectId);
  const size = s.volume.data.length;
  if (!object.promptAxis) return new Float32Array(size);
  if (object.given) {
    // Given slices as they are, corrected ones as predicted (one axis: nothing else was run).
    const out = axisProbabilities(s, object, object.promptAxis);
    const predicted = s.objects
      .track(object, object.promptAxis)
      .track.outputs()
      .map((o) => o.frame);
    object.given.fill(out, new Set(predicted));
    return out;
  }
  const axes = s.options.orientations === 'all' ? AXES : [object.promptAxis];
  const perAxis = axes.map((axis) => axisProbabilities(s, object, axis));
  return perAxis.length === 1 ? perAxis[0] : aggregateProbabilities(perAxis, s.options.aggregation);
}

/** All objects as one label volume (object i → label i in `objectIds` order; later objects win overlaps). */
export function labelVolume(s: SessionParts): Uint8Array {
  const out = new Uint8Array(s.volume.data.length);
  s.objects.ids.forEach((id, i) => {
    const m = objectMask(s, id);
    for (let v = 0; v < m.length; v++) if (m[v]) out[v] = i + 1;
  });
  return out;
}

/** Every slice of one axis track, predicted or skipped, in slice order. */
export function axisOutcomes(axisTrack: AxisTrack): FrameOutcome[] {
  const outcomes = axisTrack.track.outputs().map(outcomeOf);
  for (const frame of axisTrack.skipped) outcomes.push(skippedOutcome(frame));
  return outcomes.sort((a, b) => a.frame - b.frame);
}

/** One axis's sigmoid(logits) on the volume grid (0 where nothing present was predicted). */
export function axisProbabilities(s: SessionParts, object: TrackedObject, axis: AxisName): Float32Array {
  const out = new Float32Array(s.volume.data.length);
  const axisTrack = object.tracks.get(axis);
  if (!axisTrack) return out;
  const { seq } = s.axes.frames(axis);
  for (const outcome of axisOutcomes(axisTrack)) {
    if (!outcome.present || outcome.skipped) continue;
    const logits = s.axes.sliceLogits(axis, outcome.lowResLogits);
    for (let y = 0; y < seq.height; y++)
      for (let x = 0; x < seq.width; x++) {
        const z = logits[x + y * seq.width];
        out[seq.toVolumeIndex(outcome.frame, x, y)] = 1 / (1 + Math.exp(-z));
      }
  }
  return out;
}

/**
 * The user's prompts on an object's slices: set (and predict at once), remove, list; and masks
 * given to a new object (an opened segmentation: given-masks.ts), which its prompts then correct.
 */
import { InputError } from '../errors';
import { sliceMaskToModel } from '../preprocess/prepare-slice';
import { resizeBilinear } from '../preprocess/resize';
import { encodePrompt, type SlicePrompt, validatePrompt } from '../prompts/prompt';
import { type FrameState, outcomeOf } from '../propagation/frame-state';
import { GivenMasks } from '../volume/given-masks';
import type { SessionParts } from './parts';
import type { SliceUpdate } from './slice-updates';
import type { AxisName } from './volume-axes';

/** See `SegmentationSession.setPrompt`. */
export async function setPrompt(
  s: SessionParts,
  objectId: number,
  slice: number,
  prompt: SlicePrompt,
  axis: AxisName,
): Promise<SliceUpdate> {
  const object = s.objects.get(objectId);
  if (object.promptAxis && object.promptAxis !== axis)
    throw new InputError(
      'invalid-prompt',
      `object ${objectId} already has prompts on the ${object.promptAxis} axis; prompts on ${axis} need a new object`,
    );
  const { seq, transform } = s.axes.frames(axis);
  if (!Number.isInteger(slice) || slice < 0 || slice >= seq.length)
    throw new InputError(
      'invalid-prompt',
      `${axis} slice ${slice} is outside the volume (0..${seq.length - 1})`,
    );
  validatePrompt(prompt, seq.width, seq.height, `${axis} slice ${slice}`);
  const axisTrack = s.objects.track(object, axis);
  const encoded = encodePrompt(prompt, transform);
  let state: FrameState;
  if (encoded.count > 0) {
    // A given slice is a mask-prompted frame: the click refines that mask (given-masks.ts).
    if (object.given && !axisTrack.track.output(slice))
      await axisTrack.track.addMask(slice, sliceMaskToModel(object.given.slice(slice), transform));
    state = await axisTrack.track.addPoints(slice, encoded, encoded.maskS ?? undefined);
    const boxOnly = prompt.box !== undefined && (prompt.points ?? []).length === 0;
    if (s.options.workflow === 'medsam2' && boxOnly)
      state = await axisTrack.track.addMask(slice, thresholdedOnModelGrid(s, state));
  } else {
    state = await axisTrack.track.addMask(slice, encoded.maskS as Uint8Array);
  }
  object.promptAxis = axis;
  axisTrack.prompts.set(slice, prompt);
  axisTrack.skipped.delete(slice);
  // Every slice of a given object is a prompted one: a correction leaves nothing to propagate.
  if (!object.given) axisTrack.upToDate = false;
  return s.updates.next(objectId, axis, 0, outcomeOf(state), { done: 0, total: 0 });
}

/** See `SegmentationSession.removePrompt`. */
export function removePrompt(s: SessionParts, objectId: number, slice: number, axis: AxisName): void {
  const object = s.objects.get(objectId);
  const axisTrack = object.tracks.get(axis);
  if (!axisTrack?.prompts.delete(slice)) return;
  axisTrack.track.removePrompt(slice);
  if (object.given) return; // the slice's given mask stands for it again
  axisTrack.upToDate = false;
  if (!axisTrack.track.hasConditioning) {
    object.promptAxis = null;
    object.tracks.clear();
  }
}

/** Prompts currently set for an object, by slice. */
export function promptsOf(
  s: SessionParts,
  objectId: number,
): { axis: AxisName; slice: number; prompt: SlicePrompt }[] {
  const object = s.objects.get(objectId);
  if (!object.promptAxis) return [];
  const track = s.objects.track(object, object.promptAxis);
  return [...track.prompts].map(([slice, prompt]) => ({
    axis: object.promptAxis as AxisName,
    slice,
    prompt,
  }));
}

/** See `SegmentationSession.giveMasks`. */
export function giveMasks(s: SessionParts, objectId: number, mask: Uint8Array, axis: AxisName): void {
  const object = s.objects.get(objectId);
  if (object.promptAxis || object.given)
    throw new InputError(
      'invalid-prompt',
      `object ${objectId} already has prompts or masks; give masks to a new object`,
    );
  object.given = GivenMasks.of(mask, s.axes.frames(axis).seq, objectId);
  object.promptAxis = axis;
  s.objects.track(object, axis).upToDate = true;
}

/** The masks an object was given (for rebuilding a session), if any. */
export function givenMasksOf(
  s: SessionParts,
  objectId: number,
): { axis: AxisName; mask: Uint8Array } | undefined {
  const object = s.objects.get(objectId);
  return object.given && object.promptAxis
    ? { axis: object.promptAxis, mask: object.given.volumeMask }
    : undefined;
}

/**
 * The low-res result of a prompted slice as a binary S×S mask (MedSAM2's `out_mask_logits > 0`
 * at the model's input resolution, then `add_new_mask`).
 */
function thresholdedOnModelGrid(s: SessionParts, state: FrameState): Uint8Array {
  const { image: S, mask: L } = s.model.grid;
  const up = resizeBilinear(state.lowResLogits, L, L, S, S);
  return Uint8Array.from(up, (v) => (v > 0 ? 1 : 0));
}

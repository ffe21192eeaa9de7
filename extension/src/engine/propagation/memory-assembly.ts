/**
 * The memory one frame attends (sam2_base.py `_prepare_memory_conditioned_features`, evaluation
 * settings of `build_sam2_video_predictor`):
 * - spatial memories: every conditioning frame, temporal row num_maskmem − 1; then the
 *   non-conditioning memories — SAM 2's window (the num_maskmem − 1 frames before t in the direction
 *   of travel, a memory d frames away on row d − 1) or, under a MedSAM-2 bank policy, the bank's
 *   selection, each on row min(d, num_maskmem − 1) − 1 (a far memory is encoded as the farthest
 *   non-conditioning one);
 * - object pointers: conditioning frames not in the future of t (`only_obj_ptrs_in_the_past_for_eval`)
 *   at offset |t − c|, then the frames 1 .. min(T, max_obj_ptrs) − 1 steps back at their offset; the
 *   offsets are divided by min(T, max_obj_ptrs) − 1 before the 1-D sine encoding.
 * Frames are looked up by index in the object's outputs, so a backward pass sees forward-pass frames
 * beyond its start, exactly as SAM 2's output dictionary does.
 */
import type { ModelManifest } from '../model/manifest';
import type { Tensor } from '../model/tensor';
import { assertEncoded } from './deferred-memory';
import type { FrameState } from './frame-state';
import { sineEncoding1d } from './sine-encoding';

/** The memory one frame attends to, as the memory_attention graph takes it. */
export interface AttendedMemory {
  readonly memory: Tensor;
  readonly memoryPos: Tensor;
  readonly objPtrs: Tensor;
  readonly objPtrPos: Tensor;
  /** Frames whose spatial memories are attended, in tensor order (duplicates possible after resampling). */
  readonly memoryFrames: readonly number[];
  readonly pointerFrames: readonly number[];
}

/** An object's predicted frames: conditioning (prompted) and non-conditioning (tracked, corrected). */
export interface TrackOutputs {
  readonly cond: ReadonlyMap<number, FrameState>;
  readonly nonCond: ReadonlyMap<number, FrameState>;
}

export interface SpatialMemory {
  readonly state: FrameState;
  /** Row of maskmem_tpos_enc added to its position encoding. */
  readonly row: number;
}

export interface PointerMemory {
  readonly state: FrameState;
  readonly offset: number;
}

/** Row of a non-conditioning memory d ≥ 1 frames away; far memories share the farthest row. */
export function temporalRow(numMaskmem: number, distance: number): number {
  return Math.min(Math.max(distance, 1), numMaskmem - 1) - 1;
}

/** Conditioning memories (always attended, row num_maskmem − 1), in frame order. */
export function conditioningMemories(outputs: TrackOutputs, numMaskmem: number): SpatialMemory[] {
  return [...outputs.cond.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([, state]) => ({ state, row: numMaskmem - 1 }));
}

/** SAM 2's non-conditioning window for frame t: frames t ∓ 1 .. t ∓ (num_maskmem − 1) that exist. */
export function windowMemories(
  outputs: TrackOutputs,
  t: number,
  reverse: boolean,
  numMaskmem: number,
): SpatialMemory[] {
  const out: SpatialMemory[] = [];
  for (let d = numMaskmem - 1; d >= 1; d--) {
    const state = outputs.nonCond.get(reverse ? t + d : t - d);
    if (state) out.push({ state, row: d - 1 });
  }
  return out;
}

/** Bank-selected memories for frame t, each on the row of its slice distance. */
export function bankMemories(
  selected: readonly FrameState[],
  t: number,
  numMaskmem: number,
): SpatialMemory[] {
  return selected.map((state) => ({ state, row: temporalRow(numMaskmem, Math.abs(t - state.frame)) }));
}

export function pointerMemories(
  outputs: TrackOutputs,
  t: number,
  reverse: boolean,
  maxObjPtrs: number,
  numFrames: number,
): { pointers: PointerMemory[]; offsetScale: number } {
  const span = Math.min(numFrames, maxObjPtrs);
  const pointers: PointerMemory[] = [];
  for (const [c, state] of [...outputs.cond.entries()].sort((a, b) => a[0] - b[0]))
    if (reverse ? c >= t : c <= t) pointers.push({ state, offset: Math.abs(t - c) });
  for (let d = 1; d < span; d++) {
    const f = reverse ? t + d : t - d;
    if (f < 0 || f >= numFrames) break;
    const state = outputs.nonCond.get(f);
    if (state) pointers.push({ state, offset: d });
  }
  return { pointers, offsetScale: Math.max(1, span - 1) };
}

/** Packs spatial memories and pointers into the memory_attention graph's inputs. */
export function assembleMemory(
  manifest: ModelManifest,
  spatial: readonly SpatialMemory[],
  pointerSet: { pointers: readonly PointerMemory[]; offsetScale: number },
): AttendedMemory {
  for (const { state } of spatial) assertEncoded(state);
  const first = spatial[0].state.memory;
  const per = first.data.length;
  const [, channels, h, w] = first.dims;
  const plane = h * w;
  const memory = new Float32Array(spatial.length * per);
  const memoryPos = new Float32Array(spatial.length * per);
  spatial.forEach(({ state, row }, i) => {
    memory.set(state.memory.data, i * per);
    const tpos = manifest.constants.maskmemTposEnc[row];
    const pos = state.memoryPos.data;
    for (let c = 0; c < channels; c++) {
      const add = tpos[c];
      const base = c * plane;
      for (let p = 0; p < plane; p++) memoryPos[i * per + base + p] = pos[base + p] + add;
    }
  });
  const { pointers, offsetScale } = pointerSet;
  const dim = pointers[0].state.objPtr.length;
  const objPtrs = new Float32Array(pointers.length * dim);
  pointers.forEach((p, i) => objPtrs.set(p.state.objPtr, i * dim));
  const objPtrPos = sineEncoding1d(
    pointers.map((p) => p.offset / offsetScale),
    dim,
  );
  return {
    memory: { data: memory, dims: [spatial.length, channels, h, w] },
    memoryPos: { data: memoryPos, dims: [spatial.length, channels, h, w] },
    objPtrs: { data: objPtrs, dims: [pointers.length, dim] },
    objPtrPos: { data: objPtrPos, dims: [pointers.length, dim] },
    memoryFrames: spatial.map((s) => s.state.frame),
    pointerFrames: pointers.map((p) => p.state.frame),
  };
}

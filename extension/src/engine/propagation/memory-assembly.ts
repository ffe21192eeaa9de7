import type { ModelManifest } from '../model/manifest';
import type { Tensor } from '../model/tensor';
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

/**
 * Temporal encoding index for a memory at slice distance d (models/README.md): conditioning frames
 * use d = 0; bank entries use their real slice distance clamped to the learned range, so a memory
 * drawn from far away is encoded as "oldest" rather than invented.
 */
export function temporalIndex(numMaskmem: number, distance: number): number {
  return numMaskmem - 1 - Math.min(Math.max(distance, 0), numMaskmem - 1);
}

/**
 * Builds the attended memory for frame t: every conditioning frame (always attended, paper §3.2)
 * followed by the selected bank entries, each with its temporal encoding, plus the object pointers
 * of the conditioning frames and of the most recent frames of the run.
 */
export function assembleMemory(
  manifest: ModelManifest,
  t: number,
  conditioning: readonly FrameState[],
  selected: readonly FrameState[],
  recentPointers: readonly FrameState[],
): AttendedMemory {
  const spatial = [
    ...conditioning.map((s) => ({ s, d: 0 })),
    ...selected.map((s) => ({ s, d: Math.max(1, Math.abs(t - s.frame)) })),
  ];
  const first = spatial[0].s.memory;
  const per = first.data.length;
  const [, channels, h, w] = first.dims;
  const plane = h * w;
  const memory = new Float32Array(spatial.length * per);
  const memoryPos = new Float32Array(spatial.length * per);
  spatial.forEach(({ s, d }, i) => {
    memory.set(s.memory.data, i * per);
    const tpos = manifest.constants.maskmemTposEnc[temporalIndex(manifest.numMaskmem, d)];
    const pos = s.memoryPos.data;
    for (let c = 0; c < channels; c++) {
      const add = tpos[c];
      const base = c * plane;
      for (let p = 0; p < plane; p++) memoryPos[i * per + base + p] = pos[base + p] + add;
    }
  });

  const maxRecent = Math.max(0, manifest.maxObjPtrs - conditioning.length);
  const pointers = [
    ...conditioning.map((s) => s),
    ...recentPointers.slice(0, Math.min(maxRecent, manifest.maxObjPtrs - 1)),
  ];
  const dim = pointers[0].objPtr.length;
  const objPtrs = new Float32Array(pointers.length * dim);
  pointers.forEach((s, i) => objPtrs.set(s.objPtr, i * dim));
  const tDiffMax = Math.max(1, manifest.maxObjPtrs - 1);
  const objPtrPos = sineEncoding1d(
    pointers.map((s) => Math.abs(t - s.frame) / tDiffMax),
    dim,
  );
  return {
    memory: { data: memory, dims: [spatial.length, channels, h, w] },
    memoryPos: { data: memoryPos, dims: [spatial.length, channels, h, w] },
    objPtrs: { data: objPtrs, dims: [pointers.length, dim] },
    objPtrPos: { data: objPtrPos, dims: [pointers.length, dim] },
    memoryFrames: spatial.map(({ s }) => s.frame),
    pointerFrames: pointers.map((s) => s.frame),
  };
}

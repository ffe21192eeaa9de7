/**
 * A prompted frame's memory, encoded when it is first needed. SAM 2 encodes the memory of the
 * frames the user prompted when propagation starts (`propagate_in_video_preflight`), not at the
 * click (`add_new_points` runs the decoder with `run_mem_encoder=False`), so a click answers after
 * the decoder alone and a frame clicked five times is encoded once. The state's `memory` and
 * `memoryPos` are filled in place when encoded: every holder of the state (the track, an Undo
 * snapshot, a bank) sees the same tensors.
 */
import type { Tensor } from '../model/tensor';
import type { FrameState } from './frame-state';

/** A frame's output before its memory is encoded. */
export type DecodedFrame = Omit<FrameState, 'memory' | 'memoryPos'>;

/** The memory encoder's outputs for one frame (maskmem_features, maskmem_pos_enc). */
export interface FrameMemory {
  readonly features: Tensor;
  readonly posEnc: Tensor;
}

/** Stands for a memory not encoded yet (reading it is a bug `assertEncoded` names). */
const UNENCODED: Tensor = { data: new Float32Array(0), dims: [0] };
const pending = new WeakMap<FrameState, () => Promise<void>>();

export const withMemory = (frame: DecodedFrame, m: FrameMemory): FrameState => ({
  ...frame,
  memory: m.features,
  memoryPos: m.posEnc,
});

/** `frame` as a state whose memory `encode` computes on the first `settleMemory`. */
export function deferMemory(frame: DecodedFrame, encode: () => Promise<FrameMemory>): FrameState {
  const state: { -readonly [K in keyof FrameState]: FrameState[K] } = {
    ...frame,
    memory: UNENCODED,
    memoryPos: UNENCODED,
  };
  let running: Promise<void> | null = null;
  pending.set(state, () => {
    running ??= encode().then(
      (m) => {
        state.memory = m.features;
        state.memoryPos = m.posEnc;
        pending.delete(state);
      },
      (error: unknown) => {
        running = null; // the next need tries again
        throw error;
      },
    );
    return running;
  });
  return state;
}

/** Encodes `state`'s memory if it was put off; resolves at once when it is encoded. */
export async function settleMemory(state: FrameState): Promise<void> {
  await pending.get(state)?.();
}

/** Throws when `state`'s memory is read before it was encoded (a `settleMemory` missing). */
export function assertEncoded(state: FrameState): void {
  if (state.memory === UNENCODED)
    throw new Error(`frame ${state.frame}: its memory was read before it was encoded`);
}

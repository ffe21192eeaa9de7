/**
 * A model that survives losing its GPU: when a graph run fails on a GPU backend (WebGPU device
 * lost, out of memory, driver reset), the model is loaded again on the next backend (wasm) and the
 * failed call is repeated there with the same inputs. Sessions hold this object, so their prompts,
 * finished slices, memory banks and the encoder cache are untouched and the interrupted work
 * continues from the call that failed. Failures on a CPU backend are real errors and propagate.
 * When the platform reports the GPU device lost before any call fails (device-loss.ts),
 * `deviceLost` makes the same move at once, so the next call does not fail first.
 */
import { ModelError, errorText } from '../engine/errors';
import type {
  DecoderOutput,
  ImageFeatures,
  MaskDecoderInputs,
  MemoryAttentionInputs,
  MemoryEncoderInputs,
  SamModel,
} from '../engine/model/sam-model';
import type { BackendName } from '../engine/runtime/backend';
import type { Tensor } from '../engine/model/tensor';

/** Backends whose run failures mean "this device is gone", not "this input is wrong". */
const GPU_BACKENDS: ReadonlySet<BackendName> = new Set(['webgpu']);

export interface BackendLoss {
  readonly from: BackendName;
  readonly reason: string;
}

/** Loads the model again, on a backend other than `lost.from`; rejects when none is left. */
export type Reload = (lost: BackendLoss) => Promise<SamModel>;

export class FallbackModel implements SamModel {
  private replacing: Promise<SamModel> | null = null;
  private released = false;

  constructor(
    private current: SamModel,
    private readonly reload: Reload,
    private readonly onFallback: (model: SamModel, lost: BackendLoss) => void,
  ) {}

  get manifest() {
    return this.current.manifest;
  }
  get modelHash() {
    return this.current.modelHash;
  }
  get backend() {
    return this.current.backend;
  }
  get grid() {
    return this.current.grid;
  }
  get encoderRunsApart() {
    return this.current.encoderRunsApart;
  }

  encodeImage(image: Tensor): Promise<ImageFeatures> {
    return this.call((m) => m.encodeImage(image));
  }
  attendMemory(a: MemoryAttentionInputs): Promise<Tensor> {
    return this.call((m) => m.attendMemory(a));
  }
  decodeMask(a: MaskDecoderInputs): Promise<DecoderOutput> {
    return this.call((m) => m.decodeMask(a));
  }
  encodeMemory(a: MemoryEncoderInputs): Promise<{ features: Tensor; posEnc: Tensor }> {
    return this.call((m) => m.encodeMemory(a));
  }
  release(): Promise<void> {
    this.released = true;
    return this.current.release();
  }

  /**
   * The device under `model` is lost: move to another backend now. Ignored when `model` is not in
   * use any more (replaced already, or this model released) or runs on a CPU backend. A failed
   * reload is left to the next graph call, which fails on the lost device and reports it.
   */
  async deviceLost(model: SamModel, reason: string): Promise<void> {
    if (this.released || model !== this.current || !GPU_BACKENDS.has(model.backend.name)) return;
    await this.replace(model, reason).catch(() => undefined);
  }

  private async call<T>(graphCall: (m: SamModel) => Promise<T>): Promise<T> {
    for (;;) {
      // A call made while the model moves waits for the move rather than trying the lost device.
      const model = this.replacing ? await this.replacing.catch(() => this.current) : this.current;
      try {
        return await graphCall(model);
      } catch (error) {
        const lost =
          error instanceof ModelError &&
          error.kind === 'inference-failed' &&
          GPU_BACKENDS.has(model.backend.name);
        if (!lost) throw error;
        // Switches `current` to a model on another backend (or rejects); the call is then repeated.
        await this.replace(model, errorText(error));
      }
    }
  }

  /** One reload for every call that failed on the same lost model. */
  private replace(failed: SamModel, reason: string): Promise<SamModel> {
    if (this.current !== failed) return Promise.resolve(this.current);
    this.replacing ??= (async () => {
      const lost = { from: failed.backend.name, reason };
      let next: SamModel;
      try {
        next = await this.reload(lost);
      } catch (e) {
        throw new ModelError(
          'backend-unavailable',
          `${lost.from} failed during inference (${reason}) and no other backend could take over (${errorText(e)})`,
        );
      }
      this.current = next;
      void failed.release().catch(() => undefined);
      this.onFallback(next, lost);
      return next;
    })().finally(() => (this.replacing = null));
    return this.replacing;
  }
}

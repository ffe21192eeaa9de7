/**
 * Typed client for the engine worker: one promise (or async stream) per request. Works over a
 * browser Worker or a Node worker_threads Worker through the small `WorkerPort` adapter.
 */
import type { ImagePrompt, ImageUpdate } from '../engine/image-set';
import type { BackendName } from '../engine/runtime/backend';
import type { AxisName, SliceUpdate } from '../engine/session';
import type { SlicePrompt } from '../engine/prompts/prompt';
import type {
  DownloadProgress,
  ModelInfo,
  ModelSource,
  SessionSettings,
  SetImagePayload,
  VolumePayload,
  WorkerErrorInfo,
  WorkerRequest,
  WorkerResponse,
} from './protocol';

export interface WorkerPort {
  postMessage(message: WorkerRequest, transfer: ArrayBuffer[]): void;
  onMessage(listener: (message: WorkerResponse) => void): void;
}

/** An error answered by the worker, with the engine's kind (e.g. 'hash-mismatch', 'invalid-prompt'). */
export class WorkerRequestError extends Error {
  readonly kind: string;
  constructor(info: WorkerErrorInfo) {
    super(info.message);
    this.name = 'WorkerRequestError';
    this.kind = info.kind;
  }
}

type Listener = (message: WorkerResponse) => void;
type StreamedMessage = Extract<WorkerResponse, { type: 'slice' | 'image' }>;

/** A prompted slice's result, and whether its image encoding was already cached (pre-encoded). */
export type PromptAnswer = SliceUpdate & { readonly encoderCached: boolean };
type Request<T extends WorkerRequest['type']> = Extract<WorkerRequest, { type: T }>;
type Body<T extends WorkerRequest['type']> = Omit<Request<T>, 'id' | 'type'>;

export class EngineClient {
  private nextId = 1;
  private readonly listeners = new Map<number, Listener>();
  private readonly fallbackListeners = new Set<(model: ModelInfo) => void>();

  constructor(private readonly port: WorkerPort) {
    port.onMessage((message) => {
      if (message.type === 'backend-fallback') for (const l of this.fallbackListeners) l(message.model);
      else this.listeners.get(message.id)?.(message);
    });
  }

  /** `onProgress` hears the model download (bytes received / total) where the files come over HTTP. */
  async loadModel(
    source: ModelSource,
    backends?: readonly BackendName[],
    onProgress?: (progress: DownloadProgress) => void,
  ): Promise<ModelInfo> {
    const r = await this.single('load-model', { source, backends }, 'model-loaded', [], (m) => {
      if (m.type === 'model-progress')
        onProgress?.({
          loaded: m.loaded,
          total: m.total,
          ...(m.cached === undefined ? {} : { cached: m.cached }),
        });
    });
    return r.model;
  }

  /**
   * Calls `listener` with the new model info whenever the worker moves the model to another backend
   * during inference (GPU lost); the request that was running continues there. Returns unsubscribe.
   */
  onBackendFallback(listener: (model: ModelInfo) => void): () => void {
    this.fallbackListeners.add(listener);
    return () => this.fallbackListeners.delete(listener);
  }

  /** New settings for an open volume; the next propagate recomputes every slice under them. */
  async updateSettings(sessionId: number, settings: SessionSettings): Promise<void> {
    await this.single('update-settings', { sessionId, settings }, 'done');
  }

  /** Opens a volume; its data buffer is transferred to the worker (the caller's copy is detached). */
  async openVolume(volume: VolumePayload, volumeId: string, settings?: SessionSettings): Promise<number> {
    const r = await this.single('open-volume', { volume, volumeId, settings }, 'volume-opened', [
      volume.data.buffer as ArrayBuffer,
    ]);
    return r.sessionId;
  }

  async addObject(sessionId: number, label?: string): Promise<number> {
    return (await this.single('add-object', { sessionId, label }, 'object-added')).objectId;
  }

  async removeObject(sessionId: number, objectId: number): Promise<void> {
    await this.single('remove-object', { sessionId, objectId }, 'done');
  }

  /** Gives a new object its mask on every slice (`mask` is transferred: pass a copy to keep one). */
  async giveMasks(
    sessionId: number,
    objectId: number,
    mask: Uint8Array,
    axis: AxisName = 'axial',
  ): Promise<void> {
    await this.single('give-masks', { sessionId, objectId, axis, mask }, 'done', [
      mask.buffer as ArrayBuffer,
    ]);
  }

  async setPrompt(
    sessionId: number,
    objectId: number,
    axis: AxisName,
    slice: number,
    prompt: SlicePrompt,
    checkpoint = false,
  ): Promise<PromptAnswer> {
    const answers: PromptAnswer[] = [];
    for await (const m of this.stream('set-prompt', { sessionId, objectId, axis, slice, prompt, checkpoint }))
      if (m.type === 'slice') answers.push({ ...m.update, encoderCached: m.encoderCached ?? false });
    return answers[0];
  }

  /**
   * Asks the worker to encode the slices around `center` in idle time (low priority: every other
   * request goes first); resolves with the slices it encoded once it is done, full or replaced.
   */
  async prefetch(
    sessionId: number,
    axis: AxisName,
    center: number,
    radius?: number,
  ): Promise<readonly number[]> {
    return (await this.single('prefetch', { sessionId, axis, center, radius }, 'prefetched')).slices;
  }

  /** Restores the object as it was before its last checkpointed prompt (see setPrompt). */
  async undoPrompt(sessionId: number, objectId: number): Promise<void> {
    await this.single('undo-prompt', { sessionId, objectId }, 'done');
  }

  async removePrompt(sessionId: number, objectId: number, axis: AxisName, slice: number): Promise<void> {
    await this.single('remove-prompt', { sessionId, objectId, axis, slice }, 'done');
  }

  async getMask(sessionId: number, objectId: number): Promise<Uint8Array> {
    return (await this.single('get-mask', { sessionId, objectId }, 'mask')).mask;
  }

  /**
   * Streams the propagation's slice updates. Aborting `signal` asks the worker to stop; the stream
   * then ends quietly (updates already received stay valid).
   */
  async *propagate(
    sessionId: number,
    objectIds?: readonly number[],
    signal?: AbortSignal,
  ): AsyncGenerator<SliceUpdate> {
    for await (const m of this.stream('propagate', { sessionId, objectIds }, signal))
      if (m.type === 'slice') yield m.update;
  }

  /** Streams a propagation between two prompted slices of one object (see `propagate`). */
  async *propagateBetween(
    sessionId: number,
    objectId: number,
    from: number,
    to: number,
    signal?: AbortSignal,
  ): AsyncGenerator<SliceUpdate> {
    const body = { sessionId, objectId, from, to };
    for await (const m of this.stream('propagate-between', body, signal))
      if (m.type === 'slice') yield m.update;
  }

  /**
   * 2D one-prompt segmentation of `images` (engine/image-set.ts): `prompts[0]` is the template,
   * the others corrections. Streams each image's result as it is done (with its progress);
   * aborting `signal` stops the run quietly. The images' buffers are transferred (pass copies to
   * keep them); a failure rejects with the engine's kind and a message naming the image.
   */
  async *segmentImageSet(
    setId: string,
    images: readonly SetImagePayload[],
    prompts: readonly ImagePrompt[],
    options: {
      modality?: VolumePayload['modality'];
      bank?: SessionSettings['bank'];
      signal?: AbortSignal;
    } = {},
  ): AsyncGenerator<ImageUpdate> {
    const body = { setId, images, prompts, modality: options.modality ?? 'OTHER', bank: options.bank };
    const transfer = [...new Set(images.map((img) => img.data.buffer as ArrayBuffer))];
    for await (const m of this.stream('segment-image-set', body, options.signal, transfer))
      if (m.type === 'image') yield m.update;
  }

  /** The slices the object's next propagate would predict again (stale), ascending. */
  async pendingSlices(sessionId: number, objectId: number): Promise<number[]> {
    return [...(await this.single('pending-slices', { sessionId, objectId }, 'pending-slices')).slices];
  }

  private send<T extends WorkerRequest['type']>(
    type: T,
    body: Body<T>,
    listener: Listener,
    transfer: ArrayBuffer[] = [],
  ): number {
    const id = this.nextId++;
    this.listeners.set(id, listener);
    this.port.postMessage({ ...body, type, id } as unknown as WorkerRequest, transfer);
    return id;
  }

  private single<T extends WorkerRequest['type'], R extends WorkerResponse['type']>(
    type: T,
    body: Body<T>,
    expect: R,
    transfer: ArrayBuffer[] = [],
    onInterim?: (m: WorkerResponse) => void,
  ): Promise<Extract<WorkerResponse, { type: R }>> {
    return new Promise((resolve, reject) => {
      const id = this.send(
        type,
        body,
        (m) => {
          if (m.type === 'model-progress') return onInterim?.(m);
          this.listeners.delete(id);
          if (m.type === 'error') reject(new WorkerRequestError(m.error));
          else if (m.type === expect) resolve(m as Extract<WorkerResponse, { type: R }>);
          else reject(new Error(`worker answered ${m.type} to ${type}, expected ${expect}`));
        },
        transfer,
      );
    });
  }

  private async *stream<T extends 'propagate' | 'propagate-between' | 'set-prompt' | 'segment-image-set'>(
    type: T,
    body: Body<T>,
    signal?: AbortSignal,
    transfer: ArrayBuffer[] = [],
  ): AsyncGenerator<StreamedMessage> {
    const queue: WorkerResponse[] = [];
    let wake: (() => void) | null = null;
    const id = this.send(
      type,
      body,
      (m) => {
        queue.push(m);
        wake?.();
      },
      transfer,
    );
    const onAbort = () => this.port.postMessage({ type: 'cancel', id: this.nextId++, target: id }, []);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        if (queue.length === 0) await new Promise<void>((r) => (wake = r));
        wake = null;
        const m = queue.shift() as WorkerResponse;
        if (m.type === 'slice' || m.type === 'image') yield m;
        else if (m.type === 'done' || m.type === 'cancelled') return;
        else if (m.type === 'error') throw new WorkerRequestError(m.error);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.listeners.delete(id);
    }
  }
}

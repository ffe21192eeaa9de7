/**
 * The engine behind the worker boundary: turns protocol requests into engine calls and answers.
 * It holds the loaded model and the open sessions; one failing request answers 'error' and leaves
 * the worker usable. Platform specifics (how model files are read, which runtimes exist:
 * worker-platform.ts) are injected by the entry files (browser-entry.ts, node-entry.ts); loading
 * the model on a backend, with the others in reserve, is model-startup.ts.
 */
import { EncoderCache } from '../engine/cache/encoder-cache';
import { requestIdOf, requestShapeProblem } from '../engine/runtime/request-shape';
import { slicesAround } from '../engine/cache/prefetch-order';
import { CancelledError, EngineError, InputError, errorText } from '../engine/errors';
import type { SamModel } from '../engine/model/sam-model';
import { type ObjectSnapshot, SegmentationSession, type SliceUpdate } from '../engine/session';
import { IdleLane } from './idle-lane';
import { runImageSet } from './image-set-request';
import { loadWorkerModel } from './model-startup';
import type { Post, SessionSettings, WorkerRequest, WorkerResponse } from './protocol';
import type { WorkerPlatform } from './worker-platform';

export type { WorkerPlatform } from './worker-platform';

/** Requests that use the model and sessions as they are (see EngineWorker.mayOverlapPrefetch). */
const OVERLAPS_PREFETCH: ReadonlySet<WorkerRequest['type']> = new Set([
  'set-prompt',
  'pending-slices',
  'get-mask',
  'add-object',
  'undo-prompt',
  'remove-prompt',
  'propagate',
  'propagate-between',
]);

interface OpenSession {
  readonly session: SegmentationSession;
  readonly volumeId: string;
  readonly settings: SessionSettings;
  /** Object states before each checkpointed prompt, newest last (Undo). */
  readonly undo: ObjectSnapshot[];
}

/** Undo steps kept per open volume. */
const UNDO_DEPTH = 50;

/** Slices pre-encoded on each side of the one in view, unless the request says otherwise. */
export const PREFETCH_RADIUS = 4;

export class EngineWorker {
  private model: SamModel | null = null;
  private readonly sessions = new Map<number, OpenSession>();
  private readonly running = new Map<number, AbortController>();
  private nextSessionId = 1;
  private readonly cache: EncoderCache;
  private readonly lane = new IdleLane();
  /** The pre-encoding under way (a newer one, a model load or closing its volume stops it). */
  private prefetchJob: AbortController | null = null;

  constructor(
    private readonly platform: WorkerPlatform,
    private readonly post: Post,
  ) {
    this.cache = new EncoderCache(platform.cacheBytes);
  }

  async handle(request: WorkerRequest): Promise<void> {
    // An answer without a numeric id matches no request on the client: it is sent all the same.
    const id = requestIdOf(request) as number;
    try {
      const malformed = requestShapeProblem(request);
      if (malformed) throw new InputError('invalid-options', `malformed request: ${malformed}`);
      if (request.type === 'prefetch' || request.type === 'cancel') await this.dispatch(request);
      else await this.lane.request(() => this.dispatch(request), this.mayOverlapPrefetch(request));
    } catch (error) {
      if (error instanceof CancelledError) {
        this.send({ type: 'cancelled', id });
        return;
      }
      const info =
        error instanceof EngineError
          ? { kind: error.kind, message: error.message }
          : { kind: 'internal', message: errorText(error) };
      this.send({ type: 'error', id, error: info });
    }
  }

  /**
   * Whether `r` may run while a pre-encoding step is under way. Only when the encoder has its own
   * thread (the step's encoding runs there, not on this thread's instance), and only for requests
   * that leave the model and the sessions in place: a click on a pre-encoded slice then answers at
   * once instead of after a whole encoding (~2 s for hiera-t 512 on one wasm thread).
   */
  private mayOverlapPrefetch(r: WorkerRequest): boolean {
    return this.model?.encoderRunsApart === true && OVERLAPS_PREFETCH.has(r.type);
  }

  private async dispatch(r: WorkerRequest): Promise<void> {
    switch (r.type) {
      case 'load-model': {
        this.prefetchJob?.abort();
        const { model, info } = await loadWorkerModel(this.platform, r, (m) => this.send(m));
        await this.model?.release();
        this.model = model;
        this.sessions.clear();
        this.cache.clear();
        // Only now: a request sent on this answer must find the new model in place.
        this.send({ type: 'model-loaded', id: r.id, model: info });
        return;
      }
      case 'open-volume': {
        const settings = r.settings ?? {};
        const session = new SegmentationSession(this.requireModel(), r.volume, {
          ...settings,
          cache: this.cache,
          volumeId: r.volumeId,
        });
        const sessionId = this.nextSessionId++;
        this.sessions.set(sessionId, { session, volumeId: r.volumeId, settings, undo: [] });
        this.send({ type: 'volume-opened', id: r.id, sessionId });
        return;
      }
      case 'close-volume':
        this.prefetchJob?.abort();
        this.sessions.delete(r.sessionId);
        this.send({ type: 'done', id: r.id });
        return;
      case 'add-object':
        this.send({ type: 'object-added', id: r.id, objectId: this.session(r.sessionId).addObject(r.label) });
        return;
      case 'remove-object':
        this.session(r.sessionId).removeObject(r.objectId);
        this.send({ type: 'done', id: r.id });
        return;
      case 'give-masks':
        this.session(r.sessionId).giveMasks(r.objectId, r.mask, r.axis);
        this.send({ type: 'done', id: r.id });
        return;
      case 'set-prompt': {
        const open = this.open(r.sessionId);
        const snapshot = r.checkpoint ? open.session.snapshot(r.objectId) : null;
        const encoderCached = open.session.isEncoded(r.slice, r.axis);
        const update = await open.session.setPrompt(r.objectId, r.slice, r.prompt, r.axis);
        if (snapshot) {
          open.undo.push(snapshot);
          if (open.undo.length > UNDO_DEPTH) open.undo.shift();
        }
        this.send({ type: 'slice', id: r.id, update, encoderCached }, [update.mask.buffer as ArrayBuffer]);
        this.send({ type: 'done', id: r.id });
        return;
      }
      case 'undo-prompt': {
        const open = this.open(r.sessionId);
        let at = open.undo.length - 1;
        while (at >= 0 && open.undo[at].objectId !== r.objectId) at--;
        if (at < 0) throw new InputError('nothing-to-undo', `object ${r.objectId} has no prompt to undo`);
        const [snapshot] = open.undo.splice(at, 1);
        open.session.restore(snapshot);
        this.send({ type: 'done', id: r.id });
        return;
      }
      case 'remove-prompt':
        this.session(r.sessionId).removePrompt(r.objectId, r.slice, r.axis);
        this.send({ type: 'done', id: r.id });
        return;
      case 'propagate':
        return this.stream(
          r.id,
          (signal) => this.session(r.sessionId).propagate({ objectIds: r.objectIds, signal }),
          sliceAnswer(r.id),
        );
      case 'propagate-between':
        return this.stream(
          r.id,
          (signal) => this.session(r.sessionId).propagateBetween(r.objectId, r.from, r.to, { signal }),
          sliceAnswer(r.id),
        );
      case 'segment-image-set':
        return this.stream(
          r.id,
          (signal) => runImageSet(this.requireModel(), r, this.cache, signal),
          (update) => ({ type: 'image', id: r.id, update }),
        );
      case 'pending-slices':
        this.send({
          type: 'pending-slices',
          id: r.id,
          objectId: r.objectId,
          slices: this.session(r.sessionId).pendingSlices(r.objectId),
        });
        return;
      case 'get-mask': {
        const mask = this.session(r.sessionId).mask(r.objectId);
        this.send({ type: 'mask', id: r.id, objectId: r.objectId, mask }, [mask.buffer as ArrayBuffer]);
        return;
      }
      case 'update-settings':
        this.sessions.set(r.sessionId, await this.rebuild(this.open(r.sessionId), r.settings));
        this.send({ type: 'done', id: r.id });
        return;
      case 'prefetch':
        this.send({ type: 'prefetched', id: r.id, slices: await this.prefetch(r) });
        return;
      case 'cancel':
        this.running.get(r.target)?.abort();
        this.send({ type: 'done', id: r.id });
        return;
      default: {
        const unknown = r as { type?: unknown; id?: number };
        throw new InputError('invalid-options', `unknown request type ${JSON.stringify(unknown.type)}`);
      }
    }
  }

  /** Encodes the slices around the one in view, one per idle moment, until done, full or replaced. */
  private async prefetch(r: Extract<WorkerRequest, { type: 'prefetch' }>): Promise<number[]> {
    this.prefetchJob?.abort();
    const job = new AbortController();
    this.prefetchJob = job;
    const session = this.session(r.sessionId);
    const encoded: number[] = [];
    try {
      const order = slicesAround(r.center, r.radius ?? PREFETCH_RADIUS, session.axisShape(r.axis).length);
      for (const k of order) {
        const step = await this.lane.background(async () => {
          if (session.isEncoded(k, r.axis)) return 'cached';
          if (!this.cache.hasRoom()) return 'full';
          await session.encodeSlice(k, r.axis);
          return 'encoded';
        }, job.signal);
        if (step === null || step === 'full') break;
        if (step === 'encoded') encoded.push(k);
      }
    } finally {
      if (this.prefetchJob === job) this.prefetchJob = null;
    }
    return encoded;
  }

  /**
   * Sends a propagation's slice updates (or an image set's images) as they come, then 'done';
   * 'cancel' aborts it. Each update's mask is transferred.
   */
  private async stream<U extends { readonly mask: Uint8Array }>(
    id: number,
    run: (signal: AbortSignal) => AsyncIterable<U>,
    answer: (update: U) => WorkerResponse,
  ): Promise<void> {
    const controller = new AbortController();
    this.running.set(id, controller);
    try {
      for await (const update of run(controller.signal))
        this.send(answer(update), [update.mask.buffer as ArrayBuffer]);
    } finally {
      this.running.delete(id);
    }
    this.send({ type: 'done', id });
  }

  private requireModel(): SamModel {
    if (!this.model) throw new InputError('invalid-options', 'no model loaded: send load-model first');
    return this.model;
  }

  private session(id: number): SegmentationSession {
    return this.open(id).session;
  }

  private open(id: number): OpenSession {
    const s = this.sessions.get(id);
    if (!s) throw new InputError('invalid-options', `no open volume with session id ${id}`);
    return s;
  }

  /**
   * The same volume, objects (with their ids) and prompts in a session with new settings: nothing
   * computed under the old settings is kept but the encoder cache, so the next propagate redoes all.
   */
  private async rebuild(old: OpenSession, patch: SessionSettings): Promise<OpenSession> {
    const settings = { ...old.settings, ...patch };
    const session = new SegmentationSession(this.requireModel(), old.session.volume, {
      ...settings,
      cache: this.cache,
      volumeId: old.volumeId,
    });
    const ids = new Set(old.session.objectIds);
    const last = Math.max(0, ...ids);
    // Object ids are handed out in sequence: re-adding up to the last one keeps every id.
    for (let id = 1; id <= last; id++) {
      const added = session.addObject();
      if (!ids.has(added)) session.removeObject(added);
    }
    for (const id of ids) {
      const given = old.session.givenMasks(id);
      if (given) session.giveMasks(id, given.mask, given.axis);
      for (const p of old.session.prompts(id)) await session.setPrompt(id, p.slice, p.prompt, p.axis);
    }
    // Results under the old settings are gone: so are the states Undo would have put back.
    return { session, volumeId: old.volumeId, settings, undo: [] };
  }

  private send(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
    this.post(message, transfer);
  }
}

const sliceAnswer =
  (id: number) =>
  (update: SliceUpdate): WorkerResponse => ({ type: 'slice', id, update });

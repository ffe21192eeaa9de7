/**
 * The engine behind the worker boundary: turns protocol requests into engine calls and answers.
 * It holds the loaded model and the open sessions; one failing request answers 'error' and leaves
 * the worker usable. Platform specifics (how model files are read, which runtimes exist) are
 * injected by the entry files (browser-entry.ts, node-entry.ts).
 */
import { EncoderCache } from '../engine/cache/encoder-cache';
import { CancelledError, EngineError, InputError } from '../engine/errors';
import { loadModel, type ModelFiles, type SamModel } from '../engine/model/sam-model';
import { type BackendCandidate, type BackendName, selectBackend } from '../engine/runtime/backend';
import { SegmentationSession } from '../engine/session';
import type { ModelSource, Post, WorkerRequest, WorkerResponse } from './protocol';

export interface WorkerPlatform {
  modelFiles(source: ModelSource): ModelFiles;
  /** Runtime candidates in preference order (e.g. WebGPU then wasm). */
  backendCandidates(only?: readonly BackendName[]): BackendCandidate[];
  /** Bytes of encoder outputs to keep cached across sessions. */
  readonly cacheBytes?: number;
}

export class EngineWorker {
  private model: SamModel | null = null;
  private readonly sessions = new Map<number, SegmentationSession>();
  private readonly running = new Map<number, AbortController>();
  private nextSessionId = 1;
  private readonly cache: EncoderCache;

  constructor(
    private readonly platform: WorkerPlatform,
    private readonly post: Post,
  ) {
    this.cache = new EncoderCache(platform.cacheBytes);
  }

  async handle(request: WorkerRequest): Promise<void> {
    try {
      await this.dispatch(request);
    } catch (error) {
      if (error instanceof CancelledError) {
        this.send({ type: 'cancelled', id: request.id });
        return;
      }
      const info =
        error instanceof EngineError
          ? { kind: error.kind, message: error.message }
          : { kind: 'internal', message: error instanceof Error ? error.message : String(error) };
      this.send({ type: 'error', id: request.id, error: info });
    }
  }

  private async dispatch(r: WorkerRequest): Promise<void> {
    switch (r.type) {
      case 'load-model': {
        const { backend, tried } = await selectBackend(this.platform.backendCandidates(r.backends));
        const model = await loadModel(this.platform.modelFiles(r.source), backend);
        await this.model?.release();
        this.model = model;
        this.sessions.clear();
        this.cache.clear();
        const m = model.manifest;
        this.send({
          type: 'model-loaded',
          id: r.id,
          model: {
            name: m.name,
            version: m.version,
            testModel: m.testModel,
            modelHash: model.modelHash,
            imageSize: m.imageSize,
            backend: backend.name,
            backendDescription: backend.description,
            fallbacks: tried,
          },
        });
        return;
      }
      case 'open-volume': {
        const session = new SegmentationSession(this.requireModel(), r.volume, {
          ...r.settings,
          cache: this.cache,
          volumeId: r.volumeId,
        });
        const sessionId = this.nextSessionId++;
        this.sessions.set(sessionId, session);
        this.send({ type: 'volume-opened', id: r.id, sessionId });
        return;
      }
      case 'close-volume':
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
      case 'set-prompt': {
        const update = await this.session(r.sessionId).setPrompt(r.objectId, r.slice, r.prompt, r.axis);
        this.send({ type: 'slice', id: r.id, update }, [update.mask.buffer as ArrayBuffer]);
        this.send({ type: 'done', id: r.id });
        return;
      }
      case 'remove-prompt':
        this.session(r.sessionId).removePrompt(r.objectId, r.slice, r.axis);
        this.send({ type: 'done', id: r.id });
        return;
      case 'propagate': {
        const controller = new AbortController();
        this.running.set(r.id, controller);
        try {
          const session = this.session(r.sessionId);
          for await (const update of session.propagate({
            objectIds: r.objectIds,
            signal: controller.signal,
          })) {
            this.send({ type: 'slice', id: r.id, update }, [update.mask.buffer as ArrayBuffer]);
          }
        } finally {
          this.running.delete(r.id);
        }
        this.send({ type: 'done', id: r.id });
        return;
      }
      case 'get-mask': {
        const mask = this.session(r.sessionId).mask(r.objectId);
        this.send({ type: 'mask', id: r.id, objectId: r.objectId, mask }, [mask.buffer as ArrayBuffer]);
        return;
      }
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

  private requireModel(): SamModel {
    if (!this.model) throw new InputError('invalid-options', 'no model loaded: send load-model first');
    return this.model;
  }

  private session(id: number): SegmentationSession {
    const s = this.sessions.get(id);
    if (!s) throw new InputError('invalid-options', `no open volume with session id ${id}`);
    return s;
  }

  private send(message: WorkerResponse, transfer: ArrayBuffer[] = []): void {
    this.post(message, transfer);
  }
}

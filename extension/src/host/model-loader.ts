/**
 * The engine worker and its model, for the controller: starts the worker once, loads the model
 * once (later callers share the load), and publishes what the panel shows — download progress
 * (bytes received / total, the runtime's binary and the model's files together, and how many
 * came from the browser's cache), the backend in use, and a backend change when the GPU is lost during
 * inference (the worker moves the model to wasm and the running work continues there).
 */
import type { EngineClient } from '../worker/client';
import type { ModelInfo } from '../worker/protocol';
import type { Medsam2Config } from './config';
import type { ModelState } from './controller-state';
import { type WorkerConnection, startEngineWorker } from './worker-connection';
import { errorText } from '../engine/errors';

/** A failed model load; the panel's model section shows it, so other places need not repeat it. */
export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

export class ModelLoader {
  private worker: WorkerConnection | null = null;
  private load: Promise<ModelInfo> | null = null;
  private state: ModelState;

  constructor(
    private readonly config: Medsam2Config,
    private readonly publish: (state: ModelState) => void,
    /** Why the configuration is unusable; every load then fails with it. */
    private readonly configError?: string,
  ) {
    this.state = configError
      ? { status: 'error', url: config.modelUrl, message: configError }
      : { status: 'idle', url: config.modelUrl };
  }

  get current(): ModelState {
    return this.state;
  }

  /** Starts the worker and loads the model once; a failed load is retried by the next call. */
  ensure(): Promise<ModelInfo> {
    if (!this.load) {
      this.load = this.start();
      this.load.catch(() => (this.load = null));
    }
    return this.load;
  }

  client(): EngineClient {
    if (!this.worker) throw new Error('the engine worker is not running');
    return this.worker.client;
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    this.load = null;
  }

  private update(patch: Partial<ModelState>): void {
    this.state = { ...this.state, ...patch };
    this.publish(this.state);
  }

  private async start(): Promise<ModelInfo> {
    const { config } = this;
    if (this.configError) throw new ModelLoadError(this.configError);
    this.update({
      status: 'loading',
      message: undefined,
      loaded: undefined,
      bytes: undefined,
      cached: undefined,
    });
    try {
      if (!this.worker) {
        this.worker = startEngineWorker(config);
        this.worker.client.onBackendFallback((info) => this.update({ info }));
      }
      const worker = this.worker;
      const info = await Promise.race([
        worker.client.loadModel({ location: config.modelUrl }, config.backends, (p) =>
          this.update({ loaded: p.loaded, bytes: p.total ?? undefined, cached: p.cached }),
        ),
        worker.failed.then((m) => Promise.reject(new Error(m))),
      ]);
      this.update({ status: 'ready', info });
      return info;
    } catch (e) {
      this.update({ status: 'error', message: errorText(e) });
      throw new ModelLoadError(errorText(e));
    }
  }
}

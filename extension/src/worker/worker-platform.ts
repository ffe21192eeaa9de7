/**
 * What the engine worker needs from where it runs (browser or Node): how model files are read,
 * which runtimes exist, and the optional runtime download, encoder thread and GPU device watch.
 */
import type { ModelFiles } from '../engine/model/sam-model';
import type { BackendCandidate, BackendName, InferenceBackend } from '../engine/runtime/backend';
import type { LosableDevice } from './device-loss';
import type { DownloadProgress, ModelSource } from './protocol';

export interface WorkerPlatform {
  /** `onProgress` receives download progress where the files come over a network. */
  modelFiles(source: ModelSource, onProgress?: (p: DownloadProgress) => void): ModelFiles;
  /** Runtime candidates in preference order (e.g. WebGPU then wasm). */
  backendCandidates(only?: readonly BackendName[]): BackendCandidate[];
  /**
   * Fetches what the runtime needs before its first session (onnxruntime-web's wasm binary),
   * reporting its bytes; called on every model load, it does the work once per worker.
   */
  prepareRuntime?(onProgress: (p: DownloadProgress) => void): Promise<void>;
  /** Bytes of encoder outputs to keep cached across sessions. */
  readonly cacheBytes?: number;
  /**
   * A backend on its own thread for the image encoder when `backend` gains from one (wasm with
   * threads to share), else undefined; the model loaded with it owns and ends it.
   */
  encoderBackend?(backend: InferenceBackend): Promise<(InferenceBackend & { dispose?(): void }) | undefined>;
  /** The GPU device a loaded backend runs on, watched for loss; undefined for CPU backends. */
  gpuDevice?(backend: BackendName): Promise<LosableDevice | undefined>;
}

/**
 * The worker's model load: one download progress over the runtime's binary and the model's files,
 * the model on the first backend that works (the image encoder on its own thread where the platform
 * offers one), and the backends after it in reserve, so a GPU lost during inference, or reported
 * lost by the platform, hands the model to the next one (FallbackModel, 'backend-fallback').
 */
import { ModelError } from '../engine/errors';
import { MANIFEST_FILE } from '../engine/model/manifest';
import { loadModel, type ModelFiles, type SamModel } from '../engine/model/sam-model';
import { type BackendCandidate, type InferenceBackend, selectBackend } from '../engine/runtime/backend';
import { watchDevice } from './device-loss';
import { DownloadSum } from './download-tracker';
import { FallbackModel } from './fallback-model';
import type { BackendFallback, ModelInfo, WorkerRequest, WorkerResponse } from './protocol';
import type { WorkerPlatform } from './worker-platform';

/**
 * Loads the model on the first backend that works; the backends after it stay in reserve, so a
 * GPU lost during inference, or reported lost by the platform, hands the model to the next one
 * (FallbackModel) and the clients hear about it ('backend-fallback').
 */
export async function loadWorkerModel(
  platform: WorkerPlatform,
  r: Extract<WorkerRequest, { type: 'load-model' }>,
  send: (message: WorkerResponse) => void,
): Promise<{ model: SamModel; info: ModelInfo }> {
  let reserve = platform.backendCandidates(r.backends);
  const fallbacks: BackendFallback[] = [];
  // One progress over every byte of the start-up: the runtime's binary and the model's files.
  const download = new DownloadSum((p) => send({ type: 'model-progress', id: r.id, ...p }));
  const runtime = download.part();
  const files = readingManifestEarly(platform.modelFiles(r.source, download.part().report));
  // The runtime downloads while the manifest is read, so the total is known from the start.
  await platform.prepareRuntime?.(runtime.report);
  runtime.done();
  const loadOn = async (candidates: BackendCandidate[], filesToRead = files) => {
    let left = candidates;
    for (;;) {
      const { backend, tried } = await selectBackend(left);
      fallbacks.push(...tried);
      left = left.slice(left.findIndex((c) => c.name === backend.name) + 1);
      try {
        const model = await loadOnBackend(platform, backend, filesToRead);
        reserve = left;
        return model;
      } catch (e) {
        // A backend that passed its probe can still refuse a real graph (e.g. WebGPU on the encoder).
        const refused = e instanceof ModelError && e.kind === 'inference-failed';
        if (!refused || left.length === 0) throw e;
        fallbacks.push({ name: backend.name, error: e.message });
      }
    }
  };
  const first = await loadOn(reserve);
  const model = new FallbackModel(
    first,
    async (lost) => {
      // A reload after a lost GPU reports no progress: the load request was answered long ago.
      const next = await loadOn(
        reserve.filter((c) => c.name !== lost.from),
        platform.modelFiles(r.source),
      );
      await watchGpu(platform, model, next);
      return next;
    },
    (next, lost) => {
      fallbacks.push({ name: lost.from, error: lost.reason, duringInference: true });
      send({ type: 'backend-fallback', id: 0, model: modelInfo(next, fallbacks) });
    },
  );
  await watchGpu(platform, model, first);
  return { model, info: modelInfo(model, fallbacks) };
}

/**
 * The model on `backend`, with the image encoder on its own thread where the platform offers one;
 * when that thread cannot start or load the encoder, everything runs on `backend` instead.
 */
async function loadOnBackend(
  platform: WorkerPlatform,
  backend: InferenceBackend,
  files: ModelFiles,
): Promise<SamModel> {
  const encoderBackend = await platform.encoderBackend?.(backend).catch(() => undefined);
  if (encoderBackend) {
    try {
      return await loadModel(files, backend, { encoderBackend });
    } catch (e) {
      if (!(e instanceof ModelError && e.kind === 'inference-failed')) throw e;
    }
  }
  return loadModel(files, backend);
}

/** When the platform reports `loaded`'s GPU device lost, `model` moves off it before the next call. */
async function watchGpu(platform: WorkerPlatform, model: FallbackModel, loaded: SamModel): Promise<void> {
  const backend = loaded.backend.name;
  const device = await platform.gpuDevice?.(backend).catch(() => undefined);
  watchDevice(backend, device, (reason) => void model.deviceLost(loaded, reason));
}

/**
 * `files` with its manifest requested at once (and read once): the manifest names every file and
 * its size, so the download's total is known while the runtime is still being fetched.
 */
function readingManifestEarly(files: ModelFiles): ModelFiles {
  const manifest = files.read(MANIFEST_FILE);
  manifest.catch(() => undefined); // reported where loadModel reads it
  return {
    origin: files.origin,
    read: (name) => (name === MANIFEST_FILE ? manifest : files.read(name)),
  };
}

function modelInfo(model: SamModel, fallbacks: readonly BackendFallback[]): ModelInfo {
  const m = model.manifest;
  const backend = model.backend;
  return {
    name: m.name,
    version: m.version,
    testModel: m.testModel,
    modelHash: model.modelHash,
    imageSize: m.imageSize,
    backend: backend.name,
    backendDescription: model.encoderRunsApart
      ? `${backend.description}; the image encoder on its own thread`
      : backend.description,
    fallbacks: [...fallbacks],
  };
}

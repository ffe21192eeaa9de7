/**
 * WebGPU device loss reported by the browser (`device.lost` resolves): the model moves to wasm at
 * once, so the next graph call runs there instead of failing on the lost device first. A GPU cannot
 * run here: the device is a fake whose `lost` promise the test resolves, and the GPU backend is a
 * mock (mock-gpu.ts: a real CPU backend posing as 'webgpu') whose runs fail once its device is lost.
 * The models and the wasm fallback are real.
 */
import { loadModel, type SamModel } from '../../extension/src/engine/model/sam-model';
import { zeros } from '../../extension/src/engine/model/tensor';
import { nodeBackends } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import {
  type DeviceLostInfo,
  type LosableDevice,
  lostReason,
  ortWebGpuDevice,
} from '../../extension/src/worker/device-loss';
import { type BackendLoss, FallbackModel } from '../../extension/src/worker/fallback-model';
import type { ModelInfo } from '../../extension/src/worker/protocol';
import { inProcessWorker } from '../support/in-process-worker';
import { blobVolume } from '../support/synthetic';
import { TEST_MODEL_DIR } from '../support/test-model';
import { type MockGpu, mockGpu } from './mock-gpu';

/** A GPUDevice as far as loss goes: `lose` resolves `lost` the way the browser does. */
class FakeDevice implements LosableDevice {
  readonly lost: Promise<DeviceLostInfo>;
  /** Graph runs on this device fail from now on (set by `lose`, or alone: the loss not yet reported). */
  gone = false;
  private resolveLost: (info: DeviceLostInfo) => void = () => undefined;

  constructor() {
    this.lost = new Promise((resolve) => (this.resolveLost = resolve));
  }

  lose(info: DeviceLostInfo = { reason: 'unknown', message: 'driver reset' }): void {
    this.gone = true;
    this.resolveLost(info);
  }
}

const backends = nodeBackends();
const modelFiles = () => directoryModelFiles(TEST_MODEL_DIR);
const image = () => zeros([1, 3, 128, 128]);
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

async function gpuModel(device: FakeDevice): Promise<{ model: SamModel; gpu: MockGpu }> {
  const gpu = mockGpu(await backends.native(), () => device.gone, 'on a fake device');
  return { model: await loadModel(modelFiles(), gpu), gpu };
}

/** A FallbackModel over `first` whose reloads (on wasm) and fallbacks are counted. */
function fallbackOver(first: SamModel, reload?: () => Promise<SamModel>) {
  const seen = { reloads: 0, fallbacks: [] as BackendLoss[] };
  const model = new FallbackModel(
    first,
    async () => {
      seen.reloads++;
      return reload ? reload() : loadModel(modelFiles(), await backends.wasm());
    },
    (_next, lost) => seen.fallbacks.push(lost),
  );
  return { model, seen };
}

describe('FallbackModel.deviceLost: when a lost device moves the model', () => {
  test('a model on the GPU moves to wasm once, and a call made during the move waits and runs there', async () => {
    const device = new FakeDevice();
    const { model: first, gpu } = await gpuModel(device);
    const { model, seen } = fallbackOver(first);
    await model.encodeImage(image());
    const runsBefore = gpu.runs;
    device.lose();
    const moving = model.deviceLost(first, 'webgpu device lost (unknown): driver reset');
    await model.encodeImage(image());
    await moving;
    expect(model.backend.name).toBe('wasm');
    expect(gpu.runs).toBe(runsBefore); // nothing was tried on the lost device
    expect(seen.reloads).toBe(1);
    expect(seen.fallbacks).toEqual([
      { from: 'webgpu', reason: 'webgpu device lost (unknown): driver reset' },
    ]);
    await model.deviceLost(first, 'reported twice');
    expect(seen.reloads).toBe(1);
  });

  test('a loss reported after a failed call already moved the model changes nothing more', async () => {
    const device = new FakeDevice();
    const { model: first } = await gpuModel(device);
    const { model, seen } = fallbackOver(first);
    device.gone = true; // runs fail before the browser reports the loss
    await model.encodeImage(image());
    expect(model.backend.name).toBe('wasm');
    expect(seen.reloads).toBe(1);
    await model.deviceLost(first, 'late report');
    expect(seen.reloads).toBe(1);
    expect(seen.fallbacks).toHaveLength(1);
  });

  test('a released model (a new model was loaded) ignores its old device', async () => {
    const device = new FakeDevice();
    const { model: first } = await gpuModel(device);
    const { model, seen } = fallbackOver(first);
    await model.release();
    await model.deviceLost(first, 'lost after release');
    expect(seen.reloads).toBe(0);
    expect(model.backend.name).toBe('webgpu');
  });

  test('a model on a CPU backend is not moved', async () => {
    const first = await loadModel(modelFiles(), await backends.native());
    const { model, seen } = fallbackOver(first);
    await model.deviceLost(first, 'not a GPU');
    expect(seen.reloads).toBe(0);
    expect(model.backend.name).toBe(first.backend.name);
  });

  test('when no backend can take over, the model stays and the next call reports why', async () => {
    const device = new FakeDevice();
    const { model: first } = await gpuModel(device);
    const { model, seen } = fallbackOver(first, () => Promise.reject(new Error('wasm refused')));
    device.lose();
    await expect(model.deviceLost(first, 'lost')).resolves.toBeUndefined();
    expect(seen.fallbacks).toEqual([]);
    expect(model.backend.name).toBe('webgpu');
    await expect(model.encodeImage(image())).rejects.toMatchObject({
      kind: 'backend-unavailable',
      message: expect.stringMatching(
        /webgpu failed during inference .*no other backend could take over \(wasm refused\)/,
      ),
    });
  });
});

/** The engine worker in this process, with a fake WebGPU device per WebGPU load. */
function startWorker() {
  const devices: FakeDevice[] = [];
  const gpus: MockGpu[] = [];
  const { client } = inProcessWorker({
    modelFiles: (source) => directoryModelFiles(source.location),
    backendCandidates: () => [
      {
        name: 'webgpu',
        create: async () => {
          const device = new FakeDevice();
          devices.push(device);
          const gpu = mockGpu(await backends.native(), () => device.gone, 'on a fake device');
          gpus.push(gpu);
          return gpu;
        },
      },
      { name: 'wasm', create: backends.wasm },
    ],
    gpuDevice: async (backend) => (backend === 'webgpu' ? devices.at(-1) : undefined),
  });
  return { client, devices, gpus };
}

describe('engine worker: the platform reports the WebGPU device lost', () => {
  test('the model moves to wasm before the next request, which never runs on the lost GPU', async () => {
    const { client, devices, gpus } = startWorker();
    const fallbacks: ModelInfo[] = [];
    client.onBackendFallback((info) => fallbacks.push(info));
    expect((await client.loadModel({ location: TEST_MODEL_DIR })).backend).toBe('webgpu');
    const { volume } = blobVolume([48, 48, 16], [{ center: [24, 24, 8], radii: [10, 10, 6] }]);
    const sessionId = await client.openVolume({ ...volume }, 'series-device');
    const objectId = await client.addObject(sessionId, 'lesion');
    const click = { points: [{ x: 24, y: 24, label: 1 as const }] };
    await client.setPrompt(sessionId, objectId, 'axial', 8, click);
    const runsAtLoss = gpus[0].runs;
    expect(runsAtLoss).toBeGreaterThan(0);

    devices[0].lose({ reason: 'unknown', message: 'driver reset' });
    await macrotask();
    expect(fallbacks).toEqual([]); // the reload on wasm is still under way
    const next = await client.setPrompt(sessionId, objectId, 'axial', 5, click);

    expect(next.area).toBeGreaterThan(100);
    expect(gpus[0].runs).toBe(runsAtLoss);
    expect(fallbacks).toHaveLength(1);
    expect(fallbacks[0].backend).toBe('wasm');
    expect(fallbacks[0].fallbacks).toEqual([
      { name: 'webgpu', error: 'webgpu device lost (unknown): driver reset', duringInference: true },
    ]);
    let slices = 0;
    for await (const u of client.propagate(sessionId)) if (u.objectId === objectId) slices++;
    expect(slices).toBe(14);
    expect(gpus[0].runs).toBe(runsAtLoss);
  });
});

describe('reading the device', () => {
  test('onnxruntime-web’s env.webgpu.device is read as a device or a promise of one; anything else is none', async () => {
    const device = new FakeDevice();
    await expect(ortWebGpuDevice({ webgpu: { device } })).resolves.toBe(device);
    await expect(ortWebGpuDevice({ webgpu: { device: Promise.resolve(device) } })).resolves.toBe(device);
    await expect(ortWebGpuDevice({ webgpu: {} })).resolves.toBeUndefined();
    await expect(ortWebGpuDevice({})).resolves.toBeUndefined();
    await expect(ortWebGpuDevice({ webgpu: { device: { lost: 'no' } } })).resolves.toBeUndefined();
  });

  test('the reason names the backend, the browser’s reason and its message', () => {
    expect(lostReason('webgpu', { reason: 'destroyed', message: ' Device was destroyed. ' })).toBe(
      'webgpu device lost (destroyed): Device was destroyed.',
    );
    expect(lostReason('webgpu', {})).toBe('webgpu device lost (unknown)');
  });
});

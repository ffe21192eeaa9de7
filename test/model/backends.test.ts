/**
 * Backends: the probe graph in the runtime is the one the builder makes; native CPU and wasm give the
 * same outputs for every graph of the test model; backend choice falls through in order and reports
 * each failure.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ModelError } from '../../extension/src/engine/errors';
import { loadModel, type SamModel } from '../../extension/src/engine/model/sam-model';
import type { Tensor } from '../../extension/src/engine/model/tensor';
import { selectBackend, type InferenceBackend } from '../../extension/src/engine/runtime/backend';
import { probeGraphBytes } from '../../extension/src/engine/runtime/probe';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { probeGraph } from '../../models/onnx/probe-graph';
import {
  cleanupModelDirs,
  diskIntensity,
  F,
  L,
  maxAbsDiff,
  normalisedImage,
  randomTensor,
  writeModelDir,
} from './fixtures';

/** Largest difference allowed between native CPU and wasm on any output (logits reach ±50). */
const TOLERANCE = 1e-4;

let native: WorkerBackend;
let wasm: WorkerBackend;
let onNative: SamModel;
let onWasm: SamModel;

beforeAll(async () => {
  const backends = nodeBackends();
  [native, wasm] = await Promise.all([backends.native(), backends.wasm()]);
  const dir = writeModelDir();
  onNative = await loadModel(directoryModelFiles(dir), native);
  onWasm = await loadModel(directoryModelFiles(dir), wasm);
});
afterAll(async () => {
  await Promise.all([onNative.release(), onWasm.release()]);
  await Promise.all([native.close(), wasm.close()]);
  cleanupModelDirs();
});

const worst = (a: Record<string, Tensor | Float32Array | number>, b: typeof a) =>
  Math.max(
    ...Object.keys(a).map((k) => {
      const x = a[k];
      const y = b[k];
      if (typeof x === 'number') return Math.abs(x - (y as number));
      return maxAbsDiff(
        'data' in x ? x.data : x,
        'data' in (y as Tensor) ? (y as Tensor).data : (y as Float32Array),
      );
    }),
  );

describe('backends', () => {
  it('embeds exactly the probe graph the ONNX builder makes', () => {
    expect(Buffer.from(probeGraphBytes()).equals(Buffer.from(probeGraph()))).toBe(true);
  });

  it('describe what runs', () => {
    expect(native.name).toBe('native-cpu');
    expect(native.description).toMatch(/^onnxruntime-node 1\.\d+\.\d+ native CPU/);
    expect(wasm.name).toBe('wasm');
    expect(wasm.description).toMatch(/^onnxruntime-web 1\.\d+\.\d+ wasm \(simd, 1 thread\)/);
  });

  it(`agree within ${TOLERANCE} on every output of every graph`, async () => {
    const image = normalisedImage(diskIntensity(60, 70, 18));
    const [fa, fb] = await Promise.all([onNative.encodeImage(image), onWasm.encodeImage(image)]);
    expect(worst({ ...fa }, { ...fb })).toBeLessThanOrEqual(TOLERANCE);

    const attention = {
      curr: fa.visionFeats,
      currPos: fa.visionPos,
      memory: randomTensor([3, 64, F, F], 5),
      memoryPos: randomTensor([3, 64, F, F], 6),
      objPtrs: randomTensor([4, 256], 7),
      objPtrPos: randomTensor([4, 256], 8),
    };
    const [aa, ab] = await Promise.all([onNative.attendMemory(attention), onWasm.attendMemory(attention)]);
    expect(maxAbsDiff(aa.data, ab.data)).toBeLessThanOrEqual(TOLERANCE);

    const prompt = {
      imageEmbed: aa,
      highRes0: fa.highRes0,
      highRes1: fa.highRes1,
      pointCoords: new Float32Array([30, 30, 100, 100, 60, 70, 90, 40]),
      pointLabels: new Float32Array([2, 3, 1, 0]),
      maskInput: randomTensor([1, 1, L, L], 9, 3),
    };
    const [da, db] = await Promise.all([onNative.decodeMask(prompt), onWasm.decodeMask(prompt)]);
    expect(worst({ ...da }, { ...db })).toBeLessThanOrEqual(TOLERANCE);

    const memory = {
      pixFeat: fa.visionFeats,
      maskLogits: randomTensor([1, 1, L, L], 10, 8),
      objectScore: -0.5,
      binarize: true,
    };
    const [ma, mb] = await Promise.all([onNative.encodeMemory(memory), onWasm.encodeMemory(memory)]);
    expect(worst({ ...ma }, { ...mb })).toBeLessThanOrEqual(TOLERANCE);
  });
});

describe('selectBackend', () => {
  const failing = (name: 'webgpu' | 'wasm', reason: string) => ({
    name,
    create: async (): Promise<InferenceBackend> => {
      throw new Error(reason);
    },
  });

  it('returns the first backend that works and the failures before it', async () => {
    const chosen = await selectBackend([
      failing('webgpu', 'no adapter'),
      { name: 'wasm', create: async () => wasm },
    ]);
    expect(chosen.backend).toBe(wasm);
    expect(chosen.tried).toEqual([{ name: 'webgpu', error: 'no adapter' }]);
  });

  it('fails with backend-unavailable listing every failure', async () => {
    const attempt = selectBackend([failing('webgpu', 'no adapter'), failing('wasm', 'wasm file 404')]);
    await expect(attempt).rejects.toBeInstanceOf(ModelError);
    await expect(attempt).rejects.toMatchObject({ kind: 'backend-unavailable' });
    await expect(attempt).rejects.toThrow(/webgpu: no adapter; wasm: wasm file 404/);
  });

  it('reports a Node wasm backend whose onnxruntime module cannot start', async () => {
    const { startWorkerBackend } = await import('../../extension/src/node/ort-worker');
    const broken = startWorkerBackend({
      name: 'wasm',
      ortPath: '/nonexistent/onnxruntime-web.js',
      sessionOptions: { executionProviders: ['wasm'] },
      describe: () => 'broken',
    });
    await expect(broken).rejects.toThrow(
      /\/nonexistent\/onnxruntime-web\.js did not start in a worker thread/,
    );
  });
});

describe('createOrtBackend in-process (plain Node, as in a browser worker)', () => {
  it('runs onnxruntime-web wasm and onnxruntime-node through the same wrapper; webgpu is refused without navigator.gpu', () => {
    // Jest's sandbox cannot host onnxruntime in-process (see extension/src/node/ort-worker.ts), so a
    // plain Node process runs the check and prints what it saw.
    const script = join(__dirname, 'in-process-backends.script.ts');
    const out = execFileSync(process.execPath, [require.resolve('tsx/cli'), script], { encoding: 'utf8' });
    const report = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(report.chosen).toBe('wasm');
    expect(report.description).toMatch(/^onnxruntime-web 1\.\d+\.\d+ wasm \(simd, 1 thread\)$/);
    expect(report.tried).toEqual([{ name: 'webgpu', error: 'navigator.gpu is not available' }]);
    expect(report.nativeDescription).toMatch(/^onnxruntime-node 1\.\d+\.\d+ native CPU$/);
    expect(report.maxDiffNativeVsWasmDecoder).toBeLessThanOrEqual(TOLERANCE);
  });
});

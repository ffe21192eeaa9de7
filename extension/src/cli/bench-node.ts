/**
 * The benchmark's Node half: the measures on onnxruntime-node (native CPU) and onnxruntime-web's
 * wasm build (1 thread), one after the other in this process, each backend in its own worker thread.
 */
import { loadModel } from '../engine/model/sam-model';
import { nodeBackends, type WorkerBackend } from '../node/backends';
import { directoryModelFiles } from '../node/model-dir';
import { type BackendRun, type BenchPlan, runMeasures } from './bench-measures';

const MB = 2 ** 20;

async function benchBackend(
  id: string,
  backend: WorkerBackend,
  modelDir: string,
  plan: BenchPlan,
  log: (line: string) => void,
): Promise<BackendRun> {
  const model = await loadModel(directoryModelFiles(modelDir), backend);
  let peakRss = 0;
  let peakHeap = 0;
  const sampleMemory = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    // Typed arrays (tensors, masks, cached features) count as heap, as Chromium's usedJSHeapSize counts them.
    peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
  };
  // Between slices as well: graph calls run in the backend's worker thread, this one is free.
  const interval = setInterval(sampleMemory, 20);
  try {
    const measures = await runMeasures(model, plan, { sampleMemory, log: (line) => log(`${id}: ${line}`) });
    return {
      id,
      platform: 'node',
      backend: backend.name,
      description: backend.description,
      threads: backend.name === 'wasm' ? 1 : null,
      plan,
      measures,
      memory: {
        peakRssMb: peakRss / MB,
        rssOf: 'this Node process (both Node backends run in it, one after the other)',
        peakJsHeapMb: peakHeap / MB,
      },
    };
  } finally {
    clearInterval(interval);
    await model.release();
  }
}

export async function benchNode(
  modelDir: string,
  plan: BenchPlan,
  log: (line: string) => void,
  options: { readonly wasm?: boolean } = {},
): Promise<BackendRun[]> {
  const backends = nodeBackends({ wasmThreads: 1 });
  const runs: BackendRun[] = [];
  const configurations = [
    ['node native', backends.native],
    ['node wasm', backends.wasm],
  ] as const;
  for (const [id, create] of configurations.filter(([id]) => options.wasm !== false || id !== 'node wasm')) {
    const backend = await create();
    try {
      log(`${id}: ${backend.description}`);
      runs.push(await benchBackend(id, backend, modelDir, plan, log));
    } finally {
      await backend.close();
    }
  }
  return runs;
}

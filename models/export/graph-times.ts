/**
 * Per-graph times of a model folder on both Node backends, through the engine's own loader (so the
 * folder is also checked against the contract): onnxruntime-node native CPU and onnxruntime-web wasm.
 * Unlike `npm run bench` it does not propagate a volume, so it stays usable on 1024-px models.
 *
 *   npx tsx models/export/graph-times.ts <modelDir> [--repeats 2] [--memories 7] [--pointers 16]
 *       [--backends native,wasm] [--wasm-threads 1]
 *
 * Prints JSON: file sizes, load time and the median milliseconds per call of each graph (after one
 * untimed warm-up call), with N memories and P object pointers as SAM 2 attends them (1 + 6, 16).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadModel, type SamModel } from '../../extension/src/engine/model/sam-model';
import type { Tensor } from '../../extension/src/engine/model/tensor';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';

import type { GraphName } from '../../extension/src/engine/model/contract';

interface Options {
  repeats: number;
  memories: number;
  pointers: number;
  backends: ('native' | 'wasm')[];
  wasmThreads: number;
}

function parseArgs(argv: string[]): { modelDir: string; options: Options } {
  const [modelDir, ...rest] = argv;
  if (!modelDir) throw new Error('usage: tsx models/export/graph-times.ts <modelDir> [--repeats N] ...');
  const options: Options = {
    repeats: 2,
    memories: 7,
    pointers: 16,
    backends: ['native', 'wasm'],
    wasmThreads: 1,
  };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (flag === '--backends') options.backends = value.split(',') as Options['backends'];
    else if (flag === '--repeats') options.repeats = Number(value);
    else if (flag === '--memories') options.memories = Number(value);
    else if (flag === '--pointers') options.pointers = Number(value);
    else if (flag === '--wasm-threads') options.wasmThreads = Number(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  return { modelDir, options };
}

/** Deterministic values in [-1, 1) (a fixed LCG): realistic magnitudes, no data-dependent shortcuts. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
const tensor = (dims: number[], seed: number): Tensor => ({
  data: values(
    dims.reduce((a, b) => a * b, 1),
    seed,
  ),
  dims,
});

async function median(repeats: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

async function timeGraphs(model: SamModel, o: Options): Promise<Record<GraphName, number>> {
  const { image: S, feature: F, mask: L } = model.grid;
  const f = await model.encodeImage(tensor([1, 3, S, S], 1));
  return {
    image_encoder: await median(o.repeats, () => model.encodeImage(tensor([1, 3, S, S], 2))),
    memory_attention: await median(o.repeats, () =>
      model.attendMemory({
        curr: f.visionFeats,
        currPos: f.visionPos,
        memory: tensor([o.memories, 64, F, F], 3),
        memoryPos: tensor([o.memories, 64, F, F], 4),
        objPtrs: tensor([o.pointers, 256], 5),
        objPtrPos: tensor([o.pointers, 256], 6),
      }),
    ),
    mask_decoder: await median(o.repeats, () =>
      model.decodeMask({
        imageEmbed: f.visionFeats,
        highRes0: f.highRes0,
        highRes1: f.highRes1,
        pointCoords: new Float32Array([S / 2, S / 2]),
        pointLabels: new Float32Array([1]),
      }),
    ),
    memory_encoder: await median(o.repeats, () =>
      model.encodeMemory({ pixFeat: f.visionFeats, maskLogits: tensor([1, 1, L, L], 7), objectScore: 1 }),
    ),
  };
}

async function main(): Promise<void> {
  const { modelDir, options } = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as {
    name: string;
    graphs: Record<GraphName, { file: string; precision: string }>;
  };
  const graphs = manifest.graphs;
  const sizesMiB = Object.fromEntries(
    Object.entries(graphs).map(([g, e]) => [g, statSync(join(modelDir, e.file)).size / 2 ** 20]),
  );
  const results = [];
  for (const which of options.backends) {
    const factory = nodeBackends({ wasmThreads: options.wasmThreads });
    const backend: WorkerBackend = await (which === 'native' ? factory.native() : factory.wasm());
    try {
      const t0 = performance.now();
      const model = await loadModel(directoryModelFiles(modelDir), backend);
      const loadMs = performance.now() - t0;
      const graphMs = await timeGraphs(model, options);
      results.push({ backend: backend.description, loadMs, graphMs });
      await model.release();
    } finally {
      await backend.close();
    }
  }
  console.log(
    JSON.stringify(
      { model: manifest.name, precision: graphs.image_encoder.precision, sizesMiB, options, results },
      null,
      1,
    ),
  );
}

main().catch((e: unknown) => {
  console.error(`graph-times: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});

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
import { timeGraphs } from '../../extension/src/cli/graph-timing';
import { loadModel } from '../../extension/src/engine/model/sam-model';
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

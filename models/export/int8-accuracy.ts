/**
 * What the int8 variant costs in accuracy against its fp32 source, measured through the engine:
 *
 *   npx tsx models/export/int8-accuracy.ts <fp32Dir> <int8Dir> [--slices 24] [--backend native|wasm]
 *       [--per-graph] [--json report.json]
 *
 * - Whole loop: a click on the middle slice of a synthetic volume (a textured ellipsoid), then
 *   propagation through every slice, once with the fp32 folder and once with the int8 folder; per
 *   slice the IoU of the two masks, over the volume their Dice, and how often presence agrees.
 * - Per graph: every graph call of the fp32 loop is replayed through the int8 graph with the same
 *   inputs: max abs error and relative RMS error (‖int8 − fp32‖ / ‖fp32‖) per output, and for the
 *   decoder the IoU of the thresholded mask planes.
 * - `--per-graph` also runs the loop with one graph int8 at a time (the others fp32), which says
 *   which graph's quantisation costs the most.
 *
 * Prints JSON (the report) and a short table on stderr. Nothing is asserted: the bounds are for
 * whoever picks the precisions (models/README.md, "int8 variant").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GRAPH_NAMES, type GraphName } from '../../extension/src/engine/model/contract';
import { loadModel, type ModelFiles } from '../../extension/src/engine/model/sam-model';
import type { Tensor } from '../../extension/src/engine/model/tensor';
import type { GraphSession, InferenceBackend } from '../../extension/src/engine/runtime/backend';
import { SegmentationSession } from '../../extension/src/engine/session';
import type { Volume } from '../../extension/src/engine/types';
import { overlap } from '../../extension/src/eval/overlap';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';

interface Options {
  slices: number;
  backend: 'native' | 'wasm';
  perGraph: boolean;
  json?: string;
}

function parseArgs(argv: string[]): { fp32: string; int8: string; options: Options } {
  const positional: string[] = [];
  const options: Options = { slices: 24, backend: 'native', perGraph: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--slices') options.slices = Number(argv[++i]);
    else if (a === '--backend') options.backend = argv[++i] as Options['backend'];
    else if (a === '--per-graph') options.perGraph = true;
    else if (a === '--json') options.json = argv[++i];
    else if (a.startsWith('--')) throw new Error(`unknown flag ${a}`);
    else positional.push(a);
  }
  if (positional.length !== 2 || !Number.isInteger(options.slices) || options.slices < 3)
    throw new Error(
      'usage: tsx models/export/int8-accuracy.ts <fp32Dir> <int8Dir> [--slices N>=3] [--backend native|wasm] [--per-graph] [--json FILE]',
    );
  if (options.backend !== 'native' && options.backend !== 'wasm')
    throw new Error(`--backend must be native or wasm, got ${options.backend}`);
  return { fp32: positional[0], int8: positional[1], options };
}

/**
 * An ellipsoid (MR-like intensities) spanning 80 % of the slices, on a background with a seeded
 * texture, so the encoder sees more than two flat regions.
 */
export function accuracyVolume(slices: number, size = 128): Volume {
  const data = new Float32Array(size * size * slices);
  let s = 12345;
  for (let z = 0; z < slices; z++)
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const noise = (s / 2 ** 32 - 0.5) * 80;
        const r =
          ((x - size * 0.5) / (size * 0.22)) ** 2 +
          ((y - size * 0.45) / (size * 0.3)) ** 2 +
          ((z - slices / 2) / (slices * 0.4)) ** 2;
        const texture = 60 * Math.sin(x / 5) * Math.cos(y / 7);
        data[x + size * (y + size * z)] = (r <= 1 ? 900 : 200) + texture + noise;
      }
  return { data, dims: [size, size, slices], spacing: [1, 1, 2], modality: 'MR' };
}

interface GraphCall {
  readonly graph: GraphName;
  readonly feeds: Record<string, Tensor>;
  readonly outputs: Record<string, Tensor>;
}

const copy = (tensors: Record<string, Tensor>): Record<string, Tensor> =>
  Object.fromEntries(
    Object.entries(tensors).map(([k, t]) => [k, { data: t.data.slice(), dims: [...t.dims] }]),
  );

/** The backend, with every graph call's inputs and outputs kept (for the per-graph replay). */
function recording(backend: InferenceBackend, calls: GraphCall[]): InferenceBackend {
  return {
    name: backend.name,
    description: backend.description,
    async createSession(bytes, label) {
      const inner = await backend.createSession(bytes, label);
      const session: GraphSession = {
        inputNames: inner.inputNames,
        outputNames: inner.outputNames,
        async run(feeds) {
          const outputs = await inner.run(feeds);
          // Copies: the engine may reuse or change its tensors after the call.
          calls.push({ graph: label as GraphName, feeds: copy(feeds), outputs: copy(outputs) });
          return outputs;
        },
        release: () => inner.release(),
      };
      return session;
    },
  };
}

/** A folder whose graphs come from `int8Dir` for the graphs in `int8Graphs`, from `fp32Dir` otherwise. */
function mixedFiles(fp32Dir: string, int8Dir: string, int8Graphs: readonly GraphName[]): ModelFiles {
  const fp32 = JSON.parse(readFileSync(join(fp32Dir, 'manifest.json'), 'utf8')) as {
    graphs: Record<GraphName, { file: string }>;
  };
  const int8 = JSON.parse(readFileSync(join(int8Dir, 'manifest.json'), 'utf8')) as typeof fp32;
  const manifest = { ...fp32, graphs: { ...fp32.graphs } };
  const from = new Map<string, string>();
  for (const g of GRAPH_NAMES) {
    const useInt8 = int8Graphs.includes(g);
    const entry = { ...(useInt8 ? int8 : fp32).graphs[g] };
    entry.file = `${useInt8 ? 'int8' : 'fp32'}-${entry.file}`;
    manifest.graphs[g] = entry;
    from.set(entry.file, join(useInt8 ? int8Dir : fp32Dir, (useInt8 ? int8 : fp32).graphs[g].file));
  }
  const bytes = new TextEncoder().encode(JSON.stringify(manifest));
  return {
    origin: `${fp32Dir} with ${int8Graphs.join('+')} from ${int8Dir}`,
    async read(name) {
      if (name === 'manifest.json') return bytes;
      const path = from.get(name);
      if (!path) throw new Error(`${name} is not a graph of the mixed folder`);
      const b = readFileSync(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    },
  };
}

interface LoopResult {
  readonly masks: Map<number, Uint8Array>;
  readonly present: Map<number, boolean>;
}

async function runLoop(files: ModelFiles, backend: InferenceBackend, volume: Volume): Promise<LoopResult> {
  const model = await loadModel(files, backend);
  try {
    const session = new SegmentationSession(model, volume, { stopAfterAbsent: 0 });
    const id = session.addObject();
    const [w, h, d] = volume.dims;
    const masks = new Map<number, Uint8Array>();
    const present = new Map<number, boolean>();
    const first = await session.setPrompt(id, Math.floor(d / 2), {
      points: [{ x: w / 2, y: h * 0.45, label: 1 }],
    });
    masks.set(first.slice, first.mask);
    present.set(first.slice, first.present);
    for await (const u of session.propagate()) {
      masks.set(u.slice, u.mask);
      present.set(u.slice, u.present);
    }
    return { masks, present };
  } finally {
    await model.release();
  }
}

export interface LoopAgreement {
  readonly int8Graphs: readonly GraphName[];
  readonly minIoU: number;
  readonly meanIoU: number;
  readonly volumeDice: number;
  readonly presenceAgreement: number;
  /** Mean fraction of the slice the fp32 mask covers (an IoU means little on a full or empty mask). */
  readonly meanArea: number;
  readonly perSliceIoU: number[];
}

function agreement(ref: LoopResult, other: LoopResult, int8Graphs: readonly GraphName[]): LoopAgreement {
  const slices = [...ref.masks.keys()].sort((a, b) => a - b);
  const ious: number[] = [];
  let inter = 0;
  let sizes = 0;
  let area = 0;
  let presenceSame = 0;
  for (const z of slices) {
    const a = ref.masks.get(z) as Uint8Array;
    const b = other.masks.get(z);
    if (!b) throw new Error(`slice ${z} has no int8 mask`);
    const o = overlap(b, a);
    ious.push(o.iou);
    inter += o.intersection;
    sizes += o.predicted + o.truth;
    area += o.truth / a.length;
    if (ref.present.get(z) === other.present.get(z)) presenceSame++;
  }
  return {
    int8Graphs,
    minIoU: Math.min(...ious),
    meanIoU: ious.reduce((s, v) => s + v, 0) / ious.length,
    volumeDice: sizes === 0 ? 1 : (2 * inter) / sizes,
    presenceAgreement: presenceSame / slices.length,
    meanArea: area / slices.length,
    perSliceIoU: ious,
  };
}

export interface OutputError {
  readonly maxAbsError: number;
  readonly maxAbsFp32: number;
  /** ‖int8 − fp32‖₂ / ‖fp32‖₂ over all replayed calls. */
  readonly relRmsError: number;
  /** low_res_masks only: IoU of (logit > 0) between int8 and fp32, the worst call. */
  readonly minMaskIoU?: number;
}

async function replay(
  calls: readonly GraphCall[],
  int8Dir: string,
  backend: InferenceBackend,
): Promise<Record<string, Record<string, OutputError>>> {
  const manifest = JSON.parse(readFileSync(join(int8Dir, 'manifest.json'), 'utf8')) as {
    graphs: Record<GraphName, { file: string; precision: string }>;
  };
  const report: Record<string, Record<string, OutputError>> = {};
  for (const graph of GRAPH_NAMES) {
    const mine = calls.filter((c) => c.graph === graph);
    if (mine.length === 0) continue;
    const bytes = readFileSync(join(int8Dir, manifest.graphs[graph].file));
    const session = await backend.createSession(new Uint8Array(bytes), graph);
    const acc = new Map<
      string,
      { maxAbs: number; maxRef: number; diff2: number; ref2: number; iou: number }
    >();
    try {
      for (const call of mine) {
        const out = await session.run(call.feeds);
        for (const [name, ref] of Object.entries(call.outputs)) {
          const got = out[name].data;
          const a = acc.get(name) ?? { maxAbs: 0, maxRef: 0, diff2: 0, ref2: 0, iou: 1 };
          for (let i = 0; i < ref.data.length; i++) {
            const d = got[i] - ref.data[i];
            a.maxAbs = Math.max(a.maxAbs, Number.isNaN(d) ? Infinity : Math.abs(d));
            a.maxRef = Math.max(a.maxRef, Math.abs(ref.data[i]));
            a.diff2 += d * d;
            a.ref2 += ref.data[i] * ref.data[i];
          }
          if (name === 'low_res_masks') {
            const plane = ref.data.length / 4;
            for (let p = 0; p < 4; p++) {
              const sub = (t: Float32Array) =>
                t.subarray(p * plane, (p + 1) * plane).map((v) => (v > 0 ? 1 : 0));
              a.iou = Math.min(a.iou, overlap(sub(got), sub(ref.data)).iou);
            }
          }
          acc.set(name, a);
        }
      }
    } finally {
      await session.release();
    }
    report[graph] = {};
    for (const [name, a] of acc) {
      report[graph][name] = {
        maxAbsError: a.maxAbs,
        maxAbsFp32: a.maxRef,
        relRmsError: a.ref2 === 0 ? Math.sqrt(a.diff2) : Math.sqrt(a.diff2 / a.ref2),
        ...(name === 'low_res_masks' ? { minMaskIoU: a.iou } : {}),
      };
    }
  }
  return report;
}

async function main(): Promise<void> {
  const { fp32, int8, options } = parseArgs(process.argv.slice(2));
  const backends = nodeBackends({ wasmThreads: 1 });
  const backend: WorkerBackend = await backends[options.backend]();
  const log = (line: string) => process.stderr.write(`int8-accuracy: ${line}\n`);
  try {
    const volume = accuracyVolume(options.slices);
    const calls: GraphCall[] = [];
    log(`fp32 loop (${options.slices} slices, ${backend.description})`);
    const ref = await runLoop(directoryModelFiles(fp32), recording(backend, calls), volume);
    log('int8 loop');
    const loops = [agreement(ref, await runLoop(directoryModelFiles(int8), backend, volume), GRAPH_NAMES)];
    if (options.perGraph)
      for (const g of GRAPH_NAMES) {
        log(`loop with ${g} int8 only`);
        loops.push(agreement(ref, await runLoop(mixedFiles(fp32, int8, [g]), backend, volume), [g]));
      }
    log(`replaying ${calls.length} graph calls through the int8 graphs`);
    const graphs = await replay(calls, int8, backend);
    const report = {
      fp32: resolve(fp32),
      int8: resolve(int8),
      backend: backend.description,
      slices: options.slices,
      loops,
      graphs,
    };
    for (const l of loops)
      log(
        `int8 ${l.int8Graphs.join('+')}: IoU min ${l.minIoU.toFixed(4)} mean ${l.meanIoU.toFixed(4)}, ` +
          `volume Dice ${l.volumeDice.toFixed(4)}, presence ${(100 * l.presenceAgreement).toFixed(0)} %, ` +
          `fp32 mask area ${(100 * l.meanArea).toFixed(0)} %`,
      );
    for (const [g, outs] of Object.entries(graphs))
      for (const [o, e] of Object.entries(outs))
        log(
          `${g}.${o}: max|err| ${e.maxAbsError.toExponential(2)} of ${e.maxAbsFp32.toFixed(2)}, ` +
            `rel RMS ${e.relRmsError.toExponential(2)}${e.minMaskIoU === undefined ? '' : `, mask IoU min ${e.minMaskIoU.toFixed(4)}`}`,
        );
    const text = JSON.stringify(report, null, 1);
    if (options.json) writeFileSync(options.json, text);
    process.stdout.write(`${text}\n`);
  } finally {
    await backend.close();
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`int8-accuracy: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}

/**
 * The int8 variant (models/export/quantize_int8.py, `export.py --int8`): what it writes, that both
 * Node backends run it through the engine's loader, how far it is from PyTorch's fp32, what it
 * refuses, and the accuracy tool's report. Needs Debian's python3-torch and python3-onnx.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadModel } from '../../extension/src/engine/model/sam-model';
import { nodeBackends } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { GRAPH_NAMES, readTensor, type ParityCase, type ParityReport } from '../../models/export/parity';

const PYTHON = '/usr/bin/python3';
const ROOT = resolve(__dirname, '../..');
const EXPORT = join(ROOT, 'models/export');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface Manifest {
  name: string;
  graphs: Record<string, { file: string; sha256: string; precision: string }>;
  [field: string]: unknown;
}

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};
const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const size = (dir: string, graph: string) => statSync(join(dir, readManifest(dir).graphs[graph].file)).size;

/** Op types of a graph, counted (read with the onnx package, as a user would inspect it). */
function opCounts(file: string): Record<string, number> {
  const r = run(PYTHON, [
    '-c',
    'import collections, json, onnx, sys; print(json.dumps(collections.Counter(n.op_type for n in onnx.load(sys.argv[1]).graph.node)))',
    file,
  ]);
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, number>;
}

let work: string;
let fp32: string;
let int8: string;
let cases: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'medsam2-int8-'));
  fp32 = join(work, 'fp32');
  int8 = join(work, 'int8');
  cases = join(work, 'cases');
  const r = run(PYTHON, [
    join(EXPORT, 'export.py'),
    ...['--random-init', '--seed', '2', '--variant', 'test-tiny', '--out', fp32],
    ...['--int8', int8, '--parity-cases', cases],
  ]);
  if (r.status !== 0)
    throw new Error(
      `export.py --int8 failed (needs python3-torch and python3-onnx: apt-get install them)\n${r.stderr}`,
    );
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('export.py --int8', () => {
  it('writes the int8 variant beside the fp32 export: decoder fp16, the other graphs int8, the rest of the manifest unchanged', () => {
    const a = readManifest(fp32);
    const b = readManifest(int8);
    expect(GRAPH_NAMES.map((g) => b.graphs[g].precision)).toEqual(['int8', 'int8', 'fp16', 'int8']);
    expect(b.name).toBe(`${a.name}-int8`);
    const rest = (m: Manifest) => ({ ...m, name: undefined, graphs: undefined });
    expect(rest(b)).toEqual(rest(a));
  });

  it('replaces the weight products by DynamicQuantizeMatMul and leaves no float MatMul weight behind', () => {
    for (const g of ['image_encoder', 'memory_attention', 'memory_encoder']) {
      const before = opCounts(join(fp32, `${g}.onnx`));
      const after = opCounts(join(int8, `${g}.onnx`));
      expect(after.DynamicQuantizeMatMul).toBeGreaterThan(0);
      // Every MatMul/Gemm left multiplies two activations (attention) or a small weight.
      expect((after.MatMul ?? 0) + (after.Gemm ?? 0) + after.DynamicQuantizeMatMul).toBe(
        (before.MatMul ?? 0) + (before.Gemm ?? 0),
      );
    }
    expect(opCounts(join(int8, 'mask_decoder.onnx')).DynamicQuantizeMatMul).toBeUndefined();
  });

  it('stores the int8 graphs in well under half the bytes, the fp16 decoder in about half', () => {
    for (const g of ['image_encoder', 'memory_attention', 'memory_encoder'])
      expect(size(int8, g) / size(fp32, g)).toBeLessThan(0.45);
    expect(size(int8, 'mask_decoder') / size(fp32, 'mask_decoder')).toBeGreaterThan(0.45);
    expect(size(int8, 'mask_decoder') / size(fp32, 'mask_decoder')).toBeLessThan(0.55);
  });

  it('stays close to PyTorch fp32 on every graph, and the int8 graphs differ from it measurably', () => {
    const r = run(TSX, [join(EXPORT, 'parity.ts'), int8, cases]);
    const report = JSON.parse(r.stdout) as ParityReport;
    expect(report.contractProblems).toEqual([]);
    for (const g of GRAPH_NAMES) {
      const s = report.summary[g];
      expect(s?.precision).toBe(g === 'mask_decoder' ? 'fp16' : 'int8');
      expect(s?.relError).toBeLessThan(g === 'mask_decoder' ? 5e-3 : 3e-2);
      // Quantised for real: an int8 graph is not bit-equal to fp32.
      if (g !== 'mask_decoder') expect(s?.maxAbsError).toBeGreaterThan(1e-5);
    }
  });

  it('loads through the engine on onnxruntime-node and onnxruntime-web wasm, which agree on the int8 encoder', async () => {
    const index = JSON.parse(readFileSync(join(cases, 'cases.json'), 'utf8')) as { cases: ParityCase[] };
    const encoderCase = index.cases.find((c) => c.graph === 'image_encoder') as ParityCase;
    const feeds = Object.fromEntries(
      Object.entries(encoderCase.inputs).map(([n, e]) => [n, { data: readTensor(cases, e), dims: e.shape }]),
    );
    const backends = nodeBackends({ wasmThreads: 1 });
    const outputs = [];
    for (const create of [backends.native, backends.wasm]) {
      const backend = await create();
      try {
        const model = await loadModel(directoryModelFiles(int8), backend);
        expect(model.manifest.graphs.image_encoder.precision).toBe('int8');
        await model.release();
        const bytes = readFileSync(join(int8, 'image_encoder.onnx'));
        const session = await backend.createSession(new Uint8Array(bytes), 'image_encoder');
        outputs.push((await session.run(feeds)).vision_feats.data);
        await session.release();
      } finally {
        await backend.close();
      }
    }
    const [native, wasm] = outputs;
    let worst = 0;
    for (let i = 0; i < native.length; i++) worst = Math.max(worst, Math.abs(native[i] - wasm[i]));
    expect(worst).toBeLessThan(1e-2);
  }, 120_000);
});

describe('quantize_int8.py refuses what it cannot quantise, naming the problem', () => {
  const quantize = (args: string[]) => run(PYTHON, [join(EXPORT, 'quantize_int8.py'), ...args]);

  it('an fp16 (or int8) folder as the source', () => {
    const r = quantize(['--model', int8, '--out', join(work, 'again')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/graphs\.image_encoder must be an fp32 graph \(got precision int8\)/);
  });

  it('a graph file whose sha256 differs from the manifest', () => {
    const copy = join(work, 'tampered');
    mkdirSync(copy);
    for (const f of ['manifest.json', ...GRAPH_NAMES.map((g) => `${g}.onnx`)])
      copyFileSync(join(fp32, f), join(copy, f));
    writeFileSync(join(copy, 'memory_encoder.onnx'), 'not a graph');
    const r = quantize(['--model', copy, '--out', join(work, 'tampered-int8')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/memory_encoder\.onnx: sha256 differs from the manifest/);
  });

  it('an unknown graph or precision in --graphs, and --out equal to --model', () => {
    const bad = quantize(['--model', fp32, '--out', join(work, 'x'), '--graphs', 'mask_decoder=int4']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/mask_decoder='int4': precision must be one of int8, fp16, fp32/);
    const unknown = quantize(['--model', fp32, '--out', join(work, 'x'), '--graphs', 'decoder=int8']);
    expect(unknown.stderr).toMatch(/unknown graph 'decoder'/);
    const same = quantize(['--model', fp32, '--out', fp32]);
    expect(same.status).toBe(2);
    expect(same.stderr).toMatch(/--out must differ from --model/);
  });
});

describe('int8-accuracy.ts', () => {
  it('reports per-slice IoU, volume Dice and per-graph errors of the int8 loop against fp32', () => {
    const r = run(TSX, [join(EXPORT, 'int8-accuracy.ts'), fp32, int8, '--slices', '4']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as {
      loops: { int8Graphs: string[]; perSliceIoU: number[]; volumeDice: number; minIoU: number }[];
      graphs: Record<string, Record<string, { relRmsError: number; minMaskIoU?: number }>>;
    };
    expect(report.loops).toHaveLength(1);
    const [loop] = report.loops;
    expect(loop.int8Graphs).toEqual([...GRAPH_NAMES]);
    expect(loop.perSliceIoU).toHaveLength(4);
    for (const v of [...loop.perSliceIoU, loop.volumeDice]) expect(v >= 0 && v <= 1).toBe(true);
    expect(loop.minIoU).toBe(Math.min(...loop.perSliceIoU));
    expect(Object.keys(report.graphs)).toEqual([...GRAPH_NAMES]);
    expect(report.graphs.image_encoder.vision_feats.relRmsError).toBeGreaterThan(0);
    expect(report.graphs.image_encoder.vision_feats.relRmsError).toBeLessThan(0.05);
    const masks = report.graphs.mask_decoder.low_res_masks.minMaskIoU;
    expect(masks !== undefined && masks > 0 && masks <= 1).toBe(true);
  }, 300_000);
});

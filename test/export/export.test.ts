/**
 * models/export: the PyTorch SAM 2 implementation converts to the contract's graphs, which
 * onnxruntime runs with the same numbers (fp32 and fp16); official state-dict layouts load; bad
 * checkpoints are refused with messages that name the problem; the reference propagation loop is
 * reproducible step by step by the exported graphs. Needs Debian's python3-torch and python3-onnx:
 * without them every test here fails, naming the packages.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseManifest } from '../../extension/src/engine/model/manifest';
import { loadModel } from '../../extension/src/engine/model/sam-model';
import { createRng } from '../../extension/src/engine/memory/rng';
import type { FrameState } from '../../extension/src/engine/propagation/frame-state';
import { ObjectTrack, runSeed } from '../../extension/src/engine/propagation/object-track';
import type { BankPolicyName } from '../../extension/src/engine/memory/policies';
import type { SamModel } from '../../extension/src/engine/model/sam-model';
import { nodeBackends, type WorkerBackend } from '../../extension/src/node/backends';
import { directoryModelFiles } from '../../extension/src/node/model-dir';
import { GRAPH_NAMES, readTensor, type ParityReport } from '../../models/export/parity';

const PYTHON = '/usr/bin/python3';
const ROOT = resolve(__dirname, '../..');
const EXPORT = join(ROOT, 'models/export');
/** Random-init seed of the test model: its objects are present and the bank fills and evicts. */
const SEED = 2;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function python(script: string, args: string[]): Run {
  const r = spawnSync(PYTHON, [join(EXPORT, script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/**
 * The parity script in its own Node process (onnxruntime-node's tensors come from the main realm,
 * which jest's sandbox does not share), as a user runs it.
 */
function parity(modelDir: string, casesDir: string): ParityReport {
  const r = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(EXPORT, 'parity.ts'), modelDir, casesDir], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.status !== 0 && r.status !== 1) throw new Error(`parity.ts exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as ParityReport;
}

/** Runs a script in the background: the machine has 2 cores and each torch process uses one. */
function pythonAsync(script: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, [join(EXPORT, script), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise(stdout)
        : reject(new Error(`${script} ${args.join(' ')} exited ${code}:\n${stderr}`)),
    );
  });
}

function pythonOk(script: string, args: string[]): string {
  const r = python(script, args);
  if (r.status !== 0) throw new Error(`${script} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.stdout;
}

interface Manifest {
  formatVersion: number;
  imageSize: number;
  multimask: Record<string, unknown>;
  postprocessing: Record<string, unknown>;
  testModel: boolean;
  source: { checkpoint: string | null; sha256: string | null; variant: string };
  constants: Record<string, number[] | number[][] | { weight: number[]; bias: number }>;
  graphs: Record<string, { file: string; sha256: string; precision: string }>;
}

const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const folderBytes = (dir: string): number =>
  Object.values(readManifest(dir).graphs).reduce((n, g) => n + statSync(join(dir, g.file)).size, 0);

let work: string;
let fp32: string;
let fp16: string;
let cases: string;
let ckpts: string;
let selfcheck: string;

beforeAll(async () => {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `models/export needs PyTorch and onnx for ${PYTHON}: apt-get install python3-torch python3-onnx\n${probe.stderr}`,
    );
  }
  work = mkdtempSync(join(tmpdir(), 'medsam2-export-'));
  fp32 = join(work, 'fp32');
  fp16 = join(work, 'fp16');
  cases = join(work, 'cases');
  ckpts = join(work, 'ckpt');
  const common = ['--random-init', '--seed', String(SEED), '--variant', 'test-tiny'];
  const [checks] = await Promise.all([
    pythonAsync('selfcheck.py', []).then(async (out) => {
      await pythonAsync('make_test_checkpoints.py', [ckpts, '--seed', String(SEED)]);
      return out;
    }),
    pythonAsync('export.py', [...common, '--out', fp32, '--parity-cases', cases]).then(() =>
      pythonAsync('export.py', [...common, '--out', fp16, '--fp16']),
    ),
  ]);
  selfcheck = checks;
}, 600_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('state-dict layout of the published checkpoints', () => {
  let check: Record<
    string,
    { ok: boolean; parameters?: number; missing?: string[]; unexpected?: string[]; maxAbsError?: number }
  >;
  beforeAll(() => {
    check = JSON.parse(selfcheck);
  });

  it.each([
    'sam2.0-hiera-t',
    'sam2.0-hiera-s',
    'sam2.0-hiera-b+',
    'sam2.1-hiera-t',
    'sam2.1-hiera-s',
    'sam2.1-hiera-b+',
    'medsam2-2025-t512',
  ])('the module tree of %s has exactly the committed key list (names and shapes)', (variant) => {
    const r = check[`keys.${variant}`];
    expect({ missing: r.missing, unexpected: r.unexpected, ok: r.ok }).toEqual({
      missing: [],
      unexpected: [],
      ok: true,
    });
  });

  it('parameter counts equal the published model sizes (tiny 38.9M, small 46M, base+ 80.8M)', () => {
    const params = (v: string): number => check[`keys.${v}`].parameters ?? 0;
    const millions = (v: string): number => Math.round(params(v) / 1e5) / 10;
    expect(['sam2.0-hiera-t', 'sam2.0-hiera-s', 'sam2.0-hiera-b+'].map(millions)).toEqual([38.9, 46.0, 80.8]);
    // SAM 2.1 adds no_obj_embed_spatial [1,64] and obj_ptr_tpos_proj Linear(256, 64).
    for (const size of ['t', 's', 'b+']) {
      expect(params(`sam2.1-hiera-${size}`) - params(`sam2.0-hiera-${size}`)).toBe(64 + 256 * 64 + 64);
    }
  });

  it('the real-valued RoPE equals SAM 2 complex RoPE, the pointer sine encoding its closed form', () => {
    expect(check.rope).toMatchObject({ ok: true });
    expect(check.sine_1d).toMatchObject({ ok: true });
  });

  it("SAM 2's post-processing: 8-connected hole filling, stability fallback, mask prompt as output", () => {
    const post = check.postprocess as unknown as { ok: boolean; checks: Record<string, boolean> };
    expect(Object.entries(post.checks).filter(([, ok]) => !ok)).toEqual([]);
    expect(Object.keys(post.checks).length).toBeGreaterThanOrEqual(10);
  });
});

describe('export of the test-tiny model', () => {
  it('writes a manifest the engine parses, with the contract constants and test-model marking', () => {
    const m = readManifest(fp32);
    const parsed = parseManifest(m, fp32);
    expect(parsed.imageSize).toBe(128);
    expect(m.testModel).toBe(true);
    expect(m.source).toMatchObject({ checkpoint: null, variant: 'test-tiny' });
    expect((m.constants.no_mem_embed as number[]).length).toBe(256);
    expect((m.constants.no_obj_ptr as number[]).length).toBe(256);
    expect((m.constants.maskmem_tpos_enc as number[][]).map((r) => r.length)).toEqual(new Array(7).fill(64));
    // Contract v2: the video predictor's settings and SAM 2's mask_downsample travel with the model.
    expect(m.formatVersion).toBe(2);
    expect(m.postprocessing).toEqual({
      multimaskViaStability: true,
      stabilityDelta: 0.05,
      stabilityThresh: 0.98,
      fillHoleArea: 8,
      binarizeMaskFromPtsForMemEnc: true,
      maskInputAsOutput: true,
    });
    expect(m.multimask).toEqual({
      onPromptedFrames: true,
      onTrackedFrames: true,
      minPoints: 0,
      maxPoints: 1,
    });
    const down = m.constants.mask_downsample as { weight: number[]; bias: number };
    expect(down.weight.length).toBe(16);
    expect(down.weight.every(Number.isFinite) && new Set(down.weight).size > 1).toBe(true);
    expect(Number.isFinite(down.bias)).toBe(true);
    expect(Object.values(m.graphs).map((g) => g.precision)).toEqual(['fp32', 'fp32', 'fp32', 'fp32']);
    expect(Object.values(readManifest(fp16).graphs).map((g) => g.precision)).toEqual([
      'fp16',
      'fp16',
      'fp16',
      'fp16',
    ]);
  });

  it.each([
    ['fp32', () => fp32],
    ['fp16', () => fp16],
  ])(
    'the engine loads the %s export (sha256s, graph signatures) and runs the image encoder',
    async (_p, dir) => {
      const backend: WorkerBackend = await nodeBackends().native();
      try {
        const model = await loadModel(directoryModelFiles(dir()), backend);
        const image = { data: new Float32Array(3 * 128 * 128).fill(0.5), dims: [1, 3, 128, 128] };
        const features = await model.encodeImage(image);
        expect(features.visionFeats.dims).toEqual([1, 256, 8, 8]);
        expect(features.visionFeats.data.every(Number.isFinite)).toBe(true);
      } finally {
        await backend.close();
      }
    },
  );

  it('fp16 stores the weights in about half the bytes', () => {
    expect(folderBytes(fp16) / folderBytes(fp32)).toBeLessThan(0.56);
  });
});

describe('per-graph parity, PyTorch vs onnxruntime-node', () => {
  let report32: ParityReport;
  let report16: ParityReport;
  beforeAll(() => {
    report32 = parity(fp32, cases);
    report16 = parity(fp16, cases);
  });

  it('both folders match their manifest sha256s and the contract input/output names', () => {
    expect([report32.contractProblems, report16.contractProblems]).toEqual([[], []]);
  });

  it('covers every graph, including dynamic N, P and both object-score branches', () => {
    expect(Object.keys(report32.summary).sort()).toEqual([...GRAPH_NAMES].sort());
    expect(report32.results.map((r) => r.label)).toEqual(
      expect.arrayContaining(['N=1 P=1', 'N=7 P=16', 'box + click', 'object absent', 'binarized mask']),
    );
  });

  it.each(GRAPH_NAMES)('fp32 %s: max abs error below 1e-4 of the output scale', (graph) => {
    expect(report32.summary[graph]?.relError).toBeLessThan(1e-4);
  });

  it.each(GRAPH_NAMES)('fp16 weights %s: max abs error below 5e-3 of the output scale', (graph) => {
    expect(report16.summary[graph]?.relError).toBeLessThan(5e-3);
  });
});

describe('checkpoint conversion', () => {
  const exportCheckpoint = (file: string, variant = 'test-tiny'): Run =>
    python('export.py', [
      '--checkpoint',
      join(ckpts, file),
      '--variant',
      variant,
      '--out',
      join(work, `out-${file}`),
    ]);

  it('an official {"model": state_dict} checkpoint converts to byte-identical graphs as the weights it holds', () => {
    const r = exportCheckpoint('official.pt');
    expect(r.status).toBe(0);
    const m = readManifest(join(work, 'out-official.pt'));
    expect(Object.values(m.graphs).map((g) => g.sha256)).toEqual(
      Object.values(readManifest(fp32).graphs).map((g) => g.sha256),
    );
    expect(m.source.checkpoint).toBe('official.pt');
    expect(m.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.testModel).toBe(true); // test-tiny is never a real model
  });

  it('a {"state_dict"} checkpoint with "module." prefixes loads too (--check-only writes nothing)', () => {
    const out = join(work, 'check-only');
    const r = python('export.py', [
      '--checkpoint',
      join(ckpts, 'prefixed.pt'),
      '--variant',
      'test-tiny',
      '--out',
      out,
      '--check-only',
    ]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      ok: true,
      variant: 'test-tiny',
      source: { checkpoint: 'prefixed.pt' },
    });
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['missing_key.pt', 'test-tiny', /missing keys: no_obj_ptr/],
    ['extra_key.pt', 'test-tiny', /unexpected keys: sam_mask_decoder\.extra_head\.weight/],
    ['wrong_shape.pt', 'test-tiny', /shape mismatches: maskmem_tpos_enc \(9, 1, 1, 64\) != \(7, 1, 1, 64\)/],
    [
      'sam20.pt',
      'test-tiny',
      /missing keys: no_obj_embed_spatial, obj_ptr_tpos_proj\.bias.*looks like sam2\.0-/,
    ],
    ['official.pt', 'sam2.1-hiera-t', /does not match variant sam2\.1-hiera-t.*shape mismatches/],
    ['garbage.pt', 'test-tiny', /garbage\.pt: not a readable PyTorch checkpoint/],
    ['no-such-file.pt', 'test-tiny', /no-such-file\.pt: no such file/],
  ])('%s as %s is refused, naming the problem', (file, variant, message) => {
    const r = exportCheckpoint(file, variant);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('an unknown variant and a size the backbone cannot tile are refused', () => {
    const unknown = python('export.py', [
      '--random-init',
      '--variant',
      'sam3-huge',
      '--out',
      join(work, 'x'),
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown variant 'sam3-huge'; known: sam2\.0-hiera-t/);
    const size = python('export.py', [
      '--random-init',
      '--variant',
      'test-tiny',
      '--size',
      '144',
      '--out',
      join(work, 'y'),
    ]);
    expect(size.status).toBe(2);
    expect(size.stderr).toMatch(/--size 144 does not fit test-tiny: it must be a positive multiple of 32/);
  });
});

interface ReferenceFrame {
  type: 'add' | 'propagate';
  action: number;
  frame: number;
  conditioning: boolean;
  plane: number;
  pointer_plane: number;
  iou: number;
  object_present: boolean;
  stored_in_bank: boolean | null;
  bank_after: number[];
  attended_memories: { frame: number; distance: number }[];
  object_pointers: { frame: number; offset: number }[];
  files: Record<string, { file: string; shape: number[] }>;
}

interface ReferenceRun {
  dir: string;
  /** Each frame's final output. */
  frames: ReferenceFrame[];
  /** One per add call and per frame a propagation yields, in order. */
  events: ReferenceFrame[];
}

/**
 * SAM 2's video predictor loop in Python on the exported graphs (reference_loop.py), checked against
 * the official predictor outside CI (models/README.md, "What still differs"); here: its structure,
 * its graph calls through onnxruntime, its bank, and what each scenario must do.
 */
describe('reference propagation loop', () => {
  const reference = (name: string, args: string[]): ReferenceRun => {
    const dir = join(work, `ref-${name}`);
    pythonOk('write_reference.py', ['--model', fp32, '--out', dir, '--frames', '9', ...args]);
    const json = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
    return { dir, frames: json.frames, events: json.events };
  };
  const logits = (run: ReferenceRun, e: ReferenceFrame): Float32Array =>
    readTensor(run.dir, e.files.mask_logits);
  let paper: ReferenceRun;
  let fifo: ReferenceRun;
  beforeAll(() => {
    paper = reference('paper', ['--policy', 'paper']);
    fifo = reference('sam2-fifo', ['--policy', 'sam2-fifo']);
  });

  it('every graph call of the loop is reproduced by onnxruntime within 1e-4', () => {
    const report = parity(fp32, paper.dir);
    // prompted frame: encoder + decoder, its memory at the propagation; 8 tracked frames x 4 graphs
    expect(report.results.length).toBe(9 * 4 - 1);
    for (const graph of GRAPH_NAMES) expect(report.summary[graph]?.relError).toBeLessThan(1e-4);
  });

  it('the prompted frame uses a multimask plane; tracked frames attend the prompt at d = 0 first', () => {
    expect(paper.events[0]).toMatchObject({
      type: 'add',
      frame: 0,
      conditioning: true,
      attended_memories: [],
    });
    expect(paper.frames[0].plane).toBeGreaterThanOrEqual(1);
    for (const f of paper.frames.slice(1)) {
      expect(f.conditioning).toBe(false);
      expect(f.attended_memories[0]).toEqual({ frame: 0, distance: 0 });
      expect(f.object_pointers[0]).toEqual({ frame: 0, offset: f.frame });
    }
  });

  it('the paper bank keeps at most K = 6 entries and, once filled, 1 + 6 memories are attended', () => {
    expect(Math.max(...paper.frames.map((f) => f.bank_after.length))).toBe(6);
    const afterFill = paper.frames.filter((f) => f.frame >= 2);
    for (const f of afterFill) expect(f.attended_memories.length).toBe(7);
    // Eq. 2-3 evicts by dissimilarity, so the bank is not simply the 6 most recent frames.
    expect(paper.frames[8].bank_after).not.toEqual([3, 4, 5, 6, 7, 8]);
  });

  it('sam2-fifo attends the 6 frames before, at their distances, and pointers of min(T,16)-1 frames', () => {
    const last = fifo.frames[8];
    expect(last.bank_after).toEqual([]);
    expect(last.attended_memories).toEqual([
      { frame: 0, distance: 0 },
      ...[2, 3, 4, 5, 6, 7].map((frame) => ({ frame, distance: 8 - frame })),
    ]);
    expect(last.object_pointers.map((p) => p.frame)).toEqual([0, 7, 6, 5, 4, 3, 2, 1]);
    expect(last.object_pointers.map((p) => p.offset)).toEqual([8, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a box counts as two points: single-mask output (plane 0 or the stability fallback)', () => {
    const box = reference('box', ['--scenario', 'box', '--key-frame', '3']);
    // single-mask output: the pointer is token 0's even when the stability rule swaps the mask
    expect(box.events[0]).toMatchObject({ type: 'add', frame: 3, conditioning: true, pointer_plane: 0 });
    const click = reference('click-k3', ['--scenario', 'click', '--key-frame', '3']);
    expect(click.events[0].plane).toBeGreaterThanOrEqual(1);
    expect(click.events[0].pointer_plane).toBe(click.events[0].plane);
    // forward from the prompt, then backward from it on the same state
    expect(box.events.map((e) => `${e.type}${e.frame}`)).toEqual([
      'add3',
      ...[3, 4, 5, 6, 7, 8].map((t) => `propagate${t}`),
      ...[3, 2, 1, 0].map((t) => `propagate${t}`),
    ]);
    // the backward pass sees the forward pass's frames (frame 1 attends 3+2=5 .. 3+... in the window)
    const f1 = box.events.find((e) => e.type === 'propagate' && e.frame === 1)!;
    expect(f1.attended_memories.map((m) => m.frame)).toEqual([3, 7, 6, 5, 4, 2]);
  });

  it('a corrective click on a tracked frame stays non-conditioning and the next propagation keeps it', () => {
    const run = reference('correction', ['--scenario', 'correction', '--key-frame', '2']);
    const add = run.events.filter((e) => e.type === 'add');
    expect(add.map((e) => [e.frame, e.conditioning])).toEqual([
      [2, true],
      [5, false],
    ]);
    expect(add[1].attended_memories.length).toBeGreaterThan(0); // predicted with memory
    const after = run.events.filter(
      (e) => e.frame === 5 && run.events.indexOf(e) > run.events.indexOf(add[1]),
    );
    expect(after.length).toBe(1);
    expect(Array.from(logits(run, after[0]))).toEqual(Array.from(logits(run, add[1])));
    const rerun = reference('correction-rerun', [
      '--scenario',
      'correction',
      '--key-frame',
      '2',
      '--corrected',
      'rerun',
    ]);
    const rerun5 = rerun.events.filter((e) => e.frame === 5);
    expect(Array.from(logits(rerun, rerun5[rerun5.length - 1]))).not.toEqual(
      Array.from(logits(rerun, add[1])),
    );
  });

  it('two prompts: frames between attend both prompts, but only the past one as a pointer', () => {
    const run = reference('two', ['--scenario', 'two-prompts', '--key-frame', '1']);
    const f4 = run.events.find((e) => e.type === 'propagate' && e.frame === 4)!;
    expect(f4.attended_memories.filter((m) => m.distance === 0).map((m) => m.frame)).toEqual([1, 7]);
    expect(f4.object_pointers.map((p) => p.frame)).not.toContain(7);
    expect(f4.object_pointers[0]).toEqual({ frame: 1, offset: 3 });
  });

  it("MedSAM2's workflow: box, its mask as the prompt, forward, reset, the mask again, backward", () => {
    const run = reference('medsam2', ['--scenario', 'medsam2', '--key-frame', '4']);
    expect(run.events.map((e) => `${e.type}${e.frame}`)).toEqual([
      'add4',
      'add4',
      ...[4, 5, 6, 7, 8].map((t) => `propagate${t}`),
      'add4',
      ...[4, 3, 2, 1, 0].map((t) => `propagate${t}`),
    ]);
    // after the reset the backward pass attends nothing of the forward pass
    const f2 = run.events.find((e) => e.type === 'propagate' && e.frame === 2)!;
    expect(f2.attended_memories.map((m) => m.frame)).toEqual([4, 3]);
    expect(run.events[1]).toMatchObject({ plane: -1, iou: 1, conditioning: true }); // mask as output
  });

  it('writes per-frame masks and object pointers, and regenerates identically', () => {
    const mask = readTensor(paper.dir, paper.frames[3].files.mask);
    expect(mask.length).toBe(128 * 128);
    expect(mask.every((v) => v === 0 || v === 1)).toBe(true);
    expect(readTensor(paper.dir, paper.frames[3].files.obj_ptr).length).toBe(256);
    const again = join(work, 'ref-again');
    pythonOk('write_reference.py', ['--model', fp32, '--out', again, '--policy', 'paper', '--frames', '9']);
    expect(readFileSync(join(again, 'reference.json'), 'utf8')).toBe(
      readFileSync(join(paper.dir, 'reference.json'), 'utf8'),
    );
  });

  it("the Python bank's generator and run seeds are the engine's, bit for bit", () => {
    const seeds = [0, 1, 0.5, -3, 2 ** 40];
    const ts = seeds.map((seed) => {
      const rng = createRng(seed);
      return Array.from({ length: 5 }, () => rng.next());
    });
    expect(JSON.parse(pythonOk('selfcheck.py', ['rng', '5', ...seeds.map(String)]))).toEqual(ts);
    const run = { origin: 0, direction: 1 as const, from: 1, to: 8, bounds: [0] };
    expect(JSON.parse(pythonOk('selfcheck.py', ['run-seed', '7', '0', '1']))).toBe(runSeed(7, run));
  });
});

/**
 * The whole loop: the TypeScript engine (ObjectTrack) replays each scenario's actions (SAM 2's API:
 * add points / mask, propagate forward or backward, reset) on the exported model, against the Python
 * reference loop — itself checked against the official SAM 2 predictor — on the same weights.
 */
describe('whole-loop parity: engine ObjectTrack vs the Python reference loop', () => {
  const FRAMES = 9;
  let backend: WorkerBackend;
  let model: SamModel;
  beforeAll(async () => {
    backend = await nodeBackends().native();
    model = await loadModel(directoryModelFiles(fp32), backend);
  });
  afterAll(async () => {
    await model?.release();
    await backend?.close();
  });

  type Action =
    | { type: 'points'; frame: number; clicks: [number, number, number][]; box: number[] | null }
    | { type: 'mask' | 'mask_from_last'; frame: number; file: { file: string; shape: number[] } }
    | { type: 'propagate'; reverse: boolean; start: number | null }
    | { type: 'reset' };
  interface Reference {
    slices: { file: string; shape: number[] };
    actions: Action[];
    bank: { sessionSeed: number };
    frames: (ReferenceFrame & { type: string; iou: number })[];
  }

  function maskIou(a: Float32Array, b: Float32Array): number {
    let inter = 0;
    let union = 0;
    for (let i = 0; i < a.length; i++) {
      const p = a[i] > 0;
      const q = b[i] > 0;
      if (p && q) inter++;
      if (p || q) union++;
    }
    return union === 0 ? 1 : inter / union;
  }

  async function replay(scenario: string, policy: BankPolicyName, keyFrame: number) {
    const dir = join(work, `loop-${scenario}-${policy}`);
    pythonOk('write_reference.py', [
      ...['--model', fp32, '--out', dir, '--policy', policy, '--frames', String(FRAMES)],
      ...['--scenario', scenario, '--key-frame', String(keyFrame)],
    ]);
    const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
    const slices = readTensor(dir, ref.slices);
    const { mean, std } = model.manifest.input;
    const S = model.manifest.imageSize;
    const plane = S * S;
    const features = (t: number) => {
      const image = new Float32Array(3 * plane);
      for (let c = 0; c < 3; c++)
        for (let i = 0; i < plane; i++) image[c * plane + i] = (slices[t * plane + i] - mean[c]) / std[c];
      return model.encodeImage({ data: image, dims: [1, 3, S, S] });
    };
    const track = new ObjectTrack(model, FRAMES, features, {
      bank: {
        policy,
        capacity: 6,
        confidenceThreshold: 0.5,
        similarity: 'cosine',
        seed: ref.bank.sessionSeed,
      },
      stopAfterAbsent: 0,
      isolatePasses: false,
    });
    const final = new Map<number, FrameState>();
    let last: FrameState | null = null;
    for (const a of ref.actions) {
      if (a.type === 'points') {
        const xy = [...(a.box ?? []), ...a.clicks.flatMap(([x, y]) => [x, y])];
        const labels = [...(a.box ? [2, 3] : []), ...a.clicks.map(([, , l]) => l)];
        last = await track.addPoints(a.frame, {
          coords: new Float32Array(xy),
          labels: new Float32Array(labels),
          count: labels.length,
        });
        final.set(a.frame, last);
      } else if (a.type === 'mask' || a.type === 'mask_from_last') {
        const m = readTensor(dir, a.file);
        last = await track.addMask(
          a.frame,
          Uint8Array.from(m, (v) => (v > 0 ? 1 : 0)),
        );
        final.set(a.frame, last);
      } else if (a.type === 'propagate') {
        for await (const e of track.propagateFrom(a.reverse ? -1 : 1, a.start ?? undefined))
          if (e.kind === 'predicted') final.set(e.state.frame, e.state);
      } else track.reset();
    }
    return { dir, ref, final };
  }

  const cases: [string, BankPolicyName, number][] = [
    ['click', 'sam2-fifo', 3],
    ['box', 'sam2-fifo', 3],
    ['box+click', 'sam2-fifo', 3],
    ['mask', 'sam2-fifo', 3],
    ['correction', 'sam2-fifo', 2],
    ['two-prompts', 'sam2-fifo', 1],
    ['medsam2', 'sam2-fifo', 4],
    ['click', 'paper', 3],
  ];
  it.each(cases)(
    "%s (%s, key frame %d): each frame's final output: plane, presence, logits within 1e-3, IoU >= 0.999",
    async (scenario, policy, keyFrame) => {
      const { dir, ref, final } = await replay(scenario, policy, keyFrame);
      for (let t = 0; t < FRAMES; t++) {
        const r = ref.frames[t];
        const state = final.get(t);
        expect({ frame: t, has: state !== undefined }).toEqual({ frame: t, has: r !== null });
        if (!r || !state) continue;
        expect({ frame: t, plane: state.plane, present: state.present }).toEqual({
          frame: t,
          plane: r.plane,
          present: r.object_present,
        });
        const logits = readTensor(dir, r.files.mask_logits);
        let worst = 0;
        for (let i = 0; i < logits.length; i++)
          worst = Math.max(worst, Math.abs(logits[i] - state.lowResLogits[i]));
        expect({ frame: t, ok: worst < 1e-3, worst }).toMatchObject({ frame: t, ok: true });
        expect(maskIou(logits, state.lowResLogits)).toBeGreaterThanOrEqual(0.999);
      }
    },
  );
});

import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../../extension/src/cli/args';
import { parseThreads, runBench } from '../../extension/src/cli/bench';
import type { BenchReport } from '../../extension/src/cli/bench-report';
import { ModelError } from '../../extension/src/engine/errors';
import { runProblems } from './checks';

const dir = mkdtempSync(path.join(tmpdir(), 'medsam2-bench-'));
const quiet = { log: () => undefined, out: () => undefined };

describe('npm run bench (Node half, tiny plan)', () => {
  const json = path.join(dir, 'bench.json');
  const lines: string[] = [];
  let printed = '';
  let report: BenchReport;

  beforeAll(async () => {
    report = await runBench(
      ['--no-browser', '--slices', '4', '--volumes', '5,6', '--repeats', '1', '--json', json],
      { log: (l) => lines.push(l), out: (t) => (printed += t) },
    );
  });

  it('runs Node native and Node wasm (1 thread) with the plan asked for', () => {
    expect(report.runs.map((r) => [r.id, r.platform, r.backend, r.threads])).toEqual([
      ['node native', 'node', 'native-cpu', null],
      ['node wasm', 'node', 'wasm', 1],
    ]);
    expect(report.plan).toEqual({ slices: 4, volumes: [5, 6], repeats: 1 });
    expect(report.model).toMatchObject({ name: 'test-tiny', testModel: true });
    expect(report.skipped).toEqual([
      { id: 'chromium', reason: '--no-browser' },
      { id: 'viewer', reason: '--no-browser' },
    ]);
    expect(report.viewer).toEqual([]);
  });

  it('gives every figure as a positive finite number and the bank a share of the slice in (0, 1)', () => {
    expect(report.runs.flatMap((r) => runProblems(r, report.plan))).toEqual([]);
  });

  it('computes the ratios against Node native from the runs', () => {
    const [native, wasm] = report.runs;
    expect(report.ratios.perSliceOverNodeNative['node native']).toBe(1);
    expect(report.ratios.perSliceOverNodeNative['node wasm']).toBeCloseTo(
      wasm.measures.perSlice.paper.medianMsPerSlice / native.measures.perSlice.paper.medianMsPerSlice,
      12,
    );
    expect(report.ratios.bankShareOfSlice['node wasm']).toBe(wasm.measures.perSlice.paper.bank.fraction);
  });

  it('writes the same report as JSON and prints a table with ratio columns and the summary', () => {
    expect(JSON.parse(readFileSync(json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(report)));
    expect(printed).toMatch(/^\| measure +\| node native +\| node wasm +\|/);
    for (const row of [
      'image_encoder (ms)',
      '5-slice volume (slices/s)',
      '6-slice volume, memory bank / slice',
    ])
      expect(printed).toContain(`| ${row}`);
    expect(printed).toMatch(/\| per slice, paper \(ms, median\) +\| [\d.]+ +\| [\d.]+ \([\d.]+×\)/);
    expect(printed).toContain('memory bank / slice (paper): node native ');
    expect(lines.some((l) => l.startsWith('node wasm: onnxruntime-web'))).toBe(true);
  });
});

describe('npm run bench --int8 (Node native only)', () => {
  const tiny = path.resolve(__dirname, '../../models/test-tiny');
  let report: BenchReport;
  let printed = '';

  beforeAll(async () => {
    report = await runBench(
      [
        '--no-browser',
        '--no-node-wasm',
        '--int8',
        tiny,
        '--slices',
        '3',
        '--volumes',
        'none',
        '--repeats',
        '1',
      ],
      { log: () => undefined, out: (t) => (printed += t) },
    );
  });

  it('runs every configuration on both folders, the variant\'s runs named "… int8", and skips what was asked', () => {
    expect(report.runs.map((r) => r.id)).toEqual(['node native', 'node native int8']);
    expect(report.skipped.map((s) => s.id)).toEqual([
      'node wasm',
      'chromium',
      'viewer',
      'node wasm int8',
      'chromium int8',
      'viewer int8',
    ]);
    expect(report.int8).toMatchObject({ dir: tiny, name: 'test-tiny' });
  });

  it('gives each folder its download size (manifest + graphs) and precisions, and int8 / fp32 per configuration', () => {
    const files = [
      'manifest.json',
      'image_encoder.onnx',
      'memory_attention.onnx',
      'mask_decoder.onnx',
      'memory_encoder.onnx',
    ];
    const bytes = files.reduce((n, f) => n + statSync(path.join(tiny, f)).size, 0);
    expect(report.model.downloadMb).toBeCloseTo(bytes / 2 ** 20, 9);
    expect(report.runs.map((r) => r.modelDownloadMb)).toEqual([bytes / 2 ** 20, bytes / 2 ** 20]);
    expect(Object.values(report.model.precisions)).toEqual(['fp32', 'fp32', 'fp32', 'fp32']);
    const [fp32, int8] = report.runs;
    expect(report.ratios.int8OverFp32).toEqual({
      'node native':
        int8.measures.perSlice.paper.medianMsPerSlice / fp32.measures.perSlice.paper.medianMsPerSlice,
    });
    expect(printed).toMatch(/\| model download \(MB\) +\| [\d.]+ +\| [\d.]+ \(1\.00×\)/);
    expect(printed).toContain('int8 / fp32 per slice (paper, median): node native ');
  });
});

describe('--threads', () => {
  it("defaults to 1, 2 and the product's count for the machine's cores, without repeats", () => {
    expect(parseThreads(undefined, 2)).toEqual([1, 2]);
    expect(parseThreads(undefined, 8)).toEqual([1, 2, 7]);
    expect(parseThreads('max', 32)).toEqual([8]);
    expect(parseThreads('4,1,4', 2)).toEqual([4, 1]);
  });
});

describe('npm run bench: bad flags and models', () => {
  it.each([
    [['--volumes', '100,1'], '--volumes: "1" is not a slice count >= 2'],
    [['--slices', '0'], '--slices must be >= 1, got 0'],
    [['--repeats', 'two'], '--repeats must be an integer, got two'],
    [['--webgl'], 'unknown flag --webgl'],
    [['--threads', '0'], '--threads: "0" is not a thread count 1..64 or max'],
  ])('%j is a usage error', async (argv, message) => {
    const run = runBench(argv, quiet);
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
  });

  it('a folder without a manifest is a model error naming the file', async () => {
    const run = runBench(['--model', dir, '--no-browser'], quiet);
    await expect(run).rejects.toBeInstanceOf(ModelError);
    await expect(run).rejects.toThrow(`${path.join(dir, 'manifest.json')}: cannot be read`);
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseNifti } from '../../extension/src/io/nifti';
import { dice } from '../support/synthetic';
import { TEST_MODEL_DIR } from '../support/test-model';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'extension/bin/medsam2.cjs');
const FIXTURES = path.join(ROOT, 'test/fixtures');
const SPHERE = path.join(FIXTURES, 'sphere.nii.gz');

/** Runs the real CLI in a child process, as a user would. */
function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

const readNifti = (file: string) => {
  const raw = readFileSync(file);
  const bytes = file.endsWith('.gz') ? gunzipSync(raw) : raw;
  return parseNifti(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
};

const labelMask = (data: Float32Array, label: number) => Uint8Array.from(data, (v) => (v === label ? 1 : 0));

describe('medsam2 propagate', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'medsam2-cli-'));
  const base = ['propagate', '--model', TEST_MODEL_DIR, '--volume', SPHERE, '--quiet'];

  it('segments the sample volume from one click: mask on the input grid and affine, with a per-slice trace', async () => {
    const out = path.join(dir, 'mask.nii.gz');
    const trace = path.join(dir, 'trace.json');
    const r = await cli([
      ...base,
      '--prompt',
      path.join(FIXTURES, 'sphere-prompt.json'),
      '--out',
      out,
      '--trace',
      trace,
    ]);
    expect(r).toEqual({ code: 0, stderr: '' });
    const input = readNifti(SPHERE);
    const mask = readNifti(out);
    expect(mask.volume.dims).toEqual(input.volume.dims);
    expect(mask.volume.affine).toEqual(input.volume.affine);
    const truth = readNifti(path.join(FIXTURES, 'sphere-truth.nii.gz'));
    expect(dice(labelMask(mask.volume.data, 1), labelMask(truth.volume.data, 1))).toBeGreaterThan(0.85);
    const t = JSON.parse(readFileSync(trace, 'utf8'));
    expect(t.policy).toBe('paper');
    expect(t.slices).toHaveLength(40);
    const tracked = t.slices.find((s: { slice: number }) => s.slice === 17);
    expect(tracked.attended[0]).toBe(20);
    expect(tracked.resampled.length).toBe(6);
    expect(tracked.bank.length).toBeGreaterThan(0);
  });

  it('is reproducible for a seed, and several objects come out as their own labels', async () => {
    const prompts = path.join(dir, 'two.json');
    writeFileSync(
      prompts,
      JSON.stringify([
        { object: 1, ...JSON.parse(readFileSync(path.join(FIXTURES, 'sphere-prompt.json'), 'utf8')) },
        { object: 2, ...JSON.parse(readFileSync(path.join(FIXTURES, 'sphere-prompt-2.json'), 'utf8')) },
      ]),
    );
    const a = path.join(dir, 'a.nii');
    const b = path.join(dir, 'b.nii');
    expect((await cli([...base, '--prompt', prompts, '--out', a, '--seed', '5'])).code).toBe(0);
    expect((await cli([...base, '--prompt', prompts, '--out', b, '--seed', '5'])).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const labels = readNifti(a).volume.data;
    const truth = readNifti(path.join(FIXTURES, 'sphere-truth.nii.gz')).volume.data;
    expect(dice(labelMask(labels, 2), labelMask(truth, 2))).toBeGreaterThan(0.6);
    expect(dice(labelMask(labels, 1), labelMask(truth, 1))).toBeGreaterThan(0.85);
  });

  it('takes free-hand prompts: a scribble across the sphere and a lasso around it each segment it', async () => {
    const truth = labelMask(readNifti(path.join(FIXTURES, 'sphere-truth.nii.gz')).volume.data, 1);
    const ring = Array.from({ length: 16 }, (_, k) => [
      32 + 14 * Math.cos((Math.PI * k) / 8),
      32 + 14 * Math.sin((Math.PI * k) / 8),
    ]);
    for (const [name, entry] of [
      [
        'scribble',
        {
          slice: 20,
          scribbles: [
            {
              label: 1,
              points: [
                [28, 32],
                [32, 30],
                [36, 33],
              ],
            },
          ],
        },
      ],
      ['lasso', { slice: 20, lasso: ring }],
    ] as const) {
      const pj = path.join(dir, `${name}.json`);
      writeFileSync(pj, JSON.stringify(entry));
      const out = path.join(dir, `${name}.nii`);
      expect(await cli([...base, '--prompt', pj, '--out', out])).toEqual({ code: 0, stderr: '' });
      expect(dice(labelMask(readNifti(out).volume.data, 1), truth)).toBeGreaterThan(0.85);
    }
    const both = path.join(dir, 'both.json');
    writeFileSync(both, JSON.stringify({ slice: 20, lasso: ring, box: [1, 1, 5, 5] }));
    const r = await cli([...base, '--prompt', both, '--out', path.join(dir, 'z.nii')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/both\.json entry 0: give a "lasso" or a "box", not both/);
  });

  it("--workflow reaches the engine: MedSAM2 3D inference from a box differs from SAM 2's and still segments", async () => {
    const box = path.join(dir, 'box.json');
    writeFileSync(box, JSON.stringify({ slice: 20, box: [22, 22, 42, 42] }));
    const truth = labelMask(readNifti(path.join(FIXTURES, 'sphere-truth.nii.gz')).volume.data, 1);
    const outs: Record<string, string> = {};
    for (const workflow of ['sam2', 'medsam2']) {
      outs[workflow] = path.join(dir, `wf-${workflow}.nii`);
      const r = await cli([...base, '--prompt', box, '--out', outs[workflow], '--workflow', workflow]);
      expect(r).toEqual({ code: 0, stderr: '' });
      expect(dice(labelMask(readNifti(outs[workflow]).volume.data, 1), truth)).toBeGreaterThan(0.8);
    }
    expect(readFileSync(outs.sam2).equals(readFileSync(outs.medsam2))).toBe(false);
    const bad = await cli([
      ...base,
      '--prompt',
      box,
      '--out',
      path.join(dir, 'wf.nii'),
      '--workflow',
      'sam3',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--workflow must be one of sam2, medsam2, medsam2-box, got sam3/);
  });

  it("--help after a command prints that command's flags and exits 0 without running it", async () => {
    for (const command of ['propagate', 'segment', 'one-prompt', 'eval', 'convert']) {
      const r = await cli([command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`usage: medsam2 ${command} [flags]`);
      expect(r.stderr).toContain(`  ${command} --`);
      expect(r.stderr).not.toMatch(/unknown flag/);
    }
    const p = await cli(['propagate', '--help']);
    expect(p.stderr).toContain('--workflow sam2|medsam2|medsam2-box');
    expect(p.stderr).not.toContain('segment --input');
  });

  describe('exit codes and messages', () => {
    const prompt = ['--prompt', path.join(FIXTURES, 'sphere-prompt.json'), '--out', path.join(dir, 'x.nii')];
    it('2 for usage errors, naming the flag', async () => {
      const r = await cli([...base, '--out', 'x.nii']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--prompt is required/);
      const u = await cli([...base, ...prompt, '--polcy', 'paper']);
      expect(u.code).toBe(2);
      expect(u.stderr).toMatch(/unknown flag --polcy/);
      const p = await cli([...base, ...prompt, '--policy', 'lifo']);
      expect(p.stderr).toMatch(/--policy must be one of sam2-fifo, paper/);
    });
    it('4 for a missing or corrupt model, naming the file', async () => {
      const r = await cli([
        'propagate',
        '--model',
        path.join(dir, 'no-model'),
        '--volume',
        SPHERE,
        ...prompt,
      ]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/model error \(manifest-missing\).*manifest\.json/);
    });
    it('3 for a bad volume or prompt, naming the file and the problem', async () => {
      const bad = path.join(dir, 'bad.nii');
      writeFileSync(bad, Buffer.alloc(100));
      const v = await cli(['propagate', '--model', TEST_MODEL_DIR, '--volume', bad, ...prompt]);
      expect(v.code).toBe(3);
      expect(v.stderr).toContain('bad.nii');
      const pj = path.join(dir, 'p.json');
      writeFileSync(pj, JSON.stringify({ slice: 99, points: [[1, 1, 1]] }));
      const s = await cli([...base, '--prompt', pj, '--out', path.join(dir, 'y.nii')]);
      expect(s.code).toBe(3);
      expect(s.stderr).toMatch(/axial slice 99 is outside the volume \(0..39\)/);
      writeFileSync(pj, JSON.stringify({ slice: 3, points: [[1, 1, 7]] }));
      const l = await cli([...base, '--prompt', pj, '--out', path.join(dir, 'y.nii')]);
      expect(l.code).toBe(3);
      expect(l.stderr).toMatch(/point 0 label must be 0 or 1, got 7/);
    });
  });
});

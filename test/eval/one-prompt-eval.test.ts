/**
 * `medsam2 eval --one-prompt` on Debian's Colin27 + AAL with the project's test model: the set,
 * the copy-template floor and the per-image Dice are recomputed here from the label volume and the
 * written report, and the report says plainly that it is a harness check.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UsageError } from '../../extension/src/cli/args';
import { runEval } from '../../extension/src/cli/eval';
import { InputError } from '../../extension/src/engine/errors';
import type { OnePromptStructureReport } from '../../extension/src/eval/one-prompt';
import { dice } from '../support/synthetic';
import { TEST_MODEL_DIR } from '../support/test-model';
import { AAL, CH2, readMricron } from './helpers';

const THALAMUS_L = 77;

describe('eval --one-prompt on Colin27 + AAL (harness check)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'one-prompt-eval-'));
  const out = path.join(dir, 'report.json');
  const logs: string[] = [];
  const base = ['--one-prompt', '--image', CH2, '--labels', AAL, '--model', TEST_MODEL_DIR];
  let report: { note: string; structures: OnePromptStructureReport[] };
  let markdown: string;

  beforeAll(async () => {
    await runEval(
      [
        ...base,
        '--label-ids',
        String(THALAMUS_L),
        '--stride',
        '2',
        '--seeds',
        '0,1',
        '--crop-margin',
        '4',
        '--out',
        out,
      ],
      (l) => logs.push(l),
    );
    report = JSON.parse(readFileSync(out, 'utf8'));
    markdown = readFileSync(path.join(dir, 'report.md'), 'utf8');
  });

  it('takes every 2nd slice of the structure (area ≥ 20 px) besides the template, scores each against its true slice, beside the copy-template floor', () => {
    const labels = readMricron(AAL);
    const [nx, ny, nz] = labels.dims;
    const plane = nx * ny;
    const areas = Array.from({ length: nz }, (_, z) => {
      let a = 0;
      for (let i = 0; i < plane; i++) if (labels.data[z * plane + i] === THALAMUS_L) a++;
      return a;
    });
    const key = areas.indexOf(Math.max(...areas));
    const s = report.structures[0];
    expect(s.templateSlice).toBe(key);
    const expected = areas.flatMap((a, z) => (z !== key && a >= 20 && (z - key) % 2 === 0 ? [z] : []));
    expect(s.images.map((r) => r.slice)).toEqual(expected);
    const truthSlice = (z: number) =>
      Uint8Array.from(labels.data.subarray(z * plane, (z + 1) * plane), (v) => (v === THALAMUS_L ? 1 : 0));
    for (const r of s.images) {
      expect(r.area).toBe(areas[r.slice]);
      // The floor does not depend on the crop (the crop holds the whole structure).
      expect(r.floor).toBeCloseTo(dice(truthSlice(key), truthSlice(r.slice)), 10);
      for (const p of ['paper', 'sam2-fifo']) expect(r.dice[p]).toBeGreaterThanOrEqual(0);
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(s.summary.floor.mean).toBeCloseTo(mean(s.images.map((r) => r.floor)), 10);
    expect(s.summary.dice.paper.mean).toBeCloseTo(mean(s.images.map((r) => r.dice.paper)), 10);
    // Memory carries the template's object to the other images: better than nothing at all.
    expect(s.summary.dice.paper.mean).toBeGreaterThan(0.3);
  });

  it('says it is a harness check, not the paper, in the report and the Markdown, with the floor as the baseline row', () => {
    expect(report.note).toMatch(/Harness check.*not MedSAM-2 and not the paper's Table 2/);
    expect(markdown).toContain("not the paper's Table 2");
    expect(markdown).toMatch(/\| baseline: copy-template floor \| 0\.\d{3} ± 0\.\d{3} \| 1\.000 \|/);
    expect(markdown).toMatch(/\| paper \| 0\.\d{3} ± /);
    expect(markdown).toMatch(/\| \*\*mean\*\* \|/);
    expect(logs.some((l) => l.includes('Harness check'))).toBe(true);
  });

  it('refuses volume-only flags, 2D flags without --one-prompt, and a label with no voxel', async () => {
    const o = ['--out', path.join(dir, 'x.json')];
    await expect(runEval([...base, '--label-ids', '77', '--slab', '3', ...o], () => {})).rejects.toThrow(
      UsageError,
    );
    await expect(
      runEval(
        [
          '--image',
          CH2,
          '--labels',
          AAL,
          '--model',
          TEST_MODEL_DIR,
          '--label-ids',
          '77',
          '--stride',
          '2',
          ...o,
        ],
        () => {},
      ),
    ).rejects.toThrow(/--stride goes with --one-prompt/);
    await expect(runEval([...base, '--label-ids', '999', ...o], () => {})).rejects.toThrow(InputError);
  });
});

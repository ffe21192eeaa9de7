/**
 * The metric code against an independent implementation (numpy + scipy from Debian, run as a real
 * child process) on real masks: AAL structures of Debian's mricron-data against the copy-the-key-
 * slice floor and against a neighbouring structure's shifted mask, with anisotropic spacing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyKeySliceMask } from '../../extension/src/eval/floors';
import { overlap } from '../../extension/src/eval/overlap';
import { boxAround, boxDims, cropArray, structureMask, type Dims3 } from '../../extension/src/eval/structure';
import { surfaceDistances } from '../../extension/src/eval/surface-distance';
import { keySlice } from '../../extension/src/eval/truth-prompts';
import { AAL, readMricron } from './helpers';

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'reference_metrics.py');

interface Reference {
  dice: number;
  iou: number;
  hd95: number;
  assd: number;
  hd: number;
}

function reference(
  dir: string,
  name: string,
  pred: Uint8Array,
  truth: Uint8Array,
  dims: Dims3,
  spacing: number[],
): Reference {
  const p = path.join(dir, `${name}-pred.raw`);
  const t = path.join(dir, `${name}-truth.raw`);
  writeFileSync(p, pred);
  writeFileSync(t, truth);
  const c = path.join(dir, `${name}.json`);
  writeFileSync(c, JSON.stringify({ pred: p, truth: t, dims, spacing }));
  // Needs python3-numpy and python3-scipy (Debian); a missing module fails the test with its message.
  return JSON.parse(execFileSync(PYTHON, [SCRIPT, c], { encoding: 'utf8' })) as Reference;
}

describe('metrics agree with numpy/scipy on AAL masks', () => {
  const labels = readMricron(AAL);
  const dims = labels.dims as Dims3;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'eval-ref-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Crops both masks to the union's box + 2 (metrics are crop-invariant; python runs faster). */
  function cropped(a: Uint8Array, b: Uint8Array): { a: Uint8Array; b: Uint8Array; dims: Dims3 } {
    const union = Uint8Array.from(a, (v, i) => (v || b[i] ? 1 : 0));
    const box = boxAround(union, dims, 2);
    if (!box) throw new Error('empty union');
    return { a: cropArray(a, dims, box), b: cropArray(b, dims, box), dims: boxDims(box) };
  }

  const cases: [string, number, number[]][] = [
    ['left thalamus vs its copy floor, 1 mm', 77, [1, 1, 1]],
    ['left putamen vs its copy floor, anisotropic', 73, [0.8, 1.1, 2.5]],
    ['left hippocampus vs its copy floor, anisotropic', 37, [1.2, 0.9, 3]],
  ];
  it.each(cases)('%s', (_name, id, spacing) => {
    const truth = structureMask(labels.data, id);
    const floor = copyKeySliceMask(truth, dims, keySlice(truth, dims));
    const c = cropped(floor, truth);
    const ref = reference(dir, `s${id}`, c.a, c.b, c.dims, spacing);
    const o = overlap(c.a, c.b);
    const d = surfaceDistances(c.a, c.b, c.dims, spacing);
    expect(o.dice).toBeCloseTo(ref.dice, 10);
    expect(o.iou).toBeCloseTo(ref.iou, 10);
    expect(d.hd95).toBeCloseTo(ref.hd95, 9);
    expect(d.assd).toBeCloseTo(ref.assd, 9);
    expect(d.hd).toBeCloseTo(ref.hd, 9);
    // Also on the uncropped grid, to show the crop changes nothing.
    expect(surfaceDistances(floor, truth, dims, spacing).hd95).toBeCloseTo(ref.hd95, 9);
  });

  it('left vs right caudate (disjoint masks, large distances)', () => {
    const left = structureMask(labels.data, 71);
    const right = structureMask(labels.data, 72);
    const c = cropped(left, right);
    const spacing = [1, 1.5, 2];
    const ref = reference(dir, 'caudate', c.a, c.b, c.dims, spacing);
    const d = surfaceDistances(c.a, c.b, c.dims, spacing);
    expect(ref.hd95).toBeGreaterThan(10);
    expect(d.hd95).toBeCloseTo(ref.hd95, 9);
    expect(overlap(c.a, c.b).dice).toBeCloseTo(ref.dice, 10);
  });
});

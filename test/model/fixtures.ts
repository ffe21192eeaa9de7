/** Shared helpers for the model tests: test-model folders (intact or broken) and synthetic images. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestModel } from '../../models/onnx/test-tiny-model';
import { TEST_TINY } from '../../models/onnx/test-tiny';
import type { Tensor } from '../../extension/src/engine/model/tensor';

export const S = TEST_TINY.imageSize;
export const F = S / 16;
export const L = 4 * F;

const created: string[] = [];

/** Writes the test model (optionally altered) into a fresh temp folder, removed by cleanupModelDirs(). */
export function writeModelDir(alter?: (files: Map<string, Uint8Array>) => void): string {
  const files = buildTestModel();
  alter?.(files);
  const dir = mkdtempSync(join(tmpdir(), 'medsam2-model-'));
  created.push(dir);
  for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
  return dir;
}

export function cleanupModelDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export function readManifestJson(files: Map<string, Uint8Array>): Record<string, unknown> {
  return JSON.parse(new TextDecoder().decode(files.get('manifest.json'))) as Record<string, unknown>;
}

export function writeManifestJson(files: Map<string, Uint8Array>, manifest: unknown): void {
  files.set('manifest.json', new TextEncoder().encode(JSON.stringify(manifest)));
}

/** Replaces a graph file and updates its sha256 in the manifest, so only the change under test differs. */
export function replaceGraph(files: Map<string, Uint8Array>, graph: string, bytes: Uint8Array): void {
  files.set(`${graph}.onnx`, bytes);
  const manifest = readManifestJson(files) as { graphs: Record<string, { sha256: string }> };
  manifest.graphs[graph].sha256 = sha256(bytes);
  writeManifestJson(files, manifest);
}

/** An S×S intensity image in [0,1] as the encoder input: each channel normalised with the manifest's mean/std. */
export function normalisedImage(intensity: Float32Array): Tensor {
  const data = new Float32Array(3 * S * S);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < S * S; i++)
      data[c * S * S + i] = (intensity[i] - TEST_TINY.mean[c]) / TEST_TINY.std[c];
  }
  return { data, dims: [1, 3, S, S] };
}

/** Intensity 0.9 inside a disk, 0.05 outside (model-input pixels, pixel centres at +0.5). */
export function diskIntensity(cx: number, cy: number, r: number, size = S): Float32Array {
  const g = new Float32Array(size * size).fill(0.05);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++)
      if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r) g[y * size + x] = 0.9;
  }
  return g;
}

/** A deterministic pseudo-random tensor in [-amp, amp]. */
export function randomTensor(dims: number[], seed: number, amp = 1): Tensor {
  let a = seed >>> 0;
  const n = dims.reduce((p, d) => p * d, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    data[i] = (a / 4294967296) * 2 * amp - amp;
  }
  return { data, dims };
}

/** Channel c of a [1,C,H,W] tensor. */
export function channel(t: Tensor, c: number): Float32Array {
  const [, , h, w] = t.dims;
  return t.data.subarray(c * h * w, (c + 1) * h * w);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

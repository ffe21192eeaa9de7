/**
 * Prompts derived from the ground truth, as in the paper's protocol (§5.1): on the key slice (the
 * largest axial cross-section by default) a click deep inside the object, its bounding box
 * (optionally jittered) or the mask itself; optionally every other slice of the extent is prompted
 * too with probability p (the paper's prompt frequency).
 */
import type { SlicePrompt } from '../engine/prompts/prompt';
import { createRng } from '../engine/memory/rng';
import { squaredDistanceToFeatures } from './edt';
import { axialExtent, axialSlice, sliceAreas, type Dims3 } from './structure';

export type PromptKind = 'click' | 'box' | 'mask';
export const PROMPT_KINDS: readonly PromptKind[] = ['click', 'box', 'mask'];

/**
 * The axial slice with the largest cross-section; among equal areas the one nearest the middle of
 * the extent, then the lower index. -1 for an empty mask.
 */
export function keySlice(mask: ArrayLike<number>, dims: Dims3): number {
  const areas = sliceAreas(mask, dims);
  const extent = axialExtent(mask, dims);
  if (!extent) return -1;
  const middle = (extent.first + extent.last) / 2;
  let best = -1;
  for (let z = extent.first; z <= extent.last; z++) {
    if (best < 0 || areas[z] > areas[best]) best = z;
    else if (areas[z] === areas[best] && Math.abs(z - middle) < Math.abs(best - middle)) best = z;
  }
  return best;
}

/**
 * The object pixel farthest from the background, in mm (pixels outside the slice count as
 * background, so the point is also away from the image edge); ties go to the pixel nearest the
 * object's centroid, then the first in row order. Null for an empty slice.
 */
export function deepestPoint(
  slice: ArrayLike<number>,
  width: number,
  height: number,
  spacing: readonly [number, number] = [1, 1],
): { x: number; y: number } | null {
  // Pad by one background pixel on each side so the image border is a boundary.
  const pw = width + 2;
  const ph = height + 2;
  const background = new Uint8Array(pw * ph).fill(1);
  let cx = 0;
  let cy = 0;
  let n = 0;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (slice[x + width * y]) {
        background[x + 1 + pw * (y + 1)] = 0;
        cx += x;
        cy += y;
        n++;
      }
  if (n === 0) return null;
  cx /= n;
  cy /= n;
  const d = squaredDistanceToFeatures(background, [pw, ph], spacing);
  let best: { x: number; y: number; d: number; c: number } | null = null;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (!slice[x + width * y]) continue;
      const dist = d[x + 1 + pw * (y + 1)];
      const c = (x - cx) ** 2 + (y - cy) ** 2;
      if (!best || dist > best.d || (dist === best.d && c < best.c)) best = { x, y, d: dist, c };
    }
  return best && { x: best.x, y: best.y };
}

/**
 * The mask's bounding box on pixel edges: [xmin − 0.5, ymin − 0.5, xmax + 0.5, ymax + 0.5] in the
 * engine's pixel-centre convention, so it covers the object's pixels exactly. Null when empty.
 */
export function boundingBox(
  slice: ArrayLike<number>,
  width: number,
  height: number,
): [number, number, number, number] | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (slice[x + width * y]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : [x0 - 0.5, y0 - 0.5, x1 + 0.5, y1 + 0.5];
}

/**
 * Moves each side of the box by up to ±`fraction` of the box's size along that side (uniform,
 * seeded), kept inside the image and at least one pixel wide.
 */
export function jitterBox(
  box: readonly [number, number, number, number],
  fraction: number,
  width: number,
  height: number,
  seed: number,
): [number, number, number, number] {
  if (fraction <= 0) return [...box];
  const rng = createRng(seed);
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const move = (v: number, size: number) => v + (2 * rng.next() - 1) * fraction * size;
  const clampX = (v: number) => Math.min(width - 0.5, Math.max(-0.5, v));
  const clampY = (v: number) => Math.min(height - 0.5, Math.max(-0.5, v));
  let x0 = clampX(move(box[0], w));
  let y0 = clampY(move(box[1], h));
  let x1 = clampX(move(box[2], w));
  let y1 = clampY(move(box[3], h));
  if (x1 < x0 + 1) [x0, x1] = [Math.max(-0.5, Math.min(x0, x1)), Math.min(width - 0.5, Math.max(x0, x1) + 1)];
  if (y1 < y0 + 1)
    [y0, y1] = [Math.max(-0.5, Math.min(y0, y1)), Math.min(height - 0.5, Math.max(y0, y1) + 1)];
  return [x0, y0, x1, y1];
}

export interface TruthPromptOptions {
  readonly kind: PromptKind;
  /** Voxel spacing (mm) of the volume; the click uses the in-plane part. */
  readonly spacing: readonly [number, number, number];
  /** Box jitter as a fraction of the box size (0 = exact box). */
  readonly boxJitter?: number;
  /** Prompt frequency p (§5.1): every other slice of the extent is prompted with probability p. */
  readonly frequency?: number;
  readonly seed?: number;
  /** The key slice when the caller fixed it (e.g. on a sub-volume); default: `keySlice(mask)`. */
  readonly keySlice?: number;
}

export interface PromptedSlice {
  readonly slice: number;
  readonly prompt: SlicePrompt;
}

/** The prompt of `kind` on axial slice `z`, or null when the truth is empty there. */
export function promptOnSlice(
  mask: ArrayLike<number>,
  dims: Dims3,
  z: number,
  options: TruthPromptOptions,
  seed: number,
): SlicePrompt | null {
  const [w, h] = dims;
  const slice = axialSlice(mask, dims, z);
  switch (options.kind) {
    case 'click': {
      const p = deepestPoint(slice, w, h, [options.spacing[0], options.spacing[1]]);
      return p && { points: [{ x: p.x, y: p.y, label: 1 }] };
    }
    case 'box': {
      const b = boundingBox(slice, w, h);
      return b && { box: jitterBox(b, options.boxJitter ?? 0, w, h, seed) };
    }
    case 'mask':
      return slice.some((v) => v !== 0) ? { mask: slice } : null;
  }
}

/**
 * The prompted slices of one evaluation: the key slice always, then, with frequency p > 0, each
 * other non-empty slice of the extent with probability p (seeded, in slice order).
 */
export function truthPrompts(
  mask: ArrayLike<number>,
  dims: Dims3,
  options: TruthPromptOptions,
): PromptedSlice[] {
  const key = options.keySlice ?? keySlice(mask, dims);
  if (key < 0) return [];
  const seed = options.seed ?? 0;
  const out: PromptedSlice[] = [];
  const first = promptOnSlice(mask, dims, key, options, seed);
  if (first) out.push({ slice: key, prompt: first });
  const p = options.frequency ?? 0;
  if (p > 0) {
    const rng = createRng(seed + 0.5);
    const extent = axialExtent(mask, dims) as { first: number; last: number };
    for (let z = extent.first; z <= extent.last; z++) {
      if (z === key) continue;
      const draw = rng.next();
      if (draw >= p) continue;
      const prompt = promptOnSlice(mask, dims, z, options, seed + z + 1);
      if (prompt) out.push({ slice: z, prompt });
    }
  }
  return out;
}

/**
 * User prompts on one slice (clicks, a box, a mask) and their encoding for the mask decoder
 * (models/README.md: `point_coords`, `point_labels`, `mask_input`).
 *
 * Coordinates are pixel indices on the original slice (pixel centre at integers, see
 * slice-transform.ts), so a slice of width W spans x ∈ [−0.5, W − 0.5].
 */
import { InputError } from '../errors';
import { slicePoint } from '../types';
import { sliceMaskToModel } from '../preprocess/prepare-slice';
import type { SliceTransform } from '../preprocess/slice-transform';

export interface PromptPoint {
  x: number;
  y: number;
  /** 1 include (foreground click), 0 exclude (background click). */
  label: 0 | 1;
}

export interface SlicePrompt {
  points?: PromptPoint[];
  /** [x0, y0, x1, y1]: top-left and bottom-right corners, x1 > x0 and y1 > y0. */
  box?: [number, number, number, number];
  /**
   * Binary mask on the slice grid (width·height, non-zero = object). Alone, the mask is the slice's
   * output (SAM 2 `add_new_mask`); with points or a box (a lasso: freehand.ts), it is the decoder's
   * mask input beside them.
   */
  mask?: Uint8Array;
}

export interface EncodedPrompt {
  /** [P·2] (x, y) in model-input pixels. */
  coords: Float32Array;
  /** [P]: 2/3 box corners, 1 include, 0 exclude, −1 padding. */
  labels: Float32Array;
  /** Points including the box's two corners (SAM 2's `num_pts` in the multimask rule); 0 = none. */
  count: number;
  /** Binary S×S mask on the model grid when the prompt has a mask, else null. */
  maskS: Uint8Array | null;
}

export const BOX_TOP_LEFT_LABEL = 2;
export const BOX_BOTTOM_RIGHT_LABEL = 3;
export const PADDING_LABEL = -1;

/** A frame without a prompt: one padding point (0, 0) with label −1. Shared: do not mutate. */
export const NO_PROMPT: { readonly coords: Float32Array; readonly labels: Float32Array } = {
  coords: new Float32Array([0, 0]),
  labels: new Float32Array([PADDING_LABEL]),
};

/** Throws `InputError('invalid-prompt')` naming `where` (e.g. "slice 12"), the element and the bound. */
export function validatePrompt(p: SlicePrompt, width: number, height: number, where: string): void {
  const fail = (msg: string): never => {
    throw new InputError('invalid-prompt', `${where}: ${msg}`);
  };
  if (typeof p !== 'object' || p === null) fail('the prompt is not an object');
  const points = p.points ?? [];
  if (!Array.isArray(points)) fail('points must be an array');
  if (points.length === 0 && p.box === undefined && p.mask === undefined) {
    fail('the prompt is empty (give at least one point, a box or a mask)');
  }
  const xRange = `[-0.5, ${width - 0.5}]`;
  const yRange = `[-0.5, ${height - 0.5}]`;
  const inX = (v: number) => v >= -0.5 && v <= width - 0.5;
  const inY = (v: number) => v >= -0.5 && v <= height - 0.5;

  points.forEach((pt, i) => {
    if (typeof pt !== 'object' || pt === null) fail(`point ${i} is not an object`);
    if (!Number.isFinite(pt.x) || !Number.isFinite(pt.y))
      fail(`point ${i} has non-finite coordinates (${pt.x}, ${pt.y})`);
    if (pt.label !== 0 && pt.label !== 1)
      fail(`point ${i} has label ${String(pt.label)}; labels are 1 (include) or 0 (exclude)`);
    if (!inX(pt.x))
      fail(`point ${i} x = ${pt.x} is outside the image (x must be in ${xRange} for width ${width})`);
    if (!inY(pt.y))
      fail(`point ${i} y = ${pt.y} is outside the image (y must be in ${yRange} for height ${height})`);
  });

  if (p.box !== undefined) {
    const b = p.box;
    if (!Array.isArray(b) || b.length !== 4) fail('box must be [x0, y0, x1, y1]');
    if (!b.every((v) => Number.isFinite(v))) fail(`box [${b.join(', ')}] has non-finite values`);
    const [bx0, by0, bx1, by1] = b;
    if (bx1 <= bx0) fail(`box [${b.join(', ')}] has x1 = ${bx1} ≤ x0 = ${bx0}`);
    if (by1 <= by0) fail(`box [${b.join(', ')}] has y1 = ${by1} ≤ y0 = ${by0}`);
    if (!inX(bx0) || !inX(bx1))
      fail(`box [${b.join(', ')}] reaches outside the image (x must be in ${xRange} for width ${width})`);
    if (!inY(by0) || !inY(by1))
      fail(`box [${b.join(', ')}] reaches outside the image (y must be in ${yRange} for height ${height})`);
  }

  if (p.mask !== undefined) {
    if (!(p.mask instanceof Uint8Array)) fail('mask must be a Uint8Array');
    if (p.mask.length !== width * height) {
      fail(`mask has ${p.mask.length} values, the ${width}×${height} slice needs ${width * height}`);
    }
  }
}

/**
 * Model-space encoding: the box's two corners first (labels 2, 3), then the clicks in the order given
 * (SAM2's convention). A prompt with no point and no box (mask only) gets the padding point.
 * Call `validatePrompt` first.
 */
export function encodePrompt(p: SlicePrompt, transform: SliceTransform): EncodedPrompt {
  const xy: number[] = [];
  const labels: number[] = [];
  const add = (x: number, y: number, label: number) => {
    const m = transform.toModel(slicePoint(x, y));
    xy.push(m.x, m.y);
    labels.push(label);
  };
  if (p.box) {
    add(p.box[0], p.box[1], BOX_TOP_LEFT_LABEL);
    add(p.box[2], p.box[3], BOX_BOTTOM_RIGHT_LABEL);
  }
  const points = p.points ?? [];
  for (const pt of points) add(pt.x, pt.y, pt.label);
  const maskS = p.mask ? sliceMaskToModel(p.mask, transform) : null;
  if (labels.length === 0) {
    return { coords: NO_PROMPT.coords.slice(), labels: NO_PROMPT.labels.slice(), count: 0, maskS };
  }
  return { coords: new Float32Array(xy), labels: new Float32Array(labels), count: labels.length, maskS };
}

/**
 * Free-hand prompts turned into what the model takes (SAM 2 has no scribble or lasso input):
 *
 * - Scribble (include or exclude): clicks sampled along the stroke, the way SAM-family annotation
 *   tools feed strokes to a point-prompted decoder. The stroke is resampled uniformly by arc length,
 *   both ends included, one click every `spacing` pixels (default 12), at most `maxPoints` per stroke
 *   (default 8: SAM and SAM 2 are trained with a handful of clicks per object, and more points of
 *   one label add little but cost a longer prompt); a stroke shorter than the spacing is one click at
 *   its start, or its two ends. Every click has the stroke's label (1 include, 0 exclude).
 * - Lasso: a closed polygon becomes its bounding box (the box prompt, corners labels 2/3) plus the
 *   filled polygon as a mask prompt — the decoder's `mask_input` (prompt.ts, object-track.ts).
 *   Filling is the even-odd rule at pixel centres (a pixel is inside when its centre is).
 *
 * Coordinates are original-slice pixels as everywhere in prompts (centre of pixel (i, j) at (i, j)).
 */
import { InputError } from '../errors';
import type { PromptPoint, SlicePrompt } from './prompt';

export interface XY {
  readonly x: number;
  readonly y: number;
}

export interface ScribbleOptions {
  /** Arc length in pixels between sampled clicks (default 12). */
  readonly spacing?: number;
  /** Most clicks taken from one stroke (default 8). */
  readonly maxPoints?: number;
}

export const DEFAULT_SCRIBBLE_SPACING = 12;
export const DEFAULT_SCRIBBLE_MAX_POINTS = 8;

const finite = (points: readonly XY[], what: string) => {
  points.forEach((p, i) => {
    if (!Number.isFinite(p?.x) || !Number.isFinite(p?.y))
      throw new InputError('invalid-prompt', `${what}: vertex ${i} is not a finite (x, y)`);
  });
};

/** Clicks sampled along a stroke (see the module comment), all with `label`. */
export function scribblePoints(
  stroke: readonly XY[],
  label: 0 | 1,
  options: ScribbleOptions = {},
): PromptPoint[] {
  const spacing = options.spacing ?? DEFAULT_SCRIBBLE_SPACING;
  const maxPoints = options.maxPoints ?? DEFAULT_SCRIBBLE_MAX_POINTS;
  if (!(spacing > 0)) throw new InputError('invalid-prompt', `scribble: spacing must be > 0, got ${spacing}`);
  if (!Number.isInteger(maxPoints) || maxPoints < 1)
    throw new InputError('invalid-prompt', `scribble: maxPoints must be an integer >= 1, got ${maxPoints}`);
  if (stroke.length === 0) throw new InputError('invalid-prompt', 'scribble: the stroke has no vertex');
  finite(stroke, 'scribble');
  // Cumulative arc length at each vertex.
  const at = [0];
  for (let i = 1; i < stroke.length; i++)
    at.push(at[i - 1] + Math.hypot(stroke[i].x - stroke[i - 1].x, stroke[i].y - stroke[i - 1].y));
  const length = at[at.length - 1];
  if (length === 0) return [{ x: stroke[0].x, y: stroke[0].y, label }];
  const count = Math.min(maxPoints, Math.max(2, Math.floor(length / spacing) + 1));
  const out: PromptPoint[] = [];
  let i = 1; // the segment stroke[i - 1] → stroke[i] holding arc length s
  for (let k = 0; k < count; k++) {
    const s = (k * length) / (count - 1);
    while (i < stroke.length - 1 && at[i] < s) i++;
    const span = at[i] - at[i - 1];
    const t = span > 0 ? Math.min(1, Math.max(0, (s - at[i - 1]) / span)) : 0;
    const [a, b] = [stroke[i - 1], stroke[i]];
    out.push({ x: a.x + t * (b.x - a.x), y: a.y + t * (b.y - a.y), label });
  }
  return out;
}

/** The polygon filled on a width×height grid (even-odd rule at pixel centres), one byte per pixel. */
export function fillPolygon(polygon: readonly XY[], width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const n = polygon.length;
  for (let y = 0; y < height; y++) {
    const crossings: number[] = [];
    for (let i = 0; i < n; i++) {
      const a = polygon[i];
      const b = polygon[(i + 1) % n];
      // Half-open in y so a vertex on the scan line is counted once.
      if (a.y <= y !== b.y <= y) crossings.push(a.x + ((y - a.y) * (b.x - a.x)) / (b.y - a.y));
    }
    crossings.sort((p, q) => p - q);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const from = Math.max(0, Math.ceil(crossings[k]));
      const to = Math.min(width - 1, Math.ceil(crossings[k + 1]) - 1);
      mask.fill(1, y * width + from, from <= to ? y * width + to + 1 : y * width + from);
    }
  }
  return mask;
}

/**
 * A lasso (closed polygon, ≥ 3 vertices) on a width×height slice as the model's prompt: its
 * bounding box, clipped to the slice, and the filled polygon as the mask prompt.
 */
export function lassoPrompt(polygon: readonly XY[], width: number, height: number): SlicePrompt {
  if (polygon.length < 3)
    throw new InputError(
      'invalid-prompt',
      `lasso: ${polygon.length} vertices enclose no area (3 or more needed)`,
    );
  finite(polygon, 'lasso');
  const mask = fillPolygon(polygon, width, height);
  if (!mask.some((v) => v))
    throw new InputError('invalid-prompt', 'lasso: the outline encloses no pixel centre of the slice');
  const xs = polygon.map((p) => p.x);
  const ys = polygon.map((p) => p.y);
  const clip = (v: number, size: number) => Math.min(size - 0.5, Math.max(-0.5, v));
  return {
    box: [
      clip(Math.min(...xs), width),
      clip(Math.min(...ys), height),
      clip(Math.max(...xs), width),
      clip(Math.max(...ys), height),
    ],
    mask,
  };
}

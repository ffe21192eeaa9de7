import { InputError } from '../engine/errors';
import { lassoPrompt, scribblePoints, type XY } from '../engine/prompts/freehand';
import type { PromptPoint, SlicePrompt } from '../engine/prompts/prompt';

/**
 * The CLI's prompt file: one entry or an array of entries
 * `{"slice": k, "points": [[x, y, label], ...], "box": [x0, y0, x1, y1], "object": n}`.
 * Slice k runs along the volume's third array axis (for DICOM input it may also be the slice's
 * SOPInstanceUID as a string), x along the first, y along the second (image columns and rows);
 * label 1 = include, 0 = exclude. Entries with the same `object` (default 1) belong to one target.
 * Free-hand prompts (engine/prompts/freehand.ts): `"scribbles": [{"label": 1, "points": [[x, y], ...]}]`
 * (clicks sampled along each stroke) and `"lasso": [[x, y], ...]` (its box plus the filled outline).
 */
export interface FilePrompt {
  /** Clicks (scribbles already sampled into clicks) and box. */
  readonly prompt: SlicePrompt;
  /** A lasso outline, filled once the slice's size is known (`resolveLasso`). */
  readonly lasso?: readonly XY[];
}

export interface PromptEntry extends FilePrompt {
  readonly object: number;
  /** A slice index, or (DICOM input only) the slice's SOPInstanceUID. */
  readonly slice: number | string;
}

/** The entry's prompt on a width×height slice: a lasso becomes its box and mask (`where` names it). */
export function resolveLasso(p: FilePrompt, width: number, height: number, where: string): SlicePrompt {
  if (!p.lasso) return p.prompt;
  try {
    const { box, mask } = lassoPrompt(p.lasso, width, height);
    return { ...p.prompt, box, mask };
  } catch (e) {
    if (e instanceof InputError) throw new InputError('invalid-prompt', `${where}: ${e.message}`);
    throw e;
  }
}

export function parsePromptFile(text: string, file: string): PromptEntry[] {
  const json = parseJson(text, file);
  const entries = Array.isArray(json) ? json : [json];
  if (entries.length === 0) throw new InputError('invalid-prompt', `${file}: no prompt entries`);
  return entries.map((e, i) => parseEntry(e, `${file} entry ${i}`));
}

function parseEntry(e: unknown, where: string): PromptEntry {
  if (typeof e !== 'object' || e === null)
    throw new InputError('invalid-prompt', `${where}: expected an object`);
  const o = e as Record<string, unknown>;
  const known = new Set(['slice', 'points', 'box', 'object', 'scribbles', 'lasso']);
  for (const k of Object.keys(o))
    if (!known.has(k)) throw new InputError('invalid-prompt', `${where}: unknown field "${k}"`);
  if (!Number.isInteger(o.slice) && !(typeof o.slice === 'string' && /^[0-9.]+$/.test(o.slice)))
    throw new InputError(
      'invalid-prompt',
      `${where}: "slice" must be an integer index or a SOPInstanceUID string, got ${JSON.stringify(o.slice)}`,
    );
  const object = o.object === undefined ? 1 : o.object;
  if (!Number.isInteger(object) || (object as number) < 1)
    throw new InputError(
      'invalid-prompt',
      `${where}: "object" must be an integer >= 1, got ${JSON.stringify(o.object)}`,
    );
  return { object: object as number, slice: o.slice as number | string, ...parseSlicePrompt(o, where) };
}

/** The clicks, box, scribbles and lasso of a prompt entry (`o` is the parsed JSON object, `where` names it). */
function parseSlicePrompt(o: Record<string, unknown>, where: string): FilePrompt {
  const prompt: { points?: PromptPoint[]; box?: [number, number, number, number] } = {};
  if (o.points !== undefined) {
    if (!Array.isArray(o.points))
      throw new InputError('invalid-prompt', `${where}: "points" must be an array of [x, y, label]`);
    prompt.points = o.points.map((p, j) => {
      if (!Array.isArray(p) || p.length !== 3 || !p.every((v) => typeof v === 'number'))
        throw new InputError(
          'invalid-prompt',
          `${where}: point ${j} must be [x, y, label], got ${JSON.stringify(p)}`,
        );
      if (p[2] !== 0 && p[2] !== 1)
        throw new InputError('invalid-prompt', `${where}: point ${j} label must be 0 or 1, got ${p[2]}`);
      return { x: p[0], y: p[1], label: p[2] as 0 | 1 };
    });
  }
  if (o.box !== undefined) {
    if (!Array.isArray(o.box) || o.box.length !== 4 || !o.box.every((v) => typeof v === 'number'))
      throw new InputError(
        'invalid-prompt',
        `${where}: "box" must be [x0, y0, x1, y1], got ${JSON.stringify(o.box)}`,
      );
    prompt.box = o.box as [number, number, number, number];
  }
  if (o.scribbles !== undefined) {
    if (!Array.isArray(o.scribbles))
      throw new InputError('invalid-prompt', `${where}: "scribbles" must be an array of {"label", "points"}`);
    const sampled = o.scribbles.flatMap((stroke: unknown, j) => {
      const st = stroke as { label?: unknown; points?: unknown };
      if (typeof stroke !== 'object' || stroke === null || (st.label !== 0 && st.label !== 1))
        throw new InputError('invalid-prompt', `${where}: scribble ${j} needs "label" 0 or 1`);
      return scribblePoints(xyList(st.points, `${where}: scribble ${j}`), st.label);
    });
    prompt.points = [...(prompt.points ?? []), ...sampled];
  }
  const lasso = o.lasso === undefined ? undefined : xyList(o.lasso, `${where}: "lasso"`);
  if (lasso && prompt.box)
    throw new InputError(
      'invalid-prompt',
      `${where}: give a "lasso" or a "box", not both (a lasso becomes its box)`,
    );
  if (!prompt.points?.length && !prompt.box && !lasso)
    throw new InputError('invalid-prompt', `${where}: needs "points", "box", "scribbles" or "lasso"`);
  return lasso ? { prompt, lasso } : { prompt };
}

function xyList(v: unknown, where: string): XY[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new InputError('invalid-prompt', `${where} must be a non-empty array of [x, y]`);
  return v.map((p, k) => {
    if (!Array.isArray(p) || p.length !== 2 || !p.every((c) => typeof c === 'number' && Number.isFinite(c)))
      throw new InputError(
        'invalid-prompt',
        `${where}: vertex ${k} must be [x, y], got ${JSON.stringify(p)}`,
      );
    return { x: p[0], y: p[1] };
  });
}

/**
 * The `one-prompt` template's prompt file: one object `{"points": [[x, y, label], ...],
 * "box": [x0, y0, x1, y1], "scribbles": [...], "lasso": [...], "frame": n}` on the template image (x = column, y = row, in pixels);
 * `frame` (1-based, default 1) picks the frame of a multi-frame DICOM template.
 */
export function parseTemplatePrompt(text: string, file: string): FilePrompt & { frame: number } {
  const json = parseJson(text, file);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new InputError('invalid-prompt', `${file}: expected one object with "points" and/or "box"`);
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!['points', 'box', 'scribbles', 'lasso', 'frame'].includes(k))
      throw new InputError(
        'invalid-prompt',
        `${file}: unknown field "${k}" (known: points, box, scribbles, lasso, frame)`,
      );
  const frame = o.frame === undefined ? 1 : o.frame;
  if (!Number.isInteger(frame) || (frame as number) < 1)
    throw new InputError(
      'invalid-prompt',
      `${file}: "frame" must be an integer >= 1, got ${JSON.stringify(o.frame)}`,
    );
  return { frame: frame as number, ...parseSlicePrompt(o, file) };
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError('invalid-prompt', `${file}: not valid JSON (${(e as Error).message})`);
  }
}

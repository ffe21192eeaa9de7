/**
 * A prompt-tool gesture (world coordinates on a viewport) → a slice prompt in the volume's voxel
 * coordinates: a click is one point on the slice under it, a drag is a box on the slice where it
 * started, clamped to the image; a scribble becomes clicks sampled along it, a lasso its outline
 * (engine/prompts/freehand.ts; the outline is filled when the prompt goes to the engine), both on
 * the slice where they started. Prompts go on the acquisition plane only.
 */
import { scribblePoints } from '../engine/prompts/freehand';
import type { Point3 } from './ohif-types';
import type { PromptGesture } from './prompt-tool';
import type { WorldToVoxel } from './world-to-voxel';

/** A prompt in volume voxel coordinates (column, row) on one slice, for commands and tests. */
export interface VoxelPrompt {
  readonly slice: number;
  readonly points?: readonly { x: number; y: number; label: 0 | 1 }[];
  readonly box?: readonly [number, number, number, number];
  /** A lasso outline (column, row vertices); the engine gets its box and the filled outline. */
  readonly lasso?: readonly { x: number; y: number }[];
}

export interface PromptGeometry {
  readonly toVoxel: WorldToVoxel;
  readonly dims: readonly [number, number, number];
  /** The series' slice normal (unit vector, patient coordinates). */
  readonly normal: readonly [number, number, number];
}

/** Throws an Error the panel can show when the gesture cannot become a prompt. */
export function gesturePrompt(
  g: PromptGesture,
  geometry: PromptGeometry,
  viewPlaneNormal?: Point3,
): VoxelPrompt {
  const { toVoxel, dims, normal } = geometry;
  const n = viewPlaneNormal;
  if (n && Math.abs(n[0] * normal[0] + n[1] * normal[1] + n[2] * normal[2]) < 0.99)
    throw new Error('prompts go on the series acquisition plane: switch the viewport back to it');
  if (g.kind === 'point') {
    const [x, y, z] = toVoxel(g.world);
    const inside = x >= -0.5 && y >= -0.5 && x <= dims[0] - 0.5 && y <= dims[1] - 0.5;
    if (!inside) throw new Error('the click is outside the image');
    return { slice: Math.round(z), points: [{ x, y, label: g.include ? 1 : 0 }] };
  }
  if (g.kind === 'scribble' || g.kind === 'lasso') {
    const voxels = g.path.map((w) => toVoxel(w));
    const clamp = (v: number, size: number) => Math.min(size - 0.5, Math.max(-0.5, v));
    const xy = voxels.map(([x, y]) => ({ x: clamp(x, dims[0]), y: clamp(y, dims[1]) }));
    const slice = Math.round(voxels[0][2]);
    if (g.kind === 'scribble') return { slice, points: scribblePoints(xy, g.include ? 1 : 0) };
    if (xy.length < 3) throw new Error('the lasso encloses nothing: draw round the structure');
    return { slice, lasso: xy };
  }
  const [x0, y0, z] = toVoxel(g.from);
  const [x1, y1] = toVoxel(g.to);
  const clamp = (v: number, size: number) => Math.min(size - 0.5, Math.max(-0.5, v));
  return {
    slice: Math.round(z),
    box: [
      clamp(Math.min(x0, x1), dims[0]),
      clamp(Math.min(y0, y1), dims[1]),
      clamp(Math.max(x0, x1), dims[0]),
      clamp(Math.max(y0, y1), dims[1]),
    ],
  };
}

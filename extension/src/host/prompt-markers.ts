/**
 * The prompts drawn on the viewport, on the slice they belong to (they follow the slice as you
 * scroll), in their segment's colour: an include point as a filled dot, an exclude point as a
 * ring with a cross, a box and a lasso as their outlines. Drawn by the prompt tool's renderAnnotation with
 * cornerstone's own SVG helpers, so they sit in the same layer as OHIF's annotations.
 */
import type { VoxelPrompt } from './gesture-prompt';
import type { CornerstoneTools, CsViewport, Point3 } from './ohif-types';

export type Marker =
  | { readonly kind: 'include' | 'exclude'; readonly world: Point3; readonly color: string }
  | {
      readonly kind: 'box';
      readonly corners: readonly [Point3, Point3, Point3, Point3];
      readonly color: string;
    }
  | { readonly kind: 'lasso'; readonly outline: readonly Point3[]; readonly color: string };

/** The markers of the image a viewport shows (OHIF image index), for every segment. */
export type MarkerSource = (viewportId: string, imageIndex: number) => readonly Marker[];

/** One segment's prompt on the slice shown, in its colour. */
export interface SegmentPrompt {
  readonly color: readonly [number, number, number];
  readonly prompt: VoxelPrompt | undefined;
}

/**
 * The markers of volume slice `slice`: each segment's points and box, from voxel (column, row)
 * coordinates to patient coordinates by the volume's `affine` (4×4, row-major, voxel → patient).
 */
export function sliceMarkers(
  affine: readonly number[],
  slice: number,
  prompts: readonly SegmentPrompt[],
): Marker[] {
  const a = affine;
  const world = (x: number, y: number): Point3 => [
    a[0] * x + a[1] * y + a[2] * slice + a[3],
    a[4] * x + a[5] * y + a[6] * slice + a[7],
    a[8] * x + a[9] * y + a[10] * slice + a[11],
  ];
  return promptMarkers(world, prompts);
}

/** The markers of prompts in an image's pixel (column, row) coordinates, `world` placing a pixel. */
export function promptMarkers(
  world: (x: number, y: number) => Point3,
  prompts: readonly SegmentPrompt[],
): Marker[] {
  const out: Marker[] = [];
  for (const { color: rgb, prompt } of prompts) {
    const color = `rgb(${rgb.join(', ')})`;
    for (const p of prompt?.points ?? [])
      out.push({ kind: p.label === 1 ? 'include' : 'exclude', world: world(p.x, p.y), color });
    const b = prompt?.box;
    if (b)
      out.push({
        kind: 'box',
        corners: [world(b[0], b[1]), world(b[2], b[1]), world(b[2], b[3]), world(b[0], b[3])],
        color,
      });
    const lasso = prompt?.lasso;
    if (lasso) out.push({ kind: 'lasso', outline: lasso.map((v) => world(v.x, v.y)), color });
  }
  return out;
}

const ANNOTATION_UID = 'medsam2-prompts';
const POINT_RADIUS = 5;
const EXCLUDE_COLOR = 'rgb(255, 80, 80)';

/** Draws `markers` into the SVG layer; answers whether anything was drawn. */
export function drawMarkers(
  drawing: CornerstoneTools['drawing'],
  svg: unknown,
  viewport: CsViewport,
  markers: readonly Marker[],
): boolean {
  markers.forEach((m, i) => {
    const id = `m${i}`;
    if (m.kind === 'box' || m.kind === 'lasso') {
      const c = (m.kind === 'box' ? m.corners : m.outline).map((w) => viewport.worldToCanvas(w));
      for (let e = 0; e < c.length; e++)
        drawing.drawLine(
          svg,
          ANNOTATION_UID,
          `${id}-${e}`,
          c[e],
          c[(e + 1) % c.length],
          { color: m.color, width: 2 },
          `medsam2-marker-${m.kind}`,
        );
      return;
    }
    const [x, y] = viewport.worldToCanvas(m.world);
    if (m.kind === 'include') {
      drawing.drawCircle(
        svg,
        ANNOTATION_UID,
        id,
        [x, y],
        POINT_RADIUS,
        { color: '#ffffff', fill: m.color, width: 1.5 },
        'medsam2-marker-include',
      );
      return;
    }
    const r = POINT_RADIUS;
    drawing.drawCircle(
      svg,
      ANNOTATION_UID,
      id,
      [x, y],
      r,
      { color: EXCLUDE_COLOR, width: 2 },
      'medsam2-marker-exclude',
    );
    drawing.drawLine(svg, ANNOTATION_UID, `${id}-a`, [x - r, y - r], [x + r, y + r], {
      color: EXCLUDE_COLOR,
      width: 2,
    });
    drawing.drawLine(svg, ANNOTATION_UID, `${id}-b`, [x - r, y + r], [x + r, y - r], {
      color: EXCLUDE_COLOR,
      width: 2,
    });
  });
  return markers.length > 0;
}

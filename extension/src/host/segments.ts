/**
 * The segments of the open series: one per engine object, each a segment of the labelmap (and of
 * the exported SEG) with a label, a colour and SNOMED category/type codes. The list updates are
 * pure functions; SegmentEditor applies them to the panel state and keeps OHIF's segmentation
 * (labels, colours, active segment) in step.
 */
import { DEFAULT_CATEGORY, DEFAULT_TYPE } from '../dicom/codes';
import { SEGMENT_COLORS } from '../panel/segment-codes';
import type { SegmentState, SliceResult } from './controller-state';
import type { LabelmapLayer } from './labelmap';
import type { SegmentationService } from './ohif-types';

export type Rgb = readonly [number, number, number];
export type SegmentCodes = Partial<Pick<SegmentState, 'category' | 'type'>>;

// ---- the segment list (pure) -------------------------------------------------------------------

export const defaultSegmentLabel = (segmentIndex: number): string => `Segment ${segmentIndex}`;

/** A fresh segment: the palette colour of its index, Tissue/Tissue codes, no slice predicted yet. */
export function newSegment(
  objectId: number,
  segmentIndex: number,
  label: string,
  slices: number,
): SegmentState {
  return {
    objectId,
    segmentIndex,
    label,
    color: SEGMENT_COLORS[(segmentIndex - 1) % SEGMENT_COLORS.length],
    category: DEFAULT_CATEGORY,
    type: DEFAULT_TYPE,
    slices: new Array<SliceResult | null>(slices).fill(null),
    stale: [],
    promptedSlices: [],
  };
}

/** The labelmap index for the next segment: one past the highest in use (indices are never reused). */
export const nextSegmentIndex = (segments: readonly SegmentState[]): number =>
  Math.max(0, ...segments.map((s) => s.segmentIndex)) + 1;

export function findSegment(segments: readonly SegmentState[], objectId: number): SegmentState {
  const s = segments.find((x) => x.objectId === objectId);
  if (!s) throw new Error(`no segment for object ${objectId}`);
  return s;
}

export const patchSegment = (
  segments: readonly SegmentState[],
  objectId: number,
  patch: (s: SegmentState) => Partial<SegmentState>,
): SegmentState[] => segments.map((s) => (s.objectId === objectId ? { ...s, ...patch(s) } : s));

/** The label a rename gives: blank keeps the current one. */
export const renamedLabel = (s: SegmentState, label: string): string => label.trim() || s.label;

/** The codes after an edit: a code not given stays as it was. */
export const editedCodes = (
  s: SegmentState,
  codes: SegmentCodes,
): Pick<SegmentState, 'category' | 'type'> => ({
  category: codes.category ?? s.category,
  type: codes.type ?? s.type,
});

/** The segment's slices with one slice's result replaced (null: nothing predicted there). */
export const withSliceResult = (
  s: SegmentState,
  slice: number,
  result: SliceResult | null,
): readonly (SliceResult | null)[] => s.slices.map((r, k) => (k === slice ? result : r));

// ---- the editor --------------------------------------------------------------------------------

/** The part of the panel state the editor reads and publishes. */
export interface SegmentView {
  readonly segments: readonly SegmentState[];
  readonly activeObjectId: number | null;
}

/** Where the segments are drawn: the open series' labelmap, in its viewport. */
export interface SegmentTarget {
  readonly labelmap: LabelmapLayer;
  readonly viewportId: string;
}

export class SegmentEditor {
  constructor(
    private readonly service: SegmentationService,
    private readonly view: () => SegmentView,
    /** `quiet`: publish with the next painted frame rather than at once. */
    private readonly publish: (patch: Partial<SegmentView>, quiet?: boolean) => void,
  ) {}

  get(objectId: number): SegmentState {
    return findSegment(this.view().segments, objectId);
  }

  /** The selected segment's object id. */
  requireActive(): number {
    const id = this.view().activeObjectId;
    if (id === null) throw new Error('no segment selected');
    return id;
  }

  update(objectId: number, patch: (s: SegmentState) => Partial<SegmentState>, quiet = false): void {
    this.publish({ segments: patchSegment(this.view().segments, objectId, patch) }, quiet);
  }

  /** `slice`: the OHIF image index (the panel's numbering). */
  setSliceResult(objectId: number, slice: number, result: SliceResult | null, quiet = false): void {
    this.update(objectId, (s) => ({ slices: withSliceResult(s, slice, result) }), quiet);
  }

  /**
   * Adds a segment (named `label`, or "Segment <index>") for the engine object `addObject` creates,
   * draws it in the labelmap and selects it. Returns the object id.
   */
  async add(
    target: SegmentTarget,
    slices: number,
    label: string | undefined,
    addObject: (name: string) => Promise<number>,
  ): Promise<number> {
    const segmentIndex = nextSegmentIndex(this.view().segments);
    const name = label ?? defaultSegmentLabel(segmentIndex);
    const objectId = await addObject(name);
    const segment = newSegment(objectId, segmentIndex, name, slices);
    target.labelmap.addSegment(segmentIndex, { label: name, color: [...segment.color, 255] });
    this.publish({ segments: [...this.view().segments, segment], activeObjectId: objectId });
    return objectId;
  }

  select(target: SegmentTarget | null, objectId: number): void {
    const s = this.get(objectId);
    if (target) this.service.setActiveSegment(target.labelmap.segmentationId, s.segmentIndex);
    this.publish({ activeObjectId: objectId });
  }

  rename(target: SegmentTarget | null, objectId: number, label: string): void {
    const s = this.get(objectId);
    const name = renamedLabel(s, label);
    if (target) this.service.setSegmentLabel(target.labelmap.segmentationId, s.segmentIndex, name);
    this.update(objectId, () => ({ label: name }));
  }

  setColor(target: SegmentTarget | null, objectId: number, color: Rgb): void {
    const s = this.get(objectId);
    if (target)
      this.service.setSegmentColor(target.viewportId, target.labelmap.segmentationId, s.segmentIndex, [
        ...color,
        255,
      ]);
    this.update(objectId, () => ({ color }));
  }

  setCodes(objectId: number, codes: SegmentCodes): void {
    this.update(objectId, (s) => editedCodes(s, codes));
  }
}

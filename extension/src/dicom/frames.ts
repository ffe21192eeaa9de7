/**
 * Per-frame geometry of an image instance: classic single-frame images carry it at the top level;
 * enhanced multi-frame images (Enhanced CT/MR, SEG) carry it in functional groups, per frame or
 * shared (PS3.3 C.7.6.16).
 */
import { DatasetReader, tagLabel } from './dataset';
import { DicomError } from './errors';
import { type Orientation, type Vec3, orientationProblem } from './geometry';

export interface FrameGeometry {
  /** 0-based frame index within its instance. */
  readonly index: number;
  /** Names the frame in errors: "IM0001" or "IM0001 frame 3". */
  readonly source: string;
  readonly position: Vec3;
  readonly orientation: Orientation;
  /** (row spacing, column spacing) in mm. */
  readonly pixelSpacing: readonly [number, number];
  readonly sliceThickness?: number;
  readonly spacingBetweenSlices?: number;
  readonly rescaleSlope: number;
  readonly rescaleIntercept: number;
}

export const isMultiFrameWithFunctionalGroups = (r: DatasetReader): boolean =>
  r.items('PerFrameFunctionalGroupsSequence').length > 0;

/**
 * The functional group macro `sequence` for a frame: the per-frame item wins over the shared one
 * (a macro may be in one place or the other, never both, in a valid instance).
 */
export function functionalGroup(
  r: DatasetReader,
  frameIndex: number,
  sequence: string,
): DatasetReader | undefined {
  const perFrame = r.items('PerFrameFunctionalGroupsSequence')[frameIndex];
  const shared = r.item('SharedFunctionalGroupsSequence');
  const label = `${r.source} frame ${frameIndex + 1}`;
  const fromPerFrame = perFrame && new DatasetReader(perFrame, label).item(sequence);
  if (fromPerFrame) return new DatasetReader(fromPerFrame, label);
  const fromShared = shared && new DatasetReader(shared, label).item(sequence);
  return fromShared ? new DatasetReader(fromShared, `${r.source} (shared functional groups)`) : undefined;
}

function checkedOrientation(r: DatasetReader): Orientation {
  const o = r.numbers('ImageOrientationPatient', 6) as unknown as Orientation;
  const problem = orientationProblem(o);
  if (problem) throw r.invalid('ImageOrientationPatient', `${problem}: ${o.join('\\')}`);
  return o;
}

/** Spacings (mm) outside this range are corrupt values, not images: 1 nm to 1 km. */
export const SPACING_RANGE_MM = [1e-6, 1e6] as const;

export const plausibleSpacing = (mm: number): boolean =>
  Number.isFinite(mm) && mm >= SPACING_RANGE_MM[0] && mm <= SPACING_RANGE_MM[1];

function checkedSpacing(r: DatasetReader): [number, number] {
  const [dr, dc] = r.numbers('PixelSpacing', 2);
  if (!(plausibleSpacing(dr) && plausibleSpacing(dc)))
    throw r.invalid(
      'PixelSpacing',
      `must be positive (${SPACING_RANGE_MM[0]} to ${SPACING_RANGE_MM[1]} mm), is ${dr}\\${dc}`,
    );
  return [dr, dc];
}

/**
 * The slice spacing a single-slice volume takes from its header: SpacingBetweenSlices, else
 * SliceThickness, else 1 mm. A declared value that is not a plausible positive spacing is an error
 * (only for the frame that uses it: old MR files carry negative SpacingBetweenSlices that a
 * stack never reads).
 */
export function declaredSliceSpacing(g: FrameGeometry): number {
  const [keyword, v] =
    g.spacingBetweenSlices !== undefined
      ? (['SpacingBetweenSlices', g.spacingBetweenSlices] as const)
      : (['SliceThickness', g.sliceThickness] as const);
  if (v === undefined) return 1;
  if (!plausibleSpacing(v))
    throw new DicomError(
      'invalid-tag-value',
      `${g.source}: ${tagLabel(keyword)} must be positive (${SPACING_RANGE_MM[0]} to ${SPACING_RANGE_MM[1]} mm) ` +
        `to give a single-slice volume its thickness, is ${v}`,
    );
  return v;
}

/** Rescale Slope/Intercept (default 1/0): finite, and a slope of 0 would erase the image. */
function checkedRescale(r: DatasetReader | undefined): { rescaleSlope: number; rescaleIntercept: number } {
  // Present but empty is an error, not the default: the modality values would be guessed.
  const rescaleSlope = r?.present('RescaleSlope') ? r.number('RescaleSlope') : 1;
  const rescaleIntercept = r?.present('RescaleIntercept') ? r.number('RescaleIntercept') : 0;
  if (r && rescaleSlope === 0) throw r.invalid('RescaleSlope', 'is 0: every pixel would have the same value');
  return { rescaleSlope, rescaleIntercept };
}

/** Rescale of frame `index` (0-based) alone, for images used without their patient geometry. */
export function frameRescale(
  r: DatasetReader,
  index: number,
): { rescaleSlope: number; rescaleIntercept: number } {
  return checkedRescale(
    isMultiFrameWithFunctionalGroups(r) ? functionalGroup(r, index, 'PixelValueTransformationSequence') : r,
  );
}

function classicFrame(r: DatasetReader): FrameGeometry {
  return {
    index: 0,
    source: r.source,
    position: r.numbers('ImagePositionPatient', 3) as unknown as Vec3,
    orientation: checkedOrientation(r),
    pixelSpacing: checkedSpacing(r),
    sliceThickness: r.optNumber('SliceThickness'),
    spacingBetweenSlices: r.optNumber('SpacingBetweenSlices'),
    ...checkedRescale(r),
  };
}

function enhancedFrame(r: DatasetReader, index: number): FrameGeometry {
  const source = `${r.source} frame ${index + 1}`;
  const need = (sequence: string, tag: string): DatasetReader => {
    const group = functionalGroup(r, index, sequence);
    if (!group) {
      throw new DicomError('missing-tag', `${source}: ${tag} ${sequence} missing (per-frame and shared)`);
    }
    return group;
  };
  const position = need('PlanePositionSequence', '(0020,9113)');
  const orientation = need('PlaneOrientationSequence', '(0020,9116)');
  const measures = need('PixelMeasuresSequence', '(0028,9110)');
  const transform = functionalGroup(r, index, 'PixelValueTransformationSequence');
  return {
    index,
    source,
    position: position.numbers('ImagePositionPatient', 3) as unknown as Vec3,
    orientation: checkedOrientation(orientation),
    pixelSpacing: checkedSpacing(measures),
    sliceThickness: measures.optNumber('SliceThickness'),
    spacingBetweenSlices: measures.optNumber('SpacingBetweenSlices'),
    ...checkedRescale(transform),
  };
}

/** Geometry of every frame of an image instance with `numberOfFrames` frames. */
export function frameGeometries(r: DatasetReader, numberOfFrames: number): FrameGeometry[] {
  if (!isMultiFrameWithFunctionalGroups(r)) {
    if (numberOfFrames !== 1) {
      throw new DicomError(
        'missing-tag',
        `${r.source}: (5200,9230) PerFrameFunctionalGroupsSequence missing: a multi-frame image ` +
          `(${numberOfFrames} frames) needs per-frame positions to become a volume`,
      );
    }
    return [classicFrame(r)];
  }
  const perFrame = r.items('PerFrameFunctionalGroupsSequence');
  if (perFrame.length !== numberOfFrames) {
    throw r.invalid(
      'PerFrameFunctionalGroupsSequence',
      `has ${perFrame.length} items for (0028,0008) NumberOfFrames ${numberOfFrames}: one item per frame expected`,
    );
  }
  return Array.from({ length: numberOfFrames }, (_, i) => enhancedFrame(r, i));
}

/**
 * DICOM Segmentation reader: segment metadata and frames of any SEG (BINARY, FRACTIONAL,
 * LABELMAP; ours or another tool's; native or RLE pixel data, seg-pixels.ts), and the segments'
 * masks on a DicomVolume's grid. A frame lands on the slice it references (SourceImageSequence SOP
 * instance + frame number), or failing that on the slice at its PlanePositionSequence position.
 */
import { type Code, codeFromItem } from './codes';
import { type Dataset, DatasetReader } from './dataset';
import { DicomError, asDicomError } from './errors';
import { functionalGroup } from './frames';
import { type Orientation, type Vec3, dot, norm, sameOrientation, sub } from './geometry';
import { parsePart10 } from './part10';
import { segPixels } from './seg-pixels';
import { type DicomVolume } from './volume';
import { data as dcmjsData } from 'dcmjs';
import { LabelMapSegmentationStorage, SegmentationStorage } from './seg-writer';

export interface SegSegment {
  readonly number: number;
  readonly label: string;
  readonly description?: string;
  readonly algorithmType?: string;
  readonly algorithmName?: string;
  readonly category?: Code;
  readonly type?: Code;
  /** sRGB 0..255 from RecommendedDisplayCIELabValue, when present. */
  readonly color?: readonly [number, number, number];
}

export interface SegFrame {
  /** 0-based frame index in the SEG. */
  readonly index: number;
  /** BINARY/FRACTIONAL: the segment this frame belongs to. LABELMAP frames hold segment numbers. */
  readonly segmentNumber?: number;
  readonly position?: Vec3;
  readonly orientation?: Orientation;
  readonly referencedSOPInstanceUID?: string;
  readonly referencedFrameNumber?: number;
  /** rows×columns values: 0/1 (BINARY), 0..MaximumFractionalValue (FRACTIONAL), segment numbers (LABELMAP). */
  readonly pixels: Uint8Array | Uint16Array;
}

export interface ParsedSeg {
  readonly sopInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly studyInstanceUID: string;
  readonly frameOfReferenceUID?: string;
  readonly seriesNumber?: number;
  readonly seriesDescription?: string;
  /** The series its ReferencedSeriesSequence (0008,1115) names (empty when it has none). */
  readonly referencedSeriesInstanceUIDs: readonly string[];
  readonly segmentationType: 'BINARY' | 'FRACTIONAL' | 'LABELMAP';
  readonly maximumFractionalValue?: number;
  readonly rows: number;
  readonly columns: number;
  readonly segments: readonly SegSegment[];
  readonly frames: readonly SegFrame[];
}

const SEG_CLASSES = [SegmentationStorage, LabelMapSegmentationStorage];

function segmentOf(item: Dataset, source: string): SegSegment {
  const r = new DatasetReader(item, source);
  const lab = r.has('RecommendedDisplayCIELabValue')
    ? r.numbers('RecommendedDisplayCIELabValue', 3)
    : undefined;
  const rgb = lab ? dcmjsData.Colors.dicomlab2RGB8(lab) : undefined;
  const number = r.number('SegmentNumber');
  // PS3.3 C.8.20.2: segments are numbered from 1; 0 is a LABELMAP's background.
  if (!(Number.isInteger(number) && number >= 1))
    throw r.invalid(
      'SegmentNumber',
      `must be a positive integer (segments are numbered from 1), is ${number}`,
    );
  return {
    number,
    label: r.optString('SegmentLabel') ?? '',
    description: r.optString('SegmentDescription'),
    algorithmType: r.optString('SegmentAlgorithmType'),
    algorithmName: r.optString('SegmentAlgorithmName'),
    category: codeFromItem(r.item('SegmentedPropertyCategoryCodeSequence')),
    type: codeFromItem(r.item('SegmentedPropertyTypeCodeSequence')),
    color: rgb ? [rgb[0], rgb[1], rgb[2]] : undefined,
  };
}

/** Parse a SEG's metadata and frames (no volume needed). */
export function parseSeg(bytes: ArrayBuffer, name = 'SEG'): ParsedSeg {
  try {
    return parseSegChecked(bytes, name);
  } catch (e) {
    throw asDicomError(name, e);
  }
}

function parseSegChecked(bytes: ArrayBuffer, name: string): ParsedSeg {
  const file = parsePart10(name, bytes);
  const r = new DatasetReader(file.dataset, name);
  const sopClass = r.string('SOPClassUID');
  if (!SEG_CLASSES.includes(sopClass)) {
    throw new DicomError(
      'invalid-segmentation',
      `${name}: (0008,0016) SOPClassUID ${sopClass} is not a Segmentation`,
    );
  }
  const typeValue = r.string('SegmentationType');
  if (typeValue !== 'BINARY' && typeValue !== 'FRACTIONAL' && typeValue !== 'LABELMAP') {
    throw r.invalid('SegmentationType', `is ${typeValue}, not BINARY, FRACTIONAL or LABELMAP`);
  }
  const rows = r.number('Rows');
  const columns = r.number('Columns');
  for (const [keyword, v] of [
    ['Rows', rows],
    ['Columns', columns],
  ] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw r.invalid(keyword, `must be a positive integer, is ${v}`);
  const bits = r.number('BitsAllocated');
  const expectedBits = typeValue === 'BINARY' ? [1] : typeValue === 'FRACTIONAL' ? [8] : [8, 16];
  if (!expectedBits.includes(bits)) {
    throw r.invalid('BitsAllocated', `is ${bits}; a ${typeValue} SEG uses ${expectedBits.join(' or ')}`);
  }
  const segments = r
    .items('SegmentSequence')
    .map((item, i) => segmentOf(item, `${name} segment item ${i + 1}`));
  if (segments.length === 0)
    throw new DicomError('missing-tag', `${name}: (0062,0002) SegmentSequence missing or empty`);

  const pixels = segPixels(file, r, bits);
  const frames: SegFrame[] = [];
  for (let i = 0; i < pixels.count; i++) {
    const identification = functionalGroup(r, i, 'SegmentIdentificationSequence');
    const position = functionalGroup(r, i, 'PlanePositionSequence');
    const orientation = functionalGroup(r, i, 'PlaneOrientationSequence');
    const derivation = functionalGroup(r, i, 'DerivationImageSequence');
    const sourceImage = derivation?.item('SourceImageSequence');
    const source = sourceImage ? new DatasetReader(sourceImage, `${name} frame ${i + 1}`) : undefined;
    if (typeValue !== 'LABELMAP' && !identification) {
      throw new DicomError(
        'missing-tag',
        `${name} frame ${i + 1}: (0062,000A) SegmentIdentificationSequence with its (0062,000B) ` +
          `ReferencedSegmentNumber missing (per-frame and shared): the frame belongs to no segment`,
      );
    }
    frames.push({
      index: i,
      segmentNumber: identification?.number('ReferencedSegmentNumber'),
      position: position?.has('ImagePositionPatient')
        ? (position.numbers('ImagePositionPatient', 3) as unknown as Vec3)
        : undefined,
      orientation: orientation?.has('ImageOrientationPatient')
        ? (orientation.numbers('ImageOrientationPatient', 6) as unknown as Orientation)
        : undefined,
      referencedSOPInstanceUID: source?.optString('ReferencedSOPInstanceUID'),
      referencedFrameNumber: source?.optNumber('ReferencedFrameNumber'),
      pixels: pixels.frame(i),
    });
  }
  return {
    sopInstanceUID: r.string('SOPInstanceUID'),
    seriesInstanceUID: r.string('SeriesInstanceUID'),
    studyInstanceUID: r.string('StudyInstanceUID'),
    frameOfReferenceUID: r.optString('FrameOfReferenceUID'),
    seriesNumber: r.optNumber('SeriesNumber'),
    seriesDescription: r.optString('SeriesDescription'),
    referencedSeriesInstanceUIDs: r
      .items('ReferencedSeriesSequence')
      .map((item, i) => new DatasetReader(item, `${name} ReferencedSeriesSequence item ${i + 1}`))
      .map((s) => s.optString('SeriesInstanceUID'))
      .filter((uid): uid is string => uid !== undefined),
    segmentationType: typeValue,
    maximumFractionalValue: r.optNumber('MaximumFractionalValue'),
    rows,
    columns,
    segments,
    frames,
  };
}

/** The volume slice a SEG frame belongs to, by reference or by position. */
function sliceOf(frame: SegFrame, volume: DicomVolume, name: string, segFrameOfReference?: string): number {
  if (frame.referencedSOPInstanceUID) {
    const k = volume.slices.findIndex(
      (s) =>
        s.sopInstanceUID === frame.referencedSOPInstanceUID &&
        (s.frameNumber === undefined ||
          frame.referencedFrameNumber === undefined ||
          s.frameNumber === frame.referencedFrameNumber),
    );
    if (k >= 0) return k;
  }
  if (frame.position) {
    // Positions only compare within one frame of reference.
    if (
      segFrameOfReference &&
      volume.frameOfReferenceUID &&
      segFrameOfReference !== volume.frameOfReferenceUID
    ) {
      throw new DicomError(
        'seg-grid-mismatch',
        `${name} frame ${frame.index + 1}: references no slice of series ${volume.seriesInstanceUID}, and its ` +
          `(0020,0052) FrameOfReferenceUID ${segFrameOfReference} differs from the volume's ${volume.frameOfReferenceUID}`,
      );
    }
    const tolerance = Math.max(1e-3, 0.1 * Math.min(...volume.spacing));
    const k = volume.slices.findIndex(
      (s) => norm(sub(frame.position as Vec3, s.imagePositionPatient)) <= tolerance,
    );
    if (k >= 0) return k;
    const along = dot(sub(frame.position, volume.slices[0].imagePositionPatient), volume.normal);
    throw new DicomError(
      'seg-grid-mismatch',
      `${name} frame ${frame.index + 1}: position ${frame.position.join('\\')} (${along.toFixed(3)} mm along the ` +
        `normal from slice 0) is on no slice of series ${volume.seriesInstanceUID}`,
    );
  }
  throw new DicomError(
    'seg-grid-mismatch',
    `${name} frame ${frame.index + 1}: references ${frame.referencedSOPInstanceUID ?? 'no image'} and has no ` +
      `(0020,0032) ImagePositionPatient: cannot place it on series ${volume.seriesInstanceUID}`,
  );
}

export interface SegOnVolume {
  readonly seg: ParsedSeg;
  /** One mask per segment (SegmentSequence order), one byte per voxel of the volume, 0/1. */
  readonly segments: readonly (SegSegment & { readonly mask: Uint8Array })[];
}

/** Read a SEG onto `onto`'s grid: a 0/1 mask per segment. */
export function readSeg(bytes: ArrayBuffer, onto: DicomVolume, name = 'SEG'): SegOnVolume {
  try {
    return segOnVolume(parseSeg(bytes, name), onto, name);
  } catch (e) {
    throw asDicomError(name, e);
  }
}

/** The values of a SEG's frames other than 0, up to `limit` of them. */
export function nonZeroValues(seg: ParsedSeg, limit = 2): number[] {
  const seen = new Set<number>();
  for (const frame of seg.frames)
    for (const v of frame.pixels) {
      if (v === 0 || seen.has(v)) continue;
      seen.add(v);
      if (seen.size >= limit) return [...seen];
    }
  return [...seen];
}

/**
 * Above which value a FRACTIONAL frame's pixel is in its segment: half the maximum, except in a SEG
 * holding one value besides 0, a binary mask in fractional form (dcmjs's cornerstone adapter, as
 * OHIF 2 exported, writes 1 of MaximumFractionalValue 255): there, any value besides 0.
 */
function fractionalThreshold(seg: ParsedSeg): number {
  return nonZeroValues(seg).length === 1 ? 0 : (seg.maximumFractionalValue ?? 255) / 2;
}

/** `readSeg` for a SEG already parsed. */
export function segOnVolume(seg: ParsedSeg, onto: DicomVolume, name = 'SEG'): SegOnVolume {
  const [columns, rows, slices] = onto.dims;
  if (seg.rows !== rows || seg.columns !== columns) {
    throw new DicomError(
      'seg-grid-mismatch',
      `${name}: frames are ${seg.rows}×${seg.columns} (rows×columns), the volume's slices ${rows}×${columns}`,
    );
  }
  const perSlice = rows * columns;
  const masks = new Map(seg.segments.map((s) => [s.number, new Uint8Array(perSlice * slices)]));
  const threshold = seg.segmentationType === 'FRACTIONAL' ? fractionalThreshold(seg) : 0;
  for (const frame of seg.frames) {
    if (frame.orientation && !sameOrientation(frame.orientation, onto.imageOrientationPatient)) {
      throw new DicomError(
        'seg-grid-mismatch',
        `${name} frame ${frame.index + 1}: orientation ${frame.orientation.join('\\')} differs from the volume's ` +
          `${onto.imageOrientationPatient.join('\\')}`,
      );
    }
    const offset = sliceOf(frame, onto, name, seg.frameOfReferenceUID) * perSlice;
    if (seg.segmentationType === 'LABELMAP') {
      frame.pixels.forEach((v, p) => {
        const mask = masks.get(v);
        if (mask) mask[offset + p] = 1;
      });
      continue;
    }
    const mask = masks.get(frame.segmentNumber ?? -1);
    if (!mask) {
      throw new DicomError(
        'invalid-segmentation',
        `${name} frame ${frame.index + 1}: ReferencedSegmentNumber ${frame.segmentNumber} is not in SegmentSequence`,
      );
    }
    frame.pixels.forEach((v, p) => {
      if (v > threshold) mask[offset + p] = 1;
    });
  }
  return { seg, segments: seg.segments.map((s) => ({ ...s, mask: masks.get(s.number) as Uint8Array })) };
}

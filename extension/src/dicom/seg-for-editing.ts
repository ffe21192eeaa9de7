/**
 * A SEG opened for editing: its segments as binary masks on the series in view, each voxel in at
 * most one segment (the viewer's labelmap holds one segment per voxel), with nothing changed.
 * Beyond what `readSeg` checks (grid, frames on slices, segment numbers), a SEG is refused when:
 * - its ReferencedSeriesSequence names other series only;
 * - it is FRACTIONAL with more than one value besides 0 (editing would binarise them; one value
 *   besides 0 is a binary mask in fractional form, as dcmjs writes one);
 * - two SegmentSequence items share a SegmentNumber;
 * - two segments overlap.
 * Every refusal is a DicomError naming the file, the segment(s) and the frame or slice.
 */
import { DicomError, asDicomError } from './errors';
import { type ParsedSeg, type SegSegment, nonZeroValues, parseSeg, segOnVolume } from './seg-reader';
import type { DicomVolume } from './volume';

export interface EditableSegment extends SegSegment {
  /** One byte per voxel of the volume (x fastest, the volume's slice order), 0/1. */
  readonly mask: Uint8Array;
  /** Voxels of the segment on each volume slice. */
  readonly sliceVoxels: readonly number[];
}

export interface EditableSeg {
  readonly seg: ParsedSeg;
  readonly segments: readonly EditableSegment[];
}

/** Read a SEG onto `onto` (the series in view) as editable binary segments, or say why not. */
export function readSegForEditing(bytes: ArrayBuffer, onto: DicomVolume, name = 'SEG'): EditableSeg {
  try {
    const seg = parseSeg(bytes, name);
    checkBinaryValues(seg, name);
    checkReferencedSeries(seg, onto, name);
    checkSegmentNumbers(seg, name);
    const [columns, rows, slices] = onto.dims;
    const perSlice = columns * rows;
    const segments = segOnVolume(seg, onto, name).segments.map((s) => {
      const sliceVoxels = new Array<number>(slices).fill(0);
      for (let v = 0; v < s.mask.length; v++) if (s.mask[v]) sliceVoxels[Math.floor(v / perSlice)]++;
      return { ...s, sliceVoxels };
    });
    checkOverlap(segments, onto, name);
    return { seg, segments };
  } catch (e) {
    throw asDicomError(name, e);
  }
}

const segmentName = (s: SegSegment): string => `segment ${s.number}${s.label ? ` "${s.label}"` : ''}`;

function checkReferencedSeries(seg: ParsedSeg, onto: DicomVolume, name: string): void {
  const referenced = seg.referencedSeriesInstanceUIDs;
  if (referenced.length === 0 || referenced.includes(onto.seriesInstanceUID)) return;
  throw new DicomError(
    'seg-grid-mismatch',
    `${name}: (0008,1115) ReferencedSeriesSequence names series ${referenced.join(', ')}, ` +
      `not the series in view (${onto.seriesInstanceUID})`,
  );
}

/**
 * A FRACTIONAL SEG opens when it holds one value besides 0 (a binary mask in fractional form, which
 * readSeg reads as such); more values are fractions that editing would binarise.
 */
function checkBinaryValues(seg: ParsedSeg, name: string): void {
  if (seg.segmentationType !== 'FRACTIONAL') return;
  const values = nonZeroValues(seg);
  if (values.length < 2) return;
  const frame = seg.frames.find((f) => f.pixels.includes(values[1]));
  throw new DicomError(
    'seg-not-editable',
    `${name} frame ${(frame?.index ?? 0) + 1}: FRACTIONAL values ${values[0]} and ${values[1]} of ` +
      `${seg.maximumFractionalValue ?? 255} (segment ${frame?.segmentNumber ?? '?'}): editing would turn ` +
      `fractions into a binary mask`,
  );
}

function checkSegmentNumbers(seg: ParsedSeg, name: string): void {
  const seen = new Set<number>();
  for (const s of seg.segments) {
    if (seen.has(s.number))
      throw new DicomError(
        'invalid-segmentation',
        `${name}: (0062,0004) SegmentNumber ${s.number} is used by two SegmentSequence items`,
      );
    seen.add(s.number);
  }
}

function checkOverlap(segments: readonly EditableSegment[], onto: DicomVolume, name: string): void {
  const owner = new Uint16Array(segments[0]?.mask.length ?? 0);
  const [columns, rows] = onto.dims;
  segments.forEach((s, i) => {
    const { mask } = s;
    for (let v = 0; v < mask.length; v++) {
      if (!mask[v]) continue;
      if (owner[v] === 0) {
        owner[v] = i + 1;
        continue;
      }
      const other = segments[owner[v] - 1];
      const slice = Math.floor(v / (columns * rows));
      let shared = 0;
      for (let w = 0; w < mask.length; w++) if (mask[w] && other.mask[w]) shared++;
      throw new DicomError(
        'seg-not-editable',
        `${name}: ${segmentName(other)} and ${segmentName(s)} overlap (${shared} voxel(s), first on the slice ` +
          `of ${onto.slices[slice].sopInstanceUID}); the viewer's labelmap holds one segment per voxel`,
      );
    }
  });
}

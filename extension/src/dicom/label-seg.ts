/**
 * Label volumes ↔ DICOM SEG (BINARY), for reference segmentations such as an atlas.
 *
 * Writing: one segment per label id, in the order given, SegmentLabel "label <id>" or
 * "label <id> <name>" (≤ 64 characters), SegmentAlgorithmType MANUAL (reference labels, not a
 * model's output).
 * Reading: when any segment's SegmentLabel has that form, label id N is the segment labelled
 * "label N …"; otherwise (another tool's SEG) label id N is SegmentNumber N.
 */
import { InputError } from '../engine/errors';
import { type SegOnVolume } from './seg-reader';
import { type SegmentInput, writeSeg } from './seg-writer';
import { type DicomVolume } from './volume';

const LABEL_PATTERN = /^label (-?\d+)(?: (.*))?$/;

/** The SegmentLabel written for label `id` (with its name, when known). */
export function labelSegmentLabel(id: number, name?: string): string {
  return (name ? `label ${id} ${name}` : `label ${id}`).slice(0, 64);
}

/** The label id and name a SegmentLabel written by `labelSegmentLabel` carries, else undefined. */
export function parseLabelSegmentLabel(label: string): { id: number; name?: string } | undefined {
  const m = LABEL_PATTERN.exec(label.trim());
  return m ? { id: Number(m[1]), ...(m[2] ? { name: m[2] } : {}) } : undefined;
}

export interface LabelSegOptions {
  /** Names the label volume in error messages (e.g. its file name). */
  readonly name: string;
  readonly labelNames?: ReadonlyMap<number, string>;
  readonly seriesDescription?: string;
  /** SoftwareVersions of the SEG (the converting program's version). */
  readonly softwareVersions: string;
  readonly now?: Date;
}

/**
 * A SEG on `volume` with one segment per id of `labels` (x-fastest, in the volume's slice order;
 * values are compared after rounding, as label volumes may be float).
 */
export function writeLabelSeg(
  volume: DicomVolume,
  labels: ArrayLike<number>,
  ids: readonly number[],
  options: LabelSegOptions,
): ArrayBuffer {
  const masks = ids.map(() => new Uint8Array(labels.length));
  const counts = ids.map(() => 0);
  const slot = new Map(ids.map((id, n) => [id, n]));
  for (let i = 0; i < labels.length; i++) {
    const n = slot.get(Math.round(labels[i]));
    if (n === undefined) continue;
    masks[n][i] = 1;
    counts[n]++;
  }
  const empty = ids.find((_, n) => counts[n] === 0);
  if (empty !== undefined)
    throw new InputError('invalid-volume', `${options.name}: label ${empty} has no voxels`);
  const segments: SegmentInput[] = ids.map((id, n) => ({
    label: labelSegmentLabel(id, options.labelNames?.get(id)),
    mask: masks[n],
  }));
  return writeSeg(volume, segments, {
    format: 'binary',
    algorithmType: 'MANUAL',
    algorithmVersion: '',
    modelHash: '',
    softwareVersions: options.softwareVersions,
    seriesDescription: options.seriesDescription ?? 'Reference labels',
    contentLabel: 'LABELS',
    now: options.now,
  });
}

export interface LabelsFromSeg {
  /** Label volume on the SEG's volume grid: voxel = label id, 0 elsewhere. */
  readonly labels: Float32Array;
  /** Label id → name (from "label N name", else the SegmentLabel). */
  readonly names: Map<number, string>;
}

/** The label volume of the requested ids from a SEG read onto a volume (mapping: see above). */
export function labelsFromSeg(seg: SegOnVolume, ids: readonly number[], name: string): LabelsFromSeg {
  const ours = seg.segments.some((s) => parseLabelSegmentLabel(s.label) !== undefined);
  const labels = new Float32Array(seg.segments[0]?.mask.length ?? 0);
  const names = new Map<number, string>();
  for (const id of ids) {
    const segment = seg.segments.find((s) =>
      ours ? parseLabelSegmentLabel(s.label)?.id === id : s.number === id,
    );
    if (!segment) {
      const known = seg.segments.map((s) => `${s.number} "${s.label}"`).join(', ');
      throw new InputError(
        'invalid-options',
        `${name}: no segment for label id ${id} (matched by ${ours ? 'the id in SegmentLabel' : 'SegmentNumber'}; ` +
          `segments: ${known})`,
      );
    }
    names.set(id, parseLabelSegmentLabel(segment.label)?.name ?? segment.label);
    const { mask } = segment;
    for (let i = 0; i < mask.length; i++) {
      if (!mask[i]) continue;
      if (labels[i] !== 0 && labels[i] !== id)
        throw new InputError(
          'invalid-options',
          `${name}: segments for label ids ${labels[i]} and ${id} overlap at voxel ${i}; evaluate them in separate runs`,
        );
      labels[i] = id;
    }
  }
  return { labels, names };
}

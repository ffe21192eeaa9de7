/**
 * What `one-prompt` writes besides the masks: output names (unique, made from the input file names,
 * contained in the output folder), one SEG per DICOM source series, and the memory trace lines.
 */
import * as path from 'node:path';
import {
  DicomError,
  imageGrid,
  type NamedBytes,
  parsePart10,
  type SegSource,
  volumeFromPart10,
  writeSeg,
} from '../dicom';
import { isUid } from '../dicom/dataset';
import type { BankTrace } from '../engine/propagation/object-track';
import type { InputImage } from './image-files';

/**
 * A file name for each image: its file's base name without the image extension, "-f<n>" for frame
 * n of a multi-frame file, characters other than letters, digits, '.', '_' and '-' replaced by '_';
 * a name already taken gets "-2", "-3", …. Names differing only in case count as taken (they are one
 * file on macOS and Windows), and a base name is cut to MAX_NAME_BASE characters so that every file
 * name stays within the 255 bytes file systems allow.
 */
export function outputNames(images: readonly InputImage[]): string[] {
  const taken = new Set<string>();
  return images.map((img) => {
    const base = path
      .basename(img.file)
      .replace(/\.(nii\.gz|nii|dcm|dicom|png|jpe?g)$/i, '')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, MAX_NAME_BASE);
    const frame = img.dicom?.image.frameNumber;
    const stem = (base || 'image') + (frame === undefined ? '' : `-f${frame}`);
    let name = stem;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${stem}-${n}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** Characters kept of an input's base name in an output name (room left for "-f<frame>-<n>.png"). */
export const MAX_NAME_BASE = 200;

export interface SegResult {
  readonly series: string;
  /** The SEG's file name in the output folder, or null when none could be written. */
  readonly file: string | null;
  readonly bytes?: ArrayBuffer;
  /** Why no SEG was written. */
  readonly reason?: string;
}

export interface SegSettings {
  readonly label: string;
  readonly algorithmVersion: string;
  readonly modelHash: string;
  readonly seriesDescription: string;
}

/**
 * One SEG per DICOM source series: on the volume when its images form one (same size, patient
 * geometry of a regular stack), otherwise on its images as 2D images without patient geometry (a
 * CR, an ultrasound cine, a multi-frame SC: frames referenced by SOP instance and frame number).
 * A series whose images were not all segmented, or that differ in size, gets no SEG, with the
 * reason; its PNG masks stand.
 */
export function segsPerSeries(
  images: readonly InputImage[],
  masks: ReadonlyMap<number, Uint8Array>,
  settings: SegSettings,
): SegResult[] {
  const bySeries = new Map<string, number[]>();
  images.forEach((img, i) => {
    if (!img.dicom) return;
    const series = img.dicom.image.seriesInstanceUID;
    bySeries.set(series, [...(bySeries.get(series) ?? []), i]);
  });
  return [...bySeries].map(([series, indices]) => {
    // The UID was checked as a UID when read ([0-9.] only): safe as a file name.
    if (!isUid(series)) return { series, file: null, reason: 'SeriesInstanceUID is not a UID' };
    const files = new Map<string, NamedBytes>();
    for (const i of indices) files.set(images[i].file, (images[i].dicom as { file: NamedBytes }).file);
    let source: SegSource;
    try {
      source = volumeFromPart10([...files.values()]);
    } catch (e) {
      if (!(e instanceof DicomError)) throw e;
      try {
        source = imageGrid(
          [...files.values()].map((f) => ({ label: f.name, dataset: parsePart10(f.name, f.bytes).dataset })),
        );
      } catch (e2) {
        if (!(e2 instanceof DicomError)) throw e2;
        return {
          series,
          file: null,
          reason: `its images are neither one volume nor one image grid (${e2.message})`,
        };
      }
    }
    const plane = source.dims[0] * source.dims[1];
    const mask = new Uint8Array(plane * source.dims[2]);
    for (const [k, slice] of source.slices.entries()) {
      const i = indices.find((j) => {
        const d = (images[j].dicom as { image: { sopInstanceUID: string; frameNumber?: number } }).image;
        return d.sopInstanceUID === slice.sopInstanceUID && d.frameNumber === slice.frameNumber;
      });
      const m = i === undefined ? undefined : masks.get(i);
      if (!m)
        return { series, file: null, reason: `${slice.source} was not segmented (not among the images)` };
      if (m.length !== plane)
        return {
          series,
          file: null,
          reason: `${slice.source}: its mask is not ${source.dims[0]}×${source.dims[1]}`,
        };
      mask.set(m, k * plane);
    }
    if (!mask.some((v) => v !== 0))
      return { series, file: null, reason: 'every mask of the series is empty' };
    const bytes = writeSeg(source, [{ label: settings.label, mask }], {
      format: 'binary',
      algorithmVersion: settings.algorithmVersion,
      modelHash: settings.modelHash,
      seriesDescription: settings.seriesDescription,
    });
    return { series, file: `seg-${series}.dcm`, bytes };
  });
}

const fmt = (x: number) => x.toFixed(3);

/**
 * One line per segmented image: which memories it attended (Eq. 5's draws, or SAM 2's window),
 * the bank's similarity and probability per entry (Eq. 4) and what the bank did with it (Eq. 2–3).
 */
export function traceLine(name: string, trace: BankTrace | undefined, names: readonly string[]): string {
  if (!trace) return `trace ${name}: template (prompted, no memory)`;
  const bank = trace.probabilities.length
    ? trace.probabilities.map((e) => `${names[e.frame]} sim ${fmt(e.similarity)} p ${fmt(e.p)}`).join(', ')
    : 'empty or not resampled';
  const reason = namedReason(trace.offer.reason || (trace.offer.accepted ? 'kept' : 'not kept'), names);
  return (
    `trace ${name}: attended [${trace.attended.map((i) => names[i]).join(', ')}]; ` +
    `bank (Eq. 4): ${bank}; offered: ${reason}; ` +
    `bank now [${trace.bankAfter.map((i) => names[i]).join(', ')}]`
  );
}

/** The engine's reasons name images by index ("evicted image 3 (D=…)"): name them as the outputs do. */
export const namedReason = (reason: string, names: readonly string[]): string =>
  reason.replace(/image (\d+)/g, (_, i: string) => names[Number(i)] ?? `image ${i}`);

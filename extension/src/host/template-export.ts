/**
 * Export for "Use as template": one SEG per display set of the set, through the panel's own SEG
 * export (export-seg.ts: STOW-RS, or a download). A display set whose images form a volume (patient
 * geometry of a regular stack) gets its SEG on the volume; one whose images do not (a multi-frame
 * cine or secondary capture without per-frame positions, a single image, a CR) gets a SEG on its 2D
 * images (no Frame of Reference: frames referenced by SOP instance and frame number). One that was
 * not segmented to the end, or whose images differ in size, gets none, and says why.
 */
import { DicomError } from '../dicom/errors';
import { type DicomImageGrid, imageGrid } from '../dicom/image-grid';
import type { SegSource } from '../dicom/seg-writer';
import { errorText } from '../engine/errors';
import type { ModelInfo } from '../worker/protocol';
import type { ControllerParts } from './controller-parts';
import type { SegmentState, TemplateSeriesExport } from './controller-state';
import { segSeriesDescription } from './export-naming';
import { exportSegmentation } from './export-seg';
import type { OhifDisplaySet } from './ohif-types';
import { SeriesError, loadSeriesVolume, plainMetadata } from './series';
import { displaySetLabel, isMultiFrame } from './set-images';
import type { TemplateSet } from './template-set';

export interface TemplateExportOptions {
  readonly segment: SegmentState;
  readonly model: ModelInfo;
  /** A new series number in the study for each SEG. */
  readonly seriesNumber: (studyInstanceUID: string) => number;
}

export async function segsPerSeries(
  parts: ControllerParts,
  set: TemplateSet,
  displaySetUids: readonly string[],
  options: TemplateExportOptions,
): Promise<TemplateSeriesExport[]> {
  const exports: TemplateSeriesExport[] = [];
  const { core } = parts.libs();
  for (const uid of displaySetUids) {
    const displaySet = parts.host.services.displaySetService.getDisplaySetByUID(uid);
    if (!displaySet) continue;
    const label = displaySetLabel(displaySet);
    const noSeg = (why: string) =>
      exports.push({ displaySetInstanceUID: uid, label, status: 'no-seg', message: `no SEG: ${why}` });
    const got = set.masksOf(uid);
    if ('missing' in got) {
      noSeg(`${got.missing} was not segmented (run the set to the end first)`);
      continue;
    }
    const placed = await segGrid(displaySet, core);
    if ('why' in placed) {
      noSeg(placed.why);
      continue;
    }
    const { source, imageIndexOfSlice } = placed;
    const [w, h, n] = source.dims;
    const mask = new Uint8Array(w * h * n);
    const sizeless = imageIndexOfSlice.find((i) => got.masks.get(i)?.length !== w * h);
    if (sizeless !== undefined) {
      noSeg(`image ${sizeless + 1} is not ${w}×${h} like the rest of the series`);
      continue;
    }
    imageIndexOfSlice.forEach((i, k) => mask.set(got.masks.get(i) as Uint8Array, k * w * h));
    try {
      const result = await exportSegmentation({
        volume: source,
        segments: [{ segment: options.segment, mask }],
        model: options.model,
        seriesNumber: options.seriesNumber(displaySet.StudyInstanceUID),
        seriesDescription: segSeriesDescription([options.segment.label], new Date()),
        format: parts.host.config.segFormat,
        dataSource: parts.host.extensionManager.getActiveDataSource()?.[0],
      });
      exports.push({
        displaySetInstanceUID: uid,
        label,
        status: result.status === 'stored' ? 'stored' : 'failed',
        message: result.message ?? '',
        downloadUrl: result.downloadUrl,
        fileName: result.fileName,
        sopInstanceUID: result.sopInstanceUID,
      });
    } catch (e) {
      exports.push({ displaySetInstanceUID: uid, label, status: 'failed', message: errorText(e) });
    }
  }
  return exports;
}

/** Where a display set's SEG goes: its volume, else its 2D images; and the image index of each SEG slice. */
async function segGrid(
  displaySet: OhifDisplaySet,
  core: Parameters<typeof loadSeriesVolume>[1],
): Promise<{ source: SegSource; imageIndexOfSlice: readonly number[] } | { why: string }> {
  if (!isMultiFrame(displaySet) && (displaySet.imageIds ?? []).length >= 2) {
    try {
      const grid = await loadSeriesVolume(displaySet, core);
      return { source: grid.volume, imageIndexOfSlice: grid.imageIndexOfSlice };
    } catch (e) {
      if (!(e instanceof SeriesError) && !(e instanceof DicomError)) throw e;
      // Not a volume (no patient geometry, a single image …): its 2D images then.
    }
  }
  let grid: DicomImageGrid;
  try {
    grid = imageGrid(
      (displaySet.instances ?? []).map((i) => ({
        label: `instance ${i.SOPInstanceUID}`,
        dataset: plainMetadata(i),
      })),
    );
  } catch (e) {
    if (!(e instanceof DicomError)) throw e;
    return { why: `its images are neither a volume nor one grid of 2D images (${e.message})` };
  }
  const imageIndexOfSlice = imageIndexOfGridSlices(displaySet, grid);
  if (typeof imageIndexOfSlice === 'string') return { why: imageIndexOfSlice };
  return { source: grid, imageIndexOfSlice };
}

/**
 * The display-set image index of each grid slice (SOP instance, frame). An image id names its
 * instance (single-frame: the instance's imageId) or its frame (DICOMweb ".../instances/<uid>/frames/<n>");
 * failing that, OHIF's order (instances in order, each frame in order) is used when the counts agree.
 */
function imageIndexOfGridSlices(displaySet: OhifDisplaySet, grid: DicomImageGrid): number[] | string {
  const imageIds = displaySet.imageIds ?? [];
  const key = (sop: string, frame: number | undefined) => `${sop}#${frame ?? 1}`;
  const index = new Map<string, number>();
  const byImageId = new Map((displaySet.instances ?? []).map((i) => [i.imageId, i.SOPInstanceUID] as const));
  imageIds.forEach((id, i) => {
    const frame = /\/instances\/([0-9.]+)\/frames\/(\d+)/.exec(id);
    if (frame) index.set(key(frame[1], Number(frame[2])), i);
    else if (byImageId.has(id)) index.set(key(String(byImageId.get(id)), undefined), i);
  });
  const found = grid.slices.map((s) => index.get(key(s.sopInstanceUID, s.frameNumber)));
  if (found.every((i): i is number => i !== undefined)) return found;
  if (imageIds.length === grid.slices.length) return grid.slices.map((_, k) => k);
  const missing = grid.slices[found.findIndex((i) => i === undefined)];
  return `${missing.source} has no image in the display set`;
}

/**
 * Export for "Use as template": one SEG per display set of the set, through the panel's own SEG
 * export (export-seg.ts: STOW-RS, or a download). A SEG needs the images of a volume (patient
 * geometry of a regular stack); a display set whose images are not one (a multi-frame cine or
 * secondary capture without per-frame positions, a single image) or that was not segmented to the
 * end gets none, and says why.
 */
import { errorText } from '../engine/errors';
import type { ModelInfo } from '../worker/protocol';
import type { ControllerParts } from './controller-parts';
import type { SegmentState, TemplateSeriesExport } from './controller-state';
import { segSeriesDescription } from './export-naming';
import { exportSegmentation } from './export-seg';
import { SeriesError, type SeriesVolume, loadSeriesVolume } from './series';
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
    if (isMultiFrame(displaySet)) {
      noSeg(
        'its images are the frames of a multi-frame instance without per-frame patient positions, and a SEG needs images that form a volume with patient geometry',
      );
      continue;
    }
    let grid: SeriesVolume;
    try {
      grid = await loadSeriesVolume(displaySet, core);
    } catch (e) {
      if (!(e instanceof SeriesError)) throw e;
      noSeg(`a SEG needs images that form a volume with patient geometry (${e.message})`);
      continue;
    }
    const [w, h, n] = grid.volume.dims;
    const mask = new Uint8Array(w * h * n);
    const sizeless = grid.imageIndexOfSlice.find((i) => got.masks.get(i)?.length !== w * h);
    if (sizeless !== undefined) {
      noSeg(`image ${sizeless + 1} is not ${w}×${h} like the rest of the series`);
      continue;
    }
    grid.imageIndexOfSlice.forEach((i, k) => mask.set(got.masks.get(i) as Uint8Array, k * w * h));
    try {
      const result = await exportSegmentation({
        volume: grid.volume,
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

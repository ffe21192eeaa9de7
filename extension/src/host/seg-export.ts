/**
 * Export for the panel: a DICOM SEG of every segment (the engine's final masks), a new series each
 * time named after its segments and the time (export-naming.ts), stored with STOW-RS to the active
 * data source or offered for download (export-seg.ts).
 */
import { errorText } from '../engine/errors';
import type { ControllerParts } from './controller-parts';
import type { SegmentState } from './controller-state';
import { nextSeriesNumber, segSeriesDescription } from './export-naming';
import { exportSegmentation } from './export-seg';
import type { SeriesSessions } from './open-series';

export class SegExport {
  /** Series numbers given to this session's exports (each export gets a new one). */
  private readonly exportedSeriesNumbers: number[] = [];

  constructor(
    private readonly parts: ControllerParts,
    private readonly series: SeriesSessions,
  ) {}

  /**
   * A series number no series of the study and no export of this session has: each export (and
   * each SEG of "Use as template") is a new series.
   */
  nextSeriesNumber(studyInstanceUID: string): number {
    const inUse = this.parts.host.services.displaySetService
      .getActiveDisplaySets()
      .filter((d) => d.StudyInstanceUID === studyInstanceUID)
      .map((d) => Number(d.SeriesNumber));
    const seriesNumber = nextSeriesNumber([...inUse, ...this.exportedSeriesNumbers]);
    this.exportedSeriesNumbers.push(seriesNumber);
    return seriesNumber;
  }

  /** Writes the SEG; the outcome (stored, download, failure) is in the panel's export state. */
  async write(): Promise<void> {
    const { store, host } = this.parts;
    const previous = store.state.export.downloadUrl;
    if (previous) URL.revokeObjectURL(previous);
    try {
      const active = this.series.current;
      const info = store.state.model.info;
      if (!active || !info) throw new Error('nothing to export: no segmentation yet');
      store.set({ export: { status: 'writing' } });
      const masks: { segment: SegmentState; mask: Uint8Array }[] = [];
      for (const segment of store.state.segments) {
        masks.push({
          segment,
          mask: await this.parts.client().getMask(active.sessionId, segment.objectId),
        });
      }
      const seriesNumber = this.nextSeriesNumber(active.series.displaySet.StudyInstanceUID);
      const seriesDescription = segSeriesDescription(
        masks.map((m) => m.segment.label),
        new Date(),
      );
      const result = await exportSegmentation({
        volume: active.series.volume,
        segments: masks,
        model: info,
        seriesNumber,
        seriesDescription,
        format: host.config.segFormat,
        dataSource: host.extensionManager.getActiveDataSource()?.[0],
        onStoring: () => store.set({ export: { status: 'storing' } }),
      });
      store.set({ export: { ...result, seriesNumber, seriesDescription }, error: undefined });
    } catch (e) {
      store.set({ export: { status: 'failed', message: errorText(e) } });
    }
  }
}

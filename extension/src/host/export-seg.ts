/**
 * Export: the DICOM layer writes the SEG; the host's active DICOMweb data source stores it
 * (STOW-RS, with the host's own authorization headers). When there is no store, or storing fails,
 * the SEG is offered for download instead: the segmentation is never lost.
 */
import { confirmStored, storedInstanceOf } from '../dicom/dicomweb/confirm-stored';
import { writeSeg } from '../dicom/seg-writer';
import type { SegSource } from '../dicom/seg-writer';
import type { ModelInfo } from '../worker/protocol';
import type { ExportState, SegmentState } from './controller-state';
import type { DataSource } from './ohif-types';
import { errorText } from '../engine/errors';

export interface ExportRequest {
  readonly volume: SegSource;
  readonly segments: readonly { segment: SegmentState; mask: Uint8Array }[];
  readonly model: ModelInfo;
  readonly format: 'binary' | 'labelmap';
  readonly seriesNumber: number;
  readonly seriesDescription: string;
  readonly dataSource: DataSource | undefined;
  readonly onStoring?: () => void;
}

export async function exportSegmentation(request: ExportRequest): Promise<ExportState> {
  const { volume, segments, model, format } = request;
  if (!segments.some((s) => s.mask.some((v) => v !== 0)))
    throw new Error('every segment is empty: prompt and propagate before exporting');
  const bytes = writeSeg(
    volume,
    segments.map(({ segment, mask }) => ({
      label: segment.label,
      mask,
      color: segment.color,
      category: segment.category,
      type: segment.type,
    })),
    {
      format,
      algorithmVersion: `${model.name} ${model.version}${model.testModel ? ' (TEST MODEL)' : ''}`,
      modelHash: model.modelHash,
      seriesDescription: request.seriesDescription,
      seriesNumber: request.seriesNumber,
    },
  );
  const fileName = `medsam2-seg-${volume.seriesInstanceUID}.dcm`;
  const store = request.dataSource?.store?.dicom;
  if (!store) return offerDownload(bytes, fileName, 'the data source has no DICOM store (STOW-RS)');
  request.onStoring?.();
  try {
    await store(bytes);
  } catch (e) {
    return offerDownload(bytes, fileName, `storing the SEG failed: ${storeErrorText(e)}`);
  }
  // A PACS can answer STOW-RS with success and still drop the instance (Orthanc does when a
  // filter refuses it): only a SEG whose (new) series the PACS lists back counts as stored.
  const stored = storedInstanceOf(bytes);
  const searchSeries = request.dataSource?.query?.series?.search;
  if (searchSeries) {
    const check = await confirmStored({ searchSeries }, [stored]);
    if (!check.confirmed)
      return offerDownload(
        bytes,
        fileName,
        check.reason === 'query-failed'
          ? `the SEG was sent but ${check.message}`
          : `storing the SEG failed: ${check.message}`,
      );
  }
  const { sopInstanceUID } = stored;
  return { status: 'stored', message: 'SEG stored in the PACS', fileName, sopInstanceUID };
}

function offerDownload(bytes: ArrayBuffer, fileName: string, why: string): ExportState {
  const downloadUrl = URL.createObjectURL(new Blob([bytes], { type: 'application/dicom' }));
  return { status: 'failed', message: `${why}. Download the SEG instead.`, downloadUrl, fileName };
}

/** dicomweb-client rejects with the XMLHttpRequest-like response; name its status. */
function storeErrorText(e: unknown): string {
  const status =
    (e as { status?: number; request?: { status?: number } } | null)?.status ??
    (e as { request?: { status?: number } } | null)?.request?.status;
  const text = errorText(e);
  return status ? `HTTP ${status}${text && text !== '[object Object]' ? ` (${text})` : ''}` : text;
}

/**
 * The SEG series a user can open for editing on the series in view: OHIF's SEG display sets (its
 * SEG SOP class handler gives each the series it references) of the same study that reference that
 * series, newest series number first, and how to fetch one (the host's own WADO-RS client, with its
 * headers; failing that a client on the data source's wadoRoot with the user's authorization).
 */
import { DicomWebClient } from '../dicom/dicomweb/client';
import type { DataSource, OhifDisplaySet, UserAuthenticationService } from './ohif-types';

export interface SegChoice {
  readonly displaySetInstanceUID: string;
  /** "Series 901: Liver - MedSAM-2 10:15", as the panel lists it. */
  readonly label: string;
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
}

export function segChoices(
  displaySets: readonly OhifDisplaySet[],
  inView: Pick<OhifDisplaySet, 'StudyInstanceUID' | 'SeriesInstanceUID'>,
): SegChoice[] {
  return displaySets
    .filter(
      (d) =>
        d.Modality === 'SEG' &&
        d.StudyInstanceUID === inView.StudyInstanceUID &&
        d.referencedSeriesInstanceUID === inView.SeriesInstanceUID &&
        typeof d.SOPInstanceUID === 'string',
    )
    .sort((a, b) => (Number(b.SeriesNumber) || 0) - (Number(a.SeriesNumber) || 0))
    .map((d) => ({
      displaySetInstanceUID: d.displaySetInstanceUID,
      label: `Series ${d.SeriesNumber ?? '?'}: ${d.SeriesDescription || 'SEG'}`,
      studyInstanceUID: d.StudyInstanceUID,
      seriesInstanceUID: d.SeriesInstanceUID,
      sopInstanceUID: d.SOPInstanceUID as string,
    }));
}

/** The SEG's Part-10 bytes from the data source (WADO-RS retrieve instance). */
export async function retrieveSeg(
  choice: SegChoice,
  dataSource: DataSource | undefined,
  auth?: UserAuthenticationService,
): Promise<ArrayBuffer> {
  const ids = {
    studyInstanceUID: choice.studyInstanceUID,
    seriesInstanceUID: choice.seriesInstanceUID,
    sopInstanceUID: choice.sopInstanceUID,
  };
  const hostClient = dataSource?.retrieve?.getWadoDicomWebClient?.();
  if (hostClient) return hostClient.retrieveInstance(ids);
  const wadoRoot = dataSource?.getConfig?.()?.wadoRoot;
  if (!wadoRoot) throw new Error(`${choice.label}: the data source has no DICOMweb root to fetch it from`);
  const authorization = auth?.getAuthorizationHeader?.()?.Authorization;
  const client = new DicomWebClient({
    baseUrl: wadoRoot,
    headers: authorization ? { Authorization: authorization } : undefined,
  });
  return client.retrieveInstance(ids.studyInstanceUID, ids.seriesInstanceUID, ids.sopInstanceUID);
}

/**
 * After STOW-RS: does the PACS really hold what it was sent? A PACS can answer a STOW with
 * success, even list the instance in ReferencedSOPSequence, and still drop it (Orthanc does when
 * a Lua ReceivedInstanceFilter refuses it). Only what a search lists back (and, where the caller
 * can retrieve, what WADO-RS returns) counts as stored. The viewer's export and the CLI's
 * `segment --stow` both decide with this one check.
 */
import { data as dcmjsData } from 'dcmjs';
import { errorText } from '../../engine/errors';

export interface StoredInstance {
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly sopInstanceUID: string;
}

/** The searches a store offers; each answers with QIDO-RS results in any of the usual forms. */
export interface StoreQueries {
  /** QIDO-RS: the series of a study (OHIF: dataSource.query.series.search). */
  readonly searchSeries: (studyInstanceUID: string) => Promise<readonly unknown[] | undefined>;
  /** QIDO-RS: the instances of a series; when given, every SOP instance must be listed. */
  readonly searchInstances?: (
    studyInstanceUID: string,
    seriesInstanceUID: string,
  ) => Promise<readonly unknown[] | undefined>;
  /** WADO-RS: one instance's Part-10 bytes; when given, every instance must come back intact. */
  readonly retrieve?: (instance: StoredInstance) => Promise<ArrayBuffer>;
}

export type StoreConfirmation =
  | { readonly confirmed: true }
  | {
      readonly confirmed: false;
      /** not-listed / not-retrievable: the PACS answered but lacks it; query-failed: it could not be asked. */
      readonly reason: 'not-listed' | 'not-retrievable' | 'query-failed';
      /** What went wrong, in words (no credentials, no PHI: UIDs only). */
      readonly message: string;
      readonly cause?: unknown;
    };

/**
 * A UID of a search result: OHIF's processed form (seriesInstanceUid), naturalized
 * (SeriesInstanceUID) or DICOM JSON ({"0020000E": {"Value": [...]}}).
 */
export function resultUid(item: unknown, keyword: string): string | undefined {
  const o = item as Record<string, unknown> | null;
  if (!o || typeof o !== 'object') return undefined;
  const camel = keyword
    .replace(/UID$/, 'Uid')
    .replace(/^SOP/, 'sop')
    .replace(/^./, (c) => c.toLowerCase());
  for (const key of [camel, keyword]) if (typeof o[key] === 'string') return o[key] as string;
  const tag = dcmjsData.DicomMetaDictionary.nameMap[keyword]?.tag?.replace(/[(),]/g, '');
  const json = tag ? (o[tag] as { Value?: unknown[] } | undefined) : undefined;
  return json?.Value?.[0] === undefined ? undefined : String(json.Value[0]);
}

/** Study, series and SOP instance UIDs of a Part-10 instance (what a search must find). */
export function storedInstanceOf(bytes: ArrayBuffer): StoredInstance {
  const file = dcmjsData.DicomMessage.readFile(bytes, { untilTag: '00200010' });
  const value = (elements: unknown, tag: string) =>
    String((elements as Record<string, { Value?: unknown[] }>)[tag]?.Value?.[0] ?? '');
  return {
    studyInstanceUID: value(file.dict, '0020000D'),
    seriesInstanceUID: value(file.dict, '0020000E'),
    sopInstanceUID: value(file.meta, '00020003') || value(file.dict, '00080018'),
  };
}

/** Ask the store whether it lists (and returns) every instance it was sent. */
export async function confirmStored(
  queries: StoreQueries,
  instances: readonly StoredInstance[],
): Promise<StoreConfirmation> {
  const failed = (message: string, cause: unknown): StoreConfirmation => ({
    confirmed: false,
    reason: 'query-failed',
    message: `the PACS could not be asked for the stored instance(s): ${message}`,
    cause,
  });
  for (const instance of instances) {
    const { studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: sop } = instance;
    let seriesFound: readonly unknown[] | undefined;
    try {
      seriesFound = await queries.searchSeries(study);
    } catch (e) {
      return failed(errorText(e), e);
    }
    if (!(seriesFound ?? []).some((s) => resultUid(s, 'SeriesInstanceUID') === series))
      return {
        confirmed: false,
        reason: 'not-listed',
        message: `the PACS accepted the upload but does not list series ${series} in study ${study}`,
      };
    if (queries.searchInstances) {
      let listed: readonly unknown[] | undefined;
      try {
        listed = await queries.searchInstances(study, series);
      } catch (e) {
        return failed(errorText(e), e);
      }
      if (!(listed ?? []).some((s) => resultUid(s, 'SOPInstanceUID') === sop))
        return {
          confirmed: false,
          reason: 'not-listed',
          message: `the PACS accepted the upload but does not list instance ${sop} in series ${series}`,
        };
    }
    if (queries.retrieve) {
      let back: ArrayBuffer;
      try {
        back = await queries.retrieve(instance);
      } catch (e) {
        return {
          confirmed: false,
          reason: 'not-retrievable',
          message: `the PACS lists instance ${sop} but does not return it: ${errorText(e)}`,
          cause: e,
        };
      }
      let returned: string;
      try {
        returned = storedInstanceOf(back).sopInstanceUID;
      } catch {
        returned = '';
      }
      if (returned !== sop)
        return {
          confirmed: false,
          reason: 'not-retrievable',
          message: `the PACS returned ${back.byteLength} bytes for instance ${sop} that are not that instance`,
        };
    }
  }
  return { confirmed: true };
}

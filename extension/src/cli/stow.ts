/**
 * `segment --stow`: store the SEG with STOW-RS, then confirm the PACS lists and returns it (the
 * check the viewer's export makes, shared in dicom/dicomweb/confirm-stored.ts). Credentials come
 * from MEDSAM2_PACS_CREDENTIALS or a file, never from argv (the process list shows argv to every
 * user); a URL carrying user:password@ is refused.
 */
import { DicomWebClient, DicomWebError, basicAuthHeader } from '../dicom';
import { confirmStored, storedInstanceOf } from '../dicom/dicomweb/confirm-stored';
import { pacsUrlWithoutCredentials, readPacsCredentials } from '../../serve/pacs-credentials';
import { UsageError } from './args';

/** The SEG was written but the PACS refused, could not be reached, or did not keep it: the file is kept. */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly kept: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export interface StowTarget {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** Where and how to store: the URL checked, credentials from the environment or a file. */
export function stowTarget(
  stow: string,
  credentialsFile: string | undefined,
  timeoutSeconds: number,
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): StowTarget {
  let url: URL;
  let credentials;
  try {
    url = pacsUrlWithoutCredentials(stow, '--stow');
    credentials = readPacsCredentials(env, credentialsFile, warn);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout must be a positive number of seconds`);
  return {
    url: url.href.replace(/\/+$/, ''),
    headers: credentials ? basicAuthHeader(credentials.username, credentials.password) : {},
    timeoutMs: timeoutSeconds * 1000,
  };
}

/** STOW-RS the SEG, then confirm it is listed and retrievable; any failure is a StoreError. */
export async function storeAndConfirm(
  seg: ArrayBuffer,
  studyInstanceUID: string,
  target: StowTarget,
  kept: string,
) {
  const client = new DicomWebClient({
    baseUrl: target.url,
    headers: target.headers,
    timeoutMs: target.timeoutMs,
  });
  const instance = storedInstanceOf(seg);
  try {
    await client.stow([seg], studyInstanceUID);
  } catch (e) {
    if (e instanceof DicomWebError)
      throw new StoreError(`store to ${target.url} failed (${e.kind}): ${e.message}`, kept);
    throw e;
  }
  const check = await confirmStored(
    {
      searchSeries: (study) => client.qidoSeries(study),
      searchInstances: (study, series) => client.qidoInstances(study, series),
      retrieve: (i) => client.retrieveInstance(i.studyInstanceUID, i.seriesInstanceUID, i.sopInstanceUID),
    },
    [instance],
  );
  if (!check.confirmed)
    throw new StoreError(
      `store to ${target.url} not confirmed (${check.reason}): STOW-RS answered success, but ${check.message}`,
      kept,
    );
}

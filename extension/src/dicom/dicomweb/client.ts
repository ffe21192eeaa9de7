/**
 * A small DICOMweb client (STOW-RS, QIDO-RS, WADO-RS) over an injectable fetch: runs in the
 * browser and in Node. Auth headers are passed through unchanged; transient failures are retried
 * (see retry.ts); every request (answer and body) has a time limit; a STOW-RS answer listing
 * FailedSOPSequence (0008,1198) items is an error even when the HTTP status says success.
 */
import { data as dcmjsData, type DicomElements } from 'dcmjs';
import { type Dataset, DatasetReader } from '../dataset';
import { DicomWebError, type FailedSop } from '../errors';
import { contentTypeParameter, decodeMultipart, encodeMultipart, newBoundary } from './multipart';
import { type RetryPolicy, TRANSIENT_STATUSES, defaultSleep, retryDelay } from './retry';
import { errorText } from '../../engine/errors';

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface DicomWebClientOptions {
  /** DICOMweb root, e.g. "http://localhost:8042/dicom-web". */
  readonly baseUrl: string;
  /** Sent with every request (e.g. Authorization). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly fetch?: FetchFunction;
  readonly retry?: RetryPolicy;
  /**
   * Time limit of one request, answer and body, in ms (default 60 000). A request that runs out of
   * time is a DicomWebError of kind 'timeout' and is not retried.
   */
  readonly timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

/** An answer with its body read (within the request's time limit). */
interface Answer {
  readonly response: Response;
  readonly body: Uint8Array;
  text(): string;
}

export interface StowResult {
  /** Instances the server stored: ReferencedSOPSequence (0008,1199). */
  readonly stored: readonly { sopClassUID?: string; sopInstanceUID?: string; retrieveURL?: string }[];
  readonly retrieveURL?: string;
  readonly status: number;
}

/** Authorization header for HTTP basic auth (UTF-8 user:password). */
export function basicAuthHeader(user: string, password: string): Record<string, string> {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return { Authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
}

const naturalize = (json: unknown): Dataset =>
  dcmjsData.DicomMetaDictionary.naturalizeDataset(json as DicomElements) as Dataset;

function failedSops(response: Dataset): FailedSop[] {
  return new DatasetReader(response, 'STOW-RS response').items('FailedSOPSequence').map((item) => {
    const r = new DatasetReader(item, 'FailedSOPSequence item');
    return {
      sopClassUID: r.optString('ReferencedSOPClassUID'),
      sopInstanceUID: r.optString('ReferencedSOPInstanceUID'),
      failureReason: r.optNumber('FailureReason'),
    };
  });
}

export class DicomWebClient {
  private readonly baseUrl: string;
  private readonly fetchFn: FetchFunction;

  constructor(private readonly options: DicomWebClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** fetch with the client's headers, a time limit, and retries on transient failures. */
  private async request(method: string, path: string, init: RequestInit = {}): Promise<Answer> {
    const url = `${this.baseUrl}${path}`;
    const policy = this.options.retry ?? {};
    const attempts = Math.max(1, policy.attempts ?? 4);
    const sleep = policy.sleep ?? defaultSleep;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const headers = { ...this.options.headers, ...(init.headers as Record<string, string> | undefined) };
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(), timeoutMs);
      const caller = init.signal ?? undefined;
      const onCallerAbort = () => limit.abort();
      caller?.addEventListener('abort', onCallerAbort);
      const stopped = (e: unknown): DicomWebError | undefined => {
        if (caller?.aborted)
          return new DicomWebError('network-error', `${method} ${url}: aborted`, {
            url,
            attempts: attempt,
            cause: e,
          });
        if (limit.signal.aborted)
          return new DicomWebError(
            'timeout',
            `${method} ${url}: no complete answer within ${timeoutMs / 1000} s (request time limit)`,
            { url, attempts: attempt, cause: e },
          );
        return undefined;
      };
      let answer: Answer | undefined;
      let transient = false;
      let retryAfter: string | null = null;
      try {
        const response = await this.fetchFn(url, { ...init, method, headers, signal: limit.signal });
        transient = TRANSIENT_STATUSES.has(response.status);
        if (!transient || attempt === attempts) {
          const body = new Uint8Array(await response.arrayBuffer());
          answer = { response, body, text: () => new TextDecoder().decode(body) };
        } else {
          await response.arrayBuffer().catch(() => undefined); // release the connection
          retryAfter = response.headers.get('retry-after');
        }
      } catch (e) {
        const final = stopped(e);
        if (final) throw final;
        lastError = e;
      } finally {
        clearTimeout(timer);
        caller?.removeEventListener('abort', onCallerAbort);
      }
      if (answer) return answer;
      if (attempt === attempts) {
        const why = errorText(lastError);
        throw new DicomWebError(
          'network-error',
          `${method} ${url}: no response after ${attempts} attempt(s): ${why}`,
          { url, attempts, cause: lastError },
        );
      }
      await sleep(retryDelay(policy, attempt, retryAfter));
    }
    throw new Error('unreachable');
  }

  private httpError(method: string, answer: Answer, what: string): DicomWebError {
    const { response } = answer;
    const text = answer.text();
    const hint =
      response.status === 401 || response.status === 403
        ? ' (authentication required or refused: check the user/password or token)'
        : TRANSIENT_STATUSES.has(response.status)
          ? ' (still failing after retries)'
          : '';
    return new DicomWebError(
      'http-error',
      `${what}: ${method} ${response.url || this.baseUrl} answered HTTP ${response.status} ${response.statusText}${hint}` +
        (text ? `: ${text.slice(0, 300)}` : ''),
      { url: response.url, status: response.status },
    );
  }

  /** STOW-RS: store Part-10 instances (optionally into a given study). */
  async stow(instances: readonly ArrayBuffer[], studyInstanceUID?: string): Promise<StowResult> {
    const boundary = newBoundary();
    const body = encodeMultipart(
      instances.map((b) => new Uint8Array(b)),
      boundary,
      'application/dicom',
    );
    const path = studyInstanceUID ? `/studies/${encodeURIComponent(studyInstanceUID)}` : '/studies';
    const answer = await this.request('POST', path, {
      body,
      headers: {
        'Content-Type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
        Accept: 'application/dicom+json',
      },
    });
    const { response } = answer;
    const text = answer.text();
    let parsed: Dataset | undefined;
    try {
      parsed = text.trim() ? naturalize(JSON.parse(text)) : undefined;
    } catch {
      parsed = undefined;
    }
    const failed = parsed ? failedSops(parsed) : [];
    // A refusal answered in DICOM JSON: FailedSOPSequence items, or (when the server could not
    // even read the SOP instance UIDs) an error status with an empty FailedSOPSequence.
    const refused =
      failed.length > 0 || (!response.ok && parsed !== undefined && 'FailedSOPSequence' in parsed);
    if (refused) {
      const list = failed.length
        ? failed
            .map(
              (f) =>
                `${f.sopInstanceUID ?? '?'} (FailureReason 0x${(f.failureReason ?? 0).toString(16).toUpperCase()})`,
            )
            .join(', ')
        : 'no instance could be read (not DICOM?)';
      throw new DicomWebError(
        'stow-failed',
        `STOW-RS to ${this.baseUrl}: refused ${failed.length || instances.length} of ${instances.length} ` +
          `instance(s), HTTP ${response.status}: ${list}`,
        { url: response.url, status: response.status, failedSops: failed },
      );
    }
    if (!response.ok) {
      throw new DicomWebError(
        'http-error',
        `STOW-RS to ${this.baseUrl}: HTTP ${response.status} ${response.statusText}` +
          (response.status === 401 || response.status === 403
            ? ' (authentication required or refused)'
            : '') +
          (text ? `: ${text.slice(0, 300)}` : ''),
        { url: response.url, status: response.status },
      );
    }
    const reader = parsed ? new DatasetReader(parsed, 'STOW-RS response') : undefined;
    return {
      status: response.status,
      retrieveURL: reader?.optString('RetrieveURL'),
      stored: (reader?.items('ReferencedSOPSequence') ?? []).map((item) => {
        const r = new DatasetReader(item, 'ReferencedSOPSequence item');
        return {
          sopClassUID: r.optString('ReferencedSOPClassUID'),
          sopInstanceUID: r.optString('ReferencedSOPInstanceUID'),
          retrieveURL: r.optString('RetrieveURL'),
        };
      }),
    };
  }

  private async qido(
    path: string,
    params: Readonly<Record<string, string | number | boolean>>,
  ): Promise<Dataset[]> {
    const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
    const answer = await this.request('GET', `${path}${query ? `?${query}` : ''}`, {
      headers: { Accept: 'application/dicom+json' },
    });
    if (answer.response.status === 204) return [];
    if (!answer.response.ok) throw this.httpError('GET', answer, 'QIDO-RS');
    const text = answer.text();
    let json: unknown;
    try {
      json = text.trim() ? JSON.parse(text) : [];
    } catch {
      throw new DicomWebError(
        'invalid-response',
        `QIDO-RS ${path}: answer is not DICOM JSON: ${text.slice(0, 200)}`,
      );
    }
    if (!Array.isArray(json))
      throw new DicomWebError('invalid-response', `QIDO-RS ${path}: answer is not a JSON array`);
    return json.map(naturalize);
  }

  /** QIDO-RS: the series of a study, as naturalized data sets. */
  qidoSeries(studyInstanceUID: string, params: Readonly<Record<string, string | number | boolean>> = {}) {
    return this.qido(`/studies/${encodeURIComponent(studyInstanceUID)}/series`, params);
  }

  /** QIDO-RS: the instances of a series. */
  qidoInstances(
    studyInstanceUID: string,
    seriesInstanceUID: string,
    params: Readonly<Record<string, string | number | boolean>> = {},
  ) {
    return this.qido(
      `/studies/${encodeURIComponent(studyInstanceUID)}/series/${encodeURIComponent(seriesInstanceUID)}/instances`,
      params,
    );
  }

  /** WADO-RS: one instance as Part-10 bytes. */
  async retrieveInstance(study: string, series: string, instance: string): Promise<ArrayBuffer> {
    const path = `/studies/${encodeURIComponent(study)}/series/${encodeURIComponent(series)}/instances/${encodeURIComponent(instance)}`;
    const answer = await this.request('GET', path, {
      headers: { Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
    });
    if (!answer.response.ok) throw this.httpError('GET', answer, 'WADO-RS');
    const body = answer.body;
    const contentType = answer.response.headers.get('content-type') ?? '';
    if (/^application\/dicom\b/i.test(contentType)) return body.slice().buffer;
    const boundary = contentTypeParameter(contentType, 'boundary');
    if (!boundary) {
      throw new DicomWebError(
        'invalid-response',
        `WADO-RS ${path}: Content-Type "${contentType}" is not multipart/related`,
      );
    }
    let parts;
    try {
      parts = decodeMultipart(body, boundary);
    } catch (e) {
      throw new DicomWebError('invalid-response', `WADO-RS ${path}: ${(e as Error).message}`);
    }
    if (parts.length !== 1) {
      throw new DicomWebError(
        'invalid-response',
        `WADO-RS ${path}: ${parts.length} parts, 1 instance expected`,
      );
    }
    return parts[0].body.slice().buffer;
  }
}

/**
 * Test instances for the server tests: the sample MR series' first file with chosen UIDs, and raw
 * HTTP requests (any path, any Host header, a body sent in pieces) the fetch API would not send.
 */
import { request } from 'node:http';
import { data as dcmjsData, log as dcmjsLog } from 'dcmjs';
import { encodeMultipart } from '../../../extension/src/dicom/dicomweb/multipart';
import { viewableSampleFiles } from '../../../extension/serve/sample-data';

export interface Uids {
  study?: string;
  series?: string;
  sop?: string;
}

let sample: Uint8Array | undefined;

/** The first sample instance with these UIDs (unset ones as in the sample). */
export function instanceWith(uids: Uids): Uint8Array {
  sample ??= viewableSampleFiles()[0];
  const level = dcmjsLog.getLevel();
  dcmjsLog.setLevel('silent');
  try {
    const file = dcmjsData.DicomMessage.readFile(sample.slice().buffer as ArrayBuffer, {
      untilTag: '7FE00010',
      includeUntilTagValue: true,
    });
    const set = (tag: string, value?: string) => {
      if (value !== undefined) file.dict[tag].Value = [value];
    };
    set('0020000D', uids.study);
    set('0020000E', uids.series);
    set('00080018', uids.sop);
    if (uids.sop !== undefined) file.meta['00020003'].Value = [uids.sop];
    return new Uint8Array(file.write());
  } finally {
    dcmjsLog.setLevel(level);
  }
}

export const BOUNDARY = 'medsam2-test-boundary';
export const STOW_TYPE = `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`;

export const stowBody = (instances: readonly Uint8Array[]): Uint8Array =>
  encodeMultipart(instances, BOUNDARY, 'application/dicom');

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * One request with exactly this path and these headers. `body` pieces are written in order,
 * `pause` ms apart; without content-length in `headers` the body goes chunked.
 */
export function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body: readonly Uint8Array[] = [],
  pause = 0,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    // The server may answer (413) and close before the whole body is written: that write error is
    // expected once the answer is in; a connection closed without an answer is not.
    let answered = false;
    req.on('response', () => (answered = true));
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (!answered && e.code !== 'EPIPE') reject(e);
    });
    req.on('close', () => {
      if (!answered) reject(new Error(`${method} ${path}: connection closed without an answer`));
    });
    void (async () => {
      for (const piece of body) {
        if (req.destroyed) return;
        // As browsers and curl do: an answer that came early ends the upload.
        if (answered) break;
        req.write(piece);
        if (pause) await new Promise((r) => setTimeout(r, pause));
      }
      req.end();
    })();
  });
}

/**
 * A POST that sends its headers (say a huge Content-Length) and no body: the answer the server gives
 * before reading any of it. The request is then dropped.
 */
export function headersOnly(url: string, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method: 'POST', path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        });
        req.destroy();
      });
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

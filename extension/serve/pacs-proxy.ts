/**
 * The /dicom-web proxy of `npm start --pacs`: forwards DICOMweb requests, and only those, to the
 * PACS's DICOMweb root. Allowed are QIDO-RS and WADO-RS GETs and STOW-RS POSTs on the DICOMweb
 * resource paths (studies/series/instances, metadata, frames, bulk data, rendered, thumbnail),
 * checked on the decoded path (see request-path.ts) and rebuilt from its checked segments, so
 * nothing reaches the PACS's other APIs (an encoded "..%2f" included). Only the headers DICOMweb
 * needs go either way; credentials are added here and never come from the browser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { dropRestOfBody } from './dicomweb-http';
import type { RequestPath } from './request-path';

export interface PacsTarget {
  /** DICOMweb root, without credentials, e.g. http://127.0.0.1:8042/dicom-web */
  readonly url: URL;
  /** Basic auth sent to the PACS (from an environment variable or a file, never argv). */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Largest STOW-RS body forwarded. */
  readonly maxUploadBytes: number;
}

/** A forwarded UID: digits and dots (legacy UIDs with leading zeros pass; nothing else does). */
const UID_SEGMENT = /^[0-9.]{1,64}$/;
const FRAME_LIST = /^[1-9][0-9]{0,8}(,[1-9][0-9]{0,8})*$/;
/** Bulk data paths as Orthanc writes them: tags and item numbers. */
const BULK_SEGMENT = /^[0-9A-Fa-f]{1,8}$/;
const RENDERED = new Set(['rendered', 'thumbnail']);

/** Request headers the PACS gets (Host too: Orthanc writes the URLs of its answers from it). */
const REQUEST_HEADERS = [
  'accept',
  'content-type',
  'content-length',
  'host',
  'if-none-match',
  'if-modified-since',
  'range',
];
/** Answer headers the browser gets. */
const RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'content-range',
  'accept-ranges',
  'etag',
  'last-modified',
  'cache-control',
  'warning',
];

/** Whether `segments` (below /dicom-web) with `method` is a DICOMweb request this proxy forwards. */
export function isDicomWebRoute(method: string, segments: readonly string[]): boolean {
  const s = segments;
  if (method === 'POST')
    return s[0] === 'studies' && (s.length === 1 || (s.length === 2 && UID_SEGMENT.test(s[1])));
  if (method !== 'GET') return false;
  if (s.length === 1) return s[0] === 'studies' || s[0] === 'series' || s[0] === 'instances';
  if (s[0] !== 'studies' || !UID_SEGMENT.test(s[1])) return false;
  // studies/{s}[/series/{se}[/instances/{i}[/frames/{list}]]] then an optional resource word.
  let at = 2;
  for (const level of ['series', 'instances']) {
    if (s[at] !== level) break;
    if (at + 1 === s.length) return true; // QIDO of the level below
    if (!UID_SEGMENT.test(s[at + 1])) return false;
    at += 2;
  }
  const rest = s.slice(at);
  if (rest.length === 0) return true; // WADO-RS retrieve
  if (rest.length === 1) return rest[0] === 'metadata' || RENDERED.has(rest[0]);
  const isInstance = s[at - 2] === 'instances';
  if (isInstance && rest[0] === 'frames' && FRAME_LIST.test(rest[1]))
    return rest.length === 2 || (rest.length === 3 && RENDERED.has(rest[2]));
  return isInstance && rest[0] === 'bulk' && rest.slice(1).every((x) => BULK_SEGMENT.test(x));
}

/** Forwards a checked DICOMweb request (`route` below the proxy's mount path), streaming both ways. */
export function forwardToPacs(
  req: IncomingMessage,
  res: ServerResponse,
  segments: readonly string[],
  route: RequestPath,
  pacs: PacsTarget,
): void {
  const method = req.method ?? 'GET';
  const fail = (status: number, message: string) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end(message);
    dropRestOfBody(req);
  };
  if (!isDicomWebRoute(method, segments))
    return fail(403, `${method} ${route.path} is not a DICOMweb request this proxy forwards`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > pacs.maxUploadBytes)
    return fail(413, `the upload (${declared} bytes) is larger than ${pacs.maxUploadBytes} bytes`);

  const target = new URL(pacs.url.href);
  target.pathname = `${pacs.url.pathname.replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
  target.search = route.search;
  const headers: Record<string, string | string[]> = {};
  for (const name of REQUEST_HEADERS) {
    const v = req.headers[name];
    if (v !== undefined) headers[name] = v;
  }
  if (pacs.credentials) {
    const { username, password } = pacs.credentials;
    headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target, { method, headers }, (answer) => {
    res.statusCode = answer.statusCode ?? 502;
    for (const name of RESPONSE_HEADERS) {
      const v = answer.headers[name];
      if (v !== undefined) res.setHeader(name, v);
    }
    answer.pipe(res);
  });
  let tooLarge = false;
  upstream.on('error', (e) => {
    if (tooLarge) return;
    if (!res.headersSent) fail(502, `PACS ${target.origin} unreachable: ${e.message}`);
    else res.destroy(e);
  });
  let received = 0;
  req.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (received > pacs.maxUploadBytes && !tooLarge) {
      tooLarge = true;
      req.unpipe(upstream);
      upstream.destroy();
      if (!res.headersSent)
        fail(413, `the upload is larger than ${pacs.maxUploadBytes} bytes (not forwarded)`);
    }
  });
  req.pipe(upstream);
}

/**
 * The HTTP side of the folder store's DICOMweb answers: errors with a status, DICOM JSON, plain
 * text and multipart/related bodies, and Accept header media ranges.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeMultipart, newBoundary } from '../src/dicom/dicomweb/multipart';

/** A request the store answers with `status` and this message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`);

export function plain(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(message);
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/dicom+json');
  res.end(JSON.stringify(body));
}

export function multipart(
  res: ServerResponse,
  bodies: Uint8Array[],
  type: string,
  partType: string,
  syntax?: string,
): void {
  const boundary = newBoundary();
  res.statusCode = 200;
  res.setHeader(
    'Content-Type',
    `multipart/related; type="${type}"${syntax ? `; transfer-syntax=${syntax}` : ''}; boundary=${boundary}`,
  );
  res.end(encodeMultipart(bodies, boundary, partType));
}

export interface MediaRange {
  readonly type: string;
  readonly params: Record<string, string>;
}

/** The Accept header's media ranges in order (absent → anything). */
export function acceptRanges(req: IncomingMessage): MediaRange[] {
  const header = req.headers.accept?.trim();
  if (!header) return [{ type: '*/*', params: {} }];
  return header.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((range) => {
    const [type, ...rest] = range.split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0)
        params[p.slice(0, eq).trim().toLowerCase()] = p
          .slice(eq + 1)
          .trim()
          .replace(/^"|"$/g, '');
    }
    return { type: type.trim().toLowerCase(), params };
  });
}

/** How long the unread rest of a refused upload is taken in and dropped before the connection closes. */
export const LINGER_MS = 3000;

/**
 * After answering an upload that is refused part-way (413): the rest of its body is dropped unread
 * (never stored, never buffered) for at most LINGER_MS, then the connection is closed. Closing at
 * once would reset it while the client is still sending, and many clients then lose the answer.
 */
export function dropRestOfBody(req: IncomingMessage): void {
  req.resume();
  if (req.complete) return;
  const timer = setTimeout(() => req.socket.destroy(), LINGER_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
}

/**
 * STOW-RS into the folder store (PS3.18 10.5): multipart/related application/dicom parts, each
 * stored or refused. The body is read as a stream: each part goes to a temporary file in the store
 * and is checked (a complete instance, valid UIDs, the request's study) when it ends; only when the
 * closing boundary has arrived are the accepted parts renamed into place, so a cut or oversized
 * upload stores nothing. The answer lists ReferencedSOPSequence and FailedSOPSequence items: HTTP
 * 200 when all were stored, 202 when some were, 409 when none; a body that is no multipart/related
 * is refused whole (415/400/413) with an empty FailedSOPSequence. Why each part failed is said in
 * a Warning header (ErrorComment only holds 64 characters).
 */
import { promises as fsp } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dataset } from '../src/dicom/dataset';
import { DicomError } from '../src/dicom/errors';
import { contentTypeParameter } from '../src/dicom/dicomweb/multipart';
import { toDicomJson } from './dicom-json';
import { dropRestOfBody, json } from './dicomweb-http';
import { type CheckedUpload, type FolderStore, StudyMismatch, type StoredInstance } from './folder-store';
import { MultipartError, MultipartReader } from './multipart-reader';

/** STOW-RS failure reasons (PS3.4 GG.4-1, PS3.18 table I.2-2). */
export const FailureReason = {
  /** The part is not a DICOM instance this store can read. */
  CannotUnderstand: 0xc000,
  /** The instance belongs to another study than the one in the request path. */
  StudyInstanceUIDMismatch: 0xc409,
  /** Writing the file failed. */
  OutOfResources: 0xa700,
} as const;

export interface StowOptions {
  readonly store: FolderStore;
  /** The study of a POST /studies/{study}: instances of other studies are refused. */
  readonly studyUID?: string;
  readonly instanceUrl: (instance: StoredInstance) => string;
  readonly maxUploadBytes: number;
}

const stowJson = (d: Dataset) => toDicomJson({ ...d, _vrMap: {} });

/** ErrorComment (LO) holds 64 characters; the whole story goes into a Warning header. */
function answer(res: ServerResponse, status: number, body: Dataset, why: string[]): void {
  if (why.length) {
    const text = why
      .join('; ')
      .replace(/[^\x20-\x7e]/g, '?')
      .replace(/"/g, "'");
    res.setHeader('Warning', `299 - "${text.slice(0, 2000)}"`);
    body.ErrorComment = text.slice(0, 64);
  }
  json(res, status, stowJson(body));
}

/**
 * A part whose first 132 bytes are in and hold no "DICM" marker is no Part-10 instance: its file is
 * closed and removed at once, and the rest of the part is not written.
 */
async function refuseIfNotPart10(
  part: { name: string; file?: fsp.FileHandle; path?: string; refusal?: string; head?: Buffer },
  bytes: Uint8Array,
): Promise<void> {
  if ((part.head?.length ?? 0) >= PART10_HEAD) return;
  part.head = Buffer.concat([part.head ?? Buffer.alloc(0), bytes]).subarray(0, PART10_HEAD);
  if (part.head.length < PART10_HEAD || part.head.toString('latin1', 128, 132) === 'DICM') return;
  await part.file?.close();
  await fsp.rm(part.path as string, { force: true });
  part.file = undefined;
  part.refusal = `${part.name}: not a DICOM Part-10 instance (no "DICM" marker after the 128-byte preamble)`;
}

/** Preamble and "DICM" marker of a Part-10 file. */
const PART10_HEAD = 132;

/** The request's body is larger than the cap: answered 413, the rest is not read. */
class TooLarge extends Error {}

export async function stowRs(req: IncomingMessage, res: ServerResponse, options: StowOptions): Promise<void> {
  const { store, studyUID, instanceUrl, maxUploadBytes } = options;
  const refuse = (status: number, message: string) => {
    answer(res, status, { FailedSOPSequence: [] }, [message]);
    // A body refused part-way (over the cap, malformed) is not read on: what is still coming is dropped.
    dropRestOfBody(req);
  };
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/related\b/i.test(contentType))
    return refuse(415, `STOW-RS needs multipart/related; type="application/dicom", got "${contentType}"`);
  const boundary = contentTypeParameter(contentType, 'boundary');
  if (!boundary) return refuse(400, 'the multipart/related Content-Type has no boundary');
  const declaredLength = Number(req.headers['content-length'] ?? NaN);
  if (declaredLength > maxUploadBytes)
    return refuse(413, `the upload (${declaredLength} bytes) is larger than ${maxUploadBytes} bytes`);
  const declared = contentTypeParameter(contentType, 'type') ?? 'application/dicom';

  const checked: CheckedUpload[] = [];
  const failed: Dataset[] = [];
  const comments: string[] = [];
  const temps: string[] = [];
  let reader: MultipartReader;
  try {
    reader = new MultipartReader(boundary);
  } catch (e) {
    return refuse(400, (e as Error).message);
  }

  // The part being read: its temporary file (undefined when it is refused without reading it).
  let current:
    { name: string; file?: fsp.FileHandle; path?: string; refusal?: string; head?: Buffer } | undefined;
  const fail = (name: string, reason: number, why: string, uids: Dataset = {}) => {
    failed.push({ ...uids, FailureReason: reason });
    // DicomError messages already start with the part's name.
    comments.push(why.startsWith(`${name}:`) ? why : `${name}: ${why}`);
  };
  const endPart = async () => {
    const part = current;
    current = undefined;
    if (!part) return;
    await part.file?.close();
    if (part.refusal) return fail(part.name, FailureReason.CannotUnderstand, part.refusal);
    try {
      checked.push(store.check(part.path as string, part.name, studyUID));
    } catch (e) {
      if (e instanceof StudyMismatch)
        return fail(part.name, FailureReason.StudyInstanceUIDMismatch, e.message, e.uids);
      if (e instanceof DicomError) return fail(part.name, FailureReason.CannotUnderstand, e.message);
      throw e;
    }
  };

  let received = 0;
  try {
    // Read by hand, not with for-await: leaving that loop early destroys the socket before the
    // 413/400 answer is written. Here reading just stops, and the answer closes the connection.
    const chunks = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    for (;;) {
      const next = await chunks.next();
      if (next.done) break;
      const chunk = next.value;
      received += chunk.length;
      if (received > maxUploadBytes)
        throw new TooLarge(`the upload is larger than ${maxUploadBytes} bytes (reading stopped)`);
      for (const event of reader.push(chunk)) {
        if (event.type === 'part') {
          const name = `part ${event.number}`;
          const type = (event.headers['content-type'] ?? declared).split(';')[0].trim().toLowerCase();
          if (type !== 'application/dicom') {
            current = { name, refusal: `${type} is not application/dicom` };
            continue;
          }
          const path = store.incomingFile();
          temps.push(path);
          current = { name, path, file: await fsp.open(path, 'wx') };
        } else if (event.type === 'data') {
          if (current?.file) {
            await current.file.write(event.bytes);
            await refuseIfNotPart10(current, event.bytes);
          }
        } else {
          await endPart();
        }
      }
    }
    reader.finish();
  } catch (e) {
    await current?.file?.close().catch(() => undefined);
    store.discard(temps);
    if (e instanceof TooLarge) return refuse(413, e.message);
    if (e instanceof MultipartError) return refuse(400, `the body is not multipart/related: ${e.message}`);
    if (!res.headersSent && !req.destroyed)
      return refuse(500, `the upload could not be written: ${(e as Error).message}`);
    throw e;
  }
  if (reader.partCount === 0) return refuse(400, 'the multipart body has no parts');

  const stored: Dataset[] = [];
  for (const [n, upload] of checked.entries()) {
    // Many parts: let other requests in between the renames.
    if (n % 32 === 31) await new Promise((r) => setImmediate(r));
    let instance: StoredInstance;
    try {
      instance = store.commit(upload);
    } catch (e) {
      store.discard([upload.tempFile]);
      fail('an instance', FailureReason.OutOfResources, `could not be written: ${(e as Error).message}`, {
        ReferencedSOPClassUID: upload.parsed.sopClassUID,
        ReferencedSOPInstanceUID: upload.parsed.sopInstanceUID,
      });
      continue;
    }
    stored.push({
      ReferencedSOPClassUID: instance.sopClassUID,
      ReferencedSOPInstanceUID: instance.sopInstanceUID,
      RetrieveURL: instanceUrl(instance),
    });
  }
  const result: Dataset = { ReferencedSOPSequence: stored };
  const studies = new Set(stored.map((d) => String(d.RetrieveURL).split('/series/')[0]));
  if (studies.size === 1) result.RetrieveURL = [...studies][0];
  if (failed.length) result.FailedSOPSequence = failed;
  answer(res, stored.length === 0 ? 409 : failed.length ? 202 : 200, result, comments);
}

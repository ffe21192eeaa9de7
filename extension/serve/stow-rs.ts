/**
 * STOW-RS into the folder store (PS3.18 10.5): multipart/related application/dicom parts, each
 * stored or refused. The answer lists ReferencedSOPSequence and FailedSOPSequence items: HTTP 200
 * when all were stored, 202 when some were, 409 when none; a body that is no multipart/related is
 * refused whole (415/400/413) with an empty FailedSOPSequence. Why each part failed is said in
 * a Warning header (ErrorComment only holds 64 characters).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dataset } from '../src/dicom/dataset';
import { DicomError } from '../src/dicom/errors';
import { contentTypeParameter, decodeMultipart } from '../src/dicom/dicomweb/multipart';
import { toDicomJson } from './dicom-json';
import { json, readBody } from './dicomweb-http';
import { type FolderStore, StudyMismatch, type StoredInstance } from './folder-store';

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

export async function stowRs(req: IncomingMessage, res: ServerResponse, options: StowOptions): Promise<void> {
  const { store, studyUID, instanceUrl } = options;
  const refuse = (status: number, message: string) =>
    answer(res, status, { FailedSOPSequence: [] }, [message]);
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/related\b/i.test(contentType))
    return refuse(415, `STOW-RS needs multipart/related; type="application/dicom", got "${contentType}"`);
  const boundary = contentTypeParameter(contentType, 'boundary');
  if (!boundary) return refuse(400, 'the multipart/related Content-Type has no boundary');
  const declared = contentTypeParameter(contentType, 'type') ?? 'application/dicom';
  let body: Buffer;
  try {
    body = await readBody(req, options.maxUploadBytes);
  } catch (e) {
    return refuse(413, (e as Error).message);
  }
  let parts;
  try {
    parts = decodeMultipart(body, boundary);
  } catch (e) {
    return refuse(400, `the body is not multipart/related: ${(e as Error).message}`);
  }
  if (parts.length === 0) return refuse(400, 'the multipart body has no parts');

  const stored: Dataset[] = [];
  const failed: Dataset[] = [];
  const comments: string[] = [];
  parts.forEach((part, index) => {
    const name = `part ${index + 1}`;
    const type = (part.headers['content-type'] ?? declared).split(';')[0].trim().toLowerCase();
    const fail = (reason: number, why: string, uids: Dataset = {}) => {
      failed.push({ ...uids, FailureReason: reason });
      comments.push(`${name}: ${why}`);
    };
    if (type !== 'application/dicom')
      return fail(FailureReason.CannotUnderstand, `${type} is not application/dicom`);
    let instance: StoredInstance;
    try {
      instance = store.store(part.body, name, studyUID);
    } catch (e) {
      if (e instanceof StudyMismatch) return fail(FailureReason.StudyInstanceUIDMismatch, e.message, e.uids);
      if (e instanceof DicomError) return fail(FailureReason.CannotUnderstand, e.message);
      return fail(FailureReason.OutOfResources, `could not be written: ${(e as Error).message}`);
    }
    stored.push({
      ReferencedSOPClassUID: instance.sopClassUID,
      ReferencedSOPInstanceUID: instance.sopInstanceUID,
      RetrieveURL: instanceUrl(instance),
    });
  });
  const result: Dataset = { ReferencedSOPSequence: stored };
  const studies = new Set(stored.map((d) => String(d.RetrieveURL).split('/series/')[0]));
  if (studies.size === 1) result.RetrieveURL = [...studies][0];
  if (failed.length) result.FailedSOPSequence = failed;
  answer(res, stored.length === 0 ? 409 : failed.length ? 202 : 200, result, comments);
}

/**
 * DICOMweb over the folder store, what OHIF 3.13's DICOMweb data source uses (PS3.18):
 *   QIDO-RS  GET  /studies, /studies/{s}/series, /studies/{s}/series/{se}/instances
 *   WADO-RS  GET  .../metadata (study, series, instance), /studies/{s}[/series/{se}[/instances/{i}]]
 *                 (application/dicom), .../instances/{i}/frames/{n[,m...]}, .../instances/{i}/bulk/7FE00010
 *   STOW-RS  POST /studies, /studies/{s}  (multipart/related; type="application/dicom")
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dataset } from '../src/dicom/dataset';
import { DicomError } from '../src/dicom/errors';
import {
  contentTypeParameter,
  decodeMultipart,
  encodeMultipart,
  newBoundary,
} from '../src/dicom/dicomweb/multipart';
import { PIXEL_DATA_TAG, toDicomJson } from './dicom-json';
import { type FolderStore, StudyMismatch, type StoredInstance } from './folder-store';
import { extractFrames, numberOfFrames } from './frames';
import { QueryError, instanceCandidate, runQuery, seriesCandidate, studyCandidate } from './qido';

export interface DicomWebRoutesOptions {
  readonly store: FolderStore;
  /** Path the routes are served under, e.g. /dicom-web (for the URLs written into answers). */
  readonly mountPath: string;
  /** Largest STOW-RS body accepted (default 1 GiB). */
  readonly maxUploadBytes?: number;
}

/** STOW-RS failure reasons (PS3.4 GG.4-1, PS3.18 table I.2-2). */
export const FailureReason = {
  /** The part is not a DICOM instance this store can read. */
  CannotUnderstand: 0xc000,
  /** The instance belongs to another study than the one in the request path. */
  StudyInstanceUIDMismatch: 0xc409,
  /** Writing the file failed. */
  OutOfResources: 0xa700,
} as const;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const notFound = (what: string) => new HttpError(404, `${what} not found`);

const DICOM_JSON = 'application/dicom+json';
const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

/** Request handler for the paths under `mountPath`. */
export function dicomWebRoutes(options: DicomWebRoutesOptions) {
  const { store, mountPath } = options;
  const maxUpload = options.maxUploadBytes ?? 2 ** 30;

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://x');
    const base = `http://${req.headers.host ?? 'localhost'}${mountPath}`;
    const segments = url.pathname
      .slice(mountPath.length)
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    try {
      if (segments[0] !== 'studies') throw notFound(`DICOMweb resource ${url.pathname}`);
      if (req.method === 'POST') {
        if (segments.length > 2)
          throw new HttpError(405, 'STOW-RS accepts POST /studies or /studies/{study}');
        return await stow(req, res, segments[1], base);
      }
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not supported here`);
      return get(req, res, segments, url.searchParams, base);
    } catch (e) {
      if (e instanceof HttpError) return plain(res, e.status, e.message);
      if (e instanceof QueryError) return plain(res, 400, e.message);
      if (e instanceof DicomError) return plain(res, 500, e.message);
      throw e;
    }
  };

  function get(
    req: IncomingMessage,
    res: ServerResponse,
    s: string[],
    query: URLSearchParams,
    base: string,
  ): void {
    const metadata = (i: StoredInstance) => metadataJson(base, i);
    const [, studyUID, seriesWord, seriesUID, instancesWord, sopUID, what, arg] = s;
    if (s.length === 1)
      return json(res, 200, runQuery('study', store.studies.map(studyCandidate), query).map(qidoJson));
    const study = store.study(studyUID);
    if (!study) throw notFound(`study ${studyUID}`);
    const allOfStudy = () => [...study.series.values()].flatMap((se) => [...se.instances.values()]);
    if (s.length === 2) return retrieve(req, res, allOfStudy());
    if (s.length === 3 && seriesWord === 'metadata') return json(res, 200, allOfStudy().map(metadata));
    if (seriesWord !== 'series') throw notFound(`DICOMweb resource ${s.join('/')}`);
    if (s.length === 3)
      return json(
        res,
        200,
        runQuery('series', [...study.series.values()].map(seriesCandidate), query).map(qidoJson),
      );
    const series = study.series.get(seriesUID);
    if (!series) throw notFound(`series ${seriesUID} of study ${studyUID}`);
    const allOfSeries = () => [...series.instances.values()];
    if (s.length === 4) return retrieve(req, res, allOfSeries());
    if (s.length === 5 && instancesWord === 'metadata') return json(res, 200, allOfSeries().map(metadata));
    if (instancesWord !== 'instances') throw notFound(`DICOMweb resource ${s.join('/')}`);
    if (s.length === 5)
      return json(res, 200, runQuery('instance', allOfSeries().map(instanceCandidate), query).map(qidoJson));
    const instance = series.instances.get(sopUID);
    if (!instance) throw notFound(`instance ${sopUID} of series ${seriesUID}`);
    if (s.length === 6) return retrieve(req, res, [instance]);
    if (s.length === 7 && what === 'metadata') return json(res, 200, [metadata(instance)]);
    if (s.length === 8 && what === 'frames') return frames(req, res, instance, arg);
    if (s.length === 8 && what === 'bulk') return bulk(req, res, instance, arg);
    throw notFound(`DICOMweb resource ${s.join('/')}`);
  }

  function instanceUrl(base: string, i: StoredInstance): string {
    return `${base}/studies/${i.studyInstanceUID}/series/${i.seriesInstanceUID}/instances/${i.sopInstanceUID}`;
  }

  function metadataJson(base: string, i: StoredInstance) {
    const pixelData = i.pixelDataVR
      ? { vr: i.pixelDataVR, uri: `${instanceUrl(base, i)}/bulk/${PIXEL_DATA_TAG}` }
      : undefined;
    return toDicomJson(i.attributes, pixelData);
  }

  /** WADO-RS retrieve of whole instances, as stored (multipart, or one application/dicom body). */
  function retrieve(req: IncomingMessage, res: ServerResponse, instances: StoredInstance[]): void {
    const accept = acceptRanges(req);
    const wanted = accept.find(
      (a) => a.type === 'multipart/related' || a.type === 'application/dicom' || a.type === '*/*',
    );
    if (!wanted)
      throw new HttpError(406, `only application/dicom is offered here, not ${req.headers.accept}`);
    const syntax = wanted.params['transfer-syntax'];
    const refused =
      syntax && syntax !== '*' ? instances.find((i) => i.transferSyntaxUID !== syntax) : undefined;
    if (refused)
      throw new HttpError(
        406,
        `instance ${refused.sopInstanceUID} is stored as ${refused.transferSyntaxUID}, not ${syntax} (no transcoding here)`,
      );
    const bodies = instances.map((i) => store.read(i));
    if (wanted.type === 'application/dicom' && bodies.length === 1) {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/dicom');
      return void res.end(bodies[0]);
    }
    const syntaxes = new Set(instances.map((i) => i.transferSyntaxUID));
    const partType = `application/dicom${syntaxes.size === 1 ? `; transfer-syntax=${[...syntaxes][0]}` : ''}`;
    multipart(res, bodies, 'application/dicom', partType);
  }

  function frames(req: IncomingMessage, res: ServerResponse, instance: StoredInstance, list: string): void {
    const count = numberOfFrames(instance.attributes, instance.sopInstanceUID);
    const numbers = list.split(',').map((n) => Number(n));
    const bad = numbers.find((n) => !Number.isInteger(n) || n < 1 || n > count);
    if (bad !== undefined)
      throw notFound(`frame ${bad} of instance ${instance.sopInstanceUID} (${count} frame(s))`);
    if (!instance.pixelDataVR) throw notFound(`pixel data of instance ${instance.sopInstanceUID}`);
    sendPixels(req, res, extractFrames(store.parse(instance), numbers));
  }

  function bulk(req: IncomingMessage, res: ServerResponse, instance: StoredInstance, tag: string): void {
    if (tag.toUpperCase() !== PIXEL_DATA_TAG || !instance.pixelDataVR)
      throw notFound(`bulk data ${tag} of instance ${instance.sopInstanceUID}`);
    const count = numberOfFrames(instance.attributes, instance.sopInstanceUID);
    const all = extractFrames(
      store.parse(instance),
      Array.from({ length: count }, (_, i) => i + 1),
    );
    sendPixels(req, res, all);
  }

  /** Pixel data as multipart (one part per frame) or, when asked for, one octet-stream body. */
  function sendPixels(
    req: IncomingMessage,
    res: ServerResponse,
    pixels: ReturnType<typeof extractFrames>,
  ): void {
    const ts = pixels.transferSyntaxUID;
    const acceptable = acceptRanges(req).filter((a) => {
      const syntax = a.params['transfer-syntax'];
      const syntaxOk =
        !syntax ||
        syntax === '*' ||
        syntax === ts ||
        (ts === EXPLICIT_LITTLE && syntax === '1.2.840.10008.1.2');
      const inner = a.params.type;
      const typeOk =
        a.type === '*/*' ||
        a.type === 'application/octet-stream' ||
        (a.type === 'multipart/related' &&
          (!inner || inner === 'application/octet-stream' || inner === '*/*'));
      return typeOk && syntaxOk;
    });
    if (acceptable.length === 0)
      throw new HttpError(
        406,
        `the pixel data is available as application/octet-stream in ${ts}, not as ${req.headers.accept}`,
      );
    const partType = `application/octet-stream; transfer-syntax=${ts}`;
    if (acceptable[0].type === 'application/octet-stream') {
      res.statusCode = 200;
      res.setHeader('Content-Type', partType);
      return void res.end(Buffer.concat(pixels.frames));
    }
    multipart(res, pixels.frames, 'application/octet-stream', partType, ts);
  }

  async function stow(
    req: IncomingMessage,
    res: ServerResponse,
    studyUID: string | undefined,
    base: string,
  ): Promise<void> {
    const refuse = (status: number, message: string) =>
      json(res, status, stowJson({ FailedSOPSequence: [], ErrorComment: message.slice(0, 1024) }));
    const contentType = req.headers['content-type'] ?? '';
    if (!/^multipart\/related\b/i.test(contentType))
      return refuse(415, `STOW-RS needs multipart/related; type="application/dicom", got "${contentType}"`);
    const boundary = contentTypeParameter(contentType, 'boundary');
    if (!boundary) return refuse(400, 'the multipart/related Content-Type has no boundary');
    const declared = contentTypeParameter(contentType, 'type') ?? 'application/dicom';
    let body: Buffer;
    try {
      body = await readBody(req, maxUpload);
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
        if (e instanceof StudyMismatch)
          return fail(FailureReason.StudyInstanceUIDMismatch, e.message, e.uids);
        if (e instanceof DicomError) return fail(FailureReason.CannotUnderstand, e.message);
        return fail(FailureReason.OutOfResources, `could not be written: ${(e as Error).message}`);
      }
      stored.push({
        ReferencedSOPClassUID: instance.sopClassUID,
        ReferencedSOPInstanceUID: instance.sopInstanceUID,
        RetrieveURL: instanceUrl(base, instance),
      });
    });
    const answer: Dataset = { ReferencedSOPSequence: stored };
    const studies = new Set(stored.map((d) => String(d.RetrieveURL).split('/series/')[0]));
    if (studies.size === 1) answer.RetrieveURL = [...studies][0];
    if (failed.length) {
      answer.FailedSOPSequence = failed;
      answer.ErrorComment = comments.join('; ').slice(0, 1024);
    }
    json(res, stored.length === 0 ? 409 : failed.length ? 202 : 200, stowJson(answer));
  }
}

const qidoJson = (d: Dataset) => toDicomJson(d);
const stowJson = (d: Dataset) => toDicomJson({ ...d, _vrMap: {} });

function plain(res: ServerResponse, status: number, message: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(message);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('Content-Type', DICOM_JSON);
  res.end(JSON.stringify(body));
}

function multipart(
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

interface MediaRange {
  readonly type: string;
  readonly params: Record<string, string>;
}

/** The Accept header's media ranges in order (absent → anything). */
function acceptRanges(req: IncomingMessage): MediaRange[] {
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

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        reject(new Error(`the upload is larger than ${max} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

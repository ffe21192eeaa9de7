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
import { PIXEL_DATA_TAG, toDicomJson } from './dicom-json';
import { HttpError, acceptRanges, json, multipart, notFound, plain } from './dicomweb-http';
import type { FolderStore, StoredInstance } from './folder-store';
import { extractFrames, numberOfFrames } from './frames';
import { QueryError, instanceCandidate, runQuery, seriesCandidate, studyCandidate } from './qido';
import { isValidUid, uidProblem } from './store-paths';
import { stowRs } from './stow-rs';

export interface DicomWebRoutesOptions {
  readonly store: FolderStore;
  /** Path the routes are served under, e.g. /dicom-web (for the URLs written into answers). */
  readonly mountPath: string;
  /** Largest STOW-RS body accepted (default 1 GiB). */
  readonly maxUploadBytes?: number;
}

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

/** Request handler for the paths under `mountPath`. */
export function dicomWebRoutes(options: DicomWebRoutesOptions) {
  const { store, mountPath } = options;
  const maxUpload = options.maxUploadBytes ?? 2 ** 30;

  /** `segments`: the decoded path below `mountPath`; `search`: the query string. */
  return async (
    req: IncomingMessage,
    res: ServerResponse,
    segments: readonly string[],
    search: string,
  ): Promise<void> => {
    const query = new URLSearchParams(search);
    const base = `http://${req.headers.host ?? 'localhost'}${mountPath}`;
    try {
      checkUids(segments);
      if (segments[0] !== 'studies') throw notFound(`DICOMweb resource /${segments.join('/')}`);
      if (req.method === 'POST') {
        if (segments.length > 2)
          throw new HttpError(405, 'STOW-RS accepts POST /studies or /studies/{study}');
        return await stowRs(req, res, {
          store,
          studyUID: segments[1],
          instanceUrl: (i) => instanceUrl(base, i),
          maxUploadBytes: maxUpload,
        });
      }
      if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not supported here`);
      return get(req, res, segments, query, base);
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
    s: readonly string[],
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
}

const qidoJson = (d: Dataset) => toDicomJson(d);

/** The UIDs of a path (studies/{s}/series/{se}/instances/{i}/...) follow the UID grammar: else 400. */
function checkUids(segments: readonly string[]): void {
  for (let i = 1; i < segments.length && i <= 5; i += 2) {
    const word = segments[i - 1];
    if (word !== 'studies' && word !== 'series' && word !== 'instances') return;
    if (!isValidUid(segments[i])) throw new HttpError(400, `${word}: ${uidProblem(segments[i])}`);
  }
}

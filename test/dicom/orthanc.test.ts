/**
 * End to end against a real PACS: a private Orthanc with the DICOMweb plugin (Debian packages),
 * basic auth on. Upload a real series with STOW-RS, store our SEG, find it with QIDO-RS, fetch it
 * back with WADO-RS and compare bytes and masks; refusals surface as typed errors.
 */
import {
  DicomWebClient,
  DicomWebError,
  basicAuthHeader,
  readSeg,
  volumeFromPart10,
  writeSeg,
} from '../../extension/src/dicom';
import { SERIES, readSeries } from '../support/dicom-data';
import { type Orthanc, startOrthanc } from '../support/orthanc';

jest.setTimeout(120000);

const USER = 'radiologist';
const PASSWORD = 'medsam2-test-pw';

let orthanc: Orthanc;
beforeAll(async () => {
  orthanc = await startOrthanc({ users: { [USER]: PASSWORD } });
});
afterAll(async () => {
  await orthanc?.stop();
});

const client = () =>
  new DicomWebClient({ baseUrl: orthanc.dicomWeb, headers: basicAuthHeader(USER, PASSWORD) });

describe('Orthanc (DICOMweb plugin) with basic auth', () => {
  const files = readSeries(SERIES.ct5);
  const volume = volumeFromPart10(files);
  const mask = new Uint8Array(volume.data.length);
  for (let k = 1; k <= 3; k++)
    for (let y = 4; y < 12; y++) for (let x = 5; x < 10; x++) mask[x + 16 * (y + 16 * k)] = 1;
  const seg = writeSeg(volume, [{ label: 'Lesion', mask }], {
    format: 'binary',
    algorithmVersion: '0.1.0',
    modelHash: 'f'.repeat(64),
    seriesDescription: 'MedSAM-2 test',
  });

  it('refuses requests without credentials (401) and the error says so', async () => {
    const anonymous = new DicomWebClient({ baseUrl: orthanc.dicomWeb });
    const error = await anonymous.qidoSeries(volume.studyInstanceUID).catch((e) => e);
    expect(error).toBeInstanceOf(DicomWebError);
    expect(error).toMatchObject({ kind: 'http-error', details: expect.objectContaining({ status: 401 }) });
  });

  it('stores the real source series with STOW-RS', async () => {
    const result = await client().stow(files.map((f) => f.bytes));
    expect(result.stored.map((s) => s.sopInstanceUID).sort()).toEqual(
      volume.slices.map((s) => s.sopInstanceUID).sort(),
    );
  });

  it('stores our SEG into the study, finds it with QIDO-RS and gets the same bytes back with WADO-RS', async () => {
    const stored = await client().stow([seg], volume.studyInstanceUID);
    expect(stored.stored).toHaveLength(1);
    const segSop = stored.stored[0].sopInstanceUID as string;

    const series = await client().qidoSeries(volume.studyInstanceUID, { Modality: 'SEG' });
    expect(series).toHaveLength(1);
    const segSeriesUID = series[0].SeriesInstanceUID as string;
    expect(series[0].Modality).toBe('SEG');
    const instances = await client().qidoInstances(volume.studyInstanceUID, segSeriesUID);
    expect(instances.map((i) => i.SOPInstanceUID)).toEqual([segSop]);

    const back = await client().retrieveInstance(volume.studyInstanceUID, segSeriesUID, segSop);
    expect(Buffer.from(back).equals(Buffer.from(seg))).toBe(true);
    expect(readSeg(back, volume).segments[0].mask).toEqual(mask);
  });

  it('fetches a source image back byte for byte', async () => {
    const [first] = volume.slices;
    const back = await client().retrieveInstance(
      volume.studyInstanceUID,
      volume.seriesInstanceUID,
      first.sopInstanceUID,
    );
    const original = files.find((f) => f.name === first.source)!;
    expect(Buffer.from(back).equals(Buffer.from(original.bytes))).toBe(true);
  });

  it('surfaces Orthanc refusing an instance for another study as stow-failed with the FailedSOPSequence', async () => {
    const error = await client()
      .stow([files[0].bytes], '1.2.826.0.1.3680043.8.498.1')
      .catch((e) => e);
    expect(error).toBeInstanceOf(DicomWebError);
    expect(error.kind).toBe('stow-failed');
    expect(error.details.failedSops).toEqual([
      expect.objectContaining({
        sopInstanceUID: volume.slices.find((s) => s.source === files[0].name)!.sopInstanceUID,
      }),
    ]);
    expect(error.details.failedSops[0].failureReason).toBeGreaterThan(0);
  });

  it('surfaces a non-DICOM body as stow-failed', async () => {
    const junk = new TextEncoder().encode('this is not DICOM').buffer as ArrayBuffer;
    const error = await client()
      .stow([junk])
      .catch((e) => e);
    expect(error).toMatchObject({ kind: 'stow-failed', details: expect.objectContaining({ status: 400 }) });
    expect(error.message).toContain('not DICOM');
  });
});

/**
 * The store confirmation the viewer's export and `medsam2 segment --stow` share: against a real
 * Orthanc (Debian), once plain and once with a Lua ReceivedInstanceFilter that refuses SEG
 * instances (it answers the STOW-RS with success and drops the instance), and with searches that
 * fail or return something else.
 */
import { DicomWebClient, volumeFromPart10, writeSeg } from '../../extension/src/dicom';
import {
  confirmStored,
  resultUid,
  storedInstanceOf,
  type StoreQueries,
} from '../../extension/src/dicom/dicomweb/confirm-stored';
import { startOrthanc, type RunningOrthanc } from '../../extension/serve/orthanc';
import { SERIES, readSeries } from '../support/dicom-data';

const REFUSE_SEG_LUA = `
function ReceivedInstanceFilter(dicom, origin, info)
  return dicom.Modality ~= 'SEG'
end
`;

const volume = volumeFromPart10(readSeries(SERIES.ct5));
function seg(): ArrayBuffer {
  const mask = new Uint8Array(volume.data.length);
  mask.fill(1, 16 * 16 * 2 + 10, 16 * 16 * 2 + 40);
  return writeSeg(volume, [{ label: 'test', mask }], {
    format: 'binary',
    algorithmVersion: '0.1.0',
    modelHash: 'c0ffee'.repeat(10) + 'abcd',
  });
}

const queriesOf = (client: DicomWebClient): StoreQueries => ({
  searchSeries: (study) => client.qidoSeries(study),
  searchInstances: (study, series) => client.qidoInstances(study, series),
  retrieve: (i) => client.retrieveInstance(i.studyInstanceUID, i.seriesInstanceUID, i.sopInstanceUID),
});

describe('confirmStored against Orthanc', () => {
  const running: RunningOrthanc[] = [];
  afterAll(async () => {
    for (const o of running) await o.stop();
  });

  it('a stored SEG is listed (series, instance) and retrieved back: confirmed', async () => {
    const orthanc = await startOrthanc();
    running.push(orthanc);
    const client = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl });
    const bytes = seg();
    await client.stow([bytes], volume.studyInstanceUID);
    await expect(confirmStored(queriesOf(client), [storedInstanceOf(bytes)])).resolves.toEqual({
      confirmed: true,
    });
  });

  it('a Lua filter that refuses SEGs: STOW-RS answers success, the check says not listed', async () => {
    const orthanc = await startOrthanc({ lua: REFUSE_SEG_LUA });
    running.push(orthanc);
    const client = new DicomWebClient({ baseUrl: orthanc.dicomWebUrl });
    const bytes = seg();
    // What the issue found: no error from the store itself.
    await expect(client.stow([bytes], volume.studyInstanceUID)).resolves.toBeDefined();
    const instance = storedInstanceOf(bytes);
    const check = await confirmStored(queriesOf(client), [instance]);
    expect(check).toMatchObject({
      confirmed: false,
      reason: 'not-listed',
      message: `the PACS accepted the upload but does not list series ${instance.seriesInstanceUID} in study ${volume.studyInstanceUID}`,
    });
  });
});

describe('confirmStored decisions', () => {
  const instance = { studyInstanceUID: '1.2.3', seriesInstanceUID: '1.2.3.4', sopInstanceUID: '1.2.3.4.5' };
  const listed = async () => [{ '0020000E': { vr: 'UI', Value: ['1.2.3.4'] } }];

  it('reads UIDs from OHIF, naturalized and DICOM JSON results', () => {
    expect(resultUid({ seriesInstanceUid: '1.2' }, 'SeriesInstanceUID')).toBe('1.2');
    expect(resultUid({ SeriesInstanceUID: '1.3' }, 'SeriesInstanceUID')).toBe('1.3');
    expect(resultUid({ '0020000E': { Value: ['1.4'] } }, 'SeriesInstanceUID')).toBe('1.4');
    expect(resultUid({ '00080018': { Value: ['1.5'] } }, 'SOPInstanceUID')).toBe('1.5');
    expect(resultUid({ sopInstanceUid: '1.6' }, 'SOPInstanceUID')).toBe('1.6');
    expect(resultUid(null, 'SOPInstanceUID')).toBeUndefined();
  });

  it('a search that fails: query-failed with its message', async () => {
    const check = await confirmStored(
      {
        searchSeries: async () => {
          throw new Error('HTTP 500');
        },
      },
      [instance],
    );
    expect(check).toMatchObject({
      confirmed: false,
      reason: 'query-failed',
      message: expect.stringContaining('HTTP 500'),
    });
  });

  it('series listed but not the instance: not-listed', async () => {
    const check = await confirmStored({ searchSeries: listed, searchInstances: async () => [] }, [instance]);
    expect(check).toMatchObject({
      confirmed: false,
      reason: 'not-listed',
      message: expect.stringContaining('1.2.3.4.5'),
    });
  });

  it('listed, but WADO-RS returns something else: not-retrievable', async () => {
    const other = seg();
    const check = await confirmStored(
      {
        searchSeries: listed,
        searchInstances: async () => [{ '00080018': { Value: ['1.2.3.4.5'] } }],
        retrieve: async () => other,
      },
      [instance],
    );
    expect(check).toMatchObject({ confirmed: false, reason: 'not-retrievable' });
  });

  it('series search only (the viewer): listed series is enough', async () => {
    await expect(confirmStored({ searchSeries: listed }, [instance])).resolves.toEqual({ confirmed: true });
  });
});

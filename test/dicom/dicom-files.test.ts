/** Reading a folder of DICOM files in Node (the CLI's input): Part-10 files only, DICOMDIR skipped. */
import { closeSync, mkdtempSync, openSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sliceIndexOf, volumeFromPart10 } from '../../extension/src/dicom';
import { readDicomDirectory } from '../../extension/src/node/dicom-files';
import { PYDICOM_FILES, SERIES, readSeries } from '../support/dicom-data';

describe('readDicomDirectory', () => {
  it('reads Part-10 files recursively, skipping DICOMDIR indexes and non-DICOM files with a reason', async () => {
    const { files, skipped } = await readDicomDirectory(path.join(PYDICOM_FILES, 'dicomdirtests'));
    const names = files.map((f) => f.name);
    expect(names).toContain(path.join('98892001', 'CT5N', '2062'));
    expect(names.some((n) => n.includes('DICOMDIR'))).toBe(false);
    expect(skipped).toEqual(
      expect.arrayContaining([
        { path: 'README.txt', reason: 'no DICM marker (not a Part-10 file)' },
        { path: 'DICOMDIR', reason: 'DICOMDIR index' },
      ]),
    );
  });

  it('gives input volumeFromPart10 turns into the same volume as reading the files one by one', async () => {
    const { files } = await readDicomDirectory(SERIES.ct5);
    expect(files).toHaveLength(5);
    expect(volumeFromPart10(files).data).toEqual(volumeFromPart10(readSeries(SERIES.ct5)).data);
  });
});

describe('readDicomDirectory on a folder holding more than a series', () => {
  it('a 3 GiB file that is no DICOM (a video, an archive) is skipped by its head, never read whole', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dicom-dir-'));
    for (const f of readSeries(SERIES.ct5))
      writeFileSync(path.join(dir, path.basename(f.name)), Buffer.from(f.bytes));
    const big = path.join(dir, 'study.mp4');
    closeSync(openSync(big, 'w'));
    truncateSync(big, 3 * 2 ** 30); // sparse: nothing on disk
    const { files, skipped } = await readDicomDirectory(dir);
    expect(files).toHaveLength(5);
    expect(skipped).toEqual([{ path: 'study.mp4', reason: 'no DICM marker (not a Part-10 file)' }]);
  });
});

describe('sliceIndexOf', () => {
  it('finds the slice of a SOP instance (for prompts given by SOPInstanceUID)', () => {
    const v = volumeFromPart10(readSeries(SERIES.ct5));
    expect(sliceIndexOf(v, v.slices[3].sopInstanceUID)).toBe(3);
    expect(sliceIndexOf(v, '1.2.3')).toBe(-1);
  });
});

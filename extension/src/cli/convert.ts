/**
 * `medsam2 convert`: a NIfTI volume → a DICOM series (one file per slice), and optionally a label
 * volume on the same grid → a DICOM SEG on that series, so one case runs through both the NIfTI
 * and the DICOM paths (series-writer.ts, label-seg.ts).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  geometryOnVolume,
  labelSegmentLabel,
  toSeriesOrder,
  writeLabelSeg,
  writeSeries,
  type SeriesModality,
} from '../dicom';
import { InputError } from '../engine/errors';
import { choiceFlag, parseFlags, requireFlag, UsageError } from './args';
import { defaultLabelNames, intList, parseLabelNames } from './eval';
import { readInput, readNifti } from './volume-files';

export const CONVERT_USAGE = `  convert --nifti <in.nii[.gz]> --out <dir> [--modality MR|CT] [--series-description S]
            [--labels <labels.nii[.gz]> --label-ids 77,73 --seg-out <labels-seg.dcm> [--label-names names.txt]]
            [--quiet]`;

const FLAGS = {
  nifti: 'string',
  out: 'string',
  modality: 'string',
  'series-description': 'string',
  labels: 'string',
  'label-ids': 'string',
  'seg-out': 'string',
  'label-names': 'string',
  quiet: 'boolean',
} as const;

const LABEL_FLAGS = ['labels', 'label-ids', 'seg-out'] as const;

/** An output folder that does not exist yet or is empty, so no other series ends up mixed in. */
async function emptyOutputFolder(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw new InputError('invalid-file', `cannot use --out ${dir}: ${e.code ?? e.message}`);
  });
  if (entries.length > 0)
    throw new InputError(
      'invalid-file',
      `--out ${dir} is not empty (${entries.length} entries): give a new folder, so the series is not mixed with other files`,
    );
}

export async function runConvert(argv: readonly string[], log: (line: string) => void): Promise<void> {
  const flags = parseFlags(argv, FLAGS);
  const niftiPath = requireFlag(flags, 'nifti');
  const outDir = requireFlag(flags, 'out');
  const modality = choiceFlag<SeriesModality>(flags, 'modality', ['MR', 'CT'], 'MR');
  const given = LABEL_FLAGS.filter((f) => flags.has(f));
  if (given.length > 0 && given.length < LABEL_FLAGS.length)
    throw new UsageError(
      `--labels, --label-ids and --seg-out go together (got ${given.map((f) => `--${f}`).join(', ')})`,
    );
  if (flags.has('label-names') && given.length === 0) throw new UsageError('--label-names needs --labels');
  const quiet = flags.get('quiet') === true;
  await emptyOutputFolder(outDir);

  const image = await readNifti(niftiPath, 'volume');
  const series = writeSeries(image.volume, {
    name: niftiPath,
    modality,
    seriesDescription: (flags.get('series-description') as string | undefined) ?? path.basename(niftiPath),
  });

  let seg: { path: string; bytes: ArrayBuffer; labels: string[] } | undefined;
  if (given.length > 0) {
    const labelsPath = requireFlag(flags, 'labels');
    const ids = intList('label-ids', requireFlag(flags, 'label-ids'));
    const labels = (await readNifti(labelsPath, 'labels')).volume;
    if (!labels.affine) throw new InputError('invalid-volume', `${labelsPath}: no voxel→world matrix`);
    const geometry = geometryOnVolume(labels.affine, labels.dims, series.volume, labelsPath);
    const namesPath = (flags.get('label-names') as string | undefined) ?? defaultLabelNames(labelsPath);
    const labelNames = namesPath
      ? parseLabelNames(new TextDecoder().decode(await readInput(namesPath, 'label names')))
      : undefined;
    const bytes = writeLabelSeg(series.volume, toSeriesOrder(labels.data, labels.dims, geometry), ids, {
      name: labelsPath,
      labelNames,
      softwareVersions: 'medsam2 convert',
      seriesDescription: `${path.basename(labelsPath)} labels ${ids.join(',')}`,
    });
    seg = {
      path: requireFlag(flags, 'seg-out'),
      bytes,
      labels: ids.map((id) => labelSegmentLabel(id, labelNames?.get(id))),
    };
  }

  await mkdir(outDir, { recursive: true });
  for (const f of series.files) await writeFile(path.join(outDir, f.name), new Uint8Array(f.bytes));
  if (!quiet) {
    const r = series.rescale;
    log(
      `wrote ${series.files.length} ${modality} instances of series ${series.volume.seriesInstanceUID} to ${outDir} ` +
        `(${series.volume.dims.join('×')}; rescale slope ${r.slope} intercept ${r.intercept}, max error ${r.maxError}` +
        `${series.geometry.reversed ? '; slices in reverse grid order, the NIfTI being left-handed' : ''})`,
    );
  }
  if (seg) {
    await mkdir(path.dirname(seg.path), { recursive: true });
    await writeFile(seg.path, new Uint8Array(seg.bytes));
    if (!quiet)
      log(`wrote ${seg.path}: SEG with segments ${seg.labels.map((l) => JSON.stringify(l)).join(', ')}`);
  }
}

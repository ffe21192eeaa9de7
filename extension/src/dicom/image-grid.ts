/**
 * Source images without patient geometry (a CR/DX, a single secondary capture, the frames of an
 * ultrasound cine or a Multi-frame SC): what a SEG needs to reference them frame by frame, with no
 * Frame of Reference, position or orientation. Image k of the grid is frame k of the SEG's grid.
 */
import { type Dataset, DatasetReader } from './dataset';
import { DicomError } from './errors';
import { SOURCE_ATTRIBUTE_KEYWORDS } from './volume';

/** One source image: a single-frame instance, or one frame of a multi-frame instance. */
export interface DicomImageRef {
  readonly sopInstanceUID: string;
  readonly sopClassUID: string;
  /** 1-based frame number within a multi-frame source instance; absent for single-frame ones. */
  readonly frameNumber?: number;
  /** The file name or instance label the image came from (for messages). */
  readonly source: string;
}

export interface DicomImageGrid {
  readonly kind: 'images';
  /** Columns, rows, images. */
  readonly dims: readonly [number, number, number];
  /** The images in grid order (instance order as given, then frame order). */
  readonly slices: readonly DicomImageRef[];
  /** (row spacing, column spacing) from PixelSpacing (0028,0030) when every source has the same one. */
  readonly pixelSpacing?: readonly [number, number];
  /** PatientOrientation (0020,0020) of the first source image, when it has one (e.g. ["A", "F"]). */
  readonly patientOrientation?: readonly string[];
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  /** Patient/study attributes copied into the SEG (no Frame of Reference: the SEG has none). */
  readonly sourceAttributes: Dataset;
}

export interface GridInstance {
  /** Names the instance in messages (a file name, "instance <uid>"). */
  readonly label: string;
  /** Naturalized data set (keyword → value); pixel data is not read. */
  readonly dataset: Dataset;
}

/** The images of one series as a grid; instances must share Rows, Columns and SeriesInstanceUID. */
export function imageGrid(instances: readonly GridInstance[]): DicomImageGrid {
  if (instances.length === 0) throw new DicomError('invalid-segmentation', 'no source images');
  const readers = instances.map((i) => new DatasetReader(i.dataset, i.label));
  const first = readers[0];
  const rows = first.number('Rows');
  const columns = first.number('Columns');
  const seriesInstanceUID = first.uid('SeriesInstanceUID');
  const spacings: (readonly [number, number] | undefined)[] = [];
  const slices: DicomImageRef[] = [];
  readers.forEach((r, i) => {
    const label = instances[i].label;
    if (r.number('Rows') !== rows || r.number('Columns') !== columns)
      throw new DicomError(
        'invalid-segmentation',
        `${label}: (0028,0010) Rows × (0028,0011) Columns ${r.number('Rows')}×${r.number('Columns')} differ from ` +
          `${instances[0].label}'s ${rows}×${columns}`,
      );
    if (r.uid('SeriesInstanceUID') !== seriesInstanceUID)
      throw new DicomError(
        'invalid-segmentation',
        `${label}: (0020,000E) SeriesInstanceUID differs from the series'`,
      );
    const frames = r.optNumber('NumberOfFrames') ?? 1;
    const ids = { sopInstanceUID: r.uid('SOPInstanceUID'), sopClassUID: r.uid('SOPClassUID') };
    for (let f = 1; f <= frames; f++)
      slices.push(
        frames > 1 ? { ...ids, frameNumber: f, source: `${label} frame ${f}` } : { ...ids, source: label },
      );
    const ps = instances[i].dataset.PixelSpacing;
    spacings.push(
      Array.isArray(ps) && ps.length === 2 && ps.every((v) => Number(v) > 0)
        ? [Number(ps[0]), Number(ps[1])]
        : undefined,
    );
  });
  const s0 = spacings[0];
  const sameSpacing = s0 && spacings.every((s) => s && s[0] === s0[0] && s[1] === s0[1]);
  const sourceAttributes: Dataset = {};
  for (const k of SOURCE_ATTRIBUTE_KEYWORDS) {
    if (k === 'FrameOfReferenceUID' || k === 'PositionReferenceIndicator') continue;
    if (instances[0].dataset[k] !== undefined) sourceAttributes[k] = instances[0].dataset[k];
  }
  return {
    kind: 'images',
    dims: [columns, rows, slices.length],
    slices,
    ...(sameSpacing ? { pixelSpacing: s0 } : {}),
    ...patientOrientation(instances[0].dataset.PatientOrientation),
    studyInstanceUID: first.uid('StudyInstanceUID'),
    seriesInstanceUID,
    sourceAttributes,
  };
}

function patientOrientation(value: unknown): { patientOrientation?: string[] } {
  const values = (Array.isArray(value) ? value : [value]).map((v) => (typeof v === 'string' ? v.trim() : ''));
  return values.length === 2 && values.every((v) => /^[APRLHF]{1,3}$/.test(v))
    ? { patientOrientation: values }
    : {};
}

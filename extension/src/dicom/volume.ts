/**
 * The DICOM volume: the engine's Volume plus what referencing the source needs (per-slice SOP
 * instances and positions, orientation, UIDs, patient/study attributes). Built from image
 * instances by `assembleVolume`, which checks that they form one regular stack.
 */
import type { Modality, Volume } from '../engine/types';
import { type Dataset, DatasetReader } from './dataset';
import { DicomError, asDicomError } from './errors';
import {
  type FrameGeometry,
  SPACING_RANGE_MM,
  declaredSliceSpacing,
  frameGeometries,
  plausibleSpacing,
} from './frames';
import {
  type Orientation,
  type Vec3,
  add,
  dot,
  norm,
  sameOrientation,
  scale,
  sliceNormal,
  sub,
  voxelToPatient,
} from './geometry';
import {
  type ModalityTransform,
  type PixelDescription,
  modalityTransform,
  pixelDescription,
  writeModalityValues,
} from './pixels';

/** One slice of the volume (one frame of a source instance), in volume order. */
export interface DicomSlice {
  readonly sopInstanceUID: string;
  readonly sopClassUID: string;
  /** 1-based frame number within a multi-frame source instance; absent for single-frame ones. */
  readonly frameNumber?: number;
  readonly imagePositionPatient: Vec3;
  /** The file name or instance label the slice came from (for messages). */
  readonly source: string;
}

export interface DicomVolume extends Volume {
  /** 4×4 row-major voxel (column, row, slice) → patient LPS (mm). */
  readonly affine: readonly number[];
  /** Slices sorted ascending along `normal`; slice k holds data[k·rows·columns ...]. */
  readonly slices: readonly DicomSlice[];
  readonly imageOrientationPatient: Orientation;
  /** Unit normal row × column; slice positions increase along it. */
  readonly normal: Vec3;
  /** (row spacing, column spacing) as in PixelSpacing: spacing[1], spacing[0]. */
  readonly pixelSpacing: readonly [number, number];
  readonly studyInstanceUID: string;
  readonly seriesInstanceUID: string;
  readonly frameOfReferenceUID?: string;
  /** The source's Modality (0008,0060) as written, e.g. "CT", "MR", "PT". */
  readonly dicomModality: string;
  /**
   * Patient, study, frame-of-reference and clinical-trial attributes of the source (naturalized),
   * copied verbatim into derived objects such as a SEG. Nothing modality-specific.
   */
  readonly sourceAttributes: Dataset;
}

/** Patient/study-level attributes a derived object (SEG) must share with its source. */
export const SOURCE_ATTRIBUTE_KEYWORDS = [
  // Patient module
  'PatientName',
  'PatientID',
  'IssuerOfPatientID',
  'IssuerOfPatientIDQualifiersSequence',
  'PatientBirthDate',
  'PatientBirthTime',
  'PatientSex',
  'OtherPatientIDsSequence',
  'PatientComments',
  'PatientIdentityRemoved',
  'DeidentificationMethod',
  'DeidentificationMethodCodeSequence',
  'PatientSpeciesDescription',
  'PatientSpeciesCodeSequence',
  'ResponsiblePerson',
  'ResponsibleOrganization',
  // Clinical Trial Subject / Study modules
  'ClinicalTrialSponsorName',
  'ClinicalTrialProtocolID',
  'ClinicalTrialProtocolName',
  'ClinicalTrialSiteID',
  'ClinicalTrialSiteName',
  'ClinicalTrialSubjectID',
  'ClinicalTrialSubjectReadingID',
  'ClinicalTrialTimePointID',
  'ClinicalTrialTimePointDescription',
  // General Study module
  'StudyInstanceUID',
  'StudyDate',
  'StudyTime',
  'ReferringPhysicianName',
  'StudyID',
  'AccessionNumber',
  'IssuerOfAccessionNumberSequence',
  'StudyDescription',
  // Patient Study module
  'PatientAge',
  'PatientSize',
  'PatientWeight',
  // Frame of Reference module
  'FrameOfReferenceUID',
  'PositionReferenceIndicator',
  // General Series: the anatomy is the same for a segmentation of this series
  'BodyPartExamined',
  'Laterality',
  // Character set of the copied strings (dcmjs decodes to UTF-8 and says so)
  'SpecificCharacterSet',
] as const;

export interface VolumeOptions {
  /** Take only this series from the inputs (otherwise several series is an error). */
  readonly seriesInstanceUID?: string;
  /**
   * Largest allowed deviation of a slice from a regular stack, as a fraction of the mean slice
   * spacing (default 0.02: GE's 0.1 mm rounding of positions on 7 mm slices is tolerated).
   */
  readonly spacingTolerance?: number;
}

/** An image instance ready for assembly: its data set and a way to get a frame's stored values. */
export interface InstanceInput {
  readonly label: string;
  readonly dataset: Dataset;
  /** Stored values of frame `index` (0-based), rows×columns, row-major. */
  readonly frameValues: (index: number, description: PixelDescription) => ArrayLike<number>;
  /** True when the values are modality values already (rescale applied by the caller). */
  readonly modalityValues?: boolean;
  /** Checks run once the pixel description is known (e.g. that the pixel data is complete). */
  readonly check?: (description: PixelDescription) => void;
}

interface PlacedFrame {
  readonly input: InstanceInput;
  readonly reader: DatasetReader;
  readonly description: PixelDescription;
  readonly geometry: FrameGeometry;
  readonly transform: ModalityTransform;
  readonly multiFrame: boolean;
  readonly along: number;
}

/** The largest volume built here: 2^30 voxels (4 GiB of 32-bit floats). */
export const MAX_VOXELS = 2 ** 30;

export function toEngineModality(dicomModality: string): Modality {
  switch (dicomModality) {
    case 'CT':
    case 'MR':
    case 'US':
      return dicomModality;
    case 'CR':
    case 'DX':
    case 'MG':
    case 'XA':
    case 'RF':
    case 'IO':
    case 'PX':
      return 'XR';
    default:
      return 'OTHER';
  }
}

function describeSeries(inputs: readonly { label: string; series: string }[]): string {
  const bySeries = new Map<string, string[]>();
  for (const { label, series } of inputs) bySeries.set(series, [...(bySeries.get(series) ?? []), label]);
  return [...bySeries]
    .map(
      ([uid, labels]) => `${uid} (${labels.length} file${labels.length > 1 ? 's' : ''}, e.g. ${labels[0]})`,
    )
    .join('; ');
}

function selectSeries(inputs: readonly InstanceInput[], options: VolumeOptions): InstanceInput[] {
  if (inputs.length === 0) throw new DicomError('empty-series', 'no DICOM instances were given');
  const withSeries = inputs.map((input) => ({
    input,
    label: input.label,
    series: guarded(input.label, () =>
      new DatasetReader(input.dataset, input.label).uid('SeriesInstanceUID'),
    ),
  }));
  if (options.seriesInstanceUID) {
    const chosen = withSeries.filter((s) => s.series === options.seriesInstanceUID).map((s) => s.input);
    if (chosen.length === 0) {
      throw new DicomError(
        'empty-series',
        `series ${options.seriesInstanceUID} is not among the inputs; found ${describeSeries(withSeries)}`,
      );
    }
    return chosen;
  }
  const first = withSeries[0];
  const other = withSeries.find((s) => s.series !== first.series);
  if (other) {
    throw new DicomError(
      'mixed-series',
      `${other.label}: (0020,000E) SeriesInstanceUID ${other.series} differs from ${first.label}'s ${first.series}; ` +
        `the inputs hold several series: ${describeSeries(withSeries)}. Choose one (seriesInstanceUID option).`,
    );
  }
  return withSeries.map((s) => s.input);
}

function placeFrames(inputs: readonly InstanceInput[]): PlacedFrame[] {
  const placed: Omit<PlacedFrame, 'along'>[] = [];
  for (const input of inputs) {
    guarded(input.label, () => {
      const reader = new DatasetReader(input.dataset, input.label);
      reader.uid('SOPInstanceUID');
      reader.uid('SOPClassUID');
      const description = pixelDescription(reader);
      input.check?.(description);
      const geometries = frameGeometries(reader, description.numberOfFrames);
      for (const geometry of geometries) {
        const base = modalityTransform(
          description,
          geometry.rescaleSlope,
          geometry.rescaleIntercept,
          geometry.source,
        );
        const transform = input.modalityValues ? { ...base, slope: 1, intercept: 0 } : base;
        placed.push({
          input,
          reader,
          description,
          geometry,
          transform,
          multiFrame: description.numberOfFrames > 1,
        });
      }
    });
  }
  const ref = placed[0];
  const normal = sliceNormal(ref.geometry.orientation);
  for (const p of placed) {
    if (!sameOrientation(p.geometry.orientation, ref.geometry.orientation)) {
      throw new DicomError(
        'mixed-orientation',
        `${p.geometry.source}: (0020,0037) ImageOrientationPatient ${p.geometry.orientation.join('\\')} differs from ` +
          `${ref.geometry.source}'s ${ref.geometry.orientation.join('\\')}: the series is not one stack of parallel slices`,
      );
    }
    const [a, b] = [p.description, ref.description];
    if (a.rows !== b.rows || a.columns !== b.columns) {
      throw new DicomError(
        'mixed-geometry',
        `${p.geometry.source}: (0028,0010)/(0028,0011) Rows×Columns ${a.rows}×${a.columns} differ from ` +
          `${ref.geometry.source}'s ${b.rows}×${b.columns}`,
      );
    }
    const [s, t] = [p.geometry.pixelSpacing, ref.geometry.pixelSpacing];
    if (Math.abs(s[0] - t[0]) > 1e-3 * t[0] || Math.abs(s[1] - t[1]) > 1e-3 * t[1]) {
      throw new DicomError(
        'mixed-geometry',
        `${p.geometry.source}: (0028,0030) PixelSpacing ${s.join('\\')} differs from ${ref.geometry.source}'s ${t.join('\\')}`,
      );
    }
  }
  return placed
    .map((p) => ({ ...p, along: dot(p.geometry.position, normal) }))
    .sort((x, y) => x.along - y.along);
}

/** Slice step vector and spacing along the normal; throws on duplicates or irregular stacks. */
function stackSpacing(
  frames: readonly PlacedFrame[],
  normal: Vec3,
  tolerance: number,
): { step: Vec3; spacing: number } {
  const first = frames[0];
  if (frames.length === 1) {
    const spacing = declaredSliceSpacing(first.geometry);
    return { step: scale(normal, spacing), spacing };
  }
  for (let k = 1; k < frames.length; k++) {
    const gap = frames[k].along - frames[k - 1].along;
    if (Math.abs(gap) < 1e-3) {
      throw new DicomError(
        'duplicate-position',
        `${frames[k].geometry.source} and ${frames[k - 1].geometry.source}: same (0020,0032) ImagePositionPatient ` +
          `${frames[k].geometry.position.join('\\')} along the slice normal (duplicate instance, or several ` +
          `echoes/phases/acquisitions in one series)`,
      );
    }
  }
  const last = frames[frames.length - 1];
  const n = frames.length - 1;
  const step = scale(sub(last.geometry.position, first.geometry.position), 1 / n);
  const spacing = (last.along - first.along) / n;
  if (!plausibleSpacing(spacing) || !step.every(Number.isFinite))
    throw new DicomError(
      'invalid-tag-value',
      `${last.geometry.source}: (0020,0032) ImagePositionPatient ${last.geometry.position.join('\\')} and ` +
        `${first.geometry.source}'s ${first.geometry.position.join('\\')} give a slice spacing of ${spacing} mm ` +
        `(${SPACING_RANGE_MM[0]} to ${SPACING_RANGE_MM[1]} mm expected): corrupt positions`,
    );
  const allowed = Math.max(1e-3, tolerance * spacing);
  let worst = { k: 0, deviation: 0 };
  for (let k = 1; k < frames.length; k++) {
    const expected = add(first.geometry.position, scale(step, k));
    const deviation = norm(sub(frames[k].geometry.position, expected));
    if (deviation > worst.deviation) worst = { k, deviation };
  }
  if (worst.deviation > allowed) {
    const gaps = frames.slice(1).map((f, k) => f.along - frames[k].along);
    const at = frames[worst.k].geometry.source;
    throw new DicomError(
      'non-uniform-spacing',
      `series ${first.reader.optString('SeriesInstanceUID') ?? '?'}: slice spacing varies from ` +
        `${Math.min(...gaps).toFixed(3)} to ${Math.max(...gaps).toFixed(3)} mm (mean ${spacing.toFixed(3)} mm); ` +
        `${at} is ${worst.deviation.toFixed(3)} mm off a regular stack, more than the tolerance ` +
        `${allowed.toFixed(3)} mm (${(tolerance * 100).toFixed(1)}% of the spacing). Missing slices or a ` +
        `series that mixes stacks; resampling is not done here.`,
    );
  }
  return { step, spacing };
}

/** Run `read` for `source`; an error that is not a DicomError becomes one naming the source. */
function guarded<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw asDicomError(source, e);
  }
}

function pick(dataset: Dataset, keywords: readonly string[]): Dataset {
  const out: Dataset = {};
  for (const k of keywords) if (dataset[k] !== undefined) out[k] = dataset[k];
  return out;
}

/** Check and assemble instances into one volume (slices sorted along the normal). */
export function assembleVolume(inputs: readonly InstanceInput[], options: VolumeOptions = {}): DicomVolume {
  const selected = selectSeries(inputs, options);
  const frames = placeFrames(selected);
  const first = frames[0];
  const orientation = first.geometry.orientation;
  const normal = sliceNormal(orientation);
  const { step, spacing } = stackSpacing(frames, normal, options.spacingTolerance ?? 0.02);
  const { rows, columns } = first.description;
  const perSlice = rows * columns;
  if (perSlice * frames.length > MAX_VOXELS)
    throw new DicomError(
      'unsupported-image',
      `series ${first.reader.optString('SeriesInstanceUID') ?? '?'}: ${columns}×${rows}×${frames.length} voxels ` +
        `(from ${first.geometry.source}'s (0028,0010) Rows and (0028,0011) Columns) is more than the ` +
        `${MAX_VOXELS} a volume may hold here`,
    );
  const data = new Float32Array(perSlice * frames.length);
  frames.forEach((f, k) => {
    const values = guarded(f.geometry.source, () => f.input.frameValues(f.geometry.index, f.description));
    if (values.length !== perSlice) {
      throw new DicomError(
        'undecodable-pixel-data',
        `${f.geometry.source}: pixel data gives ${values.length} values, Rows×Columns = ${perSlice} expected`,
      );
    }
    writeModalityValues(data, k * perSlice, values, f.transform);
  });
  const reader = first.reader;
  const dicomModality = reader.optString('Modality') ?? 'OT';
  const [dr, dc] = first.geometry.pixelSpacing;
  return {
    data,
    dims: [columns, rows, frames.length],
    spacing: [dc, dr, spacing],
    affine: voxelToPatient(first.geometry.position, orientation, [dr, dc], step),
    modality: toEngineModality(dicomModality),
    slices: frames.map((f) => ({
      sopInstanceUID: f.reader.string('SOPInstanceUID'),
      sopClassUID: f.reader.string('SOPClassUID'),
      ...(f.multiFrame ? { frameNumber: f.geometry.index + 1 } : {}),
      imagePositionPatient: f.geometry.position,
      source: f.geometry.source,
    })),
    imageOrientationPatient: orientation,
    normal,
    pixelSpacing: [dr, dc],
    studyInstanceUID: reader.uid('StudyInstanceUID'),
    seriesInstanceUID: reader.uid('SeriesInstanceUID'),
    frameOfReferenceUID: reader.optUid('FrameOfReferenceUID'),
    dicomModality,
    sourceAttributes: pick(reader.dataset, SOURCE_ATTRIBUTE_KEYWORDS),
  };
}

/**
 * The slice index of a source image (and frame, for multi-frame sources), e.g. to place a prompt
 * given by SOPInstanceUID; -1 when the volume has no such slice.
 */
export function sliceIndexOf(volume: DicomVolume, sopInstanceUID: string, frameNumber?: number): number {
  return volume.slices.findIndex(
    (s) =>
      s.sopInstanceUID === sopInstanceUID && (frameNumber === undefined || s.frameNumber === frameNumber),
  );
}

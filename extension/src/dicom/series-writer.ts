/**
 * A volume with a NIfTI voxel→world matrix → a DICOM series: one single-frame Part-10 instance per
 * slice (MR Image Storage, or CT Image Storage when asked), 16-bit signed pixels with a rescale that
 * gives the values back (rescale.ts), geometry from series-geometry.ts, fresh UIDs, an anonymous
 * patient. Returns the files in series order and the DicomVolume a reader builds from them, so a
 * SEG can be written on the series without reading it back.
 */
import { InputError } from '../engine/errors';
import type { Volume } from '../engine/types';
import { type Dataset } from './dataset';
import type { NamedBytes } from './from-part10';
import { type Vec3, dot, scale, sub, voxelToPatient } from './geometry';
import { fileMeta, writePart10 } from './part10-writer';
import { type Int16Rescale, int16Rescale, toStored } from './rescale';
import { type SeriesGeometry, gridSlice, seriesGeometry } from './series-geometry';
import { newUid } from './uid';
import { dicomDate, dicomTime, decimalString } from './values';
import { type DicomVolume, SOURCE_ATTRIBUTE_KEYWORDS, toEngineModality } from './volume';

export const MRImageStorage = '1.2.840.10008.5.1.4.1.1.4';
export const CTImageStorage = '1.2.840.10008.5.1.4.1.1.2';

export type SeriesModality = 'MR' | 'CT';

export interface SeriesOptions {
  /** Names the source volume in error messages (e.g. its file name). */
  readonly name: string;
  /** MR (default) or CT (values taken as Hounsfield units). */
  readonly modality?: SeriesModality;
  readonly seriesDescription?: string;
  readonly seriesNumber?: number;
  /** Defaults: "Anonymous^" / "ANONYMOUS" (converted research volumes carry no identity). */
  readonly patientName?: string;
  readonly patientID?: string;
  readonly studyDescription?: string;
  /** Put the series into an existing study (default: a new one). */
  readonly studyInstanceUID?: string;
  readonly now?: Date;
}

export interface WrittenSeries {
  /** IM0001.dcm, IM0002.dcm, … in series order (ascending along the slice normal). */
  readonly files: readonly NamedBytes[];
  /** What volumeFromPart10(files) gives: the series' slices, geometry and values. */
  readonly volume: DicomVolume;
  readonly geometry: SeriesGeometry;
  readonly rescale: Int16Rescale;
}

const hasNonAscii = (texts: readonly string[]): boolean =>
  texts.some((t) => [...t].some((ch) => ch.charCodeAt(0) > 0x7f));

function modalityAttributes(modality: SeriesModality): Dataset {
  if (modality === 'CT')
    return {
      ImageType: ['DERIVED', 'SECONDARY', 'AXIAL'],
      RescaleType: 'HU',
      KVP: '',
      AcquisitionNumber: '',
    };
  // Acquisition parameters are unknown: Research Mode, no variant, type 2 attributes empty.
  return {
    ImageType: ['DERIVED', 'SECONDARY', 'OTHER'],
    ScanningSequence: 'RM',
    SequenceVariant: 'NONE',
    ScanOptions: '',
    MRAcquisitionType: '',
    RepetitionTime: '',
    EchoTime: '',
    EchoTrainLength: '',
  };
}

export function writeSeries(volume: Volume, options: SeriesOptions): WrittenSeries {
  const { name } = options;
  if (!volume.affine) throw new InputError('invalid-volume', `${name}: no voxel→world matrix`);
  const modality = options.modality ?? 'MR';
  const geometry = seriesGeometry(volume.affine, volume.dims, name);
  const rescale = int16Rescale(volume.data, name);
  const [columns, rows, slices] = volume.dims;
  const plane = columns * rows;
  const now = options.now ?? new Date();
  const sopClassUID = modality === 'CT' ? CTImageStorage : MRImageStorage;
  const seriesDescription = options.seriesDescription ?? 'Converted from NIfTI';
  const patientName = options.patientName ?? 'Anonymous^';
  const study: Dataset = {
    PatientName: [{ Alphabetic: patientName }],
    PatientID: options.patientID ?? 'ANONYMOUS',
    PatientBirthDate: '',
    PatientSex: '',
    PatientIdentityRemoved: 'YES',
    DeidentificationMethod: 'converted research volume, no patient identity',
    StudyInstanceUID: options.studyInstanceUID ?? newUid(),
    StudyDate: dicomDate(now),
    StudyTime: dicomTime(now),
    ReferringPhysicianName: [],
    StudyID: '1',
    AccessionNumber: '',
    StudyDescription: options.studyDescription ?? 'Converted from NIfTI',
    FrameOfReferenceUID: newUid(),
    PositionReferenceIndicator: '',
  };
  if (hasNonAscii([seriesDescription, patientName, String(study.PatientID), String(study.StudyDescription)]))
    study.SpecificCharacterSet = 'ISO_IR 192'; // dcmjs writes UTF-8
  const seriesInstanceUID = newUid();
  const [dr, dc] = geometry.pixelSpacing;
  const series: Dataset = {
    ...study,
    ...modalityAttributes(modality),
    Modality: modality,
    SeriesInstanceUID: seriesInstanceUID,
    SeriesNumber: options.seriesNumber ?? 1,
    SeriesDescription: seriesDescription,
    SeriesDate: dicomDate(now),
    SeriesTime: dicomTime(now),
    ContentDate: dicomDate(now),
    ContentTime: dicomTime(now),
    PatientPosition: '',
    Laterality: '',
    Manufacturer: 'MedSAM-2 for OHIF',
    ManufacturerModelName: 'medsam2 convert',
    DerivationDescription: 'Converted from a NIfTI volume',
    ImageOrientationPatient: geometry.orientation.map(decimalString),
    PixelSpacing: [decimalString(dr), decimalString(dc)],
    SliceThickness: decimalString(geometry.sliceSpacing),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 1,
    RescaleIntercept: decimalString(rescale.intercept),
    RescaleSlope: decimalString(rescale.slope),
    WindowCenter: decimalString((rescale.range[0] + rescale.range[1]) / 2),
    WindowWidth: decimalString(Math.max(1, rescale.range[1] - rescale.range[0])),
  };

  const data = new Float32Array(volume.data.length);
  const files: NamedBytes[] = [];
  const width = Math.max(4, String(slices).length);
  const sopInstanceUIDs: string[] = [];
  for (let s = 0; s < slices; s++) {
    const k = gridSlice(geometry, s);
    const stored = new Int16Array(plane);
    for (let p = 0; p < plane; p++) {
      stored[p] = toStored(volume.data[k * plane + p], rescale.slope, rescale.intercept);
      data[s * plane + p] = stored[p] * rescale.slope + rescale.intercept;
    }
    const sopInstanceUID = newUid();
    sopInstanceUIDs.push(sopInstanceUID);
    const dataset: Dataset = {
      _vrMap: { PixelData: 'OW' },
      ...series,
      SOPClassUID: sopClassUID,
      SOPInstanceUID: sopInstanceUID,
      InstanceNumber: s + 1,
      ImagePositionPatient: geometry.positions[k].map(decimalString),
      PixelData: [stored.buffer],
    };
    files.push({
      name: `IM${String(s + 1).padStart(width, '0')}.dcm`,
      bytes: writePart10(fileMeta(sopClassUID, sopInstanceUID), dataset),
    });
  }

  // Step and spacing as a reader derives them from the positions (volume.ts).
  const first = geometry.positions[gridSlice(geometry, 0)];
  const span = sub(geometry.positions[gridSlice(geometry, slices - 1)], first);
  const step: Vec3 =
    slices > 1 ? scale(span, 1 / (slices - 1)) : scale(geometry.normal, geometry.sliceSpacing);
  const sliceSpacing = slices > 1 ? dot(span, geometry.normal) / (slices - 1) : geometry.sliceSpacing;
  const sourceAttributes: Dataset = {};
  for (const k of SOURCE_ATTRIBUTE_KEYWORDS) if (study[k] !== undefined) sourceAttributes[k] = study[k];
  const seriesVolume: DicomVolume = {
    data,
    dims: volume.dims,
    spacing: [dc, dr, sliceSpacing],
    affine: voxelToPatient(first, geometry.orientation, [dr, dc], step),
    modality: toEngineModality(modality),
    slices: sopInstanceUIDs.map((sopInstanceUID, s) => ({
      sopInstanceUID,
      sopClassUID,
      imagePositionPatient: geometry.positions[gridSlice(geometry, s)],
      source: files[s].name,
    })),
    imageOrientationPatient: geometry.orientation,
    normal: geometry.normal,
    pixelSpacing: [dr, dc],
    studyInstanceUID: String(study.StudyInstanceUID),
    seriesInstanceUID,
    frameOfReferenceUID: String(study.FrameOfReferenceUID),
    dicomModality: modality,
    sourceAttributes,
  };
  return { files, volume: seriesVolume, geometry, rescale };
}

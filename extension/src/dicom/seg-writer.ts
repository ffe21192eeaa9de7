/**
 * DICOM Segmentation writer (PS3.3 A.51, C.8.20): one SEG instance for a DicomVolume and a mask
 * per segment. BINARY (default) writes one 1-bit frame per (segment, slice) that has any voxel
 * set; LABELMAP writes one 8/16-bit frame per slice holding segment numbers. Frames are ordered
 * segment-major then along the slice normal, exactly as listed in PerFrameFunctionalGroupsSequence
 * (the data set is built here and written by dcmjs, with no normaliser re-sorting it).
 *
 * Functional groups follow the IOD: pixel measures and plane orientation are shared (the volume is
 * one regular stack), plane position, derivation image, frame content and (BINARY) segment
 * identification are per frame; no macro is in both places. Only patient/study/frame-of-reference
 * attributes come from the source (DicomVolume.sourceAttributes), never modality-specific ones.
 *
 * A source without patient geometry (DicomImageGrid: a CR, a single SC, a cine's frames) gets a SEG
 * with no Frame of Reference module and no plane position/orientation; each frame references its
 * source image (and frame) by Derivation Image, and the frames are told apart by
 * ReferencedSegmentNumber and InStackPositionNumber (the source image's index, Frame Content).
 */
import { data as dcmjsData } from 'dcmjs';
import {
  ALGORITHM_FAMILY_AI,
  type Code,
  DEFAULT_CATEGORY,
  DEFAULT_TYPE,
  DERIVATION_SEGMENTATION,
  SOURCE_IMAGE_FOR_PROCESSING,
  codeItem,
} from './codes';
import { type Dataset } from './dataset';
import { DicomError } from './errors';
import { packBitFrames } from './bits';
import { fileMeta, writePart10 } from './part10-writer';
import { newUid } from './uid';
import { codeString, decimalString, dicomDate, dicomTime } from './values';
import { type DicomImageGrid } from './image-grid';
import { type DicomVolume } from './volume';

export const SegmentationStorage = '1.2.840.10008.5.1.4.1.1.66.4';
export const LabelMapSegmentationStorage = '1.2.840.10008.5.1.4.1.1.66.7';

export type Laterality = 'R' | 'L' | 'U' | 'B';

export interface SegmentInput {
  readonly label: string;
  /** One byte per voxel on the volume's grid (x fastest), nonzero = inside. */
  readonly mask: Uint8Array;
  /** Recommended display colour, sRGB 0..255. */
  readonly color?: readonly [number, number, number];
  /** Segmented Property Category (default SCT 85756007 "Tissue"). */
  readonly category?: Code;
  /** Segmented Property Type (default SCT 85756007 "Tissue"). */
  readonly type?: Code;
  readonly description?: string;
}

export interface SegOptions {
  readonly format: 'binary' | 'labelmap';
  /**
   * SegmentAlgorithmType (default SEMIAUTOMATIC). MANUAL (e.g. reference labels converted from
   * another format) writes no algorithm name/identification; algorithmVersion and modelHash are then
   * not used and may be empty.
   */
  readonly algorithmType?: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';
  /** SegmentAlgorithmName and AlgorithmName (default "MedSAM-2"). */
  readonly algorithmName?: string;
  readonly algorithmVersion: string;
  /** SHA-256 (hex) of the model; recorded in AlgorithmParameters. */
  readonly modelHash: string;
  /** ContentLabel (CS, ≤ 16 characters; default "MEDSAM2"). */
  readonly contentLabel?: string;
  readonly contentDescription?: string;
  /** ContentCreatorName in DICOM PN form ("Family^Given"); empty when not given. */
  readonly contentCreatorName?: string;
  readonly seriesDescription?: string;
  readonly seriesNumber?: number;
  readonly instanceNumber?: number;
  readonly manufacturer?: string;
  readonly softwareVersions?: string;
  /** ImageLaterality of the segmented structure when known (default: the source's, else U = unpaired). */
  readonly laterality?: Laterality;
  /** Creation time of the instance (default now). */
  readonly now?: Date;
}

/** A colour per segment when the caller gives none (distinct, readable on grey); the panel offers the same. */
export const SEGMENT_PALETTE: readonly (readonly [number, number, number])[] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [210, 245, 60],
];

/** What a SEG segments: a volume (patient geometry), or 2D images without it. */
export type SegSource = DicomVolume | DicomImageGrid;

const isImageGrid = (s: SegSource): s is DicomImageGrid => 'kind' in s && s.kind === 'images';

interface Frame {
  readonly segmentNumber?: number;
  readonly slice: number;
  readonly pixels: Uint8Array;
}

function checkInputs(volume: SegSource, segments: readonly SegmentInput[], options: SegOptions): void {
  const fail = (why: string) => new DicomError('invalid-segmentation', why);
  if (segments.length === 0) throw fail('no segments to write');
  const voxels = volume.dims[0] * volume.dims[1] * volume.dims[2];
  segments.forEach((s, i) => {
    if (!s.label.trim()) throw fail(`segment ${i + 1}: SegmentLabel is empty`);
    if (s.label.length > 64)
      throw fail(`segment ${i + 1}: SegmentLabel "${s.label}" is longer than 64 characters`);
    if (s.mask.length !== voxels) {
      throw fail(`segment ${i + 1} "${s.label}": mask has ${s.mask.length} voxels, the volume ${voxels}`);
    }
  });
  if (options.format === 'labelmap' && segments.length > 65535) throw fail('more than 65535 segments');
  if (options.algorithmType !== 'MANUAL') {
    if (!options.algorithmVersion) throw fail('algorithmVersion is required');
    if (!options.modelHash) throw fail('modelHash is required');
  }
  if (!isImageGrid(volume) && !volume.frameOfReferenceUID) {
    throw new DicomError(
      'missing-tag',
      `${volume.slices[0]?.source ?? 'source'}: (0020,0052) FrameOfReferenceUID missing: a SEG must share the ` +
        `source's frame of reference`,
    );
  }
}

function binaryFrames(volume: SegSource, segments: readonly SegmentInput[]): Frame[] {
  const perSlice = volume.dims[0] * volume.dims[1];
  const frames: Frame[] = [];
  segments.forEach((s, i) => {
    for (let k = 0; k < volume.dims[2]; k++) {
      const pixels = s.mask.subarray(k * perSlice, (k + 1) * perSlice);
      if (pixels.some((v) => v !== 0)) frames.push({ segmentNumber: i + 1, slice: k, pixels });
    }
  });
  return frames;
}

function labelmapFrames(volume: SegSource, segments: readonly SegmentInput[]): Frame[] {
  const perSlice = volume.dims[0] * volume.dims[1];
  const labels = new Uint16Array(perSlice * volume.dims[2]);
  segments.forEach((s, i) => {
    for (let v = 0; v < s.mask.length; v++) {
      if (!s.mask[v]) continue;
      if (labels[v] !== 0) {
        const [x, y, z] = [
          v % volume.dims[0],
          Math.floor(v / volume.dims[0]) % volume.dims[1],
          Math.floor(v / perSlice),
        ];
        throw new DicomError(
          'invalid-segmentation',
          `segments ${labels[v]} and ${i + 1} overlap at voxel (${x}, ${y}, ${z}); a LABELMAP SEG cannot hold ` +
            `overlapping segments (write BINARY instead)`,
        );
      }
      labels[v] = i + 1;
    }
  });
  const wide = segments.length > 255;
  const frames: Frame[] = [];
  for (let k = 0; k < volume.dims[2]; k++) {
    const slice = labels.subarray(k * perSlice, (k + 1) * perSlice);
    if (!slice.some((v) => v !== 0)) continue;
    const pixels = wide ? new Uint8Array(new Uint16Array(slice).buffer) : Uint8Array.from(slice);
    frames.push({ slice: k, pixels });
  }
  return frames;
}

function segmentItem(s: SegmentInput, index: number, options: SegOptions): Dataset {
  const algorithmName = options.algorithmName ?? 'MedSAM-2';
  const color = s.color ?? SEGMENT_PALETTE[index % SEGMENT_PALETTE.length];
  const algorithmType = options.algorithmType ?? 'SEMIAUTOMATIC';
  return {
    SegmentNumber: index + 1,
    SegmentLabel: s.label,
    ...(s.description ? { SegmentDescription: s.description } : {}),
    SegmentAlgorithmType: algorithmType,
    ...(algorithmType === 'MANUAL'
      ? {}
      : {
          SegmentAlgorithmName: algorithmName,
          SegmentationAlgorithmIdentificationSequence: [
            {
              AlgorithmFamilyCodeSequence: [codeItem(ALGORITHM_FAMILY_AI)],
              AlgorithmName: algorithmName,
              AlgorithmVersion: options.algorithmVersion,
              AlgorithmParameters: `model sha256=${options.modelHash}`,
            },
          ],
        }),
    SegmentedPropertyCategoryCodeSequence: [codeItem(s.category ?? DEFAULT_CATEGORY)],
    SegmentedPropertyTypeCodeSequence: [codeItem(s.type ?? DEFAULT_TYPE)],
    RecommendedDisplayCIELabValue: dcmjsData.Colors.rgb82DICOMLAB(color),
  };
}

function perFrameItem(volume: SegSource, frame: Frame, labelmap: boolean): Dataset {
  const slice = volume.slices[frame.slice];
  return {
    DerivationImageSequence: [
      {
        SourceImageSequence: [
          {
            ReferencedSOPClassUID: slice.sopClassUID,
            ReferencedSOPInstanceUID: slice.sopInstanceUID,
            ...(slice.frameNumber !== undefined ? { ReferencedFrameNumber: slice.frameNumber } : {}),
            PurposeOfReferenceCodeSequence: [codeItem(SOURCE_IMAGE_FOR_PROCESSING)],
          },
        ],
        DerivationCodeSequence: [codeItem(DERIVATION_SEGMENTATION)],
      },
    ],
    FrameContentSequence: [
      {
        DimensionIndexValues: labelmap ? [frame.slice + 1] : [frame.segmentNumber ?? 1, frame.slice + 1],
        ...(isImageGrid(volume) ? { StackID: '1', InStackPositionNumber: frame.slice + 1 } : {}),
      },
    ],
    ...(isImageGrid(volume)
      ? {}
      : {
          PlanePositionSequence: [
            { ImagePositionPatient: volume.slices[frame.slice].imagePositionPatient.map(decimalString) },
          ],
        }),
    ...(labelmap
      ? {}
      : { SegmentIdentificationSequence: [{ ReferencedSegmentNumber: frame.segmentNumber }] }),
  };
}

/** The source instances the frames reference, in volume order, each once. */
function referencedInstances(volume: SegSource, frames: readonly Frame[]): Dataset[] {
  const seen = new Set<string>();
  const out: Dataset[] = [];
  const slices = [...new Set(frames.map((f) => f.slice))].sort((a, b) => a - b);
  for (const k of slices) {
    const s = volume.slices[k];
    if (seen.has(s.sopInstanceUID)) continue;
    seen.add(s.sopInstanceUID);
    out.push({ ReferencedSOPClassUID: s.sopClassUID, ReferencedSOPInstanceUID: s.sopInstanceUID });
  }
  return out;
}

function dimensions(labelmap: boolean, organizationUID: string, grid: boolean): Dataset {
  // Without patient positions, a frame's place is its source image's index in the grid.
  const position = grid
    ? {
        DimensionOrganizationUID: organizationUID,
        DimensionIndexPointer: 0x00209057, // InStackPositionNumber
        FunctionalGroupPointer: 0x00209111, // FrameContentSequence
        DimensionDescriptionLabel: 'InStackPositionNumber',
      }
    : {
        DimensionOrganizationUID: organizationUID,
        DimensionIndexPointer: 0x00200032, // ImagePositionPatient
        FunctionalGroupPointer: 0x00209113, // PlanePositionSequence
        DimensionDescriptionLabel: 'ImagePositionPatient',
      };
  const segment = {
    DimensionOrganizationUID: organizationUID,
    DimensionIndexPointer: 0x0062000b, // ReferencedSegmentNumber
    FunctionalGroupPointer: 0x0062000a, // SegmentIdentificationSequence
    DimensionDescriptionLabel: 'ReferencedSegmentNumber',
  };
  return {
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: organizationUID }],
    DimensionIndexSequence: labelmap ? [position] : [segment, position],
  };
}

/**
 * Laterality of what was segmented. The series-level Laterality is copied when the source has it;
 * otherwise ImageLaterality (General Image) says it: the caller's value, the source's, or U
 * ("unpaired") when nobody knows. Validators (PixelMed) require one of the two.
 */
function laterality(given: Laterality | undefined, series: unknown, image: unknown): Dataset {
  if (given) return { ImageLaterality: given };
  if (typeof series === 'string' && series) return { Laterality: series };
  return { ImageLaterality: typeof image === 'string' && image ? image : 'U' };
}

function hasNonAscii(value: unknown): boolean {
  if (typeof value === 'string') return [...value].some((ch) => ch.charCodeAt(0) > 0x7f);
  if (Array.isArray(value)) return value.some(hasNonAscii);
  if (value && typeof value === 'object' && !(value instanceof ArrayBuffer)) {
    return Object.values(value).some(hasNonAscii);
  }
  return false;
}

/** Shared functional groups: a volume's pixel measures and orientation; 2D images' pixel measures when known. */
function sharedGroups(volume: SegSource): Dataset {
  if (isImageGrid(volume)) {
    if (!volume.pixelSpacing) return {};
    const [dr, dc] = volume.pixelSpacing;
    return { PixelMeasuresSequence: [{ PixelSpacing: [decimalString(dr), decimalString(dc)] }] };
  }
  const [dr, dc] = volume.pixelSpacing;
  return {
    PixelMeasuresSequence: [
      {
        PixelSpacing: [decimalString(dr), decimalString(dc)],
        SliceThickness: decimalString(volume.spacing[2]),
        SpacingBetweenSlices: decimalString(volume.spacing[2]),
      },
    ],
    PlaneOrientationSequence: [
      { ImageOrientationPatient: volume.imageOrientationPatient.map(decimalString) },
    ],
  };
}

/** The Frame of Reference module: a volume's; none for 2D images without patient geometry. */
function frameOfReference(volume: SegSource, source: Dataset): Dataset {
  if (isImageGrid(volume)) return {};
  return {
    FrameOfReferenceUID: volume.frameOfReferenceUID,
    PositionReferenceIndicator: source.PositionReferenceIndicator ?? '',
  };
}

/** Build the SEG as a naturalized data set plus its file meta information. */
export function buildSegDataset(
  volume: SegSource,
  segments: readonly SegmentInput[],
  options: SegOptions,
): { meta: Dataset; dataset: Dataset } {
  checkInputs(volume, segments, options);
  const labelmap = options.format === 'labelmap';
  const frames = labelmap ? labelmapFrames(volume, segments) : binaryFrames(volume, segments);
  if (frames.length === 0) {
    throw new DicomError('invalid-segmentation', 'every mask is empty: a SEG needs at least one frame');
  }
  const bits = labelmap ? (segments.length > 255 ? 16 : 8) : 1;
  const perSlice = volume.dims[0] * volume.dims[1];
  let pixelData: Uint8Array;
  if (labelmap) {
    const bytesPerFrame = (perSlice * bits) / 8;
    pixelData = new Uint8Array(frames.length * bytesPerFrame + ((frames.length * bytesPerFrame) % 2));
    frames.forEach((f, i) => pixelData.set(f.pixels, i * bytesPerFrame));
  } else {
    pixelData = packBitFrames(
      frames.map((f) => f.pixels),
      perSlice,
    );
  }
  const now = options.now ?? new Date();
  const sopClassUID = labelmap ? LabelMapSegmentationStorage : SegmentationStorage;
  const sopInstanceUID = newUid();
  const { SpecificCharacterSet: _charset, Laterality, ImageLaterality, ...source } = volume.sourceAttributes;
  void _charset;
  const dataset: Dataset = {
    _vrMap: { PixelData: bits === 16 ? 'OW' : 'OB' },
    ...source,
    // Type 2 attributes of the Patient and General Study modules: present, possibly empty.
    PatientName: source.PatientName ?? [],
    PatientID: source.PatientID ?? '',
    PatientBirthDate: source.PatientBirthDate ?? '',
    PatientSex: source.PatientSex ?? '',
    StudyDate: source.StudyDate ?? '',
    StudyTime: source.StudyTime ?? '',
    ReferringPhysicianName: source.ReferringPhysicianName ?? [],
    StudyID: source.StudyID ?? '',
    AccessionNumber: source.AccessionNumber ?? '',
    StudyInstanceUID: volume.studyInstanceUID,
    ...frameOfReference(volume, source),
    SOPClassUID: sopClassUID,
    SOPInstanceUID: sopInstanceUID,
    InstanceCreationDate: dicomDate(now),
    InstanceCreationTime: dicomTime(now),
    ImageType: ['DERIVED', 'PRIMARY'],
    // General Image: Type 2C when there is no ImageOrientationPatient (the source's, else empty).
    ...(isImageGrid(volume) ? { PatientOrientation: volume.patientOrientation ?? '' } : {}),
    SeriesDate: dicomDate(now),
    SeriesTime: dicomTime(now),
    ContentDate: dicomDate(now),
    ContentTime: dicomTime(now),
    Modality: 'SEG',
    Manufacturer: options.manufacturer ?? 'MedSAM-2 for OHIF',
    ManufacturerModelName: 'medsam2-ohif',
    // Type 1 in Enhanced General Equipment; software has no serial number (as dcmqi does).
    DeviceSerialNumber: '0',
    SoftwareVersions: options.softwareVersions ?? options.algorithmVersion,
    SeriesDescription: options.seriesDescription ?? `${options.algorithmName ?? 'MedSAM-2'} segmentation`,
    SeriesInstanceUID: newUid(),
    SeriesNumber: options.seriesNumber ?? 901,
    InstanceNumber: options.instanceNumber ?? 1,
    ...laterality(options.laterality, Laterality, ImageLaterality),
    ContentLabel: codeString(options.contentLabel ?? 'MEDSAM2') || 'MEDSAM2',
    ContentDescription: options.contentDescription ?? '',
    ContentCreatorName: options.contentCreatorName ? [{ Alphabetic: options.contentCreatorName }] : [],
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: volume.seriesInstanceUID,
        ReferencedInstanceSequence: referencedInstances(volume, frames),
      },
    ],
    SegmentationType: labelmap ? 'LABELMAP' : 'BINARY',
    SegmentSequence: segments.map((s, i) => segmentItem(s, i, options)),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: volume.dims[1],
    Columns: volume.dims[0],
    BitsAllocated: bits,
    BitsStored: bits,
    HighBit: bits - 1,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    NumberOfFrames: frames.length,
    ...dimensions(labelmap, newUid(), isImageGrid(volume)),
    SharedFunctionalGroupsSequence: [sharedGroups(volume)],
    PerFrameFunctionalGroupsSequence: frames.map((f) => perFrameItem(volume, f, labelmap)),
    PixelData: [pixelData.buffer.slice(pixelData.byteOffset, pixelData.byteOffset + pixelData.byteLength)],
  };
  if (hasNonAscii(dataset)) dataset.SpecificCharacterSet = 'ISO_IR 192'; // dcmjs writes UTF-8
  return { meta: fileMeta(sopClassUID, sopInstanceUID), dataset };
}

/** Write a SEG for `volume` (or 2D images without geometry) as Part-10 bytes (Explicit VR Little Endian). */
export function writeSeg(
  volume: SegSource,
  segments: readonly SegmentInput[],
  options: SegOptions,
): ArrayBuffer {
  const { meta, dataset } = buildSegDataset(volume, segments, options);
  return writePart10(meta, dataset);
}

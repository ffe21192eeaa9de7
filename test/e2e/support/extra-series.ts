/**
 * Series the "Use as template" e2e needs beside the sample MR series, made from its own pixels
 * with dcmjs and stored in the stack's Orthanc: a Multi-frame Grayscale Word Secondary Capture
 * (8 slices as the frames of one instance, no patient geometry — as an ultrasound cine is) and a
 * second single-frame MR series (every other slice, new UIDs: images that form a volume).
 */
import { data as dcmjsData } from 'dcmjs';
import { viewableSampleFiles } from '../../../extension/serve/sample-data';
import type { Dataset } from '../../../extension/src/dicom/dataset';
import { fileMeta, writePart10 } from '../../../extension/src/dicom/part10-writer';

const MULTIFRAME_GRAYSCALE_WORD_SC = '1.2.840.10008.5.1.4.1.1.7.3';
/** Fixed UIDs (2.25: a UUID as a number), so a rerun replaces the same instances. */
const ROOT = '2.25.271032850412948517209143960398107461377';
export const MULTIFRAME_SERIES_UID = `${ROOT}.1`;
export const COPY_SERIES_UID = `${ROOT}.2`;
export const MULTIFRAME_SOP_UID = `${ROOT}.1.1`;
export const MULTIFRAME_FRAMES = 8;

function read(bytes: Uint8Array): Dataset {
  const file = dcmjsData.DicomMessage.readFile(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
  );
  return dcmjsData.DicomMetaDictionary.naturalizeDataset(file.dict) as Dataset;
}

const write = (dataset: Dataset): Uint8Array =>
  new Uint8Array(writePart10(fileMeta(String(dataset.SOPClassUID), String(dataset.SOPInstanceUID)), dataset));

/** The sample slices in acquisition order (by Instance Number). */
function sampleSlices(): Dataset[] {
  return viewableSampleFiles()
    .map(read)
    .sort((a, b) => Number(a.InstanceNumber) - Number(b.InstanceNumber));
}

/** Slices 7..14 of the sample as the frames of one Multi-frame Grayscale Word SC (unsigned 16 bit). */
export function multiFrameSecondaryCapture(): Uint8Array {
  const slices = sampleSlices().slice(6, 6 + MULTIFRAME_FRAMES);
  const first = slices[0];
  const rows = Number(first.Rows);
  const columns = Number(first.Columns);
  const plane = rows * columns;
  const pixels = new Uint16Array(plane * slices.length);
  slices.forEach((dataset, f) => {
    const buffer = (dataset.PixelData as ArrayBuffer[])[0];
    const values =
      Number(dataset.PixelRepresentation) === 1 ? new Int16Array(buffer) : new Uint16Array(buffer);
    for (let p = 0; p < plane; p++) pixels[f * plane + p] = Math.max(0, values[p]);
  });
  const sop = MULTIFRAME_SOP_UID;
  const dataset: Dataset = {
    SOPClassUID: MULTIFRAME_GRAYSCALE_WORD_SC,
    SOPInstanceUID: sop,
    StudyInstanceUID: first.StudyInstanceUID,
    SeriesInstanceUID: MULTIFRAME_SERIES_UID,
    PatientName: first.PatientName,
    PatientID: first.PatientID,
    PatientBirthDate: '',
    PatientSex: '',
    StudyDate: first.StudyDate,
    StudyTime: first.StudyTime,
    AccessionNumber: first.AccessionNumber,
    ReferringPhysicianName: '',
    StudyID: first.StudyID,
    Modality: 'US',
    Laterality: '',
    SeriesNumber: 100,
    SeriesDescription: 'cine (multi-frame SC)',
    InstanceNumber: 1,
    PatientOrientation: '',
    BurnedInAnnotation: 'NO',
    ConversionType: 'WSD',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 0,
    PresentationLUTShape: 'IDENTITY',
    RescaleIntercept: 0,
    RescaleSlope: 1,
    RescaleType: 'US',
    NumberOfFrames: slices.length,
    FrameIncrementPointer: 0x00181063,
    FrameTime: 40,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
  return write(dataset);
}

/** Every other sample slice as a new MR series (new series and instance UIDs, series 101). */
export function copiedSeries(): Uint8Array[] {
  return sampleSlices()
    .filter((_, i) => i % 2 === 0)
    .map((dataset, i) =>
      write({
        ...dataset,
        SOPInstanceUID: `${ROOT}.2.${i + 1}`,
        SeriesInstanceUID: COPY_SERIES_UID,
        SeriesNumber: 101,
        SeriesDescription: 'every other slice (copy)',
      }),
    );
}

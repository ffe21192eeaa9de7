/**
 * Part-10 files as independent 2D images, each frame one image (2D one-prompt segmentation): no
 * stack, orientation or position is needed, unlike a volume, so a CR, a secondary capture or an
 * ultrasound cine reads as well as a CT slice. Grey-scale only (pixels.ts), modality values.
 */
import type { Modality, SliceImage } from '../engine/types';
import { DatasetReader } from './dataset';
import { DicomError, asDicomError } from './errors';
import { frameRescale } from './frames';
import { type FrameDecoder, type NamedBytes, instanceInput } from './from-part10';
import { parsePart10 } from './part10';
import { modalityTransform, pixelDescription, writeModalityValues } from './pixels';
import { toEngineModality } from './volume';

export interface DicomImage {
  /** Modality values (rescaled; MONOCHROME1 mirrored so brighter is higher), row-major. */
  readonly image: SliceImage;
  readonly modality: Modality;
  /** Names the image in messages and outputs: "IM0001" or "IM0001 frame 3". */
  readonly source: string;
  readonly sopInstanceUID: string;
  readonly sopClassUID: string;
  readonly seriesInstanceUID: string;
  /** 1-based frame number within a multi-frame instance; absent for single-frame ones. */
  readonly frameNumber?: number;
}

/** Every frame of one Part-10 file; errors are DicomErrors naming the file (and frame). */
export function imagesFromPart10(
  file: NamedBytes,
  decoders: Readonly<Record<string, FrameDecoder>> = {},
): DicomImage[] {
  try {
    const parsed = parsePart10(file.name, file.bytes);
    const input = instanceInput(parsed, decoders);
    const reader = new DatasetReader(parsed.dataset, file.name);
    const description = pixelDescription(reader);
    input.check?.(description);
    const { rows, columns, numberOfFrames } = description;
    const multiFrame = numberOfFrames > 1;
    const modality = toEngineModality(reader.optString('Modality') ?? 'OT');
    const ids = {
      sopInstanceUID: reader.uid('SOPInstanceUID'),
      sopClassUID: reader.uid('SOPClassUID'),
      seriesInstanceUID: reader.uid('SeriesInstanceUID'),
    };
    return Array.from({ length: numberOfFrames }, (_, i) => {
      const source = multiFrame ? `${file.name} frame ${i + 1}` : file.name;
      const { rescaleSlope, rescaleIntercept } = frameRescale(reader, i);
      const transform = modalityTransform(description, rescaleSlope, rescaleIntercept, source);
      const values = input.frameValues(i, description);
      if (values.length !== rows * columns)
        throw new DicomError(
          'undecodable-pixel-data',
          `${source}: pixel data gives ${values.length} values, Rows×Columns = ${rows * columns} expected`,
        );
      const data = new Float32Array(rows * columns);
      writeModalityValues(data, 0, values, transform);
      return {
        image: { data, width: columns, height: rows },
        modality,
        source,
        ...ids,
        ...(multiFrame ? { frameNumber: i + 1 } : {}),
      };
    });
  } catch (e) {
    throw asDicomError(file.name, e);
  }
}

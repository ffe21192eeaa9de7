/**
 * What the viewer has → DicomVolume: naturalized instance metadata (dcmjs / OHIF style) and the
 * decoded pixel array of each instance (all frames, row-major, frame after frame).
 */
import { type Dataset } from './dataset';
import { DicomError } from './errors';
import { type PixelDescription } from './pixels';
import { type DicomVolume, type VolumeOptions, assembleVolume } from './volume';

export type PixelArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

export interface DecodedInstance {
  /** Naturalized data set (keyword → value) without or with PixelData (ignored). */
  readonly metadata: Dataset;
  /** Stored pixel values of all frames (or modality values, see `pixelsAreModalityValues`). */
  readonly pixels: PixelArray;
}

export interface InstancesVolumeOptions extends VolumeOptions {
  /** Set when the viewer already applied Rescale Slope/Intercept (cornerstone's preScale). */
  readonly pixelsAreModalityValues?: boolean;
}

export function volumeFromInstances(
  instances: readonly DecodedInstance[],
  options: InstancesVolumeOptions = {},
): DicomVolume {
  return assembleVolume(
    instances.map((instance, i) => {
      const uid = instance.metadata.SOPInstanceUID;
      const label = typeof uid === 'string' && uid ? `instance ${uid}` : `instance #${i + 1}`;
      return {
        label,
        dataset: instance.metadata,
        modalityValues: options.pixelsAreModalityValues ?? false,
        check: (d: PixelDescription) => {
          const expected = d.rows * d.columns * d.numberOfFrames;
          if (instance.pixels.length !== expected) {
            throw new DicomError(
              'undecodable-pixel-data',
              `${label}: pixel array has ${instance.pixels.length} values, ` +
                `Rows×Columns×NumberOfFrames = ${d.rows}×${d.columns}×${d.numberOfFrames} = ${expected} expected`,
            );
          }
        },
        frameValues: (index: number, d: PixelDescription) => {
          const n = d.rows * d.columns;
          return instance.pixels.subarray(index * n, (index + 1) * n);
        },
      };
    }),
    options,
  );
}

/**
 * The viewer's series as the engine's volume: the display set's instances (naturalized metadata
 * OHIF already holds) plus their pixels from cornerstone's image cache, assembled by the DICOM
 * layer, and the mapping between volume slices and the display set's image ids.
 */
import { type DecodedInstance, type PixelArray, volumeFromInstances } from '../dicom/from-instances';
import type { DicomVolume } from '../dicom/volume';
import type { CornerstoneCore, OhifDisplaySet, OhifInstance } from './ohif-types';

export interface SeriesVolume {
  readonly volume: DicomVolume;
  readonly displaySet: OhifDisplaySet;
  /** Display-set image index of each volume slice (volume slice k → displaySet.imageIds[index]). */
  readonly imageIndexOfSlice: readonly number[];
  /** Volume slice of each display-set image index. */
  readonly sliceOfImageIndex: ReadonlyMap<number, number>;
}

/** A display set the engine cannot use, with the reason the panel shows. */
export class SeriesError extends Error {
  override readonly name = 'SeriesError';
}

export async function loadSeriesVolume(
  displaySet: OhifDisplaySet,
  cornerstone: CornerstoneCore,
  onProgress?: (loaded: number, total: number) => void,
): Promise<SeriesVolume> {
  const imageIds = displaySet.imageIds ?? [];
  const instances = displaySet.instances ?? [];
  const label = `series ${displaySet.SeriesNumber ?? ''} ${displaySet.Modality ?? ''}`.replace(/\s+/g, ' ');
  if (imageIds.length < 2)
    throw new SeriesError(`${label.trim()}: ${imageIds.length} image(s); a volume needs at least 2 slices`);
  const byImageId = new Map<string, OhifInstance>();
  for (const instance of instances) if (instance.imageId) byImageId.set(instance.imageId, instance);

  const decoded: DecodedInstance[] = [];
  let loaded = 0;
  for (const imageId of imageIds) {
    const instance = byImageId.get(imageId);
    if (!instance)
      throw new SeriesError(
        `${label.trim()}: image ${imageId} is a frame of a multi-frame instance (not supported yet)`,
      );
    const image = await cornerstone.imageLoader.loadAndCacheImage(imageId);
    decoded.push({ metadata: plainMetadata(instance), pixels: image.getPixelData() as PixelArray });
    onProgress?.(++loaded, imageIds.length);
  }
  const first = await cornerstone.imageLoader.loadAndCacheImage(imageIds[0]);
  const volume = volumeFromInstances(decoded, { pixelsAreModalityValues: first.preScale?.scaled === true });

  const indexOfSop = new Map<string, number>();
  imageIds.forEach((id, i) => indexOfSop.set(String(byImageId.get(id)?.SOPInstanceUID), i));
  const imageIndexOfSlice = volume.slices.map((s) => {
    const index = indexOfSop.get(s.sopInstanceUID);
    if (index === undefined)
      throw new SeriesError(`${label.trim()}: slice ${s.sopInstanceUID} has no image id`);
    return index;
  });
  const sliceOfImageIndex = new Map(imageIndexOfSlice.map((index, k) => [index, k] as const));
  return { volume, displaySet, imageIndexOfSlice, sliceOfImageIndex };
}

/**
 * OHIF's instance objects carry non-enumerable run-time properties and bulk-data stubs; the DICOM
 * layer needs only the enumerable keyword → value pairs.
 */
export function plainMetadata(instance: OhifInstance): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(instance)) if (/^[A-Z]/.test(key)) out[key] = value;
  return out;
}

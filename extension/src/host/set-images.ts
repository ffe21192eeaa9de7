/**
 * A display set's images for "Use as template", one engine image each (a multi-frame series:
 * one per frame, as OHIF lists them): pixels from cornerstone's image loader as modality values,
 * no geometry needed. A colour image becomes its luma; anything else is refused, naming the image.
 */
import { lumaBT601 } from '../engine/preprocess/luma';
import type { SetImagePayload } from '../worker/protocol';
import type { CornerstoneCore, CsImage, DataSource, OhifDisplaySet } from './ohif-types';
import { SeriesError } from './series';

/** "US #100 cine" */
export const displaySetLabel = (d: OhifDisplaySet): string =>
  `${d.Modality ?? ''} #${d.SeriesNumber ?? '?'} ${d.SeriesDescription ?? ''}`.replace(/\s+/g, ' ').trim();

/** The display set's image ids (a multi-frame instance: one per frame), shown by a viewport or not. */
export function displaySetImageIds(
  displaySet: OhifDisplaySet,
  dataSource: DataSource | undefined,
): readonly string[] {
  if (displaySet.imageIds?.length) return displaySet.imageIds;
  return dataSource?.getImageIdsForDisplaySet?.(displaySet) ?? [];
}

/**
 * OHIF gives a display set its image ids when a viewport first shows it (from the data source); a
 * series to segment that was not shown yet gets them here the same way, so the labelmap OHIF makes
 * for it and the series reader use the ids its viewports will use.
 */
export function giveImageIds(displaySet: OhifDisplaySet, dataSource: DataSource | undefined): void {
  if (displaySet.imageIds?.length) return;
  (displaySet as { imageIds?: readonly string[] }).imageIds = displaySetImageIds(displaySet, dataSource);
}

/** A multi-frame instance: OHIF lists its frames as the display set's images. */
export const isMultiFrame = (d: OhifDisplaySet): boolean =>
  (d.instances ?? []).some((i) => Number(i.NumberOfFrames ?? 1) > 1);

export async function loadSetImages(
  displaySet: OhifDisplaySet,
  core: CornerstoneCore,
  name: (imageIndex: number) => string,
): Promise<SetImagePayload[]> {
  const imageIds = displaySet.imageIds ?? [];
  if (imageIds.length === 0) throw new SeriesError(`${displaySetLabel(displaySet)}: no images`);
  const out: SetImagePayload[] = [];
  for (const [i, imageId] of imageIds.entries())
    out.push({ ...greyValues(await core.imageLoader.loadAndCacheImage(imageId), name(i)), name: name(i) });
  return out;
}

/**
 * The image's pixels as modality values (Rescale Slope/Intercept applied unless cornerstone did);
 * a colour image (an ultrasound cine often is: cornerstone decodes YBR to RGB) as its BT.601 luma.
 */
export function greyValues(
  image: CsImage,
  name: string,
): { data: Float32Array; width: number; height: number } {
  const { columns: width, rows: height } = image;
  const pixels = image.getPixelData();
  const components = pixels.length / (width * height);
  if (components === 3 || components === 4)
    return { data: lumaBT601(pixels, width * height, components), width, height };
  if (components !== 1)
    throw new SeriesError(
      `${name}: ${pixels.length} values for ${width}×${height} pixels; neither grey-scale nor colour (RGB)`,
    );
  const scaled = image.preScale?.scaled === true;
  const slope = scaled ? 1 : (image.slope ?? 1);
  const intercept = scaled ? 0 : (image.intercept ?? 0);
  const data = new Float32Array(width * height);
  for (let p = 0; p < data.length; p++) data[p] = pixels[p] * slope + intercept;
  return { data, width, height };
}

/**
 * The cornerstone labelmap our results are drawn into: one OHIF segmentation on the series (one
 * segment per engine object), created through OHIF's segmentationService so its own panels, SEG
 * tools and viewports see it. Slice masks are written into the derived labelmap image of that slice.
 */
import type { CornerstoneCore, CornerstoneTools, OhifServices, SegmentConfig } from './ohif-types';
import type { SeriesVolume } from './series';

/**
 * The images a labelmap covers: a series' volume (SeriesVolume), or the images of a display set
 * segmented one by one ("Use as template": slice k = image k).
 */
export type LabelGrid = Pick<SeriesVolume, 'displaySet' | 'imageIndexOfSlice'> & {
  readonly volume: { readonly dims: readonly [number, number, number] };
};

export class LabelmapLayer {
  private constructor(
    private readonly services: OhifServices,
    private readonly core: CornerstoneCore,
    private readonly tools: CornerstoneTools,
    readonly segmentationId: string,
    private readonly series: LabelGrid,
    /** Labelmap image id per display-set image index. */
    private readonly labelImageIds: readonly string[],
  ) {}

  static async create(
    services: OhifServices,
    core: CornerstoneCore,
    tools: CornerstoneTools,
    series: LabelGrid,
    /** The viewport to show it in now, if any (`showIn` later). */
    viewportId: string | null,
    firstSegment: SegmentConfig,
  ): Promise<LabelmapLayer> {
    const { segmentationService } = services;
    const segmentationId = await segmentationService.createLabelmapForDisplaySet(series.displaySet, {
      label: 'MedSAM-2',
      segments: { 1: { ...firstSegment, active: true } },
    });
    if (viewportId) await segmentationService.addSegmentationRepresentation(viewportId, { segmentationId });
    const ids = segmentationService.getSegmentation(segmentationId)?.representationData.Labelmap?.imageIds;
    if (!ids || ids.length !== (series.displaySet.imageIds ?? []).length)
      throw new Error(
        `segmentation ${segmentationId}: the labelmap does not have one image per source image`,
      );
    return new LabelmapLayer(services, core, tools, segmentationId, series, ids);
  }

  /** Showing the labelmap in another viewport of the same series. */
  async showIn(viewportId: string): Promise<void> {
    await this.services.segmentationService.addSegmentationRepresentation(viewportId, {
      segmentationId: this.segmentationId,
    });
  }

  addSegment(segmentIndex: number, config: SegmentConfig): void {
    this.services.segmentationService.addSegment(this.segmentationId, { ...config, segmentIndex });
  }

  removeSegment(segmentIndex: number): void {
    this.services.segmentationService.removeSegment(this.segmentationId, segmentIndex);
  }

  /**
   * Writes one volume slice's mask (columns × rows, x fastest) for `segmentIndex`: mask pixels get
   * the index, pixels of that segment outside the mask are cleared, other segments are kept.
   */
  writeSlice(segmentIndex: number, slice: number, mask: Uint8Array, notify = true): void {
    const data = this.sliceData(slice);
    if (data.length !== mask.length)
      throw new Error(`labelmap slice ${slice} has ${data.length} pixels, the mask ${mask.length}`);
    for (let p = 0; p < mask.length; p++) {
      if (mask[p]) data[p] = segmentIndex;
      else if (data[p] === segmentIndex) data[p] = 0;
    }
    if (notify) this.changed();
  }

  /** Writes a whole-volume mask (the volume's grid) for `segmentIndex`. */
  writeVolume(segmentIndex: number, mask: Uint8Array): void {
    const [columns, rows, slices] = this.series.volume.dims;
    const n = columns * rows;
    for (let k = 0; k < slices; k++)
      this.writeSlice(segmentIndex, k, mask.subarray(k * n, (k + 1) * n), false);
    this.changed();
  }

  /** The volume slice's pixels labelled `segmentIndex`, as a 0/1 mask (Undo keeps these). */
  sliceMask(segmentIndex: number, slice: number): Uint8Array {
    const data = this.sliceData(slice);
    const out = new Uint8Array(data.length);
    for (let p = 0; p < data.length; p++) out[p] = data[p] === segmentIndex ? 1 : 0;
    return out;
  }

  /** Number of pixels labelled `segmentIndex` on each volume slice (what the e2e test reads). */
  coverage(segmentIndex: number): number[] {
    const slices = this.series.volume.dims[2];
    const out: number[] = [];
    for (let k = 0; k < slices; k++) {
      const data = this.sliceData(k);
      let n = 0;
      for (let p = 0; p < data.length; p++) if (data[p] === segmentIndex) n++;
      out.push(n);
    }
    return out;
  }

  /**
   * Tells OHIF the labelmap changed: on the given volume slices (passed on as the display set's
   * image indices, cornerstone's slice numbering), or everywhere.
   */
  changed(slices?: readonly number[]): void {
    const images = slices?.map((k) => this.series.imageIndexOfSlice[k]).sort((a, b) => a - b);
    this.tools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(
      this.segmentationId,
      images,
    );
  }

  private sliceData(slice: number): Uint8Array | Uint16Array | Int16Array | Float32Array {
    const imageIndex = this.series.imageIndexOfSlice[slice];
    const imageId = this.labelImageIds[imageIndex];
    const image = imageId ? this.core.cache.getImage(imageId) : undefined;
    const data = image?.voxelManager?.getScalarData();
    if (!data)
      throw new Error(`labelmap image for slice ${slice} (${imageId ?? 'none'}) is not in the cache`);
    return data;
  }
}

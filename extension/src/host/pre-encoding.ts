/**
 * Encoding ahead of the click: once the prompt tool is active on the open series, the worker
 * encodes the slice in view and then the slices around it while it is otherwise idle (worker
 * 'prefetch': every click or propagation goes first). Scrolling moves the centre; the newer
 * request replaces the one under way. So the first click, and a click after scrolling a few
 * slices, skip the image encoder (the slowest graph) and answer from the encoder cache.
 */
import type { ControllerParts } from './controller-parts';
import type { ActiveSeries } from './open-series';

/** cornerstone's events when a viewport shows another image (stack and volume viewports). */
const NEW_IMAGE_EVENTS = ['CORNERSTONE_STACK_NEW_IMAGE', 'CORNERSTONE_VOLUME_NEW_IMAGE'];
/** Scrolling fires an event per image: ask for the slices around where it stops. */
const SETTLE_MS = 150;

export class PreEncoding {
  private element: HTMLElement | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private active: ActiveSeries | null = null;
  /** The slice the latest request is about (a newer one replaces the one under way). */
  private center: number | null = null;
  private readonly onNewImage = () => {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.aroundView(), SETTLE_MS);
  };

  constructor(private readonly parts: ControllerParts) {}

  /** Pre-encodes around the slice in view of `active` now, and again wherever the user scrolls. */
  follow(active: ActiveSeries): void {
    this.active = active;
    const element =
      this.parts.host.services.cornerstoneViewportService.getCornerstoneViewport(active.viewportId)
        ?.element ?? null;
    if (element !== this.element) {
      this.unlisten();
      for (const type of NEW_IMAGE_EVENTS) element?.addEventListener(type, this.onNewImage);
      this.element = element;
    }
    this.aroundView();
  }

  stop(): void {
    this.unlisten();
    this.active = null;
  }

  private unlisten(): void {
    clearTimeout(this.timer);
    for (const type of NEW_IMAGE_EVENTS) this.element?.removeEventListener(type, this.onNewImage);
    this.element = null;
  }

  private aroundView(): void {
    const active = this.active;
    if (!active || !this.parts.store.state.toolActive) return;
    const viewport = this.parts.host.services.cornerstoneViewportService.getCornerstoneViewport(
      active.viewportId,
    );
    const slice = active.series.sliceOfImageIndex.get(viewport?.getCurrentImageIdIndex?.() ?? -1);
    if (slice === undefined) return;
    // The slice in view first on its own (shown as soon as it is ready), then its neighbours.
    void this.prefetch(active, slice, 0).then((done) => done && this.prefetch(active, slice));
  }

  /** Asks the worker for the slices around `slice`; false when replaced or failed. */
  private async prefetch(active: ActiveSeries, slice: number, radius?: number): Promise<boolean> {
    this.center = slice;
    try {
      const slices = await this.parts.client().prefetch(active.sessionId, 'axial', slice, radius);
      if (this.active !== active) return false;
      const images = slices.map((k) => active.series.imageIndexOfSlice[k]);
      if (images.length > 0) {
        const preEncoded = [...new Set([...this.parts.store.state.preEncoded, ...images])];
        this.parts.store.set({ preEncoded: preEncoded.sort((a, b) => a - b) });
      }
      return this.center === slice;
    } catch {
      return false; // work ahead of need: a failure costs the next click its head start only
    }
  }
}

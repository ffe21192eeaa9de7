/**
 * The main thread only paints: slice masks from the engine are queued and written into the
 * labelmap once per animation frame (the latest mask of a slice wins), and OHIF is told which
 * slices changed. Telling OHIF makes cornerstone re-render the viewport, the costliest thing the
 * page does, so a frame announces only the slices in view; the others are announced together by
 * `flush` (end of a propagation, Undo), which resolves once everything queued is written and
 * announced: "done" means painted.
 */

export interface PaintTarget {
  /** Writes one volume slice's mask for a segment, without telling OHIF. */
  writeSlice(segmentIndex: number, slice: number, mask: Uint8Array): void;
  /** Tells OHIF that these volume slices changed (one repaint). */
  announce(slices: readonly number[]): void;
}

/** Calls `paint` at the next animation frame, or after `fallbackMs` when frames stall (hidden tab). */
export type FrameScheduler = (paint: () => void) => void;

export function animationFrameScheduler(fallbackMs = 250): FrameScheduler {
  return (paint) => {
    let done = false;
    const once = () => {
      if (done) return;
      done = true;
      paint();
    };
    if (typeof requestAnimationFrame === 'function') requestAnimationFrame(once);
    setTimeout(once, fallbackMs);
  };
}

export class PaintQueue {
  private readonly pending = new Map<string, { segmentIndex: number; slice: number; mask: Uint8Array }>();
  private readonly unannounced = new Set<number>();
  private scheduled = false;
  private announceAll = false;
  private waiters: (() => void)[] = [];
  /** Frames painted and repaints asked of OHIF so far (figures for tests and the bench). */
  frames = 0;
  announcements = 0;

  constructor(
    private readonly target: PaintTarget,
    /** Whether a volume slice is on show now (its change is announced at once). */
    private readonly inView: (slice: number) => boolean,
    private readonly schedule: FrameScheduler = animationFrameScheduler(),
    /** Called after each painted frame (the panel publishes its state then). */
    private readonly onFrame: () => void = () => {},
    /** A frame that could not be painted (e.g. a labelmap image gone from the cache). */
    private readonly onError: (e: unknown) => void = () => {},
  ) {}

  /** Queues one slice's mask for a segment; a later mask for the same slice replaces it. */
  write(segmentIndex: number, slice: number, mask: Uint8Array): void {
    this.pending.set(`${segmentIndex}:${slice}`, { segmentIndex, slice, mask });
    this.request();
  }

  /** Resolves once everything queued is written and every changed slice announced. */
  flush(): Promise<void> {
    this.announceAll = true;
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.request();
    return done;
  }

  /** Drops what is queued (the layer is going away). */
  clear(): void {
    this.pending.clear();
    this.unannounced.clear();
  }

  private request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(() => this.paint());
  }

  private paint(): void {
    this.scheduled = false;
    const waiters = this.waiters.splice(0);
    const all = this.announceAll;
    this.announceAll = false;
    try {
      for (const { segmentIndex, slice, mask } of this.pending.values()) {
        this.target.writeSlice(segmentIndex, slice, mask);
        this.unannounced.add(slice);
      }
      this.pending.clear();
      const now = [...this.unannounced].filter((k) => all || this.inView(k)).sort((a, b) => a - b);
      if (now.length > 0) {
        for (const k of now) this.unannounced.delete(k);
        this.announcements++;
        this.target.announce(now);
      }
      this.frames++;
      this.onFrame();
    } catch (e) {
      this.pending.clear();
      this.onError(e);
    } finally {
      for (const w of waiters) w();
    }
  }
}

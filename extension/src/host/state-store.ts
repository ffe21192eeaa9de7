/**
 * The controller's state as the panel sees it: one immutable snapshot, replaced on every change
 * and handed to every subscriber. Slice results streaming in during a propagation change the
 * state quietly; the panel hears of them with the next painted frame, at most every
 * PANEL_REFRESH_MS (rebuilding the panel is not free).
 */
import type { ControllerState } from './controller-state';

/** How often streamed slice results refresh the panel at most. */
const PANEL_REFRESH_MS = 200;

export class StateStore {
  private snapshot: ControllerState;
  private readonly listeners = new Set<(s: ControllerState) => void>();
  /** A state change published at the next painted frame (slice results streaming in). */
  private publishPending = false;
  private publishTimer: ReturnType<typeof setTimeout> | undefined;
  private lastPublish = 0;

  constructor(
    initial: ControllerState,
    /** Fields recomputed on every change (e.g. whether Undo has anything to undo). */
    private readonly derived: () => Partial<ControllerState>,
  ) {
    this.snapshot = initial;
  }

  get state(): ControllerState {
    return this.snapshot;
  }

  subscribe(listener: (s: ControllerState) => void): () => void {
    this.listeners.add(listener);
    listener(this.snapshot);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<ControllerState>): void {
    this.snapshot = { ...this.snapshot, ...patch, ...this.derived() };
    this.publishPending = false;
    this.lastPublish = Date.now();
    for (const l of this.listeners) l(this.snapshot);
  }

  /** Changes the state now and tells the panel at the next painted frame (see PaintQueue). */
  setQuietly(patch: Partial<ControllerState>): void {
    this.snapshot = { ...this.snapshot, ...patch, ...this.derived() };
    this.publishPending = true;
  }

  /** Publishes quiet changes, at most every PANEL_REFRESH_MS. */
  publishIfPending(): void {
    if (!this.publishPending || this.publishTimer) return;
    const wait = this.lastPublish + PANEL_REFRESH_MS - Date.now();
    if (wait <= 0) this.set({});
    else
      this.publishTimer = setTimeout(() => {
        this.publishTimer = undefined;
        if (this.publishPending) this.set({});
      }, wait);
  }

  dispose(): void {
    this.listeners.clear();
  }
}

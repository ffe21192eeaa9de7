/**
 * At most one propagation at a time: a run streams slice updates until it ends or is stopped;
 * anything that changes the session first stops the running one and waits for it to wind down
 * (the slices it already delivered stay; the engine redoes the interrupted part next time).
 */
import type { SliceUpdate } from '../engine/session';

export class PropagationRun {
  private current: { controller: AbortController; done: Promise<void> } | null = null;

  /**
   * Streams `start(signal)` into `onUpdate` until it ends, fails, or `stop` is called; answers
   * whether it was stopped.
   */
  async run(
    start: (signal: AbortSignal) => AsyncIterable<SliceUpdate>,
    onUpdate: (update: SliceUpdate) => void,
  ): Promise<boolean> {
    await this.stopAndWait();
    const controller = new AbortController();
    let finish = () => {};
    this.current = { controller, done: new Promise<void>((r) => (finish = r)) };
    try {
      for await (const update of start(controller.signal)) onUpdate(update);
      return controller.signal.aborted;
    } finally {
      this.current = null;
      finish();
    }
  }

  stop(): void {
    this.current?.controller.abort();
  }

  async stopAndWait(): Promise<void> {
    const running = this.current;
    if (!running) return;
    running.controller.abort();
    await running.done;
  }
}

/**
 * One lane for the model: requests (clicks, propagations) run at once; work ahead of need
 * (pre-encoding slices) runs one step at a time and only while no request is running. A request
 * arriving during a background step waits for that one step to end, so model runs never overlap
 * and a click is held up by at most one slice's encoding — unless it may overlap the step: when the
 * image encoder runs on its own thread, a click on an encoded slice needs none of it and answers
 * while the step's encoding carries on there.
 */
export class IdleLane {
  private foreground = 0;
  private waiters: (() => void)[] = [];
  private step: Promise<unknown> | null = null;

  /**
   * Runs a request, holding background work until it ends: after the background step in flight,
   * or at once when `overlapStep` (the step runs on another thread than the request needs).
   */
  async request<T>(run: () => Promise<T>, overlapStep = false): Promise<T> {
    this.foreground++;
    try {
      if (!overlapStep) await this.step?.catch(() => undefined);
      return await run();
    } finally {
      if (--this.foreground === 0) for (const wake of this.waiters.splice(0)) wake();
    }
  }

  /**
   * Runs one background step once no request is running and no other step is; null when `signal`
   * aborted first. Messages already queued are handled before the step starts.
   */
  async background<T>(step: () => Promise<T>, signal: AbortSignal): Promise<T | null> {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    for (;;) {
      if (signal.aborted) return null;
      if (this.foreground > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
      else if (this.step) await this.step.catch(() => undefined);
      else break;
    }
    const running = step();
    this.step = running;
    try {
      return await running;
    } finally {
      if (this.step === running) this.step = null;
    }
  }
}

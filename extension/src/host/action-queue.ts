/**
 * The panel's and the viewport's actions (prompts, Propagate, Undo, Accept, Export, segment edits)
 * run one at a time in the order the user made them: a click is never dropped, and a Propagate
 * pressed right after a click runs once that click's prompt is in. A failing action does not stop
 * the ones queued after it. `onPending` hears how many are queued or running (the panel shows it).
 */
export class ActionQueue {
  private tail: Promise<void> = Promise.resolve();
  private count = 0;

  constructor(private readonly onPending: (pending: number) => void = () => {}) {}

  /** Actions queued or running. */
  get pending(): number {
    return this.count;
  }

  /** Runs `task` after every action queued before it; resolves or rejects with it. */
  run<T>(task: () => Promise<T> | T): Promise<T> {
    this.count++;
    this.onPending(this.count);
    const run = this.tail.then(task);
    const settled = () => {
      this.count--;
      this.onPending(this.count);
    };
    this.tail = run.then(settled, settled);
    return run;
  }

  /** Resolves once every action queued so far has ended. */
  idle(): Promise<void> {
    return this.tail;
  }
}

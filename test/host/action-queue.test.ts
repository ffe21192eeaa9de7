import { ActionQueue } from '../../extension/src/host/action-queue';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ActionQueue', () => {
  test('runs actions one at a time in the order they were queued, however long each takes', async () => {
    const log: string[] = [];
    const q = new ActionQueue();
    const slow = (name: string, ms: number) => () =>
      new Promise<void>((r) => {
        log.push(`start ${name}`);
        setTimeout(() => {
          log.push(`end ${name}`);
          r();
        }, ms);
      });
    await Promise.all([q.run(slow('click', 30)), q.run(slow('propagate', 1)), q.run(slow('undo', 5))]);
    expect(log).toEqual([
      'start click',
      'end click',
      'start propagate',
      'end propagate',
      'start undo',
      'end undo',
    ]);
  });

  test('a failing action rejects its own caller and the next ones still run', async () => {
    const q = new ActionQueue();
    const failing = q.run(() => Promise.reject(new Error('outside the image')));
    const next = q.run(() => 'ran');
    await expect(failing).rejects.toThrow('outside the image');
    await expect(next).resolves.toBe('ran');
  });

  test('reports how many actions are queued or running', async () => {
    const counts: number[] = [];
    const q = new ActionQueue((n) => counts.push(n));
    let release = () => {};
    const first = q.run(() => new Promise<void>((r) => (release = r)));
    const second = q.run(() => undefined);
    expect(q.pending).toBe(2);
    await tick();
    release();
    await Promise.all([first, second, q.idle()]);
    expect(q.pending).toBe(0);
    expect(counts).toEqual([1, 2, 1, 0]);
  });
});

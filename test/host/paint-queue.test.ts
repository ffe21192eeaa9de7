import { type PaintTarget, PaintQueue } from '../../extension/src/host/paint-queue';

/** A frame scheduler the test steps by hand. */
function manualFrames() {
  const queued: (() => void)[] = [];
  return {
    schedule: (paint: () => void) => void queued.push(paint),
    step: () => queued.splice(0).forEach((p) => p()),
    get waiting() {
      return queued.length;
    },
  };
}

function recordingTarget() {
  const writes: { segmentIndex: number; slice: number; mask: number[] }[] = [];
  const announced: number[][] = [];
  const target: PaintTarget = {
    writeSlice: (segmentIndex, slice, mask) => writes.push({ segmentIndex, slice, mask: [...mask] }),
    announce: (slices) => announced.push([...slices]),
  };
  return { target, writes, announced };
}

describe('PaintQueue', () => {
  test('writes once per frame, the latest mask of a slice winning, and announces only slices in view', () => {
    const frames = manualFrames();
    const { target, writes, announced } = recordingTarget();
    const q = new PaintQueue(target, (k) => k === 3, frames.schedule);
    q.write(1, 2, Uint8Array.of(1, 0));
    q.write(1, 3, Uint8Array.of(1, 1));
    q.write(1, 2, Uint8Array.of(0, 1));
    expect(frames.waiting).toBe(1);
    expect(writes).toEqual([]);
    frames.step();
    expect(writes).toEqual([
      { segmentIndex: 1, slice: 2, mask: [0, 1] },
      { segmentIndex: 1, slice: 3, mask: [1, 1] },
    ]);
    expect(announced).toEqual([[3]]);
    expect(q.frames).toBe(1);
  });

  test('flush writes what is pending and announces every changed slice at once, then resolves', async () => {
    const frames = manualFrames();
    const { target, announced } = recordingTarget();
    const q = new PaintQueue(target, () => false, frames.schedule);
    q.write(1, 5, Uint8Array.of(1));
    frames.step(); // off screen: written, not announced yet
    expect(announced).toEqual([]);
    q.write(2, 0, Uint8Array.of(1));
    let flushed = false;
    const done = q.flush().then(() => (flushed = true));
    await Promise.resolve();
    expect(flushed).toBe(false); // not before the frame
    frames.step();
    await done;
    expect(announced).toEqual([[0, 5]]);
    expect(q.announcements).toBe(1);
  });

  test('a flush with nothing to paint still resolves, announcing nothing', async () => {
    const frames = manualFrames();
    const { target, announced } = recordingTarget();
    const q = new PaintQueue(target, () => true, frames.schedule);
    const done = q.flush();
    frames.step();
    await expect(done).resolves.toBeUndefined();
    expect(announced).toEqual([]);
  });

  test('a failing write is reported and still releases the waiters', async () => {
    const frames = manualFrames();
    const errors: string[] = [];
    const q = new PaintQueue(
      {
        writeSlice: () => {
          throw new Error('labelmap image not in the cache');
        },
        announce: () => undefined,
      },
      () => true,
      frames.schedule,
      () => undefined,
      (e) => errors.push((e as Error).message),
    );
    q.write(1, 0, Uint8Array.of(1));
    const done = q.flush();
    frames.step();
    await expect(done).resolves.toBeUndefined();
    expect(errors).toEqual(['labelmap image not in the cache']);
  });
});

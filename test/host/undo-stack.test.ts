import { UndoStack, decodeRuns, encodeRuns } from '../../extension/src/host/undo-stack';

describe('undo stack', () => {
  test('masks survive the run-length round trip exactly', () => {
    const masks = [
      Uint8Array.of(0, 0, 1, 1, 1, 0, 1),
      Uint8Array.of(1, 1, 0),
      new Uint8Array(5),
      Uint8Array.of(1, 1, 1),
    ];
    for (const m of masks) expect(decodeRuns(encodeRuns(m), m.length)).toEqual(m);
    expect([...encodeRuns(Uint8Array.of(1, 1, 0))]).toEqual([0, 2, 1]);
  });

  test('a run longer than the slice is refused', () => {
    expect(() => decodeRuns(Uint32Array.of(2, 9), 4)).toThrow('longer than its slice');
  });

  test('pops the newest frame of the segment asked for, keeping the others', () => {
    const stack = new UndoStack(3);
    const frame = (objectId: number, tag: number) => ({
      objectId,
      results: [],
      masks: [Uint32Array.of(tag)],
      sliceSize: tag,
    });
    stack.push(frame(1, 1));
    stack.push(frame(2, 2));
    stack.push(frame(1, 3));
    expect(stack.pop(1)?.sliceSize).toBe(3);
    expect(stack.pop(1)?.sliceSize).toBe(1);
    expect(stack.pop(1)).toBeUndefined();
    expect(stack.pop(2)?.sliceSize).toBe(2);
  });

  test('keeps at most `depth` frames, dropping the oldest', () => {
    const stack = new UndoStack(2);
    for (const t of [1, 2, 3]) stack.push({ objectId: 1, results: [], masks: [], sliceSize: t });
    expect([stack.pop(1)?.sliceSize, stack.pop(1)?.sliceSize, stack.pop(1)]).toEqual([3, 2, undefined]);
  });
});

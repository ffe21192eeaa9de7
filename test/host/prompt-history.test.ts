/** The panel's prompt bookkeeping: points accumulate on a slice, a box replaces, undo goes back one step. */
import { enginePrompt, PromptHistory } from '../../extension/src/host/prompt-history';

const include = (x: number, y: number) => ({ x, y, label: 1 as const });
const exclude = (x: number, y: number) => ({ x, y, label: 0 as const });

describe('PromptHistory', () => {
  test('points accumulate on a slice and a box replaces the slice’s box', () => {
    const h = new PromptHistory();
    const first = h.merged(1, { slice: 4, points: [include(10, 12)] });
    expect(first).toEqual({ points: [include(10, 12)] });
    h.record(1, 4, first);
    const second = h.merged(1, { slice: 4, points: [exclude(3, 5)], box: [0, 0, 20, 20] });
    expect(second).toEqual({ points: [include(10, 12), exclude(3, 5)], box: [0, 0, 20, 20] });
    h.record(1, 4, second);
    expect(h.merged(1, { slice: 4, box: [1, 1, 9, 9] })).toEqual({
      points: [include(10, 12), exclude(3, 5)],
      box: [1, 1, 9, 9],
    });
    // Other slices and other segments are separate.
    expect(h.merged(1, { slice: 5, box: [1, 1, 9, 9] })).toEqual({ box: [1, 1, 9, 9] });
    expect(h.merged(2, { slice: 4, points: [include(1, 1)] })).toEqual({ points: [include(1, 1)] });
    expect(h.of(1)).toEqual([{ slice: 4, ...second }]);
    expect(h.of(2)).toEqual([]);
  });

  test('a lasso replaces the slice’s box and a box its lasso; the engine gets a lasso as box + filled mask', () => {
    const h = new PromptHistory();
    const outline = [
      { x: 1, y: 1 },
      { x: 6, y: 1 },
      { x: 6, y: 4 },
    ];
    h.record(1, 0, h.merged(1, { slice: 0, points: [include(2, 2)], box: [0, 0, 5, 5] }));
    const lassoed = h.merged(1, { slice: 0, lasso: outline });
    expect(lassoed).toEqual({ points: [include(2, 2)], lasso: outline });
    h.record(1, 0, lassoed);
    expect(h.merged(1, { slice: 0, box: [0, 0, 3, 3] })).toEqual({
      points: [include(2, 2)],
      box: [0, 0, 3, 3],
    });
    const engine = enginePrompt(lassoed, 8, 6);
    expect(engine.box).toEqual([1, 1, 6, 4]);
    expect(engine.points).toEqual([include(2, 2)]);
    expect(engine).not.toHaveProperty('lasso');
    // Pixel centres inside the triangle (1,1)-(6,1)-(6,4): rows 1..3.
    expect(Array.from(engine.mask as Uint8Array).filter((v) => v).length).toBeGreaterThan(4);
    expect(enginePrompt({ points: [include(1, 1)] }, 8, 6)).toEqual({ points: [include(1, 1)] });
  });

  test('undo gives the slice its previous prompt back, then takes the slice’s prompt away', () => {
    const h = new PromptHistory();
    expect(h.canUndo).toBe(false);
    expect(h.peekUndo()).toBeUndefined();
    h.record(1, 4, { points: [include(10, 12)] });
    h.record(1, 9, { points: [include(2, 2)] });
    h.record(1, 4, { points: [include(10, 12), exclude(3, 5)] });
    expect(h.peekUndo()).toEqual({ objectId: 1, slice: 4, prompt: { points: [include(10, 12)] } });
    h.commitUndo();
    expect(h.of(1)).toEqual([
      { slice: 4, points: [include(10, 12)] },
      { slice: 9, points: [include(2, 2)] },
    ]);
    expect(h.peekUndo()).toEqual({ objectId: 1, slice: 9, prompt: undefined });
    h.commitUndo();
    h.commitUndo();
    expect(h.has(1)).toBe(false);
    expect(h.canUndo).toBe(false);
  });

  test('a merged prompt is not kept until it is recorded (the engine may refuse it)', () => {
    const h = new PromptHistory();
    h.merged(1, { slice: 2, points: [include(1, 1)] });
    expect(h.has(1)).toBe(false);
    expect(h.canUndo).toBe(false);
  });
});

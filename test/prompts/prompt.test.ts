import { InputError } from '../../extension/src/engine/errors';
import { createSliceTransform } from '../../extension/src/engine/preprocess/slice-transform';
import {
  NO_PROMPT,
  encodePrompt,
  validatePrompt,
  type SlicePrompt,
} from '../../extension/src/engine/prompts/prompt';
import { slicePoint } from '../../extension/src/engine/types';

function messageOf(p: SlicePrompt, width = 64, height = 48, where = 'slice 12'): string {
  try {
    validatePrompt(p, width, height, where);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).kind).toBe('invalid-prompt');
    return (e as InputError).message;
  }
  throw new Error('validatePrompt accepted the prompt');
}

describe('validatePrompt', () => {
  it('accepts clicks, a box, a mask and their combination', () => {
    expect(() => validatePrompt({ points: [{ x: 0, y: 47, label: 1 }] }, 64, 48, 'slice 0')).not.toThrow();
    expect(() => validatePrompt({ box: [-0.5, -0.5, 63.5, 47.5] }, 64, 48, 'slice 0')).not.toThrow();
    expect(() => validatePrompt({ mask: new Uint8Array(64 * 48) }, 64, 48, 'slice 0')).not.toThrow();
    expect(() =>
      validatePrompt(
        { points: [{ x: 3, y: 4, label: 0 }], box: [1, 2, 30, 40], mask: new Uint8Array(64 * 48) },
        64,
        48,
        'x',
      ),
    ).not.toThrow();
  });

  it('refuses an empty prompt, naming where', () => {
    expect(messageOf({})).toMatch(/^slice 12: the prompt is empty/);
    expect(messageOf({ points: [] })).toMatch(/^slice 12: the prompt is empty/);
  });

  it('names the point and the bound for a click outside the image', () => {
    const m = messageOf({
      points: [
        { x: 3, y: 3, label: 1 },
        { x: 64, y: 3, label: 1 },
      ],
    });
    expect(m).toMatch(/^slice 12: point 1 x = 64 is outside the image/);
    expect(m).toMatch(/\[-0\.5, 63\.5\] for width 64/);
    expect(messageOf({ points: [{ x: 3, y: -1, label: 1 }] })).toMatch(
      /point 0 y = -1 .*\[-0\.5, 47\.5\] for height 48/,
    );
  });

  it('refuses NaN and infinite coordinates', () => {
    expect(messageOf({ points: [{ x: NaN, y: 3, label: 1 }] })).toMatch(
      /point 0 has non-finite coordinates \(NaN, 3\)/,
    );
    expect(messageOf({ box: [0, 0, Infinity, 5] })).toMatch(
      /box \[0, 0, Infinity, 5\] has non-finite values/,
    );
  });

  it('refuses a label that is not 0 or 1', () => {
    const p = { points: [{ x: 3, y: 3, label: 2 as unknown as 1 }] };
    expect(messageOf(p)).toMatch(/point 0 has label 2; labels are 1 \(include\) or 0 \(exclude\)/);
  });

  it('refuses an empty or inverted box, naming the corners', () => {
    expect(messageOf({ box: [10, 5, 10, 20] })).toMatch(/box \[10, 5, 10, 20\] has x1 = 10 ≤ x0 = 10/);
    expect(messageOf({ box: [10, 25, 20, 20] })).toMatch(/has y1 = 20 ≤ y0 = 25/);
    expect(messageOf({ box: [10, 5, 70, 20] })).toMatch(
      /box \[10, 5, 70, 20\] reaches outside the image \(x must be in/,
    );
    expect(messageOf({ box: [1, 2, 3] as unknown as [number, number, number, number] })).toMatch(
      /box must be \[x0, y0, x1, y1\]/,
    );
  });

  it('refuses a mask of the wrong length, naming both lengths', () => {
    expect(messageOf({ mask: new Uint8Array(100) })).toMatch(
      /mask has 100 values, the 64×48 slice needs 3072/,
    );
  });
});

describe('encodePrompt', () => {
  // 128×64 slice, no crop, S = 256: x ×2, y ×4
  const t = createSliceTransform(128, 64, { x0: 0, y0: 0, width: 128, height: 64 }, 256);

  it('puts the box corners first (labels 2, 3), then the clicks in order', () => {
    const e = encodePrompt(
      {
        points: [
          { x: 10, y: 20, label: 1 },
          { x: 30, y: 5, label: 0 },
        ],
        box: [4, 6, 40, 50],
      },
      t,
    );
    expect(Array.from(e.labels)).toEqual([2, 3, 1, 0]);
    const expected = [
      t.toModel(slicePoint(4, 6)),
      t.toModel(slicePoint(40, 50)),
      t.toModel(slicePoint(10, 20)),
      t.toModel(slicePoint(30, 5)),
    ].flatMap((p) => [p.x, p.y]);
    expect(Array.from(e.coords)).toEqual(expected.map((v) => Math.fround(v)));
    expect(e.count).toBe(4);
    expect(e.maskS).toBeNull();
  });

  it('maps click coordinates into model pixels (pixel centre 10 → 20.5 at ×2)', () => {
    const e = encodePrompt({ points: [{ x: 10, y: 20, label: 1 }] }, t);
    expect(Array.from(e.coords)).toEqual([20.5, 81.5]);
  });

  it('counts a box as its two corner points (SAM 2 num_pts), a mask as none', () => {
    expect(encodePrompt({ box: [1, 1, 9, 9] }, t).count).toBe(2);
    expect(encodePrompt({ mask: new Uint8Array(128 * 64) }, t).count).toBe(0);
  });

  it('pads a mask-only prompt with the no-prompt point and resizes the mask to the S×S model grid', () => {
    const mask = new Uint8Array(128 * 64);
    mask.fill(1, 0, 128 * 8); // top 8 of 64 rows → top 32 of S = 256 rows
    const e = encodePrompt({ mask }, t);
    expect(Array.from(e.coords)).toEqual([0, 0]);
    expect(Array.from(e.labels)).toEqual([-1]);
    const m = e.maskS as Uint8Array;
    expect(m.length).toBe(256 * 256);
    expect(m[0]).toBe(1);
    expect(m[256 * 31 + 255]).toBe(1);
    expect(m[256 * 32]).toBe(0);
  });

  it('returns fresh arrays, so mutating them leaves NO_PROMPT intact', () => {
    const e = encodePrompt({ mask: new Uint8Array(128 * 64) }, t);
    e.coords[0] = 99;
    e.labels[0] = 5;
    expect(Array.from(NO_PROMPT.coords)).toEqual([0, 0]);
    expect(Array.from(NO_PROMPT.labels)).toEqual([-1]);
  });
});

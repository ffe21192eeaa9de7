/** Free-hand prompts: scribble sampling, polygon filling, lasso → box + mask, and the lasso in the engine. */
import { InputError } from '../../extension/src/engine/errors';
import { segmentImageSet } from '../../extension/src/engine/image-set';
import type { SamModel } from '../../extension/src/engine/model/sam-model';
import { fillPolygon, lassoPrompt, scribblePoints } from '../../extension/src/engine/prompts';
import { collect, dice, disk } from '../support/synthetic';
import { loadTestModel } from '../support/test-model';

describe('scribblePoints', () => {
  it('samples a straight stroke uniformly by arc length, both ends included, every `spacing` pixels', () => {
    const pts = scribblePoints(
      [
        { x: 0, y: 10 },
        { x: 36, y: 10 },
      ],
      1,
      { spacing: 12 },
    );
    expect(pts).toEqual([0, 12, 24, 36].map((x) => ({ x, y: 10, label: 1 })));
  });

  it('follows a polyline round its corner, at equal arc lengths', () => {
    const pts = scribblePoints(
      [
        { x: 0, y: 0 },
        { x: 10, y: 0 },
        { x: 10, y: 10 },
      ],
      0,
      { spacing: 5 },
    );
    expect(pts.map((p) => [p.x, p.y])).toEqual([
      [0, 0],
      [5, 0],
      [10, 0],
      [10, 5],
      [10, 10],
    ]);
    expect(pts.every((p) => p.label === 0)).toBe(true);
  });

  it('caps a long stroke at maxPoints, spread over its whole length', () => {
    const pts = scribblePoints(
      [
        { x: 0, y: 0 },
        { x: 700, y: 0 },
      ],
      1,
    );
    expect(pts).toHaveLength(8);
    expect(pts[0].x).toBe(0);
    expect(pts[7].x).toBe(700);
    expect(pts[1].x).toBeCloseTo(100, 10);
  });

  it('gives a dot one click and a short stroke its two ends; refuses an empty or non-finite stroke', () => {
    expect(scribblePoints([{ x: 3, y: 4 }], 1)).toEqual([{ x: 3, y: 4, label: 1 }]);
    expect(
      scribblePoints(
        [
          { x: 3, y: 4 },
          { x: 3, y: 4 },
        ],
        1,
      ),
    ).toEqual([{ x: 3, y: 4, label: 1 }]);
    expect(
      scribblePoints(
        [
          { x: 0, y: 0 },
          { x: 3, y: 4 },
        ],
        1,
      ).map((p) => [p.x, p.y]),
    ).toEqual([
      [0, 0],
      [3, 4],
    ]);
    expect(() => scribblePoints([], 1)).toThrow(InputError);
    expect(() => scribblePoints([{ x: NaN, y: 1 }], 1)).toThrow(/vertex 0 is not a finite/);
  });
});

describe('fillPolygon and lassoPrompt', () => {
  it('fills by pixel centres with the even-odd rule', () => {
    // A square from -0.5 to 2.5 covers the centres 0, 1, 2 on both axes.
    const square = [
      { x: -0.5, y: -0.5 },
      { x: 2.5, y: -0.5 },
      { x: 2.5, y: 2.5 },
      { x: -0.5, y: 2.5 },
    ];
    const m = fillPolygon(square, 5, 4);
    expect(Array.from(m)).toEqual([1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]);
    // A triangle's area matches its filled pixel count within its perimeter.
    const tri = fillPolygon(
      [
        { x: 10, y: 10 },
        { x: 90, y: 10 },
        { x: 10, y: 90 },
      ],
      100,
      100,
    );
    const area = tri.reduce((n, v) => n + v, 0);
    expect(Math.abs(area - 3200)).toBeLessThan(200);
  });

  it('a lasso is its bounding box (clipped to the slice) plus the filled outline as the mask', () => {
    const p = lassoPrompt(
      [
        { x: 2, y: 1 },
        { x: 12, y: 3 },
        { x: 7, y: 9 },
      ],
      10,
      8,
    );
    expect(p.box).toEqual([2, 1, 9.5, 7.5]);
    expect(p.mask).toEqual(
      fillPolygon(
        [
          { x: 2, y: 1 },
          { x: 12, y: 3 },
          { x: 7, y: 9 },
        ],
        10,
        8,
      ),
    );
    expect(() =>
      lassoPrompt(
        [
          { x: 1, y: 1 },
          { x: 2, y: 2 },
        ],
        10,
        8,
      ),
    ).toThrow(/2 vertices enclose no area/);
    expect(() =>
      lassoPrompt(
        [
          { x: 20, y: 20 },
          { x: 30, y: 20 },
          { x: 25, y: 30 },
        ],
        10,
        8,
      ),
    ).toThrow(/encloses no pixel centre/);
  });
});

describe('a lasso in the engine', () => {
  let model: SamModel;
  beforeAll(async () => {
    model = await loadTestModel('native');
  });
  afterAll(() => model.release());

  it('reaches the decoder as box corners and the filled outline as mask_input (±10 logits)', async () => {
    const { image, truth } = disk(64, 64, 0.25);
    const outline = Array.from({ length: 24 }, (_, k) => ({
      x: 32 + 20 * Math.cos((2 * Math.PI * k) / 24),
      y: 32 + 20 * Math.sin((2 * Math.PI * k) / 24),
    }));
    const prompt = lassoPrompt(outline, 64, 64);
    const seen: { labels: number[]; mask: Float32Array | undefined }[] = [];
    // The real model, observed: every decoder call is recorded and passed on unchanged.
    const observed = Object.create(model) as SamModel;
    observed.decodeMask = (input) => {
      seen.push({ labels: Array.from(input.pointLabels), mask: input.maskInput?.data });
      return model.decodeMask(input);
    };
    const [first] = await collect(segmentImageSet(observed, [image, image], { index: 0, prompt }));
    expect(seen[0].labels).toEqual([2, 3]);
    const mask = seen[0].mask as Float32Array;
    expect(mask).toBeDefined();
    expect(Math.max(...mask)).toBeCloseTo(10, 1);
    expect(Math.min(...mask)).toBeCloseTo(-10, 1);
    expect(dice(first.mask, truth)).toBeGreaterThan(0.85);
  });
});

import { TemplateSet, maskArea } from '../../extension/src/host/template-set';

const template = { displaySetInstanceUID: 'mr', imageIndex: 8, name: 'MR #2 slice 9 (template)' };
const click = (x: number, y: number, label: 0 | 1 = 1) => ({ points: [{ x, y, label }] });

function makeSet() {
  return new TemplateSet(template, click(10, 12), [
    { displaySetInstanceUID: 'cine', label: 'US #100 cine', count: 3, frames: true },
    { displaySetInstanceUID: 'cr', label: 'CR #5', count: 2, frames: false },
  ]);
}

describe('"Use as template": the image set', () => {
  it('is the template first, then every image of each display set in order, named by series and frame', () => {
    const set = makeSet();
    expect(set.images.map((r) => r.name)).toEqual([
      'MR #2 slice 9 (template)',
      'US #100 cine frame 1',
      'US #100 cine frame 2',
      'US #100 cine frame 3',
      'CR #5 image 1',
      'CR #5 image 2',
    ]);
    expect(set.indexOf('cine', 2)).toBe(3);
    expect(set.indexOf('cr', 0)).toBe(4);
    // The template is no image of a display set of the set.
    expect(set.indexOf('mr', 8)).toBe(-1);
  });

  it('sends the template prompt first, then one conditioning prompt per corrected image, ascending', () => {
    const set = makeSet();
    set.correct(4, click(3, 4));
    set.correct(2, click(5, 6, 0));
    expect(set.prompts()).toEqual([
      { index: 0, prompt: click(10, 12) },
      { index: 2, prompt: click(5, 6, 0) },
      { index: 4, prompt: click(3, 4) },
    ]);
  });

  it("a second correction of an image adds its clicks; a box replaces the image's box", () => {
    const set = makeSet();
    set.correct(1, { ...click(1, 1), box: [0, 0, 5, 5] });
    set.correct(1, { ...click(2, 2, 0), box: [1, 1, 6, 6] });
    expect(set.correction(1)).toEqual({
      points: [
        { x: 1, y: 1, label: 1 },
        { x: 2, y: 2, label: 0 },
      ],
      box: [1, 1, 6, 6],
    });
  });

  it('Undo takes corrections back one at a time, last first, each image as it was before it', () => {
    const set = makeSet();
    set.correct(1, { ...click(1, 1), box: [0, 0, 5, 5] });
    set.correct(3, click(4, 4));
    set.correct(1, { ...click(2, 2, 0), box: [1, 1, 6, 6] });
    expect(set.correctionSteps).toBe(3);
    expect(set.undoCorrection()).toBe(1);
    expect(set.correction(1)).toEqual({ ...click(1, 1), box: [0, 0, 5, 5] });
    expect(set.undoCorrection()).toBe(3);
    expect(set.correction(3)).toBeUndefined();
    expect(set.undoCorrection()).toBe(1);
    // No correction left: only the template conditions the set, as on its first run.
    expect(set.prompts()).toEqual([{ index: 0, prompt: click(10, 12) }]);
    expect(set.correctionSteps).toBe(0);
    expect(set.undoCorrection()).toBeUndefined();
  });

  it('a refused correction is no step for Undo', () => {
    const set = makeSet();
    expect(() => set.correct(0, click(1, 1))).toThrow();
    expect(set.correctionSteps).toBe(0);
  });

  it('refuses a correction of the template or of an image outside the set, saying what to do', () => {
    const set = makeSet();
    expect(() => set.correct(0, click(1, 1))).toThrow(/template is corrected on its own series/);
    expect(() => set.correct(6, click(1, 1))).toThrow(/image 6 is not in the set \(1\.\.5\)/);
  });

  it("gives a display set's masks by image index for its SEG, or names the first image not segmented", () => {
    const set = makeSet();
    const m = (v: number) => new Uint8Array([v, 0, v]);
    set.record(1, { confidence: 0.9, present: true, prompted: false, area: 2 }, m(1));
    set.record(3, { confidence: 0.8, present: true, prompted: false, area: 2 }, m(1));
    expect(set.masksOf('cine')).toEqual({ missing: 'US #100 cine frame 2' });
    set.record(2, { confidence: 0.1, present: false, prompted: false, area: 0 }, m(0));
    const got = set.masksOf('cine');
    expect('masks' in got && [...got.masks.keys()]).toEqual([0, 1, 2]);
    expect('masks' in got && got.masks.get(1)).toEqual(m(0));
    expect(maskArea(m(1))).toBe(2);
  });
});

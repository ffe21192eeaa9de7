import type { CsImage, OhifDisplaySet } from '../../extension/src/host/ohif-types';
import { SeriesError } from '../../extension/src/host/series';
import {
  displaySetLabel,
  greyValues,
  isMultiFrame,
  loadSetImages,
} from '../../extension/src/host/set-images';

const image = (pixels: number[], extra: Partial<CsImage> = {}): CsImage => ({
  imageId: 'x',
  rows: 1,
  columns: 2,
  getPixelData: () => new Int16Array(pixels),
  ...extra,
});

describe('a display set’s images for "Use as template"', () => {
  it('are modality values: Rescale Slope/Intercept applied unless cornerstone already scaled them', () => {
    expect([...greyValues(image([10, 20], { slope: 2, intercept: -5 }), 'a').data]).toEqual([15, 35]);
    expect([
      ...greyValues(image([10, 20], { slope: 2, intercept: -5, preScale: { scaled: true } }), 'a').data,
    ]).toEqual([10, 20]);
    expect(greyValues(image([1, 2]), 'a')).toMatchObject({ width: 2, height: 1 });
  });

  it('takes a colour image (RGB or RGBA, as cornerstone decodes it) as its BT.601 luma', () => {
    const rgb = greyValues(image([255, 0, 0, 0, 0, 255]), 'US #7 frame 3');
    expect([...rgb.data].map((v) => Number(v.toFixed(3)))).toEqual([76.245, 29.07]);
    const rgba = greyValues(image([0, 255, 0, 255, 10, 10, 10, 255]), 'US #7 frame 3');
    expect([...rgba.data].map((v) => Number(v.toFixed(3)))).toEqual([149.685, 10]);
  });

  it('refuses pixel data that is neither grey-scale nor colour, naming the image', () => {
    expect(() => greyValues(image([1, 2, 3, 4]), 'US #7 frame 3')).toThrow(SeriesError);
    expect(() => greyValues(image([1, 2, 3, 4]), 'US #7 frame 3')).toThrow(
      /US #7 frame 3: 4 values for 2×1 pixels; neither grey-scale nor colour/,
    );
  });

  it('are read one per image id (a multi-frame instance: one per frame), named by the caller', async () => {
    const displaySet = {
      displaySetInstanceUID: 'd',
      StudyInstanceUID: 's',
      SeriesInstanceUID: 'se',
      Modality: 'US',
      SeriesNumber: 7,
      SeriesDescription: 'cine',
      imageIds: ['f1', 'f2'],
      instances: [{ SOPInstanceUID: 'i', NumberOfFrames: '2' }],
    } as OhifDisplaySet;
    const core = {
      imageLoader: { loadAndCacheImage: async (id: string) => image(id === 'f1' ? [1, 2] : [3, 4]) },
    } as never;
    const images = await loadSetImages(displaySet, core, (i) => `frame ${i + 1}`);
    expect(images.map((i) => [i.name, [...i.data]])).toEqual([
      ['frame 1', [1, 2]],
      ['frame 2', [3, 4]],
    ]);
    expect(isMultiFrame(displaySet)).toBe(true);
    expect(displaySetLabel(displaySet)).toBe('US #7 cine');
    await expect(loadSetImages({ ...displaySet, imageIds: [] }, core, String)).rejects.toThrow(/no images/);
  });
});

import { imageResultText, useTemplateWhy } from '../../extension/src/panel/template-view';

const image = (patch: Record<string, unknown> = {}) => ({
  index: 3,
  name: 'US #100 cine frame 3',
  displaySetInstanceUID: 'cine',
  imageIndex: 2,
  prompted: false,
  ...patch,
});

describe('the "Use as template" section’s words', () => {
  test('the button says why it cannot run: no series open, no other series, nothing ticked', () => {
    expect(useTemplateWhy('loading', 2, 1)).toMatch(/Open a series with the MedSAM-2 tool/);
    expect(useTemplateWhy('ready', 0, 0)).toBe('The study has no other series to segment.');
    expect(useTemplateWhy('ready', 2, 0)).toBe('Tick the series to segment.');
    expect(useTemplateWhy('ready', 2, 1)).toBeUndefined();
  });

  test('an image row reads its confidence, "absent" where nothing was found, and whether it was corrected', () => {
    expect(imageResultText(image())).toBe('…');
    expect(imageResultText(image({ confidence: 0.873, present: true }))).toBe('conf 0.87');
    expect(imageResultText(image({ confidence: 0.2, present: false }))).toBe('absent');
    expect(imageResultText(image({ confidence: 0.7, present: true, prompted: true }))).toBe(
      'conf 0.70 · corrected',
    );
  });
});

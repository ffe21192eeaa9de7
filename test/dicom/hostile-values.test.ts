/**
 * Values that must not pass silently (issue: the reader read RescaleSlope "NaN" as 1, made Infinity
 * voxels from a 1e38 slope, accepted pixel data longer than Rows×Columns, crashed with a RangeError
 * on an RLE file declaring 65535×65535, and explained problems in JavaScript terms). Each case is a
 * real file with one value changed; each outcome is a typed error naming the file and the tag.
 */
import { DicomError, volumeFromInstances, volumeFromPart10 } from '../../extension/src/dicom';
import type { NamedBytes } from '../../extension/src/dicom/from-part10';
import { parsePart10 } from '../../extension/src/dicom/part10';
import { craft, truncate } from '../fixtures/dicom/craft';
import { SERIES, pydicomFile, readSeries } from '../support/dicom-data';
import { RAW_JS_TEXT, runCorpus } from './fuzz/run';
import { replaceValue, setLength, walkPart10 } from './fuzz/raw';

function failure(files: readonly NamedBytes[]): DicomError {
  try {
    volumeFromPart10(files);
  } catch (e) {
    if (!(e instanceof DicomError)) throw new Error(`expected a DicomError, got ${String(e)}`);
    expect(e.message).not.toMatch(RAW_JS_TEXT);
    return e;
  }
  throw new Error('expected volumeFromPart10 to throw');
}

const ascii = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

/** A copy of `file` with the top-level element `tag` holding `value` exactly as given (byte-level). */
function withRawValue(file: NamedBytes, tag: string, value: Uint8Array, name = file.name): NamedBytes {
  const raw = walkPart10(new Uint8Array(file.bytes));
  const e = raw.elements.find((x) => x.tag === tag);
  if (!e) throw new Error(`${file.name} has no ${tag}`);
  return { name, bytes: replaceValue(raw, e, value).slice().buffer };
}

const us = (v: number) => new Uint8Array([v & 0xff, v >> 8]);

describe('rescale', () => {
  const ct = readSeries(SERIES.ct5);
  const oneSlice = (tag: string, value: string) => [
    ct[0],
    withRawValue(ct[1], tag, ascii(value), 'IM0002'),
    ...ct.slice(2),
  ];

  it.each(['NaN', 'Inf', '-Infinity', 'abc', '12abc', '1,5'])(
    'RescaleSlope %j on one slice of a series → invalid-tag-value "unparsable", not slope 1',
    (value) => {
      const e = failure(oneSlice('00281053', value));
      expect(e.kind).toBe('invalid-tag-value');
      expect(e.message).toBe(
        `IM0002: (0028,1053) RescaleSlope is unparsable as a finite number: ${JSON.stringify(value)}`,
      );
    },
  );

  it('RescaleSlope 0 → invalid-tag-value', () => {
    const e = failure(oneSlice('00281053', '0'));
    expect(e).toMatchObject({
      kind: 'invalid-tag-value',
      message: 'IM0002: (0028,1053) RescaleSlope is 0: every pixel would have the same value',
    });
  });

  it.each([
    ['00281053', '1e38'],
    ['00281052', '1e300'],
    ['00281052', '-1e39'],
  ])('%s %s: modality values beyond 32-bit floats → invalid-tag-value (no Infinity voxels)', (tag, value) => {
    const e = failure(oneSlice(tag, value));
    expect(e.kind).toBe('invalid-tag-value');
    expect(e.message).toMatch(
      /^IM0002: \(0028,1053\) RescaleSlope .* and \(0028,1052\) RescaleIntercept .* beyond the range of 32-bit floats/,
    );
  });

  it('an empty RescaleSlope is "empty", a present unparsable one is never called "missing"', () => {
    expect(failure(oneSlice('00281053', '')).message).toBe('IM0002: (0028,1053) RescaleSlope is empty');
  });

  it('the viewer path (decoded instances) refuses a NaN slope too', () => {
    const { PixelData: _p, ...metadata } = parsePart10(ct[0].name, ct[0].bytes).dataset;
    void _p;
    expect(() =>
      volumeFromInstances([
        { metadata: { ...metadata, RescaleSlope: 'NaN' }, pixels: new Int16Array(16 * 16) },
      ]),
    ).toThrow(
      expect.objectContaining({
        kind: 'invalid-tag-value',
        message: expect.stringContaining('(0028,1053) RescaleSlope'),
      }),
    );
  });

  it('an enhanced multi-frame image with a NaN slope in its shared functional groups → invalid-tag-value', () => {
    const file = craft(
      ct[0],
      (f) => {
        f.dataset.NumberOfFrames = 1;
        f.dataset.SharedFunctionalGroupsSequence = [
          {
            PixelMeasuresSequence: [{ PixelSpacing: f.dataset.PixelSpacing, SliceThickness: 2.5 }],
            PlaneOrientationSequence: [{ ImageOrientationPatient: f.dataset.ImageOrientationPatient }],
            PixelValueTransformationSequence: [{ RescaleSlope: 'NaN', RescaleIntercept: 0 }],
          },
        ];
        f.dataset.PerFrameFunctionalGroupsSequence = [
          { PlanePositionSequence: [{ ImagePositionPatient: f.dataset.ImagePositionPatient }] },
        ];
      },
      'ENH',
    );
    expect(failure([file]).message).toBe(
      'ENH (shared functional groups): (0028,1053) RescaleSlope is unparsable as a finite number: "NaN"',
    );
  });
});

describe('spacing', () => {
  const ct = readSeries(SERIES.ct5);
  it.each(['1e-30\\1e-30', '0\\0.5', '-1\\1', 'NaN\\1', '1e300\\1'])(
    'PixelSpacing %s → invalid-tag-value naming (0028,0030)',
    (value) => {
      const e = failure([withRawValue(ct[0], '00280030', ascii(value), 'SP')]);
      expect(e.kind).toBe('invalid-tag-value');
      expect(e.message).toMatch(/^SP: \(0028,0030\) PixelSpacing /);
    },
  );

  it('positions 3.4e308 mm apart (spacing Infinity) → invalid-tag-value on ImagePositionPatient', () => {
    const far = (file: NamedBytes, z: string, name: string) =>
      withRawValue(file, '00200032', ascii(`0\\0\\${z}`), name);
    const e = failure([far(ct[0], '-1.7e308', 'A'), far(ct[1], '1.7e308', 'B')]);
    expect(e.kind).toBe('invalid-tag-value');
    expect(e.message).toMatch(/\(0020,0032\) ImagePositionPatient .* slice spacing of Infinity mm/);
  });

  it.each(['0', '-2.5'])('a single slice whose SliceThickness is %s → invalid-tag-value', (value) => {
    const e = failure([withRawValue(pydicomFile('MR_small.dcm'), '00180050', ascii(value))]);
    expect(e.message).toMatch(/^MR_small\.dcm: \(0018,0050\) SliceThickness must be positive/);
  });
});

describe('pixel data length and declared sizes', () => {
  it('pixel data longer than Rows×Columns declare → invalid-tag-value naming (7FE0,0010)', () => {
    const mr = pydicomFile('MR_small.dcm');
    const raw = walkPart10(new Uint8Array(mr.bytes));
    const pixels = raw.elements.find((e) => e.tag === '7FE00010')!;
    const longer = new Uint8Array(pixels.length + 2);
    longer.set(raw.bytes.subarray(pixels.valueStart, pixels.end));
    const e = failure([{ name: 'LONG', bytes: replaceValue(raw, pixels, longer).slice().buffer }]);
    expect(e).toMatchObject({ kind: 'invalid-tag-value' });
    expect(e.message).toMatch(/^LONG: \(7FE0,0010\) PixelData holds 8194 bytes, 8192 expected/);
  });

  it('an odd-sized 8-bit image with its one padding byte reads; one more byte is an error', () => {
    const ct = readSeries(SERIES.ct5);
    const odd = (bytes: number) =>
      craft(
        ct[0],
        (f) => {
          Object.assign(f.dataset, {
            Rows: 3,
            Columns: 5,
            BitsAllocated: 8,
            BitsStored: 8,
            HighBit: 7,
            PixelRepresentation: 0,
          });
          f.dataset._vrMap = { PixelData: 'OB' };
          f.dataset.PixelData = [new Uint8Array(bytes).map((_, i) => i).buffer];
        },
        `ODD${bytes}`,
      );
    const v = volumeFromPart10([odd(16)]);
    expect(v.dims).toEqual([5, 3, 1]);
    expect(Array.from(v.data).slice(0, 3)).toEqual([-1024, -1023, -1022]); // CT5N's intercept −1024
    expect(failure([odd(18)]).kind).toBe('invalid-tag-value');
  });

  it('RLE declaring 65535×65535 in a 8 KB file → undecodable-pixel-data (no RangeError)', () => {
    const rle = pydicomFile('MR_small_RLE.dcm');
    const big = withRawValue(withRawValue(rle, '00280010', us(65535)), '00280011', us(65535), 'HUGE');
    const e = failure([big]);
    expect(e.kind).toBe('undecodable-pixel-data');
    expect(e.message).toMatch(
      /^HUGE: frame 1 \(transfer syntax 1\.2\.840\.10008\.1\.2\.5 \(RLE Lossless\)\): RLE segment 1 has \d+ bytes, which decode to at most \d+; the header declares 4294836225 pixels/,
    );
  });

  it('RLE declaring 20000² is refused before anything near its size is allocated (measured)', async () => {
    const rle = pydicomFile('MR_small_RLE.dcm');
    const big = withRawValue(withRawValue(rle, '00280010', us(20000)), '00280011', us(20000), 'BOMB');
    const [r] = await runCorpus([{ id: 'bomb', family: 'rle-bomb', what: '20000²', files: [big] }], {
      workers: 1,
    });
    expect(r.type).toBe('typed');
    expect(r.type === 'typed' && r.kind).toBe('undecodable-pixel-data');
    // 20000² voxels would be 1.6 GB of floats; nothing larger than the file's order of magnitude is asked for.
    expect(r.largest).toBeLessThan(1024 * 1024);
  });

  it('a native image whose Rows×Columns exceed what the file holds → truncated-file, before allocating', () => {
    const mr = pydicomFile('MR_small.dcm');
    const e = failure([withRawValue(withRawValue(mr, '00280010', us(65535)), '00280011', us(65535), 'BIG')]);
    expect(e.kind).toBe('truncated-file');
    expect(e.message).toMatch(/^BIG: \(7FE0,0010\) PixelData holds 8192 bytes, 8589672450 expected/);
  });
});

describe('messages in DICOM terms', () => {
  it('a value that is binary data where a number belongs (VR changed to OW)', () => {
    const mr = pydicomFile('MR_small.dcm');
    const raw = walkPart10(new Uint8Array(mr.bytes));
    const e0 = raw.elements.find((x) => x.tag === '00280103')!;
    const bytes = raw.bytes.slice();
    bytes.set(ascii('OB'), e0.start + 4); // short-form header now read as a long form: garbage follows
    const e = failure([{ name: 'VR', bytes: bytes.buffer }]);
    expect(e.message.startsWith('VR: ')).toBe(true);
    expect(e.message).not.toContain('[object');
  });

  it('a file cut inside an element names the element and the bytes left', () => {
    const mr = pydicomFile('MR_small.dcm');
    const spacing = walkPart10(new Uint8Array(mr.bytes)).elements.find((x) => x.tag === '00280030')!;
    const e = failure([truncate(mr, spacing.valueStart + 3, 'CUT')]);
    expect(e.kind).toBe('truncated-file');
    expect(e.message).toBe(
      `CUT: (0028,0030) PixelSpacing at byte ${spacing.start} declares a value of ${spacing.length} bytes, ` +
        `3 remain in the file (truncated file or corrupt length)`,
    );
    // Cut inside an element's header: the header is named.
    expect(failure([truncate(mr, spacing.start + 3, 'HEAD')]).message).toBe(
      `HEAD: the file ends at byte ${spacing.start + 3}, inside a data element header at byte ${spacing.start} (file truncated)`,
    );
  });

  it('a length that runs past the end of the file names the element', () => {
    const mr = pydicomFile('MR_small.dcm');
    const raw = walkPart10(new Uint8Array(mr.bytes));
    const e0 = raw.elements.find((x) => x.tag === '00080060')!; // Modality
    const e = failure([{ name: 'LEN', bytes: setLength(raw, e0, 0xfffe).slice().buffer }]);
    expect(e.message).toMatch(/^LEN: /);
    expect(e.message).toMatch(/\([0-9A-F]{4},[0-9A-F]{4}\)/);
  });

  it('a truncated deflated file → unreadable-file saying so (dcmjs fails with a TypeError)', () => {
    const e = failure([truncate(pydicomFile('image_dfl.dcm'), 1800, 'DFL')]);
    expect(e).toMatchObject({ kind: 'unreadable-file' });
    expect(e.message).toMatch(/^DFL: the deflated data set .* cannot be inflated and parsed/);
  });

  it('a UID with letters (dcmjs would silently drop them) → invalid-tag-value, not another UID', () => {
    const ct = readSeries(SERIES.ct5);
    const e = failure([withRawValue(ct[0], '00080018', ascii('1.2.abc.3'), 'UID')]);
    expect(e.message).toBe('UID: (0008,0018) SOPInstanceUID is not a valid UID: "1.2.abc.3"');
  });

  it('"missing" only for an absent element: an empty one is "empty", a blank multi-value "has no value"', () => {
    const ct = readSeries(SERIES.ct5);
    expect(failure([withRawValue(ct[0], '00200032', ascii(''), 'E')]).message).toBe(
      'E: (0020,0032) ImagePositionPatient is empty',
    );
    expect(failure([withRawValue(ct[0], '00200032', ascii('\\\\'), 'B')]).message).toBe(
      'B: (0020,0032) ImagePositionPatient has no value (3 empty values)',
    );
  });

  it('NumberOfFrames that is not a positive integer → invalid-tag-value', () => {
    const file = craft(pydicomFile('MR_small.dcm'), (f) => void (f.dataset.NumberOfFrames = '1.5'), 'NF');
    expect(failure([file]).message).toBe('NF: (0028,0008) NumberOfFrames must be a positive integer, is 1.5');
  });
});

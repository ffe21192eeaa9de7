/** Part-10 files as independent 2D images: values checked against pydicom, an independent decoder. */
import path from 'node:path';
import { imagesFromPart10 } from '../../extension/src/dicom';
import type { Dataset } from '../../extension/src/dicom/dataset';
import { DicomError } from '../../extension/src/dicom/errors';
import { craft } from '../fixtures/dicom/craft';
import { PYDICOM_FILES, pydicomFile, pydicomModalityValues, readNamed, SERIES } from '../support/dicom-data';

describe('imagesFromPart10', () => {
  it('gives every frame of a multi-frame file (no functional groups) as an image with pydicom’s values', () => {
    const images = imagesFromPart10(pydicomFile('rtdose.dcm'));
    expect(images).toHaveLength(15);
    expect(images.map((i) => i.frameNumber)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(images[3].source).toBe('rtdose.dcm frame 4');
    const reference = pydicomModalityValues([path.join(PYDICOM_FILES, 'rtdose.dcm')]);
    const ours = images.flatMap((i) => Array.from(i.image.data));
    expect(ours).toHaveLength(reference.length);
    ours.forEach((v, k) => expect(v).toBeCloseTo(reference[k], 3));
  });

  it('reads a deflated secondary capture without patient geometry', () => {
    const [image] = imagesFromPart10(pydicomFile('image_dfl.dcm'));
    expect(image.frameNumber).toBeUndefined();
    expect([image.image.width, image.image.height]).toEqual([512, 512]);
    const reference = pydicomModalityValues([path.join(PYDICOM_FILES, 'image_dfl.dcm')]);
    expect(Array.from(image.image.data)).toEqual(Array.from(reference));
  });

  it('mirrors MONOCHROME1 so brighter is higher (a CR image)', () => {
    const file = readNamed(path.join(SERIES.cr, '6154'));
    const [image] = imagesFromPart10(file);
    const reference = pydicomModalityValues([path.join(SERIES.cr, '6154')]);
    // Mirrored within the stored range: ours + pydicom's is one constant for every pixel.
    const sums = Array.from(image.image.data, (v, k) => v + reference[k]);
    const spread = Math.max(...sums) - Math.min(...sums);
    expect(spread).toBeLessThan(1e-2);
    expect(sums[0]).toBeGreaterThan(Math.max(...reference));
  });

  it('refuses a colour image with a DicomError naming the file and the tag', () => {
    expect(() => imagesFromPart10(pydicomFile('ExplVR_BigEnd.dcm'))).toThrow(DicomError);
    expect(() => imagesFromPart10(pydicomFile('ExplVR_BigEnd.dcm'))).toThrow(
      /ExplVR_BigEnd\.dcm: \(0028,0002\) SamplesPerPixel is 3/,
    );
  });

  it('a header that lies about the pixel data (NumberOfFrames, Rows, BitsAllocated) → a DicomError naming the file, before allocating', () => {
    const lie = (edit: (d: Dataset) => void) =>
      craft(pydicomFile('rtdose.dcm'), (e) => edit(e.dataset), 'LIE');
    const cases: [(d: Dataset) => void, string, RegExp][] = [
      [
        (d) => void (d.NumberOfFrames = 1e6),
        'truncated-file',
        /^LIE: \(7FE0,0010\) PixelData holds \d+ bytes, \d+ expected/,
      ],
      [(d) => void (d.Rows = 65535), 'truncated-file', /shorter than the header declares/],
      [(d) => void (d.NumberOfFrames = 3), 'invalid-tag-value', /longer than the header declares/],
      [
        (d) => void (d.BitsAllocated = 12),
        'unsupported-image',
        /^LIE: \(0028,0100\) BitsAllocated 12 is not 8, 16 or 32/,
      ],
    ];
    for (const [edit, kind, message] of cases) {
      const e = (() => {
        try {
          imagesFromPart10(lie(edit));
        } catch (error) {
          return error as DicomError;
        }
        throw new Error('expected a refusal');
      })();
      expect(e).toBeInstanceOf(DicomError);
      expect([e.kind, e.message]).toEqual([kind, expect.stringMatching(message)]);
    }
  });
});

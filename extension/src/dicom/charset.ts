/**
 * Specific Character Set repair for nested sequence items. dcmjs 0.52 decodes top-level text with
 * the declared (0008,0005) SpecificCharacterSet but text inside sequence items as Latin-1, so a
 * UTF-8 SegmentLabel comes back as "LÃ¤sion". We read the declared set from the raw bytes and
 * re-decode nested strings with it.
 */
import { type Dataset } from './dataset';
import { TransferSyntax } from './transfer-syntax';

const LONG_VRS = new Set(['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV']);

/** Defined terms → WHATWG encoding labels (single-byte and UTF-8 sets; no ISO 2022 escapes). */
const ENCODINGS: Record<string, string> = {
  'ISO_IR 192': 'utf-8',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'iso-8859-9',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 13': 'shift_jis',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/**
 * The first value of (0008,0005) in the data set of a Part-10 file, or undefined (default
 * repertoire, or a deflated data set whose bytes are not readable directly).
 */
export function declaredCharacterSet(bytes: Uint8Array, syntax: string): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 132;
  // Skip the file meta group (always Explicit VR Little Endian).
  while (p + 8 <= bytes.length && view.getUint16(p, true) === 0x0002) {
    const vr = String.fromCharCode(bytes[p + 4], bytes[p + 5]);
    p += LONG_VRS.has(vr) ? 12 + view.getUint32(p + 8, true) : 8 + view.getUint16(p + 6, true);
  }
  if (syntax === TransferSyntax.DeflatedExplicitVRLittleEndian) return undefined;
  const little = syntax !== TransferSyntax.ExplicitVRBigEndian;
  const implicit = syntax === TransferSyntax.ImplicitVRLittleEndian;
  while (p + 8 <= bytes.length) {
    const group = view.getUint16(p, little);
    const element = view.getUint16(p + 2, little);
    if (group > 0x0008 || (group === 0x0008 && element > 0x0005)) return undefined;
    let length: number;
    let start: number;
    if (implicit) {
      length = view.getUint32(p + 4, true);
      start = p + 8;
    } else {
      const vr = String.fromCharCode(bytes[p + 4], bytes[p + 5]);
      const long = LONG_VRS.has(vr);
      length = long ? view.getUint32(p + 8, little) : view.getUint16(p + 6, little);
      start = p + (long ? 12 : 8);
    }
    if (length === 0xffffffff || start + length > bytes.length) return undefined;
    if (group === 0x0008 && element === 0x0005) {
      const text = String.fromCharCode(...bytes.subarray(start, start + length));
      return text.split('\\')[0].trim() || undefined;
    }
    p = start + length;
  }
  return undefined;
}

function redecode(text: string, decoder: TextDecoder): string {
  if (![...text].some((ch) => ch.charCodeAt(0) > 0x7f)) return text;
  if ([...text].some((ch) => ch.charCodeAt(0) > 0xff)) return text; // not Latin-1 decoded bytes
  try {
    return decoder.decode(Uint8Array.from(text, (ch) => ch.charCodeAt(0)));
  } catch {
    return text;
  }
}

function repairValue(value: unknown, decoder: TextDecoder): unknown {
  if (typeof value === 'string') return redecode(value, decoder);
  if (Array.isArray(value)) return value.map((v) => repairValue(v, decoder));
  if (value && typeof value === 'object' && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, repairValue(v, decoder)]));
  }
  return value;
}

/** Re-decode the text inside sequence items of `dataset` with the declared character set. */
export function repairNestedText(dataset: Dataset, declared: string | undefined): Dataset {
  const encoding = declared ? ENCODINGS[declared] : undefined;
  if (!encoding) return dataset;
  const decoder = new TextDecoder(encoding, { fatal: true });
  const out: Dataset = {};
  for (const [key, value] of Object.entries(dataset)) {
    const isSequence =
      Array.isArray(value) &&
      value.some((v) => v && typeof v === 'object' && !(v instanceof ArrayBuffer) && !('Alphabetic' in v));
    out[key] = isSequence ? repairValue(value, decoder) : value;
  }
  return out;
}

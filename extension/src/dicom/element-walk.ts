/**
 * The element structure of a Part-10 file, walked byte by byte: where each top-level element sits
 * and, when the structure is broken, what is broken in DICOM terms ("(0028,0030) PixelSpacing at
 * byte 812 declares 4294967294 bytes, 1200 remain"). The parser (dcmjs) reports such files with
 * JavaScript errors; this walk names the element instead. Linear in the file size, bounded nesting.
 */
import { tagName } from './dataset';

export interface ElementPosition {
  /** "00280010" */
  readonly tag: string;
  /** Explicit VR as written, '' in implicit VR. */
  readonly vr: string;
  readonly start: number;
  /** Offset and size (2 or 4 bytes) of the length field. */
  readonly lengthAt: number;
  readonly lengthSize: 2 | 4;
  readonly valueStart: number;
  /** Declared value length (0xFFFFFFFF: undefined). */
  readonly length: number;
  /** Offset just past the element (past its delimiter for undefined lengths). */
  readonly end: number;
}

export interface StructureProblem {
  readonly kind: 'truncated-file' | 'unreadable-file';
  /** What is wrong, without the file name. */
  readonly message: string;
}

export interface Walk {
  readonly elements: ElementPosition[];
  readonly problem?: StructureProblem;
}

export interface Encoding {
  readonly littleEndian: boolean;
  readonly explicitVR: boolean;
}

const VRS = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  ),
);
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);
const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 32;

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');
/** "(0028,0030) PixelSpacing" for "00280030". */
export const describeTag = (tag: string): string => {
  const label = `(${tag.slice(0, 4)},${tag.slice(4)})`;
  const name = tagName(label);
  return name ? `${label} ${name}` : label;
};

class Broken extends Error {
  constructor(readonly problem: StructureProblem) {
    super(problem.message);
  }
}
const truncated = (message: string) => new Broken({ kind: 'truncated-file', message });
const unreadable = (message: string) => new Broken({ kind: 'unreadable-file', message });

class Walker {
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly little: boolean,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(p: number, n: number, what: string): void {
    if (p + n > this.bytes.length)
      throw truncated(
        `the file ends at byte ${this.bytes.length}, inside ${what} at byte ${p} (file truncated)`,
      );
  }

  element(p: number, explicit: boolean, depth: number): ElementPosition {
    this.need(p, 8, 'a data element header');
    const group = this.view.getUint16(p, this.little);
    const tag = hex4(group) + hex4(this.view.getUint16(p + 2, this.little));
    if (group === 0xfffe) {
      const length = this.view.getUint32(p + 4, this.little);
      return { tag, vr: '', start: p, lengthAt: p + 4, lengthSize: 4, valueStart: p + 8, length, end: p + 8 };
    }
    let vr = '';
    let lengthAt = p + 4;
    let lengthSize: 2 | 4 = 4;
    if (explicit) {
      vr = String.fromCharCode(this.bytes[p + 4], this.bytes[p + 5]);
      if (!VRS.has(vr))
        throw unreadable(
          `${describeTag(tag)} at byte ${p} has VR ${JSON.stringify(vr)}, which is not a DICOM value representation ` +
            `(corrupt element header)`,
        );
      if (LONG_VRS.has(vr)) {
        this.need(p, 12, `the header of ${describeTag(tag)}`);
        lengthAt = p + 8;
      } else {
        lengthAt = p + 6;
        lengthSize = 2;
      }
    }
    const length =
      lengthSize === 2
        ? this.view.getUint16(lengthAt, this.little)
        : this.view.getUint32(lengthAt, this.little);
    const valueStart = lengthAt + lengthSize;
    if (length === UNDEFINED) {
      if (explicit && vr !== 'SQ' && vr !== 'UN' && !(tag === '7FE00010' && (vr === 'OB' || vr === 'OW')))
        throw unreadable(
          `${describeTag(tag)} at byte ${p} has undefined length, which VR ${vr} does not allow`,
        );
      // UN of undefined length holds implicit VR little endian (PS3.5 6.2.2).
      const end = this.items(valueStart, vr === 'UN' ? false : explicit, depth + 1, tag);
      return { tag, vr, start: p, lengthAt, lengthSize, valueStart, length, end };
    }
    const end = valueStart + length;
    if (end > this.bytes.length)
      throw truncated(
        `${describeTag(tag)} at byte ${p} declares a value of ${length} bytes, ` +
          `${Math.max(0, this.bytes.length - valueStart)} remain in the file (truncated file or corrupt length)`,
      );
    return { tag, vr, start: p, lengthAt, lengthSize, valueStart, length, end };
  }

  /** Items of an undefined-length sequence or encapsulated pixel data, to the sequence delimiter. */
  private items(p: number, explicit: boolean, depth: number, owner: string): number {
    if (depth > MAX_DEPTH)
      throw unreadable(`sequences nested deeper than ${MAX_DEPTH} levels in ${describeTag(owner)}`);
    for (;;) {
      const item = this.element(p, explicit, depth);
      if (item.tag === 'FFFEE0DD') return p + 8;
      if (item.tag !== 'FFFEE000')
        throw unreadable(
          `${describeTag(owner)}: byte ${p} holds ${describeTag(item.tag)} where an item or the sequence ` +
            `delimiter (FFFE,E0DD) belongs`,
        );
      if (item.length !== UNDEFINED) {
        if (item.valueStart + item.length > this.bytes.length)
          throw truncated(
            `an item of ${describeTag(owner)} at byte ${p} declares ${item.length} bytes, ` +
              `${this.bytes.length - item.valueStart} remain in the file (truncated file or corrupt length)`,
          );
        p = item.valueStart + item.length;
        continue;
      }
      p = item.valueStart;
      for (;;) {
        this.need(p, 8, `an item of ${describeTag(owner)}`);
        if (
          this.view.getUint16(p, this.little) === 0xfffe &&
          this.view.getUint16(p + 2, this.little) === 0xe00d
        ) {
          p += 8;
          break;
        }
        p = this.element(p, explicit, depth + 1).end;
      }
    }
  }
}

/**
 * Walk the elements from `start` up to and including PixelData (7FE0,0010), or the end; with
 * `metaOnly`, up to the first element outside group 0002 (the file meta information).
 */
export function walkElements(bytes: Uint8Array, start: number, encoding: Encoding, metaOnly = false): Walk {
  const walker = new Walker(bytes, encoding.littleEndian);
  const elements: ElementPosition[] = [];
  let p = start;
  try {
    while (p < bytes.length) {
      if (metaOnly && p + 2 <= bytes.length && (bytes[p] | (bytes[p + 1] << 8)) !== 0x0002) break;
      const e = walker.element(p, encoding.explicitVR, 0);
      if (elements.length && e.tag <= elements[elements.length - 1].tag && !e.tag.startsWith('FFFE'))
        throw unreadable(
          `${describeTag(e.tag)} at byte ${p} follows ${describeTag(elements[elements.length - 1].tag)}: ` +
            `data elements out of ascending tag order (corrupt tag or length)`,
        );
      elements.push(e);
      p = e.end;
      if (e.tag === '7FE00010') break;
    }
  } catch (e) {
    if (e instanceof Broken) return { elements, problem: e.problem };
    if (e instanceof RangeError)
      return {
        elements,
        problem: {
          kind: 'truncated-file',
          message: `the file ends inside a data element at byte ${p} (file truncated)`,
        },
      };
    throw e;
  }
  return { elements };
}

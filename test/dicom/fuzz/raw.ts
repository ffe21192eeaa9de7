/**
 * Byte-level edits of a Part-10 file for the fuzz corpus: where each top-level data element sits
 * (from the DICOM layer's element walk), so a mutation can change exactly one value, VR or length
 * and leave every other byte as the real file had it.
 */
import { type ElementPosition, walkElements } from '../../../extension/src/dicom/element-walk';

export type RawElement = ElementPosition;

export interface RawFile {
  readonly bytes: Uint8Array;
  readonly transferSyntax: string;
  readonly littleEndian: boolean;
  readonly explicitVR: boolean;
  /** Top-level data set elements (after the meta group), in file order, up to PixelData. */
  readonly elements: RawElement[];
}

/** Walk a well-formed Part-10 file (deflated ones have no walkable data set: undefined). */
export function walkPart10(bytes: Uint8Array): RawFile {
  const metaElements = walkElements(bytes, 132, { littleEndian: true, explicitVR: true }, true).elements;
  const ts = metaElements.find((e) => e.tag === '00020010');
  if (!ts) throw new Error('no transfer syntax');
  const transferSyntax = String.fromCharCode(...bytes.subarray(ts.valueStart, ts.end)).replace(/[\0 ]+$/, '');
  if (transferSyntax === '1.2.840.10008.1.2.1.99') throw new Error('deflated');
  const littleEndian = transferSyntax !== '1.2.840.10008.1.2.2';
  const explicitVR = transferSyntax !== '1.2.840.10008.1.2';
  const start = metaElements[metaElements.length - 1].end;
  const walk = walkElements(bytes, start, { littleEndian, explicitVR });
  if (walk.problem) throw new Error(walk.problem.message);
  return { bytes, transferSyntax, littleEndian, explicitVR, elements: walk.elements };
}

/** Bytes with [start, end) replaced by `insert`. */
export function splice(bytes: Uint8Array, start: number, end: number, insert: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - (end - start) + insert.length);
  out.set(bytes.subarray(0, start), 0);
  out.set(insert, start);
  out.set(bytes.subarray(end), start + insert.length);
  return out;
}

/** A copy with element `e`'s value replaced (length field updated; odd values padded as DICOM asks). */
export function replaceValue(file: RawFile, e: RawElement, value: Uint8Array, pad = 0x20): Uint8Array {
  let v = value;
  if (v.length % 2) {
    v = new Uint8Array(value.length + 1);
    v.set(value);
    v[value.length] = pad;
  }
  const out = splice(file.bytes, e.valueStart, e.end, v);
  const view = new DataView(out.buffer);
  if (e.lengthSize === 2) view.setUint16(e.lengthAt, Math.min(v.length, 0xffff), file.littleEndian);
  else view.setUint32(e.lengthAt, v.length, file.littleEndian);
  return out;
}

/** A copy with element `e`'s length field set to `length` (the value bytes unchanged: a length lie). */
export function setLength(file: RawFile, e: RawElement, length: number): Uint8Array {
  const out = file.bytes.slice();
  const view = new DataView(out.buffer);
  if (e.lengthSize === 2) view.setUint16(e.lengthAt, length & 0xffff, file.littleEndian);
  else view.setUint32(e.lengthAt, length >>> 0, file.littleEndian);
  return out;
}

/**
 * Typed access to a naturalized DICOM data set (dcmjs style: keyword -> value) that turns a
 * missing or malformed attribute into a DicomError naming the source and the tag. Words used:
 * "missing" (no such element), "empty" (the element has no value), "unparsable" (a value that is
 * not what the VR allows, e.g. DS "NaN" or binary data where a number belongs).
 */
import { data as dcmjsData } from 'dcmjs';
import { DicomError } from './errors';

/** A naturalized data set: DICOM keyword -> value (scalar, array, nested data sets, bulk data). */
export type Dataset = Record<string, unknown>;

/** "(0020,0032) ImagePositionPatient" for a keyword (the tag from dcmjs's dictionary). */
export function tagLabel(keyword: string): string {
  const entry = dcmjsData.DicomMetaDictionary.nameMap[keyword];
  return entry ? `${entry.tag} ${keyword}` : keyword;
}

/** The keyword of a tag written "(0028,0010)", or undefined for private and unknown tags. */
export function tagName(tag: string): string | undefined {
  const entry = (dcmjsData.DicomMetaDictionary.dictionary as Record<string, { name?: string } | undefined>)[
    tag
  ];
  return entry?.name || undefined;
}

/** A value as an array of its values; empty strings and empty arrays count as absent. */
function valuesOf(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => v !== undefined && v !== null && v !== '');
}

const toNumber = (v: unknown): number =>
  typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.trim()) : NaN;

/** A value as a message shows it: strings quoted, binary data and items described. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number') return String(v);
  if (v instanceof ArrayBuffer) return `binary data (${v.byteLength} bytes)`;
  if (ArrayBuffer.isView(v)) return `binary data (${v.byteLength} bytes)`;
  if (Array.isArray(v)) return v.map(describeValue).join('\\');
  if (typeof v === 'object' && v !== null) return 'a sequence item';
  return typeof v;
}

/** PS3.5 9.1 UID: digits and dots, no empty component, at most 64 characters. */
export const isUid = (s: string): boolean => s.length <= 64 && /^[0-9]+(\.[0-9]+)*$/.test(s);

export class DatasetReader {
  constructor(
    readonly dataset: Dataset,
    /** Names the data set in error messages: a file name, "frame 3 of IM0001", ... */
    readonly source: string,
  ) {}

  has(keyword: string): boolean {
    return valuesOf(this.dataset[keyword]).length > 0;
  }

  /** Present in the data set, possibly without a value (dcmjs gives an empty value as null or []). */
  present(keyword: string): boolean {
    return this.dataset[keyword] !== undefined;
  }

  private missing(keyword: string): DicomError {
    const value = this.dataset[keyword];
    const how = !this.present(keyword)
      ? 'missing'
      : Array.isArray(value) && value.length > 1
        ? `has no value (${value.length} empty values)`
        : 'is empty';
    return new DicomError('missing-tag', `${this.source}: ${tagLabel(keyword)} ${how}`);
  }

  invalid(keyword: string, why: string): DicomError {
    return new DicomError('invalid-tag-value', `${this.source}: ${tagLabel(keyword)} ${why}`);
  }

  string(keyword: string): string {
    const s = this.optString(keyword);
    if (s === undefined) throw this.missing(keyword);
    return s;
  }

  optString(keyword: string): string | undefined {
    const [first] = valuesOf(this.dataset[keyword]);
    if (first === undefined) return undefined;
    if (typeof first !== 'string' && typeof first !== 'number')
      throw this.invalid(keyword, `is unparsable: ${describeValue(first)} where text belongs (wrong VR?)`);
    return String(first).trim() || undefined;
  }

  /** A UID (StudyInstanceUID, SOPInstanceUID, ...): digits and dots, ≤ 64 characters. */
  uid(keyword: string): string {
    const s = this.string(keyword).replace(/\0+$/, '');
    if (!isUid(s)) throw this.invalid(keyword, `is not a valid UID: ${describeValue(s)}`);
    return s;
  }

  optUid(keyword: string): string | undefined {
    return this.has(keyword) ? this.uid(keyword) : undefined;
  }

  number(keyword: string): number {
    const n = this.optNumber(keyword);
    if (n === undefined) throw this.missing(keyword);
    return n;
  }

  optNumber(keyword: string): number | undefined {
    const values = valuesOf(this.dataset[keyword]);
    if (values.length === 0) return undefined;
    const n = toNumber(values[0]);
    if (!Number.isFinite(n))
      throw this.invalid(keyword, `is unparsable as a finite number: ${describeValue(values[0])}`);
    return n;
  }

  /** Exactly `count` finite numbers (e.g. 3 for ImagePositionPatient). */
  numbers(keyword: string, count: number): number[] {
    const values = valuesOf(this.dataset[keyword]);
    if (values.length === 0) throw this.missing(keyword);
    // Some writers store a multi-valued DS as one backslash-separated string.
    const flat = values.flatMap((v) => (typeof v === 'string' ? v.split('\\') : [v]));
    const nums = flat.map(toNumber);
    if (nums.length !== count || nums.some((n) => !Number.isFinite(n))) {
      throw this.invalid(keyword, `must hold ${count} finite numbers, has ${describeValue(flat)}`);
    }
    return nums;
  }

  /** The items of a sequence (empty array when absent). */
  items(keyword: string): Dataset[] {
    const value = this.dataset[keyword];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.filter(
      (v): v is Dataset => typeof v === 'object' && v !== null && !(v instanceof ArrayBuffer),
    );
  }

  /** The first item of a sequence, or undefined. */
  item(keyword: string): Dataset | undefined {
    return this.items(keyword)[0];
  }
}

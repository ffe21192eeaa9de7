/**
 * Typed access to a naturalized DICOM data set (dcmjs style: keyword -> value) that turns a
 * missing or malformed attribute into a DicomError naming the source and the tag.
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

/** A value as an array of its values; empty strings and empty arrays count as absent. */
function valuesOf(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v) => v !== undefined && v !== null && v !== '');
}

const toNumber = (v: unknown): number =>
  typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;

export class DatasetReader {
  constructor(
    readonly dataset: Dataset,
    /** Names the data set in error messages: a file name, "frame 3 of IM0001", ... */
    readonly source: string,
  ) {}

  has(keyword: string): boolean {
    return valuesOf(this.dataset[keyword]).length > 0;
  }

  private missing(keyword: string): DicomError {
    return new DicomError('missing-tag', `${this.source}: ${tagLabel(keyword)} missing`);
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
    return String(first).trim() || undefined;
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
    if (!Number.isFinite(n)) throw this.invalid(keyword, `is not a number: ${String(values[0])}`);
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
      throw this.invalid(keyword, `must hold ${count} numbers, has ${JSON.stringify(flat)}`);
    }
    return nums;
  }

  /** The items of a sequence (empty array when absent). */
  items(keyword: string): Dataset[] {
    const value = this.dataset[keyword];
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    return list.filter((v): v is Dataset => typeof v === 'object' && v !== null);
  }

  /** The first item of a sequence, or undefined. */
  item(keyword: string): Dataset | undefined {
    return this.items(keyword)[0];
  }
}

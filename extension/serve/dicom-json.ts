/**
 * Naturalized data sets (dcmjs keywords) → the DICOM JSON model (PS3.18 F.2) as DICOMweb answers
 * carry it: numbers as JSON numbers, binary values inline (base64), pixel data by BulkDataURI.
 * Private and unknown attributes are left out (dcmjs cannot name their VR).
 */
import { data as dcmjsData, type DicomElements } from 'dcmjs';
import type { Dataset } from '../src/dicom/dataset';

/** A DICOM JSON data set: tag (8 hex digits) → { vr, Value | InlineBinary | BulkDataURI }. */
export type DicomJson = Record<string, DicomJsonElement>;
export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}

const { nameMap } = dcmjsData.DicomMetaDictionary;
const NUMERIC_VRS = new Set(['US', 'SS', 'UL', 'SL', 'FL', 'FD', 'UV', 'SV', 'IS', 'DS']);
const BINARY_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN']);
/** Pixel data attributes: never inline. PixelData is offered by reference, the float ones not at all. */
const PIXEL_DATA_KEYWORDS = ['PixelData', 'FloatPixelData', 'DoubleFloatPixelData'];
export const PIXEL_DATA_TAG = '7FE00010';

/** Keeps what dcmjs can denaturalize: named attributes (recursively into sequence items). */
function named(dataset: Dataset): Dataset {
  const out: Dataset = {};
  for (const [key, value] of Object.entries(dataset)) {
    if (key === '_vrMap') out[key] = value;
    const entry = nameMap[key];
    if (!entry || value === undefined) continue;
    out[key] =
      entry.vr === 'SQ' && value !== null
        ? (Array.isArray(value) ? value : [value]).map((item) => named(item as Dataset))
        : value;
  }
  return out;
}

function base64(values: unknown[]): string {
  const parts = values.map((v) =>
    v instanceof ArrayBuffer
      ? Buffer.from(v)
      : ArrayBuffer.isView(v)
        ? Buffer.from(v.buffer, v.byteOffset, v.byteLength)
        : Buffer.alloc(0),
  );
  return Buffer.concat(parts).toString('base64');
}

/** A string value without its padding; person names by their trimmed components. */
function trimmed(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/[\0 ]+$/, '');
  if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof ArrayBuffer)) {
    const parts = Object.entries(v as Record<string, unknown>)
      .map(([k, c]) => [k, typeof c === 'string' ? c.trim() : c] as const)
      .filter(([, c]) => c !== '');
    return parts.length ? Object.fromEntries(parts) : '';
  }
  return v;
}

/** Numbers as numbers, binary as InlineBinary, padding trimmed, empty values left out; recursively. */
function tidy(json: DicomElements): DicomJson {
  const out: DicomJson = {};
  for (const [tag, element] of Object.entries(json)) {
    const { vr } = element;
    const values = (element.Value ?? []) as unknown[];
    if (vr === 'SQ') {
      out[tag] = { vr, Value: values.map((item) => tidy(item as DicomElements)) };
    } else if (BINARY_VRS.has(vr)) {
      out[tag] = values.length ? { vr, InlineBinary: base64(values) } : { vr };
    } else {
      const clean = values.map(trimmed);
      if (clean.every((v) => v === '' || v === null)) out[tag] = { vr };
      else if (NUMERIC_VRS.has(vr))
        out[tag] = { vr, Value: clean.map((v) => (v === '' || v === null ? null : Number(v))) };
      else out[tag] = { vr, Value: clean.map((v) => (v === '' ? null : v)) };
    }
  }
  return out;
}

/** DICOM JSON for a data set; PixelData, when given, as a BulkDataURI. */
export function toDicomJson(
  dataset: Dataset,
  pixelData?: { readonly vr: string; readonly uri: string },
): DicomJson {
  const clean = named(dataset);
  for (const k of PIXEL_DATA_KEYWORDS) delete clean[k];
  const json = tidy(dcmjsData.DicomMetaDictionary.denaturalizeDataset(clean));
  if (pixelData) json[PIXEL_DATA_TAG] = { vr: pixelData.vr, BulkDataURI: pixelData.uri };
  return Object.fromEntries(Object.entries(json).sort(([a], [b]) => a.localeCompare(b)));
}

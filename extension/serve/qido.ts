/**
 * QIDO-RS over the folder store's index (PS3.18 10.6): matching on any attribute (single value,
 * UID list, wildcards * and ?, date/time ranges), includefield, limit and offset, and the computed
 * attributes viewers ask for (ModalitiesInStudy, NumberOfStudyRelatedSeries, ...).
 */
import { data as dcmjsData } from 'dcmjs';
import type { Dataset } from '../src/dicom/dataset';
import type { StoredInstance, StoredSeries, StoredStudy } from './folder-store';

export type QueryLevel = 'study' | 'series' | 'instance';

/** A query the server cannot answer: HTTP 400 with this message. */
export class QueryError extends Error {}

/** Attributes every answer of a level carries (PS3.18 table 10.6.3-3..5), when the data has them. */
const LEVEL_ATTRIBUTES: Record<QueryLevel, readonly string[]> = {
  study: [
    'SpecificCharacterSet',
    'StudyDate',
    'StudyTime',
    'AccessionNumber',
    'ReferringPhysicianName',
    'PatientName',
    'PatientID',
    'PatientBirthDate',
    'PatientSex',
    'StudyInstanceUID',
    'StudyID',
    'StudyDescription',
    'ModalitiesInStudy',
    'NumberOfStudyRelatedSeries',
    'NumberOfStudyRelatedInstances',
  ],
  series: [
    'SpecificCharacterSet',
    'StudyInstanceUID',
    'Modality',
    'SeriesDescription',
    'SeriesNumber',
    'SeriesInstanceUID',
    'SeriesDate',
    'SeriesTime',
    'PerformedProcedureStepStartDate',
    'NumberOfSeriesRelatedInstances',
  ],
  instance: [
    'SpecificCharacterSet',
    'StudyInstanceUID',
    'SeriesInstanceUID',
    'SOPClassUID',
    'SOPInstanceUID',
    'InstanceNumber',
    'Rows',
    'Columns',
    'BitsAllocated',
    'NumberOfFrames',
  ],
};

const RESERVED = new Set(['limit', 'offset', 'includefield', 'fuzzymatching']);
const { dictionary, nameMap } = dcmjsData.DicomMetaDictionary;

/** A query key (keyword or 8 hex digits) as a keyword. */
export function keywordOf(key: string): string {
  if (/^[0-9a-fA-F]{8}$/.test(key)) {
    const entry = dictionary[`(${key.slice(0, 4)},${key.slice(4)})`.toUpperCase()];
    if (entry) return entry.name;
  } else if (nameMap[key]) return key;
  throw new QueryError(`unknown attribute "${key}" in the query`);
}

/** The values of an attribute as trimmed strings (person names by their alphabetic form). */
function stringsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) =>
    (v && typeof v === 'object' && 'Alphabetic' in v ? String(v.Alphabetic) : String(v)).trim(),
  );
}

function wildcard(pattern: string, flags: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, flags);
}

/** Does `value` match the query value `query` of attribute `keyword` (PS3.4 C.2.2.2)? */
export function matches(keyword: string, value: unknown, query: string): boolean {
  if (query === '' || query === '*') return true;
  const vr = nameMap[keyword]?.vr ?? '';
  const values = stringsOf(value);
  if (vr === 'UI') {
    const uids = query.split('\\');
    return values.some((v) => uids.includes(v));
  }
  if ((vr === 'DA' || vr === 'TM' || vr === 'DT') && query.includes('-')) {
    const [from, to] = query.split('-');
    const plain = (s: string) => s.replace(/[:.\s]/g, '');
    return values.some((v) => (!from || plain(v) >= plain(from)) && (!to || plain(v) <= plain(to)));
  }
  // Person names are matched without regard to case, as most archives do.
  const flags = vr === 'PN' ? 'i' : '';
  return query.split('\\').some((q) => {
    const pattern = wildcard(q, flags);
    return values.some((v) => pattern.test(v));
  });
}

interface Candidate {
  /** What the query is matched against: the first instance's attributes plus computed ones. */
  readonly attributes: Dataset;
  readonly sortKey: (string | number)[];
}

const firstInstance = (series: StoredSeries): StoredInstance => [...series.instances.values()][0];
const instancesOf = (study: StoredStudy): StoredInstance[] =>
  [...study.series.values()].flatMap((s) => [...s.instances.values()]);

export function studyCandidate(study: StoredStudy): Candidate {
  const instances = instancesOf(study);
  const modalities = [...new Set(instances.map((i) => String(i.attributes.Modality ?? '')).filter(Boolean))];
  const first = instances[0].attributes;
  return {
    attributes: {
      ...first,
      ModalitiesInStudy: modalities.sort(),
      NumberOfStudyRelatedSeries: study.series.size,
      NumberOfStudyRelatedInstances: instances.length,
    },
    sortKey: [String(first.StudyDate ?? ''), String(first.StudyTime ?? ''), study.studyInstanceUID],
  };
}

export function seriesCandidate(series: StoredSeries): Candidate {
  const first = firstInstance(series).attributes;
  return {
    attributes: { ...first, NumberOfSeriesRelatedInstances: series.instances.size },
    sortKey: [Number(first.SeriesNumber ?? Infinity), series.seriesInstanceUID],
  };
}

export function instanceCandidate(instance: StoredInstance): Candidate {
  return {
    attributes: instance.attributes,
    sortKey: [Number(instance.attributes.InstanceNumber ?? Infinity), instance.sopInstanceUID],
  };
}

const compare = (a: (string | number)[], b: (string | number)[]): number => {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  return 0;
};

function nonNegativeInteger(name: string, value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new QueryError(`${name} must be a non-negative integer, is "${value}"`);
  return n;
}

/**
 * Answers a QIDO-RS query at `level` over `candidates`: the matching ones, sorted, paged, each
 * reduced to the level's attributes, the matching keys and the included fields.
 */
export function runQuery(
  level: QueryLevel,
  candidates: readonly Candidate[],
  params: URLSearchParams,
): Dataset[] {
  const filters: [string, string][] = [];
  const included = new Set(LEVEL_ATTRIBUTES[level]);
  let all = false;
  for (const [key, value] of params) {
    const lower = key.toLowerCase();
    if (lower === 'includefield') {
      for (const field of value
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)) {
        if (field === 'all') all = true;
        else included.add(keywordOf(field));
      }
    } else if (!RESERVED.has(lower)) {
      const keyword = keywordOf(key);
      filters.push([keyword, value]);
      included.add(keyword);
    }
  }
  const offset = nonNegativeInteger('offset', params.get('offset')) ?? 0;
  const limit = nonNegativeInteger('limit', params.get('limit'));
  const found = candidates
    .filter((c) => filters.every(([k, q]) => matches(k, c.attributes[k], q)))
    .sort((a, b) => compare(a.sortKey, b.sortKey))
    .slice(offset, limit === undefined ? undefined : offset + limit);
  return found.map((c) => {
    if (all) return c.attributes;
    const out: Dataset = { _vrMap: c.attributes._vrMap ?? {} };
    for (const k of included) if (c.attributes[k] !== undefined) out[k] = c.attributes[k];
    return out;
  });
}

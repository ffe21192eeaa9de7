/**
 * DICOM Part-10 files → naturalized data sets (dcmjs), with typed errors for files that are not
 * DICOM, are truncated, or use a transfer syntax nothing here can parse.
 */
import { data as dcmjsData, log as dcmjsLog, type DicomElements } from 'dcmjs';
import { type Dataset } from './dataset';
import { declaredCharacterSet, repairNestedText } from './charset';
import { walkElements } from './element-walk';
import { DicomError } from './errors';
import { TransferSyntax, isParseable, transferSyntaxName } from './transfer-syntax';

export interface Part10File {
  /** Names the file in errors (file name, or a label the caller chose). */
  readonly name: string;
  readonly transferSyntaxUID: string;
  /** File meta information (group 0002), naturalized. */
  readonly meta: Dataset;
  /** The data set up to and including PixelData, naturalized; PixelData is ArrayBuffer[]. */
  readonly dataset: Dataset;
}

const PREAMBLE = 128;

/**
 * TransferSyntaxUID (0002,0010) from the file meta group, read directly: dcmjs assumes it is
 * present and fails obscurely when it is not. A broken meta group is a typed error.
 */
function metaTransferSyntax(name: string, bytes: Uint8Array): string | undefined {
  const walk = walkElements(bytes, PREAMBLE + 4, { littleEndian: true, explicitVR: true }, true);
  const syntax = walk.elements.find((e) => e.tag === '00020010');
  if (syntax)
    return String.fromCharCode(...bytes.subarray(syntax.valueStart, syntax.end))
      .replace(/[\0 ]+$/, '')
      .trim();
  if (walk.problem)
    throw new DicomError(walk.problem.kind, `${name}: file meta information: ${walk.problem.message}`);
  return undefined;
}

/** Parse one Part-10 file. Elements after PixelData (trailing padding) are not read. */
export function parsePart10(name: string, buffer: ArrayBuffer): Part10File {
  const bytes = new Uint8Array(buffer);
  const magic =
    bytes.length >= PREAMBLE + 4 ? String.fromCharCode(...bytes.subarray(PREAMBLE, PREAMBLE + 4)) : '';
  if (magic !== 'DICM') {
    throw new DicomError(
      'not-dicom',
      `${name}: not a DICOM Part-10 file (no "DICM" marker after the 128-byte preamble; ${bytes.length} bytes)`,
    );
  }
  const syntax = metaTransferSyntax(name, bytes);
  if (!syntax) {
    throw new DicomError(
      'missing-tag',
      `${name}: (0002,0010) TransferSyntaxUID missing from the file meta information`,
    );
  }
  if (!isParseable(syntax)) {
    throw new DicomError(
      'unsupported-transfer-syntax',
      `${name}: transfer syntax ${syntax} (${transferSyntaxName(syntax)}) is not supported`,
    );
  }
  let parsed: ReturnType<typeof dcmjsData.DicomMessage.readFile>;
  // dcmjs logs its recoverable oddities (unknown VRs, ...) to the console; problems that matter
  // surface as DicomErrors, so its log stays quiet while it parses.
  const loggers = [dcmjsLog, dcmjsLog.getLogger('validation.dcmjs')];
  const levels = loggers.map((l) => l.getLevel());
  loggers.forEach((l) => l.setLevel('silent'));
  try {
    parsed = dcmjsData.DicomMessage.readFile(buffer, {
      ignoreErrors: false,
      untilTag: '7FE00010',
      includeUntilTagValue: true,
      noCopy: false,
      forceStoreRaw: false,
    });
  } catch {
    // dcmjs explains in JavaScript terms ("Offset is outside the bounds of the DataView"); the
    // element walk says which element is broken and how.
    throw structureError(name, bytes, syntax);
  } finally {
    loggers.forEach((l, i) => l.setLevel(levels[i]));
  }
  // dcmjs stops quietly where a file ends between elements or inside a value: without PixelData,
  // a truncated file would read as one whose tags are "missing".
  if (!parsed.dict['7FE00010']) {
    const broken = structureError(name, bytes, syntax);
    if (broken.kind === 'truncated-file') throw broken;
  }
  let meta: Dataset;
  let dataset: Dataset;
  try {
    restoreUnparsableValues(parsed.dict);
    meta = naturalize(parsed.meta);
    dataset = repairNestedText(naturalize(parsed.dict), declaredCharacterSet(bytes, syntax));
  } catch {
    throw structureError(name, bytes, syntax);
  }
  return { name, transferSyntaxUID: syntax, meta, dataset };
}

/** The typed error for a file dcmjs cannot parse: the first broken element, when the walk finds it. */
function structureError(name: string, bytes: Uint8Array, syntax: string): DicomError {
  if (syntax === TransferSyntax.DeflatedExplicitVRLittleEndian)
    return new DicomError(
      'unreadable-file',
      `${name}: the deflated data set (transfer syntax ${syntax}) cannot be inflated and parsed: ` +
        `truncated or corrupt compressed data`,
    );
  const meta = walkElements(bytes, PREAMBLE + 4, { littleEndian: true, explicitVR: true }, true);
  const dataStart = meta.elements.length ? meta.elements[meta.elements.length - 1].end : PREAMBLE + 4;
  const walk = meta.problem
    ? { problem: meta.problem }
    : walkElements(bytes, dataStart, {
        littleEndian: syntax !== TransferSyntax.ExplicitVRBigEndian,
        explicitVR: syntax !== TransferSyntax.ImplicitVRLittleEndian,
      });
  if (walk.problem) return new DicomError(walk.problem.kind, `${name}: ${walk.problem.message}`);
  return new DicomError(
    'unreadable-file',
    `${name}: the data set cannot be parsed although its element structure is intact ` +
      `(a value that contradicts its VR, e.g. a sequence that is not one)`,
  );
}

/**
 * dcmjs "formats" DS, IS and UI values as it reads them: DS "NaN" and "Inf" become null (absent),
 * "12abc" becomes 12, a UID "1.2.abc" becomes "1.2.". A value it changed is put back as written,
 * so the reader sees it and can call it unparsable instead of missing or, worse, a number.
 */
function restoreUnparsableValues(dict: DicomElements): void {
  for (const element of Object.values(dict) as { vr?: string; Value?: unknown[]; _rawValue?: unknown }[]) {
    if (!element || !Array.isArray(element.Value)) continue;
    if (element.vr === 'SQ') {
      for (const item of element.Value)
        if (item && typeof item === 'object') restoreUnparsableValues(item as DicomElements);
      continue;
    }
    if (element.vr !== 'DS' && element.vr !== 'IS' && element.vr !== 'UI') continue;
    const raw = Array.isArray(element._rawValue) ? element._rawValue : [element._rawValue];
    const written = raw.map((r) => (typeof r === 'string' ? r.replace(/[\0 ]+$/, '').replace(/^ +/, '') : r));
    const changed = written.some((w, i) => {
      const v = element.Value?.[i];
      if (typeof w !== 'string' || w === '') return false;
      if (element.vr === 'UI') return v !== w;
      return v === null || v === undefined || !Object.is(Number(w), v);
    });
    if (changed) element.Value = written;
  }
}

const naturalize = (elements: DicomElements): Dataset =>
  dcmjsData.DicomMetaDictionary.naturalizeDataset(elements) as Dataset;

/**
 * DICOM Part-10 files → naturalized data sets (dcmjs), with typed errors for files that are not
 * DICOM, are truncated, or use a transfer syntax nothing here can parse.
 */
import { data as dcmjsData, log as dcmjsLog, type DicomElements } from 'dcmjs';
import { type Dataset } from './dataset';
import { declaredCharacterSet, repairNestedText } from './charset';
import { DicomError } from './errors';
import { isParseable, transferSyntaxName } from './transfer-syntax';

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
 * present and fails obscurely when it is not.
 */
function metaTransferSyntax(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = PREAMBLE + 4;
  while (p + 8 <= bytes.length) {
    const group = view.getUint16(p, true);
    const element = view.getUint16(p + 2, true);
    if (group !== 0x0002) return undefined;
    const vr = String.fromCharCode(bytes[p + 4], bytes[p + 5]);
    const longForm = ['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'UC', 'UR', 'OD', 'OL', 'OV'].includes(vr);
    const length = longForm ? view.getUint32(p + 8, true) : view.getUint16(p + 6, true);
    const start = p + (longForm ? 12 : 8);
    if (start + length > bytes.length) return undefined;
    if (element === 0x0010) {
      return String.fromCharCode(...bytes.subarray(start, start + length))
        .replace(/[\0 ]+$/, '')
        .trim();
    }
    p = start + length;
  }
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
  const syntax = metaTransferSyntax(bytes);
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
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    const truncated = /past end|more than currently allocated|outside the bounds|beyond the end/i.test(why);
    throw new DicomError(
      truncated ? 'truncated-file' : 'unreadable-file',
      truncated
        ? `${name}: file ends inside a data element (truncated): ${why}`
        : `${name}: cannot parse: ${why}`,
    );
  } finally {
    loggers.forEach((l, i) => l.setLevel(levels[i]));
  }
  return {
    name,
    transferSyntaxUID: syntax,
    meta: naturalize(parsed.meta),
    dataset: repairNestedText(naturalize(parsed.dict), declaredCharacterSet(bytes, syntax)),
  };
}

const naturalize = (elements: DicomElements): Dataset =>
  dcmjsData.DicomMetaDictionary.naturalizeDataset(elements) as Dataset;

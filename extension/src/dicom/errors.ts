/**
 * Errors of the DICOM layer: a kind a caller can branch on, and a message that names the file (or
 * instance) and the tag, e.g. "IM0017: (0020,0032) ImagePositionPatient missing".
 */

export type DicomErrorKind =
  /** No Part-10 preamble/"DICM" marker, or no file meta information. */
  | 'not-dicom'
  /** The bytes end before the data set or the pixel data does. */
  | 'truncated-file'
  /** The parser gave up (corrupt element, unsupported character set, ...). */
  | 'unreadable-file'
  | 'missing-tag'
  | 'invalid-tag-value'
  | 'unsupported-transfer-syntax'
  | 'undecodable-pixel-data'
  /** A valid image the volume builder does not handle (colour, float pixels, no geometry). */
  | 'unsupported-image'
  | 'empty-series'
  | 'mixed-series'
  | 'mixed-orientation'
  /** Rows/Columns/PixelSpacing differ between slices of one series. */
  | 'mixed-geometry'
  | 'duplicate-position'
  | 'non-uniform-spacing'
  /** writeSeg/readSeg: masks, segments or the SEG itself are unusable. */
  | 'invalid-segmentation'
  /** readSeg: a SEG frame does not land on a slice of the volume it is read onto. */
  | 'seg-grid-mismatch'
  /**
   * readSegForEditing: a valid SEG whose segments cannot become binary masks of one labelmap as
   * they are (fractional values, overlapping segments).
   */
  | 'seg-not-editable';

export class DicomError extends Error {
  constructor(
    readonly kind: DicomErrorKind | DicomWebErrorKind,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export type DicomWebErrorKind =
  /** The server answered with a non-success HTTP status (after retries, for transient ones). */
  | 'http-error'
  /** No HTTP answer at all (connection refused, reset, DNS, aborted), after retries. */
  | 'network-error'
  /** No complete answer within the request time limit (not retried). */
  | 'timeout'
  /** STOW-RS answered but listed instances in FailedSOPSequence (0008,1198). */
  | 'stow-failed'
  /** The server's answer could not be understood. */
  | 'invalid-response';

/** One entry of a STOW-RS response's FailedSOPSequence (0008,1198). */
export interface FailedSop {
  readonly sopClassUID?: string;
  readonly sopInstanceUID?: string;
  /** FailureReason (0008,1197), e.g. 0xA700 out of resources, 0xC000 cannot understand. */
  readonly failureReason?: number;
}

export class DicomWebError extends DicomError {
  constructor(
    override readonly kind: DicomWebErrorKind,
    message: string,
    readonly details: {
      readonly url?: string;
      readonly status?: number;
      readonly attempts?: number;
      readonly failedSops?: readonly FailedSop[];
      readonly cause?: unknown;
    } = {},
  ) {
    super(kind, message);
  }
}

export const isDicomError = (e: unknown): e is DicomError => e instanceof DicomError;

/**
 * The last line of defence: an error that is not a DicomError, met while reading `source`, as a
 * typed error naming it. Every known bad input has its own message; this names the JavaScript
 * error's class only, so the fuzz corpus can tell such a catch from a proper explanation.
 */
export function asDicomError(source: string, e: unknown): DicomError {
  if (e instanceof DicomError) return e;
  const kind = e instanceof Error ? e.name : typeof e;
  return new DicomError(
    'unreadable-file',
    `${source}: cannot be read: malformed in a way this reader does not recognise (${kind})`,
  );
}

/** Coded concepts used in SEG objects (Code Sequence macro: value, scheme, meaning). */

export interface Code {
  readonly value: string;
  readonly scheme: string;
  readonly meaning: string;
}

export const code = (value: string, scheme: string, meaning: string): Code => ({ value, scheme, meaning });

/** SNOMED CT "Tissue": the neutral default category and type when the caller gives none. */
export const DEFAULT_CATEGORY = code('85756007', 'SCT', 'Tissue');
export const DEFAULT_TYPE = code('85756007', 'SCT', 'Tissue');

/** CID 7162 Surface Processing Algorithm Families. */
export const ALGORITHM_FAMILY_AI = code('123110', 'DCM', 'Artificial Intelligence');
/** Purpose of Reference (CID 7202). */
export const SOURCE_IMAGE_FOR_PROCESSING = code(
  '121322',
  'DCM',
  'Source image for image processing operation',
);
/** Derivation (CID 7203). */
export const DERIVATION_SEGMENTATION = code('113076', 'DCM', 'Segmentation');

/** Code Sequence item in naturalized form. */
export const codeItem = (c: Code): Record<string, string> => ({
  CodeValue: c.value,
  CodingSchemeDesignator: c.scheme,
  CodeMeaning: c.meaning,
});

/** A Code from a naturalized Code Sequence item (reading SEGs written by others). */
export function codeFromItem(item: Record<string, unknown> | undefined): Code | undefined {
  if (!item) return undefined;
  const s = (k: string) => (typeof item[k] === 'string' ? (item[k] as string) : '');
  const value = s('CodeValue') || s('LongCodeValue') || s('URNCodeValue');
  return value ? { value, scheme: s('CodingSchemeDesignator'), meaning: s('CodeMeaning') } : undefined;
}

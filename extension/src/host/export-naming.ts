/**
 * What an exported SEG calls itself, so two exports can be told apart in the PACS: the
 * SeriesDescription names the segments and the time of export, and every export gets a new
 * SeriesNumber, above every series number the study already shows and every one exported before.
 */

/** DICOM LO (SeriesDescription): at most 64 characters, kept to ASCII (the SEG's default character set). */
const LO_MAX = 64;

/** "Liver, Spleen - MedSAM-2 14:32" (labels shortened to fit, the time always kept). */
export function segSeriesDescription(labels: readonly string[], at: Date): string {
  const hh = String(at.getHours()).padStart(2, '0');
  const mm = String(at.getMinutes()).padStart(2, '0');
  const suffix = ` - MedSAM-2 ${hh}:${mm}`;
  let names = labels.join(', ');
  const room = LO_MAX - suffix.length;
  if (names.length > room) names = `${names.slice(0, room - 3)}...`;
  return `${names}${suffix}`;
}

/** Series numbers of our SEGs start above this. */
export const FIRST_SEG_SERIES_NUMBER = 901;

/** One past the highest series number in use (study series and earlier exports), at least 901. */
export function nextSeriesNumber(inUse: readonly (number | undefined)[]): number {
  const highest = Math.max(
    FIRST_SEG_SERIES_NUMBER - 1,
    ...inUse.filter((n): n is number => Number.isFinite(n)),
  );
  return highest + 1;
}

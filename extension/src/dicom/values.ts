/** Formatting of values for DICOM text VRs that dcmjs writes as given. */

/** A Decimal String (DS) of at most 16 characters. */
export function decimalString(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`DS value must be finite, got ${n}`);
  if (Object.is(n, -0) || n === 0) return '0';
  for (let precision = 16; precision >= 1; precision--) {
    const s = String(Number(n.toPrecision(precision)));
    if (s.length <= 16) return s;
  }
  return n.toExponential(8);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** DA (YYYYMMDD) of a local date. */
export const dicomDate = (d: Date): string => `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}`;

/** TM (HHMMSS.FFF) of a local time. */
export const dicomTime = (d: Date): string =>
  `${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;

/** A Code String (CS): upper case, [A-Z0-9 _], at most `max` characters. */
export const codeString = (s: string, max = 16): string =>
  s
    .toUpperCase()
    .replace(/[^A-Z0-9 _]/g, '_')
    .slice(0, max);

/**
 * What data may become a path in the folder store: DICOM UIDs that follow the UID grammar
 * (PS3.5 9.1: components of digits separated by '.', no leading zero in a component of more than
 * one digit, at most 64 characters), and nothing that resolves outside the store's folder.
 */
import { resolve, sep } from 'node:path';

const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export const isValidUid = (value: unknown): value is string =>
  typeof value === 'string' && value.length <= 64 && UID.test(value);

/** Why `value` is no UID, for messages ("'..' is not a valid UID (PS3.5 9.1)"). */
export const uidProblem = (value: unknown): string =>
  `${JSON.stringify(typeof value === 'string' ? value.slice(0, 80) : value)} is not a valid UID (PS3.5 9.1: digits and '.', no leading zeros, at most 64 characters)`;

/** Thrown when a path built from data would leave the store folder. */
export class OutsideStoreError extends Error {}

/** `root`/`parts...`, checked to stay inside `root`. */
export function containedPath(root: string, ...parts: string[]): string {
  const base = resolve(root);
  const path = resolve(base, ...parts);
  if (!path.startsWith(base + sep))
    throw new OutsideStoreError(`${parts.join('/')} resolves outside the store folder`);
  return path;
}

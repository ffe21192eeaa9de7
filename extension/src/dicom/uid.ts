/**
 * UIDs under the 2.25 root (PS3.5 B.2: a UUID written as one decimal integer), from WebCrypto so
 * the same code runs in Node and the browser.
 */

/** This implementation's Implementation Class UID (a fixed UUID-derived UID). */
export const IMPLEMENTATION_CLASS_UID = '2.25.16423935353341431594815110561730785201';
export const IMPLEMENTATION_VERSION_NAME = 'MEDSAM2OHIF_010';

export function newUid(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // UUID version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return `2.25.${n.toString()}`;
}

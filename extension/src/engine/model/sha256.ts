/** SHA-256 as lowercase hex through WebCrypto (browser, worker and Node ≥ 19 alike). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('WebCrypto (crypto.subtle) is not available in this environment');
  // Copy into a fresh ArrayBuffer: the input may be a view on a larger (or shared) buffer.
  const digest = await subtle.digest('SHA-256', bytes.slice());
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

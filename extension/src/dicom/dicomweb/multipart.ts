/**
 * multipart/related bodies (RFC 2387) as DICOMweb uses them: STOW-RS requests carry one
 * application/dicom part per instance; WADO-RS answers carry one part per instance.
 */

export interface Part {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

const encoder = new TextEncoder();

export function newBoundary(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return `medsam2-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** Encode parts of `contentType` under `boundary`. */
export function encodeMultipart(
  parts: readonly Uint8Array[],
  boundary: string,
  contentType: string,
): Uint8Array<ArrayBuffer> {
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    chunks.push(
      encoder.encode(`--${boundary}\r\nContent-Type: ${contentType}\r\n\r\n`),
      part,
      encoder.encode('\r\n'),
    );
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`));
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** A parameter of a Content-Type header value (quoted or not), e.g. boundary. */
export function contentTypeParameter(contentType: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(contentType);
  return match ? (match[1] ?? match[2]) : undefined;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** Split a multipart body into its parts; throws when the boundary never occurs. */
export function decodeMultipart(body: Uint8Array, boundary: string): Part[] {
  const delimiter = encoder.encode(`--${boundary}`);
  const parts: Part[] = [];
  let at = indexOf(body, delimiter, 0);
  if (at < 0) throw new Error(`multipart boundary "${boundary}" not found in a ${body.length}-byte body`);
  while (at >= 0) {
    let start = at + delimiter.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing "--boundary--"
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const headerEnd = indexOf(body, encoder.encode('\r\n\r\n'), start);
    if (headerEnd < 0) throw new Error('multipart part without a header/body separator');
    const headers: Record<string, string> = {};
    for (const line of new TextDecoder().decode(body.subarray(start, headerEnd)).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const next = indexOf(body, encoder.encode(`\r\n--${boundary}`), headerEnd + 4);
    if (next < 0) throw new Error('multipart part without a closing boundary (truncated body)');
    parts.push({ headers, body: body.slice(headerEnd + 4, next) });
    at = next + 2;
  }
  return parts;
}

/**
 * A streaming multipart/related reader (RFC 2046 5.1.1) for STOW-RS request bodies: chunks in,
 * part events out, in time linear in the body and memory bounded by the chunk size plus the
 * header cap. The delimiter "\r\n--boundary" is searched with Knuth-Morris-Pratt, whose state
 * carries across chunks, so no byte is looked at more than a constant number of times whatever
 * the boundary and the body (a long boundary over a body of '-' costs what any body costs).
 */

/** A body the reader cannot split: the request is answered 400 with this message. */
export class MultipartError extends Error {}

export type MultipartEvent =
  | { readonly type: 'part'; readonly number: number; readonly headers: Readonly<Record<string, string>> }
  | { readonly type: 'data'; readonly bytes: Uint8Array }
  | { readonly type: 'end-part' };

/** RFC 2046: a boundary is 1 to 70 characters of this set, not ending in a space. */
const BOUNDARY = /^[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]$/;

export const MAX_PART_HEADER_BYTES = 16 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

type State = 'preamble' | 'after-delimiter' | 'closing' | 'line-end' | 'headers' | 'body' | 'epilogue';

/** The KMP failure function: fail[i] = length of the longest proper border of pattern[0..i]. */
function failureTable(pattern: Uint8Array): Int32Array {
  const fail = new Int32Array(pattern.length);
  for (let i = 1, k = 0; i < pattern.length; i++) {
    while (k > 0 && pattern[i] !== pattern[k]) k = fail[k - 1];
    if (pattern[i] === pattern[k]) k++;
    fail[i] = k;
  }
  return fail;
}

export class MultipartReader {
  private readonly delimiter: Uint8Array;
  private readonly fail: Int32Array;
  private state: State = 'preamble';
  /** How many bytes of the delimiter the bytes seen last match (they are delimiter[0..matched)). */
  private matched = 0;
  private header: number[] = [];
  private parts = 0;

  constructor(boundary: string) {
    if (!BOUNDARY.test(boundary))
      throw new MultipartError(
        `the multipart boundary must be 1 to 70 characters of RFC 2046's set (got ${boundary.length} characters)`,
      );
    this.delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
    this.fail = failureTable(this.delimiter);
    // The first delimiter may start the body without a CRLF before it: pretend there was one.
    this.matched = 2;
  }

  get partCount(): number {
    return this.parts;
  }

  /** True once the closing delimiter has been read. */
  get complete(): boolean {
    return this.state === 'epilogue';
  }

  /** The events of one more chunk of the body. */
  push(chunk: Uint8Array): MultipartEvent[] {
    const events: MultipartEvent[] = [];
    const d = this.delimiter;
    // Part bytes of this chunk, including delimiter bytes that turned out not to be one.
    let out: Uint8Array | undefined;
    let outLength = 0;
    const emit = (from: Uint8Array, start: number, end: number) => {
      if (this.state !== 'body' || end <= start) return;
      out ??= new Uint8Array(chunk.length + d.length);
      out.set(from.subarray(start, end), outLength);
      outLength += end - start;
    };
    const flush = () => {
      if (out && outLength > 0) events.push({ type: 'data', bytes: out.subarray(0, outLength) });
      out = undefined;
      outLength = 0;
    };

    let i = 0;
    while (i < chunk.length) {
      if (this.state === 'preamble' || this.state === 'body') {
        if (this.matched === 0) {
          // Fast path: nothing pending, so everything up to the next CR is part data.
          const next = chunk.indexOf(CR, i);
          const stop = next < 0 ? chunk.length : next;
          emit(chunk, i, stop);
          i = stop;
          if (next < 0) break;
        }
        const b = chunk[i++];
        let j = this.matched;
        while (j > 0 && d[j] !== b) j = this.fail[j - 1];
        if (d[j] === b) j++;
        // Pending was delimiter[0..matched) + b; it is now delimiter[0..j): the rest is data.
        const released = this.matched + 1 - j;
        if (released > 0) {
          if (released <= this.matched) emit(d, 0, released);
          else {
            emit(d, 0, this.matched);
            emit(chunk, i - 1, i);
          }
        }
        this.matched = j;
        if (j === d.length) {
          this.matched = 0;
          if (this.state === 'body') {
            flush();
            events.push({ type: 'end-part' });
          }
          this.state = 'after-delimiter';
        }
        continue;
      }
      const b = chunk[i++];
      switch (this.state) {
        case 'after-delimiter':
          if (b === DASH) this.state = 'closing';
          else if (b === CR) this.state = 'line-end';
          else if (b !== 0x20 && b !== 0x09)
            throw new MultipartError('a multipart delimiter is followed by something else than CRLF or "--"');
          break;
        case 'closing':
          if (b !== DASH) throw new MultipartError('a multipart delimiter is followed by a single "-"');
          this.state = 'epilogue';
          return flushed();
        case 'line-end':
          if (b !== LF) throw new MultipartError('a multipart delimiter line does not end in CRLF');
          this.state = 'headers';
          this.header = [];
          break;
        case 'headers': {
          this.header.push(b);
          const h = this.header;
          const n = h.length;
          if (n > MAX_PART_HEADER_BYTES)
            throw new MultipartError(`a part's headers are longer than ${MAX_PART_HEADER_BYTES} bytes`);
          const emptyHeaders = n === 2 && h[0] === CR && h[1] === LF;
          const endOfHeaders =
            n >= 4 && h[n - 4] === CR && h[n - 3] === LF && h[n - 2] === CR && h[n - 1] === LF;
          if (emptyHeaders || endOfHeaders) {
            this.parts++;
            events.push({ type: 'part', number: this.parts, headers: parseHeaders(h) });
            this.state = 'body';
          }
          break;
        }
        case 'epilogue':
          return flushed();
      }
    }
    return flushed();

    function flushed(): MultipartEvent[] {
      flush();
      return events;
    }
  }

  /** Throws unless the closing delimiter was read (a cut body is never taken for a whole one). */
  finish(): void {
    if (this.state === 'epilogue') return;
    if (this.state === 'preamble' && this.parts === 0)
      throw new MultipartError('the multipart boundary never occurs in the body');
    throw new MultipartError(
      `the body ends inside part ${Math.max(this.parts, 1)} (no closing boundary: truncated upload)`,
    );
  }
}

function parseHeaders(bytes: number[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of Buffer.from(bytes).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * The server's streaming multipart/related reader: the same parts whatever the chunking, cut
 * bodies and malformed delimiters refused, and RFC 2046's boundary rules.
 */
import { encodeMultipart } from '../../extension/src/dicom/dicomweb/multipart';
import { MultipartError, type MultipartEvent, MultipartReader } from '../../extension/serve/multipart-reader';

interface ReadPart {
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

function read(body: Uint8Array, boundary: string, chunkSizes: number[]): ReadPart[] {
  const reader = new MultipartReader(boundary);
  const parts: ReadPart[] = [];
  const chunks: Buffer[] = [];
  const apply = (events: MultipartEvent[]) => {
    for (const e of events) {
      if (e.type === 'part') parts.push({ headers: e.headers, body: Buffer.alloc(0) });
      else if (e.type === 'data') chunks.push(Buffer.from(e.bytes));
      else {
        parts[parts.length - 1].body = Buffer.concat(chunks);
        chunks.length = 0;
      }
    }
  };
  let at = 0;
  for (let k = 0; at < body.length; k++) {
    const size = chunkSizes[k % chunkSizes.length];
    apply(reader.push(body.subarray(at, at + size)));
    at += size;
  }
  reader.finish();
  return parts;
}

/** A deterministic body full of near-delimiters: CRs, LFs, dashes and boundary prefixes. */
function tricky(length: number, boundary: string, seed: number): Uint8Array {
  const pieces = ['\r', '\n', '-', '\r\n-', '\r\n--', `\r\n--${boundary.slice(0, -1)}`, 'x'];
  const out: number[] = [];
  let s = seed;
  while (out.length < length) {
    s = (s * 1103515245 + 12345) >>> 0;
    for (const c of pieces[s % pieces.length]) out.push(c.charCodeAt(0));
  }
  return new Uint8Array(out.slice(0, length));
}

describe('MultipartReader', () => {
  const boundary = 'medsam2-abc';
  const bodies = [
    tricky(5000, boundary, 1),
    tricky(1, boundary, 2),
    new Uint8Array(0),
    tricky(777, boundary, 3),
  ];
  const encoded = encodeMultipart(bodies, boundary, 'application/dicom');

  it.each([[[1]], [[2, 3, 5]], [[7, 64]], [[4096]], [[encoded.length]]])(
    'gives the encoded parts back byte for byte with chunks of %p bytes',
    (sizes) => {
      const parts = read(encoded, boundary, sizes);
      expect(parts.map((p) => p.headers['content-type'])).toEqual(bodies.map(() => 'application/dicom'));
      parts.forEach((p, i) => expect(p.body.equals(Buffer.from(bodies[i]))).toBe(true));
    },
  );

  it('skips a preamble and an epilogue, and accepts a part without headers', () => {
    const body = Buffer.from(`ignored\r\n--b\r\n\r\nhello\r\n--b--\r\nafter`);
    const parts = read(body, 'b', [3]);
    expect(parts).toEqual([{ headers: {}, body: Buffer.from('hello') }]);
  });

  it('refuses a body cut before its closing boundary, naming the part', () => {
    const cut = encoded.subarray(0, encoded.length - 20);
    expect(() => read(cut, boundary, [100])).toThrow(/ends inside part 4 .*truncated/);
    expect(() => read(Buffer.from('no boundary here'), boundary, [4])).toThrow('never occurs');
  });

  it('refuses boundaries RFC 2046 does not allow (longer than 70, bad characters, empty)', () => {
    expect(() => new MultipartReader('-'.repeat(71))).toThrow(MultipartError);
    expect(() => new MultipartReader('a\r\nb')).toThrow(MultipartError);
    expect(() => new MultipartReader('')).toThrow(MultipartError);
    expect(() => new MultipartReader('ends with space ')).toThrow(MultipartError);
    expect(() => new MultipartReader('-'.repeat(70))).not.toThrow();
  });

  it('refuses part headers past the cap and a delimiter followed by junk', () => {
    const long = Buffer.from(`--b\r\nX-Long: ${'a'.repeat(17000)}\r\n\r\nbody\r\n--b--`);
    expect(() => read(long, 'b', [1000])).toThrow('headers are longer');
    expect(() => read(Buffer.from('--bjunk\r\n\r\nx\r\n--b--'), 'b', [5])).toThrow(MultipartError);
  });

  it('finds the delimiter in a body of dashes under a boundary of dashes', () => {
    const b = '-'.repeat(70);
    const part = Buffer.alloc(100000, '-');
    const body = Buffer.concat([Buffer.from(`--${b}\r\n\r\n`), part, Buffer.from(`\r\n--${b}--`)]);
    const parts = read(body, b, [65536]);
    expect(parts).toHaveLength(1);
    expect(parts[0].body.equals(part)).toBe(true);
  });
});

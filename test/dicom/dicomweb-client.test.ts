/**
 * The DICOMweb client against a tiny local HTTP server (loopback only) that misbehaves on purpose:
 * transient failures then success, Retry-After, permanent failures, dropped connections, and
 * STOW-RS answers listing failed SOP instances. Delays are recorded through an injected sleep.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DicomWebClient, DicomWebError, basicAuthHeader } from '../../extension/src/dicom';
import { DEFAULT_TIMEOUT_MS } from '../../extension/src/dicom/dicomweb/client';
import {
  contentTypeParameter,
  decodeMultipart,
  encodeMultipart,
} from '../../extension/src/dicom/dicomweb/multipart';
import { retryDelay } from '../../extension/src/dicom/dicomweb/retry';

type Handler = (req: http.IncomingMessage, body: Buffer, res: http.ServerResponse, n: number) => void;

interface TestServer {
  url: string;
  requests: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: Buffer }[];
  close(): Promise<void>;
}

async function serve(handler: Handler): Promise<TestServer> {
  const requests: TestServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, body, res, requests.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/dicom-web`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SERIES_JSON = JSON.stringify([
  { '0020000E': { vr: 'UI', Value: ['1.2.3.4'] }, '00080060': { vr: 'CS', Value: ['SEG'] } },
]);

function recordingSleep() {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('retries', () => {
  it('retries 503 twice with exponential backoff, then returns the answer', async () => {
    server = await serve((_req, _body, res, n) => {
      if (n <= 2) {
        res.writeHead(503).end('busy');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(SERIES_JSON);
    });
    const { delays, sleep } = recordingSleep();
    const client = new DicomWebClient({
      baseUrl: server.url,
      retry: { attempts: 4, baseDelayMs: 100, sleep },
    });
    const series = await client.qidoSeries('1.2.3', { Modality: 'SEG' });
    expect(series).toEqual([expect.objectContaining({ SeriesInstanceUID: '1.2.3.4', Modality: 'SEG' })]);
    expect(server.requests).toHaveLength(3);
    expect(server.requests[2].url).toBe('/dicom-web/studies/1.2.3/series?Modality=SEG');
    expect(delays).toEqual([100, 200]);
  });

  it.each([408, 429, 502, 504])('treats HTTP %i as transient', async (status) => {
    server = await serve((_req, _body, res, n) => {
      if (n === 1) res.writeHead(status).end();
      else res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end('[]');
    });
    const { sleep } = recordingSleep();
    await expect(
      new DicomWebClient({ baseUrl: server.url, retry: { sleep } }).qidoSeries('1'),
    ).resolves.toEqual([]);
    expect(server.requests).toHaveLength(2);
  });

  it('honours Retry-After (seconds), capped by maxDelayMs', async () => {
    server = await serve((_req, _body, res, n) => {
      if (n === 1) res.writeHead(429, { 'Retry-After': '2' }).end();
      else if (n === 2) res.writeHead(429, { 'Retry-After': '600' }).end();
      else res.writeHead(204).end();
    });
    const { delays, sleep } = recordingSleep();
    const client = new DicomWebClient({ baseUrl: server.url, retry: { sleep, maxDelayMs: 5000 } });
    await expect(client.qidoSeries('1')).resolves.toEqual([]);
    expect(delays).toEqual([2000, 5000]);
  });

  it('gives up after the bounded number of attempts with an http-error carrying the status', async () => {
    server = await serve(
      (_req, _body, res) => void res.writeHead(503, { 'Content-Type': 'text/plain' }).end('down'),
    );
    const { delays, sleep } = recordingSleep();
    const client = new DicomWebClient({ baseUrl: server.url, retry: { attempts: 3, sleep } });
    const error = await client.qidoSeries('1').catch((e) => e);
    expect(error).toBeInstanceOf(DicomWebError);
    expect(error).toMatchObject({ kind: 'http-error', details: expect.objectContaining({ status: 503 }) });
    expect(error.message).toMatch(/HTTP 503.*still failing after retries.*down/);
    expect(server.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('does not retry a permanent error (400)', async () => {
    server = await serve((_req, _body, res) => void res.writeHead(400).end('bad query'));
    const { sleep } = recordingSleep();
    const error = await new DicomWebClient({ baseUrl: server.url, retry: { sleep } })
      .qidoSeries('1')
      .catch((e) => e);
    expect(error).toMatchObject({ kind: 'http-error', details: expect.objectContaining({ status: 400 }) });
    expect(server.requests).toHaveLength(1);
  });

  it('retries dropped connections (no HTTP answer) and then succeeds', async () => {
    server = await serve((req, _body, res, n) => {
      if (n <= 2) req.socket.destroy();
      else res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(SERIES_JSON);
    });
    const { delays, sleep } = recordingSleep();
    const series = await new DicomWebClient({ baseUrl: server.url, retry: { sleep } }).qidoSeries('1');
    expect(series).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
    expect(delays).toHaveLength(2);
  });

  it('reports network-error after the attempts when nothing listens', async () => {
    const closed = await serve(() => undefined);
    const url = closed.url;
    await closed.close();
    let calls = 0;
    const { sleep } = recordingSleep();
    const client = new DicomWebClient({
      baseUrl: url,
      retry: { attempts: 3, sleep },
      fetch: (input, init) => {
        calls++;
        return fetch(input, init);
      },
    });
    const error = await client.qidoSeries('1').catch((e) => e);
    expect(error).toMatchObject({ kind: 'network-error', details: expect.objectContaining({ attempts: 3 }) });
    expect(error.message).toContain('no response after 3 attempt(s)');
    expect(calls).toBe(3);
  });

  it('computes backoff delays as documented', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelay({}, n))).toEqual([250, 500, 1000, 2000, 4000, 4000]);
    expect(retryDelay({}, 1, '3')).toBe(3000);
    expect(retryDelay({}, 1, 'soon')).toBe(250);
  });
});

describe('headers', () => {
  it('passes the caller’s headers (basic auth helper included) on every request', async () => {
    server = await serve((_req, _body, res) => void res.writeHead(204).end());
    const headers = { ...basicAuthHeader('alice', 'pä55:word'), 'X-Site': 'radiology' };
    await new DicomWebClient({ baseUrl: server.url, headers }).qidoSeries('1');
    const sent = server.requests[0].headers;
    expect(sent.authorization).toBe(`Basic ${Buffer.from('alice:pä55:word', 'utf8').toString('base64')}`);
    expect(sent['x-site']).toBe('radiology');
    expect(sent.accept).toBe('application/dicom+json');
  });

  it('explains a 401', async () => {
    server = await serve(
      (_req, _body, res) => void res.writeHead(401, { 'WWW-Authenticate': 'Basic' }).end(),
    );
    const error = await new DicomWebClient({ baseUrl: server.url }).qidoSeries('1').catch((e) => e);
    expect(error).toMatchObject({ kind: 'http-error', details: expect.objectContaining({ status: 401 }) });
    expect(error.message).toContain('authentication required or refused');
  });
});

describe('STOW-RS', () => {
  it('sends multipart/related with one application/dicom part per instance', async () => {
    server = await serve((_req, _body, res) =>
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(
        JSON.stringify({
          '00081190': { vr: 'UR', Value: ['http://pacs/studies/1'] },
          '00081199': { vr: 'SQ', Value: [{ '00081155': { vr: 'UI', Value: ['1.2.3.4.5'] } }] },
        }),
      ),
    );
    const a = new Uint8Array([1, 2, 3, 13, 10, 45, 45]).buffer; // contains CR LF "--"
    const b = new Uint8Array(300).fill(7).buffer;
    const result = await new DicomWebClient({ baseUrl: server.url }).stow([a, b], '1.2.3');
    expect(result).toMatchObject({
      status: 200,
      retrieveURL: 'http://pacs/studies/1',
      stored: [{ sopInstanceUID: '1.2.3.4.5' }],
    });
    const request = server.requests[0];
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/dicom-web/studies/1.2.3');
    const contentType = String(request.headers['content-type']);
    expect(contentType).toMatch(/^multipart\/related; type="application\/dicom"; boundary=/);
    const boundary = contentTypeParameter(contentType, 'boundary') as string;
    const text = request.body.toString('latin1');
    expect(
      text.startsWith(
        `--${boundary}\r\nContent-Type: application/dicom\r\n\r\n\u0001\u0002\u0003\r\n--\r\n--${boundary}`,
      ),
    ).toBe(true);
    expect(text.endsWith(`--${boundary}--\r\n`)).toBe(true);
    expect(text.split(`--${boundary}`)).toHaveLength(4);
  });

  it('turns FailedSOPSequence (0008,1198) into a stow-failed error even on HTTP 200', async () => {
    server = await serve((_req, _body, res) =>
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' }).end(
        JSON.stringify({
          '00081198': {
            vr: 'SQ',
            Value: [
              {
                '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.66.4'] },
                '00081155': { vr: 'UI', Value: ['2.25.1'] },
                '00081197': { vr: 'US', Value: [0xa700] },
              },
            ],
          },
        }),
      ),
    );
    const error = await new DicomWebClient({ baseUrl: server.url })
      .stow([new ArrayBuffer(4)])
      .catch((e) => e);
    expect(error).toBeInstanceOf(DicomWebError);
    expect(error.kind).toBe('stow-failed');
    expect(error.details.failedSops).toEqual([
      { sopClassUID: '1.2.840.10008.5.1.4.1.1.66.4', sopInstanceUID: '2.25.1', failureReason: 0xa700 },
    ]);
    expect(error.message).toContain('2.25.1 (FailureReason 0xA700)');
  });
});

describe('multipart decoding (WADO-RS answers)', () => {
  it('splits parts with binary content, CR LF inside the body and a quoted boundary', () => {
    const parts = [new Uint8Array([0, 13, 10, 45, 45, 255]), new Uint8Array([42])];
    const body = encodeMultipart(parts, 'b0und', 'application/dicom');
    expect(
      contentTypeParameter('multipart/related; type="application/dicom"; boundary="b0und"', 'boundary'),
    ).toBe('b0und');
    const decoded = decodeMultipart(body, 'b0und');
    expect(decoded.map((p) => Array.from(p.body))).toEqual(parts.map((p) => Array.from(p)));
    expect(decoded[0].headers['content-type']).toBe('application/dicom');
  });

  it('rejects a truncated body', () => {
    const body = encodeMultipart([new Uint8Array(10)], 'x', 'application/dicom');
    expect(() => decodeMultipart(body.subarray(0, body.length - 12), 'x')).toThrow(/truncated/);
  });

  it('retrieveInstance reports a non-multipart answer as invalid-response', async () => {
    server = await serve(
      (_req, _body, res) => void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html/>'),
    );
    const error = await new DicomWebClient({ baseUrl: server.url })
      .retrieveInstance('1', '2', '3')
      .catch((e) => e);
    expect(error).toMatchObject({ kind: 'invalid-response' });
  });
});

describe('request time limit', () => {
  it('a server that never answers: a timeout error after the limit, not retried', async () => {
    server = await serve(() => undefined); // reads the request, never answers
    const { delays, sleep } = recordingSleep();
    const client = new DicomWebClient({
      baseUrl: server.url,
      timeoutMs: 1000,
      retry: { attempts: 4, sleep },
    });
    const started = Date.now();
    const error = await client.qidoSeries('1.2.3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DicomWebError);
    expect(error).toMatchObject({ kind: 'timeout', message: expect.stringContaining('within 1 s') });
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(server.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it('a server that sends its headers and then stalls the body: timeout, not a hang', async () => {
    server = await serve((_req, _body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/dicom+json' });
      res.write('[');
    });
    const client = new DicomWebClient({ baseUrl: server.url, timeoutMs: 300 });
    await expect(client.qidoSeries('1.2.3')).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('STOW-RS is bounded too; the default limit is 60 s', async () => {
    server = await serve(() => undefined);
    const client = new DicomWebClient({ baseUrl: server.url, timeoutMs: 200 });
    await expect(client.stow([new ArrayBuffer(8)])).rejects.toMatchObject({ kind: 'timeout' });
    expect(DEFAULT_TIMEOUT_MS).toBe(60000);
  });
});

/**
 * The viewer server: the prebuilt OHIF app, our bundles, the model folder and DICOMweb at
 * /dicom-web, either served from a folder store or a same-origin proxy to a PACS (Orthanc 1.10
 * sends no CORS headers), every response cross-origin isolated (COOP same-origin + COEP
 * require-corp) so onnxruntime-web can run threaded wasm.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { appConfigScript } from './app-config';
import { dicomWebRoutes } from './dicomweb-routes';
import type { FolderStore } from './folder-store';
import { type BuiltPlugins, PLUGINS_PATH } from './plugins';
import { forwardToPacs } from './pacs-proxy';
import { LOOPBACK_HOSTS, RequestRefused, checkHost, hostName, parseRequestPath } from './request-path';

export interface ServerOptions {
  readonly ohifDist: string;
  /** The extension and mode, served at /plugins/<name>/<version>/ and named in app-config.js. */
  readonly plugins?: BuiltPlugins;
  /** Another static folder served at /medsam2/ (the benchmark's page). */
  readonly extensionDist?: string;
  /** Local model folder served under /medsam2/models/<modelName>/ (absent when modelUrl is remote). */
  readonly modelDir?: string;
  readonly modelName?: string;
  /** Model folder URL given to the extension (default: the served local folder). */
  readonly modelUrl?: string;
  /** DICOMweb root the /dicom-web proxy forwards to, e.g. http://127.0.0.1:8042/dicom-web (no credentials in it) */
  readonly pacsUrl?: string;
  /** Basic auth for the PACS (read from an environment variable or a file by the caller). */
  readonly pacsCredentials?: { readonly username: string; readonly password: string };
  /** Largest STOW-RS body accepted or forwarded (default 1 GiB): 413 beyond it. */
  readonly maxUploadBytes?: number;
  /** Host names besides localhost, 127.0.0.1 and [::1] that requests may name in their Host header. */
  readonly allowedHosts?: readonly string[];
  /** Folder store served at /dicom-web (when there is no pacsUrl). */
  readonly store?: FolderStore;
  readonly backends?: readonly string[];
  /** Content-Security-Policy of every response (default CONTENT_SECURITY_POLICY). */
  readonly contentSecurityPolicy?: string;
  readonly port?: number;
  readonly host?: string;
  /** Called for each proxied request (tests check no request leaves for other hosts). */
  readonly onRequest?: (method: string, path: string, status: number) => void;
}

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

export const DICOMWEB_PATH = '/dicom-web';
export const DEFAULT_MAX_UPLOAD_BYTES = 2 ** 30;
export const BUNDLE_PATH = '/medsam2/';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
};

/**
 * OHIF 3.14's documented CSP baseline (default-src 'self'; script-src 'self' 'wasm-unsafe-eval';
 * worker-src 'self' blob:; object-src 'none'; base-uri 'self') plus the additions its deployment
 * guide says every viewer needs ('unsafe-inline' for OHIF's inline bootstrap scripts and React's
 * inline styles, data:/blob: images). Everything here is same-origin, so connect-src stays 'self'.
 * MedSAM-2 runs under exactly this (test/e2e/csp.e2e.test.ts).
 */
export const CSP_BASELINE = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'self'",
].join('; ');

/**
 * What the server sends by default: the baseline plus 'unsafe-eval', which OHIF's own DICOM SEG
 * display needs (OHIF 3.13.2 and 3.14.0-beta.6: cornerstone's SEG adapter builds ndarray
 * constructors with `new Function`), so a SEG exported here can be reopened in the viewer.
 */
export const CONTENT_SECURITY_POLICY = CSP_BASELINE.replace(
  "script-src 'self' 'wasm-unsafe-eval'",
  "script-src 'self' 'wasm-unsafe-eval' 'unsafe-eval'",
);

/**
 * Cross-origin isolation for every response (threaded wasm needs crossOriginIsolated), and the CSP
 * (documents and workers each take theirs from their own response).
 */
const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const modelName = options.modelName ?? 'model';
  const modelPath = `${BUNDLE_PATH}models/${modelName}/`;
  const modelUrl = options.modelUrl ?? modelPath;
  const appConfig = appConfigScript({
    extensionUrl: options.plugins?.extension.url ?? `${BUNDLE_PATH}medsam2-extension.js`,
    modeUrl: options.plugins?.mode.url ?? `${BUNDLE_PATH}medsam2-mode.js`,
    modelUrl,
    dicomWebPath: DICOMWEB_PATH,
    backends: options.backends,
  });
  if (!options.pacsUrl === !options.store)
    return Promise.reject(new Error('startServer needs exactly one of pacsUrl and store'));
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const pacs = options.pacsUrl ? new URL(options.pacsUrl) : undefined;
  if (pacs && (pacs.username || pacs.password))
    return Promise.reject(new Error('the PACS URL must not carry credentials: pass them as pacsCredentials'));
  const store =
    options.store && dicomWebRoutes({ store: options.store, mountPath: DICOMWEB_PATH, maxUploadBytes });
  const bindName = options.host ? hostName(options.host) : undefined;
  const allowedHosts = new Set(
    [...LOOPBACK_HOSTS, ...(options.allowedHosts ?? []), ...(bindName ? [bindName] : [])]
      .map((h) => hostName(h.includes(':') && !h.startsWith('[') ? `[${h}]` : h))
      .filter((h) => h !== '0.0.0.0' && h !== '[::]'),
  );
  const mountSegments = DICOMWEB_PATH.split('/').filter(Boolean).length;

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
    res.setHeader('Content-Security-Policy', options.contentSecurityPolicy ?? CONTENT_SECURITY_POLICY);
    const done = (status: number) => options.onRequest?.(req.method ?? 'GET', req.url ?? '', status);
    res.on('finish', () => done(res.statusCode));
    let route;
    try {
      checkHost(req.headers.host, allowedHosts);
      route = parseRequestPath(req.url);
    } catch (e) {
      if (!(e instanceof RequestRefused)) throw e;
      return text(res, e.status, e.message);
    }
    const { path } = route;

    if (path === DICOMWEB_PATH || path.startsWith(`${DICOMWEB_PATH}/`)) {
      const below = route.segments.slice(mountSegments);
      if (pacs)
        return forwardToPacs(req, res, below, route, {
          url: pacs,
          credentials: options.pacsCredentials,
          maxUploadBytes,
        });
      return void store?.(req, res, below, route.search).catch((e: unknown) => {
        if (!res.headersSent) text(res, 500, `DICOMweb: ${e instanceof Error ? e.message : String(e)}`);
        else res.destroy(e instanceof Error ? e : undefined);
      });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed');
    if (path === '/app-config.js') {
      res.setHeader('Content-Type', MIME['.js']);
      res.setHeader('Cache-Control', 'no-store');
      return res.end(req.method === 'HEAD' ? undefined : appConfig);
    }
    if (options.modelDir && path.startsWith(modelPath)) {
      return serveFile(req, res, options.modelDir, path.slice(modelPath.length), false);
    }
    if (options.plugins && path.startsWith(PLUGINS_PATH)) {
      const rest = path.slice(PLUGINS_PATH.length);
      const owner = [options.plugins.extension, options.plugins.mode].find((p) =>
        rest.startsWith(`${p.name}/${p.version}/`),
      );
      return owner ? serveFile(req, res, owner.root, rest, false) : text(res, 404, `not found: ${path}`);
    }
    if (options.extensionDist && path.startsWith(BUNDLE_PATH))
      return serveFile(req, res, options.extensionDist, path.slice(BUNDLE_PATH.length), false);
    // OHIF's service worker would cache across runs; this server never installs it.
    if (path === '/sw.js') return text(res, 404, 'no service worker');
    return serveFile(req, res, options.ohifDist, path.slice(1), true);
  };

  // Whatever a request does, the server stays up: an unexpected error is that request's 500.
  const server = createServer((req, res) => {
    try {
      handler(req, res);
    } catch (e) {
      if (!res.headersSent) text(res, 500, `server error: ${e instanceof Error ? e.message : String(e)}`);
      else res.destroy();
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
      resolvePromise({
        url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${port}`,
        server,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

function text(res: ServerResponse, status: number, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', MIME['.txt']);
  res.end(body);
}

/** A file under `root` (no escaping it); SPA routes fall back to index.html. */
function serveFile(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  relative: string,
  spa: boolean,
): void {
  const base = resolve(root);
  let file = resolve(base, relative || 'index.html');
  if (file !== base && !file.startsWith(base + sep)) return text(res, 403, 'outside the served folder');
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!existsSync(file)) {
    if (spa && !extname(relative)) file = join(base, 'index.html');
    else return text(res, 404, `not found: ${relative}`);
  }
  const stat = statSync(file);
  const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
  res.setHeader('Content-Type', MIME[extname(file).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('ETag', etag);
  // Revalidate every time: cheap 304s, and a rebuilt bundle or re-exported model is picked up.
  res.setHeader('Cache-Control', 'no-cache');
  if (req.headers['if-none-match'] === etag) {
    res.statusCode = 304;
    return void res.end();
  }
  res.setHeader('Content-Length', stat.size);
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}

/**
 * What the server routes on: the request path decoded once and normalised, before any route looks
 * at it, and the Host header checked against the names this server answers to. A path that cannot
 * be decoded is a 400; one that climbs (`.` or `..` segments, also when %-encoded) or hides a
 * separator (backslash, NUL) is a 403; a Host that is not ours (a DNS-rebinding page) is a 403.
 */

/** A request refused before routing: answered with `status` and this message. */
export class RequestRefused extends Error {
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
  }
}

export interface RequestPath {
  /** The decoded path: '/' + segments joined by '/' (a trailing '/' kept). */
  readonly path: string;
  /** Decoded, non-empty segments. */
  readonly segments: readonly string[];
  /** The query string as received, with its '?' (or ''). */
  readonly search: string;
}

export function parseRequestPath(rawUrl: string | undefined): RequestPath {
  const raw = rawUrl ?? '/';
  if (!raw.startsWith('/')) throw new RequestRefused(400, 'the request target must be a path');
  const q = raw.indexOf('?');
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const search = q < 0 ? '' : raw.slice(q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new RequestRefused(400, 'the request path has a malformed %-escape');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\\\x00-\x1f\x7f]/.test(decoded))
    throw new RequestRefused(403, 'the request path holds a backslash or a control character');
  const all = decoded.split('/');
  if (all.some((s) => s === '.' || s === '..'))
    throw new RequestRefused(403, 'the request path climbs with "." or ".." segments');
  const segments = all.filter((s) => s.length > 0);
  const trailing = segments.length > 0 && decoded.endsWith('/') ? '/' : '';
  return { path: `/${segments.join('/')}${trailing}`, segments, search };
}

/** Names every server answers to: loopback by name and address. */
export const LOOPBACK_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** The host name of a Host header value ("localhost:3000" → "localhost", "[::1]:80" → "[::1]"). */
export function hostName(header: string): string {
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** Refuses a request whose Host header is missing or names another host than `allowed`. */
export function checkHost(header: string | undefined, allowed: ReadonlySet<string>): void {
  if (!header) throw new RequestRefused(403, 'the request has no Host header');
  const name = hostName(header);
  if (!allowed.has(name))
    throw new RequestRefused(
      403,
      `this server answers to ${[...allowed].join(', ')}, not to "${name.slice(0, 100)}" (start it with --allow-host ${name.slice(0, 100)} to allow that name)`,
    );
}

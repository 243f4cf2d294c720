/**
 * Browser and DNS-rebinding protection. cloudlet runs next to the user's browser with public
 * credentials (`test`/`test`), so two things a web page can make a browser do must get nothing:
 *
 * - DNS rebinding: a page on evil.example re-points its own name at 127.0.0.1 and then reads
 *   our answers as same-origin. Such requests carry `Host: evil.example`, so the server answers
 *   only Host names that are its own (loopback names and addresses, the bind address, names
 *   the user adds).
 * - Cross-site requests: forms, image tags and fetches from another site carry `Origin` (or,
 *   for plain navigations and subresource GETs, `Sec-Fetch-Site: cross-site`). Real clients
 *   (CLI, SDKs, Terraform, curl) send neither.
 *
 * Pure: no I/O except reading the interface list once when the server binds every address.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface GuardOptions {
  /** More Host names to serve (any port); `*.example.test` or `.example.test` also matches subdomains. */
  allowedHosts?: string[];
  /** Serve requests from pages on any site (the Origin / Sec-Fetch-Site check is off; the Host check stays). */
  allowCrossSite?: boolean;
}

export interface Guard {
  readonly allowCrossSite: boolean;
  /** The server listens on every address (0.0.0.0 / ::), so any IP literal is one of its own. */
  readonly wildcardBind: boolean;
  /** Names and addresses served, lower-case, IPv6 in brackets. */
  readonly exact: ReadonlySet<string>;
  /** Suffixes (with the leading dot) whose subdomains are served. */
  readonly suffixes: readonly string[];
}

/** Names every cloudlet serves: loopback, RFC 6761 `*.localhost`, and LocalStack's loopback DNS names. */
const BUILTIN_EXACT = ['localhost', 'localhost.localstack.cloud', '[::1]'];
const BUILTIN_SUFFIXES = ['.localhost', '.localhost.localstack.cloud'];

export function createGuard(opts: GuardOptions, bindHost: string): Guard {
  const exact = new Set(BUILTIN_EXACT);
  const suffixes = [...BUILTIN_SUFFIXES];
  const bind = normalizeName(bindHost);
  const wildcardBind = bind === '0.0.0.0' || bind === '[::]' || bind === '';
  if (bind && !wildcardBind) exact.add(bind);
  if (wildcardBind) {
    // Pages served from this machine's own addresses are same-machine pages too.
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) exact.add(normalizeName(a.address));
    }
  }
  for (const raw of opts.allowedHosts ?? []) {
    const name = raw.trim().toLowerCase();
    if (!name) continue;
    if (name.startsWith('*.')) suffixes.push(name.slice(1));
    else if (name.startsWith('.')) suffixes.push(name);
    else exact.add(normalizeName(stripPort(name)));
  }
  return { allowCrossSite: opts.allowCrossSite ?? false, wildcardBind, exact, suffixes };
}

/** IPv6 literals get brackets (as Host headers and URLs write them); a trailing root dot goes. */
function normalizeName(name: string): string {
  let n = name.trim().toLowerCase();
  if (isIP(n) === 6) n = `[${n}]`;
  if (n.endsWith('.') && !n.startsWith('[')) n = n.slice(0, -1);
  return n;
}

function stripPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const i = host.lastIndexOf(':');
  return i >= 0 && host.indexOf(':') === i ? host.slice(0, i) : host;
}

function isLoopbackIp(name: string): boolean {
  if (name === '[::1]') return true;
  const v4 = name.startsWith('[::ffff:') ? name.slice(8, -1) : name;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Whether a bare host name (no port) is one of this server's own. */
export function isServedName(g: Guard, name: string): boolean {
  const n = normalizeName(name);
  if (!n) return false;
  if (g.exact.has(n) || isLoopbackIp(n)) return true;
  return g.suffixes.some((s) => n.endsWith(s) && n.length > s.length);
}

const HOST_HEADER = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_.-]+)(?::\d{1,5})?$/i;

/**
 * Why this Host header is not served, or undefined when it is. A request without Host is served:
 * only HTTP/1.0 may omit it (Node answers HTTP/1.1 without Host with 400), and browsers always
 * send it, so it cannot come from a rebinding page.
 */
export function hostRefusal(g: Guard, host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const h = host.trim();
  if (!HOST_HEADER.test(h)) return `the Host header ${JSON.stringify(h.slice(0, 100))} is not a host name`;
  const name = normalizeName(stripPort(h));
  if (isServedName(g, name)) return undefined;
  // Any address of a server bound to all addresses is its own, and an IP literal cannot be a
  // rebinding name (the browser connected to that very address).
  if (g.wildcardBind && isIP(name.replace(/^\[|\]$/g, '')) !== 0) return undefined;
  return `cloudlet does not serve the host ${JSON.stringify(name)}: it answers localhost, 127.0.0.1, [::1], *.localhost ` +
    `and its bind address (this refusal stops DNS-rebinding pages); add names with --allowed-hosts or CLOUDLET_ALLOWED_HOSTS`;
}

export type SiteVerdict =
  /** No browser context (CLI, SDK, curl) or a page on this machine; `origin` gets CORS headers. */
  | { cross: false; origin?: string }
  | { cross: true; origin?: string; reason: string };

/** Classifies a request by the headers browsers add: `Origin`, else `Sec-Fetch-Site`. */
export function siteOf(g: Guard, headers: Record<string, string | undefined>): SiteVerdict {
  const origin = headers['origin'];
  if (origin !== undefined) {
    if (g.allowCrossSite) return { cross: false, origin };
    const reason = originRefusal(g, origin);
    return reason ? { cross: true, origin, reason } : { cross: false, origin };
  }
  if (!g.allowCrossSite && headers['sec-fetch-site']?.trim().toLowerCase() === 'cross-site') {
    return { cross: true, reason: 'the browser marked it Sec-Fetch-Site: cross-site (a page on another site sent it)' };
  }
  return { cross: false };
}

function originRefusal(g: Guard, origin: string): string | undefined {
  const o = origin.trim();
  if (o === 'null') return 'its Origin is "null" (a sandboxed frame, a file: page or a redirect)';
  let url: URL;
  try {
    url = new URL(o);
  } catch {
    return `its Origin ${JSON.stringify(o.slice(0, 200))} is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `its Origin ${JSON.stringify(url.origin === 'null' ? o.slice(0, 200) : url.origin)} is not a web page on this machine`;
  if (isServedName(g, url.hostname)) return undefined;
  return `it comes from a page on ${url.origin}, which is not this machine (pages on localhost, 127.0.0.1, [::1], *.localhost and --allowed-hosts are)`;
}

/** A preflight: the browser asks before sending a non-simple cross-origin request. */
export function isPreflight(method: string, headers: Record<string, string | undefined>): boolean {
  return method === 'OPTIONS' && headers['origin'] !== undefined && headers['access-control-request-method'] !== undefined;
}

/** What a resource's CORS configuration grants one origin (S3 bucket CORS rules). */
export interface CorsGrant {
  allowedMethods: string[];
  /** Request headers the origin may send (echoed to the preflight). */
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

/** A cross-site request as a CORS policy sees it. */
export interface CrossSiteRequest {
  origin: string;
  /** For a preflight, the method the browser asks about. */
  method: string;
  /** For a preflight, the request headers the browser asks about, lower-case. */
  requestHeaders: string[];
  /** Host header without port, lower-case, and the path as received (the bucket is in one of them). */
  host: string;
  path: string;
  preflight: boolean;
}

/**
 * The hook S3 bucket CORS (PutBucketCors rules) fills in: a grant for a cross-site request to a
 * bucket, or undefined to refuse it. Until a service sets `ServerDeps.corsPolicy`, there is
 * none, and every cross-site request to an AWS API is refused.
 */
export type CorsPolicy = (req: CrossSiteRequest) => CorsGrant | undefined | Promise<CorsGrant | undefined>;

export function crossSiteRequest(method: string, host: string, path: string, headers: Record<string, string | undefined>): CrossSiteRequest {
  const preflight = isPreflight(method, headers);
  return {
    origin: headers['origin'] ?? '',
    method: preflight ? headers['access-control-request-method']!.trim().toUpperCase() : method,
    requestHeaders: (headers['access-control-request-headers'] ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    host, path, preflight,
  };
}

const METHODS = 'GET, HEAD, PUT, POST, DELETE, PATCH, OPTIONS';
/** Response headers SDKs read: request IDs, error type, S3 object metadata. `*` covers the rest for non-credentialed fetches. */
const EXPOSE = '*, etag, x-amz-request-id, x-amz-id-2, x-amzn-requestid, x-amzn-errortype, x-amzn-error-message, x-amz-version-id, x-amz-delete-marker, x-amz-bucket-region, x-amz-checksum-crc32, x-amz-checksum-crc32c, x-amz-checksum-crc64nvme, x-amz-checksum-sha1, x-amz-checksum-sha256, x-amz-server-side-encryption, docker-content-digest, location, content-range, date';

/** CORS headers for an actual (non-preflight) response to a served or granted origin. */
export function corsHeaders(origin: string, grant?: CorsGrant): Record<string, string> {
  return {
    'access-control-allow-origin': origin,
    'access-control-expose-headers': grant ? grant.exposeHeaders.join(', ') : EXPOSE,
    vary: 'Origin',
  };
}

/** The answer to a preflight from a served or granted origin: whatever it asks, as its grant allows. */
export function preflightHeaders(origin: string, headers: Record<string, string | undefined>, grant?: CorsGrant): Record<string, string> {
  const asked = headers['access-control-request-headers'];
  const out: Record<string, string> = {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': grant ? grant.allowedMethods.join(', ') : METHODS,
    'access-control-max-age': String(grant?.maxAgeSeconds ?? 600),
    vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    'content-length': '0',
  };
  if (grant) out['access-control-allow-headers'] = grant.allowedHeaders.join(', ');
  else if (asked) out['access-control-allow-headers'] = asked;
  // Chrome's Private Network Access asks a loopback server whether a page may reach it.
  if (headers['access-control-request-private-network'] === 'true') out['access-control-allow-private-network'] = 'true';
  return out;
}

/**
 * The wire side of the metadata service: EC2's status pages and the request -> answer rules
 * of IMDSv2 (token PUT, token-checked GETs, HttpTokens, HttpEndpoint). Pure decisions over
 * plain inputs, so they are tested without sockets; service.ts does the I/O.
 */
import { parseTokenTtl, TOKEN_HEADER, TOKEN_TTL_HEADER } from './tokens.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
};

/** The XHTML status page EC2's metadata service answers errors with. */
export function statusPage(status: number): string {
  const title = `${status} - ${REASONS[status] ?? 'Error'}`;
  return `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>${title}</title>
 </head>
 <body>
  <h1>${title}</h1>
 </body>
</html>
`;
}

export interface ImdsRequest {
  method: string;
  /** The path after the service root: '/latest/meta-data/ami-id'. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface MetadataOptions { httpTokens: 'optional' | 'required'; httpEndpoint: 'enabled' | 'disabled' }

/**
 * What to do with a request before the tree is consulted:
 *   refuse (status page), issue a token (ttl), or read the tree at `segments` (after the version)
 *   with the token to check (undefined: a token-less IMDSv1 read, allowed only when optional).
 */
export type Decision =
  | { kind: 'refuse'; status: number }
  | { kind: 'token'; ttlS: number }
  | { kind: 'versions' }
  | { kind: 'read'; segments: string[]; token?: string };

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function decide(req: ImdsRequest, opts: MetadataOptions): Decision {
  // A disabled endpoint answers every request, the token PUT included, with 403 Forbidden.
  if (opts.httpEndpoint === 'disabled') return { kind: 'refuse', status: 403 };
  const path = req.path.replace(/\/{2,}/g, '/');
  if (path === '/latest/api/token' || path === '/latest/api/token/') {
    if (req.method !== 'PUT') return { kind: 'refuse', status: 405 };
    // EC2 refuses token requests that passed through a proxy (they carry X-Forwarded-For).
    if (req.headers['x-forwarded-for'] !== undefined) return { kind: 'refuse', status: 403 };
    const ttlS = parseTokenTtl(req.headers[TOKEN_TTL_HEADER]);
    return ttlS === undefined ? { kind: 'refuse', status: 400 } : { kind: 'token', ttlS };
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return { kind: 'refuse', status: 405 };
  const token = one(req.headers[TOKEN_HEADER]);
  if (token === undefined && opts.httpTokens === 'required') return { kind: 'refuse', status: 401 };
  if (path === '/' || path === '') return { kind: 'versions' };
  const [, version, ...rest] = path.split('/');
  if (!version || !(version === 'latest' || /^(?:1\.0|\d{4}-\d{2}-\d{2})$/.test(version))) return { kind: 'refuse', status: 404 };
  return { kind: 'read', segments: rest.filter((s) => s !== ''), ...(token !== undefined ? { token } : {}) };
}

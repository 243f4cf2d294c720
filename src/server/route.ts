import { isRpcV2Cbor } from '../protocol/cbor.js';
import type { WireRequest } from '../protocol/codec.js';
import type { CatalogEntry } from '../services/catalog.js';

export interface Route {
  entry: CatalogEntry;
  /** Whether the request speaks the service's alternate JSON protocol (X-Amz-Target). */
  json: boolean;
  /** Whether the request speaks Smithy RPC v2 CBOR (smithy-protocol: rpc-v2-cbor). */
  cbor?: boolean;
}

const CRED = /Credential=[^/\s,]+\/\d{8}\/[^/\s,]+\/([^/\s,]+)\/aws4_request/;

/** The service named by the SigV4 credential scope, from the header or a presigned URL. */
export function scopeService(req: WireRequest): string | undefined {
  const auth = req.headers['authorization'];
  if (auth) return CRED.exec(auth)?.[1];
  const m = /(?:^|&)X-Amz-Credential=([^&]*)/.exec(req.query);
  if (!m) return undefined;
  try {
    return decodeURIComponent(m[1]!).split('/')[3];
  } catch {
    return undefined;
  }
}

function formParam(req: WireRequest, name: string): string | undefined {
  const re = new RegExp(`(?:^|&)${name}=([^&]*)`);
  const ct = req.headers['content-type'] ?? '';
  const sources = [req.query];
  if (req.method === 'POST' && ct.startsWith('application/x-www-form-urlencoded')) sources.unshift(req.body.toString('latin1'));
  for (const s of sources) {
    const m = re.exec(s);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The service of an RPC v2 CBOR request: the credential scope's, or else the one the path
 * names (/service/{name}/operation/{op}, by shape name or by absolute shape ID with '#' as '.').
 */
function cborEntry(req: WireRequest, catalog: readonly CatalogEntry[], signing: string | undefined): CatalogEntry | undefined {
  const capable = catalog.filter((e) => e.cborServiceName);
  if (signing) return capable.find((e) => e.signingNames.includes(signing));
  const name = req.path.split('/').slice(-3)[0] ?? '';
  return capable.find((e) => name === e.cborServiceName || name.endsWith(`.${e.cborServiceName}`));
}

/**
 * Whether a service that shares its signing name with another (S3 Control with S3) claims the
 * request by its path and headers. Both are needed: `/v20180820/...` alone could be a key in
 * an S3 bucket named v20180820, but S3 requests never carry x-amz-account-id.
 */
export function claimsByPath(e: CatalogEntry, req: WireRequest): boolean {
  if (!e.pathPrefix || !req.path.startsWith(e.pathPrefix)) return false;
  return !e.pathHeaders || e.pathHeaders.some((h) => req.headers[h] !== undefined);
}

/**
 * request -> service, in the order AWS's own front door effectively uses: the credential
 * scope, then X-Amz-Target, then the Host, then the query Version (unsigned STS calls such as
 * AssumeRoleWithWebIdentity carry nothing else). Services told apart by path (S3 Control)
 * are tried first among those of the same signing name, and before S3. Whatever is left is S3, whose anonymous and
 * browser requests carry no other hint. A request that says it speaks RPC v2 CBOR goes to the
 * CBOR face of its service, when the service has one.
 */
export function route(req: WireRequest, catalog: readonly CatalogEntry[]): Route | undefined {
  const target = req.headers['x-amz-target'];
  const targetPrefix = target?.split('.')[0];
  const signing = scopeService(req);
  if (isRpcV2Cbor(req.headers)) {
    const entry = cborEntry(req, catalog, signing);
    if (entry) return { entry, json: false, cbor: true };
  }
  if (signing) {
    const candidates = catalog.filter((e) => e.signingNames.includes(signing));
    if (candidates.length) {
      const withTarget = targetPrefix ? candidates.find((e) => e.targetPrefix === targetPrefix) : undefined;
      const byPath = candidates.find((e) => claimsByPath(e, req));
      const entry = withTarget ?? byPath ?? candidates.find((e) => !e.pathPrefix) ?? candidates[0]!;
      return { entry, json: Boolean(withTarget) && entry.protocol !== 'json' };
    }
    return undefined;
  }
  if (targetPrefix) {
    const entry = catalog.find((e) => e.targetPrefix === targetPrefix);
    return entry ? { entry, json: entry.protocol !== 'json' } : undefined;
  }
  const byHost = catalog.find((e) => e.hostPrefixes.some((p) => req.host.startsWith(`${p}.`)));
  if (byHost) return { entry: byHost, json: false };
  const version = formParam(req, 'Version');
  if (version && formParam(req, 'Action')) {
    const entry = catalog.find((e) => e.apiVersion === version && (e.protocol === 'query' || e.protocol === 'ec2'));
    if (entry) return { entry, json: false };
  }
  const byPath = catalog.find((e) => claimsByPath(e, req));
  if (byPath) return { entry: byPath, json: false };
  const s3 = catalog.find((e) => e.name === 's3');
  return s3 ? { entry: s3, json: false } : undefined;
}

/**
 * Which registry and repository a request names, and what it asks for (pure).
 *
 * The registry comes from, in order:
 *   1. the Host `ACCOUNT.dkr.ecr.REGION.localhost[:port]` (what repositoryUri reports);
 *   2. a first path component `ACCOUNT.dkr.ecr.REGION` on any other host:
 *      `localhost:PORT/ACCOUNT.dkr.ecr.REGION/NAME` (another account's registry, or another region,
 *      for resolvers that do not map *.localhost to loopback);
 *   3. otherwise the token's caller account and the region the token was issued for:
 *      `localhost:PORT/NAME`.
 */

export const REGISTRY_HOST = /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d+)\.localhost$/;
const REGISTRY_SEGMENT = /^(\d{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+)+-\d+)$/;
/** ECR's repository name grammar (2-256 characters). */
export const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

export type Endpoint =
  | { kind: 'base' }
  | { kind: 'token' }
  | { kind: 'catalog' }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string; uuid?: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string };

/** Registry named by the Host (without port), if it is an ECR-style name. */
export function registryFromHost(host: string): { registryId: string; region: string } | undefined {
  const m = REGISTRY_HOST.exec(host.toLowerCase());
  return m ? { registryId: m[1]!, region: m[2]! } : undefined;
}

/** The path (still percent-encoded) as an endpoint, or undefined for paths the API does not have. */
export function parsePath(rawPath: string): (Endpoint & { registry?: { registryId: string; region: string } }) | undefined {
  let path: string;
  try { path = decodeURIComponent(rawPath); } catch { return undefined; }
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (path === '/v2/token' || path === '/v2/token/') return { kind: 'token' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  const ep = endpointOf(path);
  if (!ep || !('name' in ep)) return ep;
  const first = ep.name.split('/')[0]!;
  const m = REGISTRY_SEGMENT.exec(first);
  if (m && ep.name.length > first.length + 1) {
    return { ...ep, name: ep.name.slice(first.length + 1), registry: { registryId: m[1]!, region: m[2]! } };
  }
  return ep;
}

function endpointOf(path: string): Endpoint | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^\/v2\/(.+?)\/blobs\/uploads\/?([^/]*)$/.exec(path))) return m[2] ? { kind: 'uploads', name: m[1]!, uuid: m[2] } : { kind: 'uploads', name: m[1]! };
  if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(path))) return { kind: 'blob', name: m[1]!, digest: m[2]! };
  if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path))) return { kind: 'manifest', name: m[1]!, reference: m[2]! };
  if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(path))) return { kind: 'tags', name: m[1]! };
  if ((m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(path))) return { kind: 'referrers', name: m[1]!, digest: m[2]! };
  return undefined;
}

/** A manifest reference: a digest or a tag, or undefined when it is neither. */
export function parseReference(ref: string): { digest: string } | { tag: string } | undefined {
  if (ref.includes(':')) return DIGEST_RE.test(ref) ? { digest: ref } : undefined;
  return TAG_RE.test(ref) ? { tag: ref } : undefined;
}

/** `Content-Range: START-END` (also `bytes START-END`, `bytes=START-END`) of a chunk upload. */
export function parseContentRange(v: string): { start: number; end: number } | undefined {
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(v.trim());
  if (!m) return undefined;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return end >= start ? { start, end } : undefined;
}

/**
 * A GET's `Range: bytes=...` against a blob of `size` bytes: the single range (inclusive), 'unsatisfiable',
 * or undefined for no (or an unparsable / multi-range) header, which serves the whole blob.
 */
export function parseRange(v: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!v) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(v.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * S3 accepts two addressings for the same request: path style (`host/BUCKET/KEY`) and
 * virtual-hosted style (`BUCKET.s3.host/KEY`). The rest-xml codec only understands the
 * model's path templates, so the edge folds the second form into the first before routing.
 */

export interface PathStyle {
  /** The path to route with, still percent-encoded. */
  path: string;
  /** The bucket named by the Host header, when the request was virtual-hosted. */
  bucketFromHost?: string;
}

/** Only region-shaped labels count, so a bucket named e.g. `s3` is not taken for a region. */
const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';

/**
 * Hosts that name the service itself, never a bucket. Checked first because several of them
 * would otherwise fit a virtual-host pattern (`s3.localhost.localstack.cloud` looks like
 * bucket `s3` on `localhost.localstack.cloud`).
 */
const SERVICE_HOSTS: RegExp[] = [
  /^localhost$/,
  new RegExp(`^s3(?:\\.${REGION})?\\.localhost$`),
  new RegExp(`^(?:s3(?:\\.${REGION})?\\.)?localhost\\.localstack\\.cloud$`),
  // One optional run, not a repeated group: `(?:[.-][a-z0-9-]+)*` backtracked exponentially on s3-a-a-a...!
  /^s3(?:[.-][a-z0-9.-]*)?\.amazonaws\.com(?:\.cn)?$/,
  // S3 Control's own host form (ACCOUNT.s3-control.REGION.amazonaws.com): an account, not a bucket.
  /^\d{12}\.s3-control(?:[.-][a-z0-9.-]*)?\.amazonaws\.com(?:\.cn)?$/,
];

/**
 * Virtual-hosted forms, the bucket in group 1. Bucket names may contain dots, so the bucket
 * is whatever precedes the service suffix; the lazy group stops at the first suffix that
 * makes the whole host match.
 */
const VIRTUAL_HOSTS: RegExp[] = [
  new RegExp(`^(.+?)\\.s3(?:\\.${REGION})?\\.localhost$`),
  new RegExp(`^(.+?)\\.s3(?:\\.${REGION})?\\.localhost\\.localstack\\.cloud$`),
  /^(.+?)\.localhost\.localstack\.cloud$/,
  /^(.+?)\.s3(?:[.-][a-z0-9.-]*)?\.amazonaws\.com(?:\.cn)?$/,
];

/** The longest DNS name. */
const MAX_HOST_LENGTH = 253;

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** The Host header without a port, lower-case; IPv6 literals keep their brackets. */
function bareHost(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 && /^\d+$/.test(h.slice(colon + 1)) ? h.slice(0, colon) : h;
}

/**
 * Rewrites a virtual-hosted S3 request to path style. Hosts that are not virtual-hosted
 * (IPs, `localhost`, `s3.localhost`, unknown names) keep their path untouched.
 */
export function toPathStyle(host: string, path: string): PathStyle {
  const h = bareHost(host);
  // No DNS name is longer; the patterns below are quadratic in the host's length.
  if (h.length > MAX_HOST_LENGTH) return { path };
  if (!h || h.startsWith('[') || IPV4.test(h) || SERVICE_HOSTS.some((re) => re.test(h))) return { path };
  for (const re of VIRTUAL_HOSTS) {
    const m = re.exec(h);
    if (!m) continue;
    const bucket = m[1]!;
    // The bucket-level resource is `/BUCKET`, not `/BUCKET/` (which would read as an empty key).
    const rest = path === '' || path === '/' ? '' : path.startsWith('/') ? path : `/${path}`;
    return { path: `/${encodeURIComponent(bucket)}${rest}`, bucketFromHost: bucket };
  }
  return { path };
}

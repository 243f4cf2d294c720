/**
 * Blob reads: HEAD/GET /v2/NAME/blobs/DIGEST (ranges: 206, 416), as ECR's
 * BatchCheckLayerAvailability (HEAD) and GetDownloadUrlForLayer (GET). A GET may carry a
 * download URL's signed query (GetDownloadUrlForLayer) instead of credentials.
 * DELETE is not something ECR's registry does: UNSUPPORTED.
 */
import { blobOf, hasLayer, readBlob } from '../layers.js';
import { DOWNLOAD_PARAM } from './access.js';
import { open, type Answer, type Call, type Named } from './call.js';
import { RegistryError } from './errors.js';
import { DIGEST_RE, parseRange } from './names.js';

export function blobUnknown(digest: string): RegistryError {
  return new RegistryError('BLOB_UNKNOWN', 'blob unknown to registry', 404, { digest });
}

export function checkDigest(digest: string): void {
  if (!DIGEST_RE.test(digest)) throw new RegistryError('DIGEST_INVALID', `invalid digest '${digest}': only sha256:<64 lowercase hex> is supported`, 400, { digest });
}

export async function getBlob(call: Call, named: Named, digest: string, head: boolean): Promise<Answer> {
  checkDigest(digest);
  const download = call.query.get(DOWNLOAD_PARAM);
  const op = head ? 'BatchCheckLayerAvailability' : 'GetDownloadUrlForLayer';
  const input = head ? { layerDigests: [digest] } : { layerDigest: digest };
  const rec = await open(call, named, op, input, (s, tx) => {
    if (!hasLayer(tx, s.target.scope, s.name, digest)) throw blobUnknown(digest);
    return blobOf(tx, digest)!;
  }, download && !head ? { download: { value: download, digest } } : {});
  const headers: Record<string, string> = {
    'docker-content-digest': digest, 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', etag: `"${digest}"`,
  };
  const range = parseRange(call.wire.headers['range'], rec.size);
  if (range === 'unsatisfiable') {
    throw new RegistryError('RANGE_INVALID', 'the requested range is not satisfiable', 416, undefined, { 'content-range': `bytes */${rec.size}` });
  }
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${rec.size}`;
    headers['content-length'] = String(range.end - range.start + 1);
    return { status: 206, headers, ...(head ? {} : { body: readBlob(call.deps.blobs, rec, range) }) };
  }
  headers['content-length'] = String(rec.size);
  if (head || rec.size === 0) return { status: 200, headers, body: Buffer.alloc(0) };
  return { status: 200, headers, body: readBlob(call.deps.blobs, rec) };
}

export function deleteBlob(): Answer {
  throw new RegistryError('UNSUPPORTED', 'The operation is unsupported: ECR removes layers with the images that use them (BatchDeleteImage, lifecycle policies).', 405);
}

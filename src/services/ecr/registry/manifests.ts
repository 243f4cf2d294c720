/**
 * Manifests, tags and referrers through images.ts, the same rows the ECR API reads and writes:
 * GET/HEAD/PUT/DELETE /v2/NAME/manifests/REF (as BatchGetImage, PutImage, BatchDeleteImage),
 * GET /v2/NAME/tags/list?n=&last= (ListImages; Link pagination), GET /v2/NAME/referrers/DIGEST
 * (BatchGetImage; an OCI index of the images whose subject is DIGEST, artifactType filter).
 */
import { deleteImage, findImage, indexesReferencing, putManifest, recordPull, referrersOf, untagImage } from '../images.js';
import { sweepLayers } from '../layers.js';
import { baseMediaType, MAX_MANIFEST_BYTES, OCI_INDEX } from '../manifests.js';
import { repoPrefix, TAG, type ImageRecord } from '../records.js';
import { readBody } from '../../../server/http-io.js';
import { baseUrl } from './access.js';
import { dropBlobs, open, repoUrl, type Answer, type Call, type Named } from './call.js';
import { checkDigest } from './blobs.js';
import { RegistryError } from './errors.js';
import { parseReference } from './names.js';
import { afterPush } from './scan-hook.js';

function reference(ref: string): { digest: string } | { tag: string } {
  const r = parseReference(ref);
  if (!r) throw new RegistryError('MANIFEST_INVALID', `invalid manifest reference '${ref}': a tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127}) or a sha256 digest`, 400, { reference: ref });
  return r;
}

const imageId = (r: { digest: string } | { tag: string }) => ('digest' in r ? { imageDigest: r.digest } : { imageTag: r.tag });

function manifestUnknown(ref: string): RegistryError {
  return new RegistryError('MANIFEST_UNKNOWN', `Requested image not found`, 404, { reference: ref });
}

/** Whether the Accept header(s) admit `mediaType` (no header: anything). */
export function accepts(accept: string | undefined, mediaType: string): boolean {
  if (!accept || !accept.trim()) return true;
  return accept.split(',').some((part) => {
    const t = part.split(';')[0]!.trim().toLowerCase();
    return t === '*/*' || t === mediaType || t === 'application/*';
  });
}

export async function getManifest(call: Call, named: Named, ref: string, head: boolean): Promise<Answer> {
  const r = reference(ref);
  const image = await open(call, named, 'BatchGetImage', { imageIds: [imageId(r)] }, (s, tx) => {
    const img = findImage(tx, s.target.scope, s.name, r);
    if (!img) throw manifestUnknown(ref);
    if (img.storageClass === 'ARCHIVE') {
      throw new RegistryError('MANIFEST_UNKNOWN', `The image ${img.digest} is archived: restore it (UpdateImageStorageClass to STANDARD) before pulling it`, 404, { reference: ref });
    }
    // No conversion: a client that does not take the stored type gets what ECR answers.
    if (!accepts(call.wire.headers['accept'], img.mediaType)) {
      throw new RegistryError('MANIFEST_UNKNOWN', `The requested manifest's media type ${img.mediaType} is not in the Accept list`, 404, { reference: ref });
    }
    if (!head) recordPull(tx, s.target.scope, s.name, img.digest, s.nowMs);
    return img;
  });
  const body = Buffer.from(image.manifest, 'utf8');
  const headers: Record<string, string> = {
    'content-type': image.mediaType, 'docker-content-digest': image.digest, 'content-length': String(body.length), etag: `"${image.digest}"`,
  };
  return { status: 200, headers, body: head ? Buffer.alloc(0) : body };
}

export async function putManifestAt(call: Call, named: Named, ref: string): Promise<Answer> {
  const r = reference(ref);
  const bytes = await readBody(call.req, {
    maxBytes: MAX_MANIFEST_BYTES,
    tooLarge: () => new RegistryError('MANIFEST_INVALID', `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`, 413) as never,
    timeoutMs: call.deps.limits.bodyTimeoutMs,
  });
  const mediaType = baseMediaType(call.wire.headers['content-type']);
  const image = await open(call, named, 'PutImage', { ...imageId(r), imageManifest: '' }, async (s, tx) => {
    const out = putManifest(tx, s.target.scope, s.repo, { bytes, ...(mediaType ? { mediaType } : {}), ...r, nowMs: s.nowMs });
    if (out.created) afterPush(s.ctx, s.target.scope, s.repo, out.image.digest);
    return out.image;
  });
  const headers: Record<string, string> = {
    location: `${repoUrl(call, baseUrl(call.wire), named)}/manifests/${image.digest}`,
    'docker-content-digest': image.digest, 'content-length': '0',
  };
  if (image.subject) headers['oci-subject'] = image.subject;
  return { status: 201, headers, body: Buffer.alloc(0) };
}

export async function deleteManifest(call: Call, named: Named, ref: string): Promise<Answer> {
  const r = reference(ref);
  await open(call, named, 'BatchDeleteImage', { imageIds: [imageId(r)] }, (s, tx, after) => {
    const scope = s.target.scope;
    if ('tag' in r) {
      if (!findImage(tx, scope, s.name, r)) throw manifestUnknown(ref);
      untagImage(tx, scope, s.name, r.tag);
      return;
    }
    if (!findImage(tx, scope, s.name, r)) throw manifestUnknown(ref);
    const parents = indexesReferencing(tx, scope, s.name, r.digest);
    if (parents.length) {
      throw new RegistryError('DENIED', `The image ${r.digest} is referenced by the manifest list(s) ${parents.join(', ')}; delete those first`, 403);
    }
    deleteImage(tx, scope, s.name, r.digest);
    dropBlobs(call, after, sweepLayers(tx, scope, s.name, s.nowMs));
  });
  return { status: 202, headers: { 'content-length': '0' }, body: Buffer.alloc(0) };
}

export async function listTags(call: Call, named: Named, path: string): Promise<Answer> {
  const nRaw = call.query.get('n');
  const last = call.query.get('last') ?? undefined;
  let n = 1000;
  if (nRaw !== null && nRaw !== '') {
    if (!/^\d+$/.test(nRaw)) throw new RegistryError('UNSUPPORTED', `invalid n '${nRaw}': a number`, 400);
    n = Math.min(Number(nRaw), 1000);
  }
  const { tags, more } = await open(call, named, 'ListImages', {}, (s, tx) => {
    if (n === 0) return { tags: [] as string[], more: false };
    const prefix = repoPrefix(s.name);
    const rows = tx.list(s.target.scope, TAG, { prefix, ...(last !== undefined ? { after: prefix + last } : {}), limit: n + 1 });
    const all = rows.map((row) => row.id.slice(prefix.length));
    return { tags: all.slice(0, n), more: all.length > n };
  });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (more) headers['link'] = `<${path}?n=${n}&last=${encodeURIComponent(tags[tags.length - 1]!)}>; rel="next"`;
  return { status: 200, headers, body: Buffer.from(JSON.stringify({ name: named.name, tags })) };
}

function descriptorOf(img: ImageRecord): Record<string, unknown> {
  const d: Record<string, unknown> = { mediaType: img.mediaType, digest: img.digest, size: Buffer.byteLength(img.manifest, 'utf8') };
  if (img.artifactMediaType) d['artifactType'] = img.artifactMediaType;
  try {
    const annotations = (JSON.parse(img.manifest) as { annotations?: unknown }).annotations;
    if (annotations && typeof annotations === 'object') d['annotations'] = annotations;
  } catch { /* stored manifests parse */ }
  return d;
}

export async function listReferrers(call: Call, named: Named, digest: string): Promise<Answer> {
  checkDigest(digest);
  const artifactType = call.query.get('artifactType');
  const found = await open(call, named, 'BatchGetImage', { imageIds: [{ imageDigest: digest }] }, (s, tx) => referrersOf(tx, s.target.scope, s.name, digest));
  const manifests = found.filter((i) => !artifactType || i.artifactMediaType === artifactType).map(descriptorOf);
  const headers: Record<string, string> = { 'content-type': OCI_INDEX };
  if (artifactType) headers['oci-filters-applied'] = 'artifactType';
  return { status: 200, headers, body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })) };
}

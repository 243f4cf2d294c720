/**
 * Images and tags: the only writer of IMAGE and TAG rows (records.ts). An IMAGE row holds the
 * manifest exactly as pushed (its bytes hash to the digest); a TAG row points one tag at one
 * image and the image keeps its sorted tag list in step. Everything here is synchronous over a
 * Tx and throws AwsError with ECR's codes; the API (image-handlers.ts), the registry
 * (registry/*) and lifecycle rules all change images through these functions.
 */
import { AwsError } from '../../core/errors.js';
import type { Scope, Tx } from '../../store/types.js';
import { hasLayer } from './layers.js';
import {
  artifactMediaTypeOf,
  isIndexType,
  ManifestError,
  parseManifest,
  requiredBlobs,
  sha256Digest,
  SHA256_DIGEST_RE,
  type ParsedManifest,
} from './manifests.js';
import { IMAGE, repoKey, repoPrefix, SCAN, TAG, type ImageRecord, type RepositoryRecord, type TagRecord } from './records.js';

/**
 * Tags per image: ECR's early user guide gave 100; its current quota table lists no such limit.
 * cloudlet bounds the tag list of one row at 1000 rather than refuse what ECR may now allow.
 */
export const MAX_TAGS_PER_IMAGE = 1000;
/** ECR's default quota "Images per repository" (adjustable in AWS; fixed here). */
export const MAX_IMAGES_PER_REPOSITORY = 100_000;
export const MAX_TAG_LENGTH = 300;
/** What ECR and the registry take as a tag (the OCI reference grammar, up to ECR's 300 characters). */
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function isValidTag(tag: string): boolean {
  return tag.length >= 1 && tag.length <= MAX_TAG_LENGTH && TAG_RE.test(tag);
}

export function isValidDigest(digest: string): boolean {
  return SHA256_DIGEST_RE.test(digest);
}

export function findImage(tx: Tx, scope: Scope, repo: string, ref: { tag?: string; digest?: string }): ImageRecord | undefined {
  let digest = ref.digest;
  if (ref.tag !== undefined) {
    const t = tx.get<TagRecord>(scope, TAG, repoKey(repo, ref.tag));
    if (!t || (digest !== undefined && t.digest !== digest)) return undefined;
    digest = t.digest;
  }
  if (digest === undefined) return undefined;
  return tx.get<ImageRecord>(scope, IMAGE, repoKey(repo, digest));
}

/** Whether `tag` may not be moved once set: the repository's mutability and its exclusion filters. */
export function isTagImmutable(repo: RepositoryRecord, tag: string): boolean {
  const matches = () => (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => wildcardMatch(f.filter, tag));
  switch (repo.imageTagMutability) {
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !matches();
    case 'MUTABLE_WITH_EXCLUSION':
      return matches();
    default:
      return false;
  }
}

/** ECR's WILDCARD filters: `*` stands for any run of characters, everything else is literal. */
export function wildcardMatch(filter: string, tag: string): boolean {
  const re = new RegExp(`^${filter.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(tag);
}

export interface PutManifestParams {
  bytes: Buffer;
  mediaType?: string;
  tag?: string;
  digest?: string;
  nowMs: number;
}

/**
 * Stores a manifest (and a tag): validation, referenced layers and child images, the digest the
 * client expected, tag mutability. Writes nothing unless every check passes. `created` is
 * whether the image is new (callers start scan-on-push only then); pushing an archived image
 * restores it. A tag already on this image
 * is no change, except in an immutable position, where ECR refuses the push as it refuses any
 * re-tag (the API checks ImageAlreadyExistsException before calling this).
 */
export function putManifest(tx: Tx, scope: Scope, repo: RepositoryRecord, p: PutManifestParams): { image: ImageRecord; created: boolean } {
  const digest = sha256Digest(p.bytes);
  if (p.digest !== undefined && p.digest !== digest) {
    throw new AwsError(
      'ImageDigestDoesNotMatchException',
      `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The provided digest ${p.digest} does not match the digest ${digest} calculated for the manifest'`,
    );
  }
  const parsed = parse(p.bytes, p.mediaType);
  if (p.tag !== undefined && !isValidTag(p.tag)) throw invalidTag(p.tag);

  const existing = tx.get<ImageRecord>(scope, IMAGE, repoKey(repo.name, digest));
  if (!existing && tx.count(scope, IMAGE, { prefix: repoPrefix(repo.name) }) >= MAX_IMAGES_PER_REPOSITORY) {
    throw new AwsError('LimitExceededException', `The maximum number of images per repository (${MAX_IMAGES_PER_REPOSITORY}) has been reached for the repository with name '${repo.name}' in the registry with id '${repo.registryId}'`);
  }
  const image: ImageRecord = existing ? { ...existing } : newImage(tx, scope, repo, digest, p, parsed);
  // Pushing an archived image again restores it (ECR: "or by re-pushing the image").
  if (image.storageClass === 'ARCHIVE') Object.assign(image, { storageClass: 'STANDARD', activatedAtMs: p.nowMs });

  if (p.tag !== undefined) {
    const current = tx.get<TagRecord>(scope, TAG, repoKey(repo.name, p.tag));
    if (current && isTagImmutable(repo, p.tag)) {
      throw new AwsError(
        'ImageTagAlreadyExistsException',
        `The image tag '${p.tag}' already exists in the '${repo.name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    }
    if (current?.digest !== digest) {
      if (!image.tags.includes(p.tag) && image.tags.length >= MAX_TAGS_PER_IMAGE) {
        throw new AwsError('LimitExceededException', `The maximum number of tags per image (${MAX_TAGS_PER_IMAGE}) has been reached for the image with digest '${digest}'`);
      }
      if (current) dropTagFrom(tx, scope, repo.name, current.digest, p.tag);
      tx.put(scope, TAG, repoKey(repo.name, p.tag), { digest, atMs: p.nowMs } satisfies TagRecord);
      image.tags = [...image.tags.filter((t) => t !== p.tag), p.tag].sort();
    }
  }
  tx.put(scope, IMAGE, repoKey(repo.name, digest), image);
  return { image, created: !existing };
}

function parse(bytes: Buffer, mediaType: string | undefined): ParsedManifest {
  try {
    return parseManifest(bytes, mediaType);
  } catch (e) {
    if (e instanceof ManifestError) throw new AwsError('InvalidParameterException', `Invalid parameter at 'ImageManifest' failed to satisfy constraint: '${e.message}'`);
    throw e;
  }
}

export function invalidTag(tag: string): AwsError {
  return new AwsError(
    'InvalidParameterException',
    `Invalid parameter at 'imageTag' failed to satisfy constraint: 'The image tag '${tag}' must be 1 to ${MAX_TAG_LENGTH} characters from [a-zA-Z0-9_.-], not starting with '.' or '-''`,
  );
}

function newImage(tx: Tx, scope: Scope, repo: RepositoryRecord, digest: string, p: PutManifestParams, m: ParsedManifest): ImageRecord {
  let sizeBytes = 0;
  let refs: string[];
  let children: ImageRecord['children'];
  if (m.kind === 'manifest') {
    const missing: string[] = [];
    const required = requiredBlobs(m);
    for (const d of required) {
      const layer = hasLayer(tx, scope, repo.name, d.digest);
      if (!layer) {
        if (!missing.includes(d.digest)) missing.push(d.digest);
      } else if (d !== m.config) sizeBytes += layer.size;
    }
    // Foreign layers live elsewhere: their size is what the manifest says.
    for (const l of m.layers) if (!required.includes(l)) sizeBytes += l.size;
    if (missing.length) {
      throw new AwsError(
        'LayersNotFoundException',
        `Layers with digests '[${missing.join(', ')}]' required for pushing image into repository with name '${repo.name}' in the registry with id '${repo.registryId}' do not exist`,
      );
    }
    refs = [...new Set([m.config!.digest, ...m.layers.map((l) => l.digest)])];
  } else {
    const missing: string[] = [];
    children = [];
    for (const d of m.manifests) {
      const child = tx.get<ImageRecord>(scope, IMAGE, repoKey(repo.name, d.digest));
      if (!child) {
        if (!missing.includes(d.digest)) missing.push(d.digest);
        continue;
      }
      sizeBytes += child.sizeBytes;
      children.push({ digest: d.digest, mediaType: d.mediaType, ...(d.platform ? { platform: d.platform } : {}) });
    }
    if (missing.length) {
      throw new AwsError(
        'ReferencedImagesNotFoundException',
        `Images with digests '[${missing.join(', ')}]' required for pushing image into repository with name '${repo.name}' in the registry with id '${repo.registryId}' do not exist`,
      );
    }
    refs = [...new Set(m.manifests.map((d) => d.digest))];
  }
  const image: ImageRecord = {
    repo: repo.name,
    digest,
    manifest: p.bytes.toString('utf8'),
    mediaType: m.mediaType,
    sizeBytes,
    pushedAtMs: p.nowMs,
    tags: [],
    refs,
  };
  const artifact = artifactMediaTypeOf(m);
  if (artifact !== undefined) image.artifactMediaType = artifact;
  if (children) image.children = children;
  if (m.subject) image.subject = m.subject.digest;
  return image;
}

function dropTagFrom(tx: Tx, scope: Scope, repo: string, digest: string, tag: string): void {
  const img = tx.get<ImageRecord>(scope, IMAGE, repoKey(repo, digest));
  if (!img) return;
  tx.put(scope, IMAGE, repoKey(repo, digest), { ...img, tags: img.tags.filter((t) => t !== tag) } satisfies ImageRecord);
}

/** Removes an image, its TAG rows and its scan result. Callers check ImageReferencedByManifestList first (indexesReferencing). */
export function deleteImage(tx: Tx, scope: Scope, repo: string, digest: string): void {
  const id = repoKey(repo, digest);
  const img = tx.get<ImageRecord>(scope, IMAGE, id);
  if (!img) return;
  for (const t of img.tags) tx.delete(scope, TAG, repoKey(repo, t));
  tx.delete(scope, IMAGE, id);
  tx.delete(scope, SCAN, id);
}

/** Removes one tag; the image stays (untagged when it was its last). */
export function untagImage(tx: Tx, scope: Scope, repo: string, tag: string): void {
  const id = repoKey(repo, tag);
  const t = tx.get<TagRecord>(scope, TAG, id);
  if (!t) return;
  tx.delete(scope, TAG, id);
  dropTagFrom(tx, scope, repo, t.digest, tag);
}

export function imagesOf(tx: Tx, scope: Scope, repo: string): ImageRecord[] {
  return tx.list<ImageRecord>(scope, IMAGE, { prefix: repoPrefix(repo) }).map((r) => r.value);
}

/** The digests of the repository's indexes that list `digest` as a child. */
export function indexesReferencing(tx: Tx, scope: Scope, repo: string, digest: string): string[] {
  return imagesOf(tx, scope, repo)
    .filter((i) => isIndexType(i.mediaType) && i.refs.includes(digest))
    .map((i) => i.digest);
}

/** Every config and layer digest some image manifest of the repository refers to. */
export function referencedDigests(tx: Tx, scope: Scope, repo: string): Set<string> {
  const out = new Set<string>();
  for (const i of imagesOf(tx, scope, repo)) if (!isIndexType(i.mediaType)) for (const d of i.refs) out.add(d);
  return out;
}

/** The images whose `subject` is `digest` (the referrers API). */
export function referrersOf(tx: Tx, scope: Scope, repo: string, digest: string): ImageRecord[] {
  return imagesOf(tx, scope, repo).filter((i) => i.subject === digest);
}

export function recordPull(tx: Tx, scope: Scope, repo: string, digest: string, nowMs: number): void {
  const id = repoKey(repo, digest);
  const img = tx.get<ImageRecord>(scope, IMAGE, id);
  if (!img || (img.lastPullMs !== undefined && img.lastPullMs >= nowMs)) return;
  tx.put(scope, IMAGE, id, { ...img, lastPullMs: nowMs } satisfies ImageRecord);
}

/** Sets an image's storage class (UpdateImageStorageClass). */
export function setStorageClass(tx: Tx, scope: Scope, repo: string, digest: string, storageClass: 'STANDARD' | 'ARCHIVE', nowMs: number): ImageRecord | undefined {
  const id = repoKey(repo, digest);
  const img = tx.get<ImageRecord>(scope, IMAGE, id);
  if (!img) return undefined;
  if ((img.storageClass ?? 'STANDARD') === storageClass) return img;
  const next: ImageRecord = storageClass === 'ARCHIVE' ? { ...img, storageClass, archivedAtMs: nowMs } : { ...img, storageClass, activatedAtMs: nowMs };
  tx.put(scope, IMAGE, id, next);
  return next;
}

/** Every image, tag and scan row of a repository (DeleteRepository with force). */
export function deleteRepositoryImages(tx: Tx, scope: Scope, repo: string): void {
  const prefix = repoPrefix(repo);
  for (const kind of [TAG, IMAGE, SCAN]) for (const r of tx.list(scope, kind, { prefix })) tx.delete(scope, kind, r.id);
}

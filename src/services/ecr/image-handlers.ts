/**
 * ECR image operations over images.ts: PutImage, BatchGetImage, BatchDeleteImage,
 * DescribeImages, ListImages, ListImageReferrers, UpdateImageStorageClass,
 * DescribeImageReplicationStatus and DescribeImageSigningStatus.
 */
import type {
  BatchDeleteImageRequest, BatchDeleteImageResponse, BatchGetImageRequest, BatchGetImageResponse,
  DescribeImageReplicationStatusRequest, DescribeImageReplicationStatusResponse, DescribeImageSigningStatusRequest,
  DescribeImageSigningStatusResponse, DescribeImagesRequest, DescribeImagesResponse, Image, ImageFailure, ImageIdentifier,
  ImageReferrer, ListImageReferrersRequest, ListImageReferrersResponse, ListImagesRequest, ListImagesResponse,
  PutImageRequest, PutImageResponse, UpdateImageStorageClassRequest, UpdateImageStorageClassResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import type { Scope, Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { failure, idFailure, idOf, imageNotFound, imageStatusOf, NOT_FOUND_REASON, toImage, toImageDetail } from './image-shapes.js';
import { deleteImage, findImage, imagesOf, indexesReferencing, putManifest, recordPull, referrersOf, setStorageClass, untagImage } from './images.js';
import { sweepLayers } from './layers.js';
import { parseManifest, sha256Digest } from './manifests.js';
import { pageAfter, pageToken, resumeAfter } from './image-pages.js';
import { replicationStatuses, signingStatuses } from './image-status.js';
import { registryScope, type ImageRecord, type RepositoryRecord } from './records.js';
import { afterPush } from './registry/scan-hook.js';
import { requireRepository } from './repositories.js';

interface Target {
  registryId: string;
  scope: Scope;
  repo: RepositoryRecord;
}

function target(ctx: RequestContext, input: { registryId?: string; repositoryName?: string }): Target {
  const registryId = input.registryId ?? ctx.account;
  const scope = registryScope(registryId, ctx.region);
  return { registryId, scope, repo: requireRepository(ctx.tx, scope, input.repositoryName!) };
}

/** One image id looked up as BatchGetImage and BatchDeleteImage do: the image or the failure. */
function lookup(tx: Tx, t: Target, id: ImageIdentifier): { image: ImageRecord } | { failure: ImageFailure } {
  const bad = idFailure(id);
  if (bad) return { failure: bad };
  if (id.imageTag !== undefined) {
    const byTag = findImage(tx, t.scope, t.repo.name, { tag: id.imageTag });
    if (!byTag) return { failure: failure(id, 'ImageNotFound', NOT_FOUND_REASON) };
    if (id.imageDigest !== undefined && byTag.digest !== id.imageDigest) {
      return { failure: failure(id, 'ImageTagDoesNotMatchDigest', 'Invalid request parameters: given tag and digest do not point to the same image') };
    }
    return { image: byTag };
  }
  const byDigest = findImage(tx, t.scope, t.repo.name, { digest: id.imageDigest! });
  return byDigest ? { image: byDigest } : { failure: failure(id, 'ImageNotFound', NOT_FOUND_REASON) };
}

/** The same id twice is answered once. */
function unique(ids: ImageIdentifier[]): ImageIdentifier[] {
  const seen = new Set<string>();
  return ids.filter((id) => {
    const k = `${id.imageDigest ?? ''}\u0000${id.imageTag ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** A string with half a surrogate pair has no UTF-8 form: not a manifest ECR can store. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const putImage: Handler<PutImageRequest, PutImageResponse> = async (input, ctx) => {
  const t = target(ctx, input);
  const text = input.imageManifest!;
  if (LONE_SURROGATE.test(text)) {
    throw new AwsError('InvalidParameterException', "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Invalid JSON syntax'");
  }
  const bytes = Buffer.from(text, 'utf8');
  const digest = sha256Digest(bytes);
  const tag = input.imageTag;
  const existing = findImage(ctx.tx, t.scope, t.repo.name, { digest });
  if (existing && existing.storageClass !== 'ARCHIVE' && (input.imageDigest === undefined || input.imageDigest === digest) && (tag === undefined || existing.tags.includes(tag))) {
    throw new AwsError(
      'ImageAlreadyExistsException',
      `Image with digest '${digest}' and tag '${tag ?? 'null'}' already exists in the repository with name '${t.repo.name}' in registry with id '${t.registryId}'`,
    );
  }
  const nowMs = ctx.clock.nowMs();
  const { image, created } = putManifest(ctx.tx, t.scope, t.repo, {
    bytes, nowMs,
    ...(input.imageManifestMediaType !== undefined ? { mediaType: input.imageManifestMediaType } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(input.imageDigest !== undefined ? { digest: input.imageDigest } : {}),
  });
  // Scan on push, as the registry's manifest PUT does (scan module: shouldScanOnPush, startScan).
  if (created) await afterPush(ctx, t.scope, t.repo, image.digest);
  return { image: toImage(image, t.registryId, tag) };
};

const batchGetImage: Handler<BatchGetImageRequest, BatchGetImageResponse> = (input, ctx) => {
  const t = target(ctx, input);
  const accepted = input.acceptedMediaTypes;
  const images: Image[] = [];
  const failures: ImageFailure[] = [];
  const nowMs = ctx.clock.nowMs();
  for (const id of unique(input.imageIds ?? [])) {
    const r = lookup(ctx.tx, t, id);
    if ('failure' in r) { failures.push(r.failure); continue; }
    const img = r.image;
    // No conversion: an image of a type the caller does not take is not there for it.
    if (accepted && !accepted.includes(img.mediaType)) { failures.push(failure(id, 'ImageNotFound', NOT_FOUND_REASON)); continue; }
    if (img.storageClass === 'ARCHIVE') {
      failures.push(failure(id, 'ImageNotFound', 'Requested image is archived; restore it with UpdateImageStorageClass before pulling'));
      continue;
    }
    images.push(toImage(img, t.registryId, id.imageTag));
    recordPull(ctx.tx, t.scope, t.repo.name, img.digest, nowMs);
  }
  return { images, failures };
};

const batchDeleteImage: Handler<BatchDeleteImageRequest, BatchDeleteImageResponse> = (input, ctx) => {
  const t = target(ctx, input);
  const imageIds: ImageIdentifier[] = [];
  const failures: ImageFailure[] = [];
  let deleted = false;
  for (const id of unique(input.imageIds ?? [])) {
    const r = lookup(ctx.tx, t, id);
    if ('failure' in r) { failures.push(r.failure); continue; }
    const img = r.image;
    const byTag = id.imageTag !== undefined && id.imageDigest === undefined;
    const removesImage = !byTag || img.tags.length === 1;
    if (removesImage) {
      const parents = indexesReferencing(ctx.tx, t.scope, t.repo.name, img.digest);
      if (parents.length) {
        failures.push(failure(id, 'ImageReferencedByManifestList', `Requested image referenced by manifest list: [${parents.join(', ')}]`));
        continue;
      }
    }
    if (byTag) {
      untagImage(ctx.tx, t.scope, t.repo.name, id.imageTag!);
      imageIds.push(idOf(img.digest, id.imageTag));
    } else if (img.tags.length) {
      for (const tag of img.tags) imageIds.push(idOf(img.digest, tag));
    } else {
      imageIds.push(idOf(img.digest));
    }
    // Deleting by tag removes the tag; the image goes with its last one.
    if (removesImage) { deleteImage(ctx.tx, t.scope, t.repo.name, img.digest); deleted = true; }
  }
  if (deleted) {
    const orphans = sweepLayers(ctx.tx, t.scope, t.repo.name, ctx.clock.nowMs());
    if (orphans.length) ctx.afterCommit(() => { for (const b of orphans) ctx.blobs.delete(b); });
  }
  return { imageIds, failures };
};

type TagStatus = 'TAGGED' | 'UNTAGGED' | 'ANY';
type StatusFilter = 'ACTIVE' | 'ARCHIVED' | 'ACTIVATING' | 'ANY';

function statusMatches(img: ImageRecord, want: StatusFilter | undefined): boolean {
  const w = want ?? 'ACTIVE';
  return w === 'ANY' || imageStatusOf(img) === w;
}

function tagMatches(img: ImageRecord, want: TagStatus | undefined): boolean {
  const w = want ?? 'ANY';
  return w === 'ANY' || (w === 'TAGGED') === img.tags.length > 0;
}

const describeImages: Handler<DescribeImagesRequest, DescribeImagesResponse> = (input, ctx) => {
  const t = target(ctx, input);
  if (input.imageIds?.length) {
    if (input.nextToken !== undefined || input.maxResults !== undefined) {
      throw new AwsError('InvalidParameterException', "Invalid parameter at 'imageIds' failed to satisfy constraint: 'imageIds cannot be used with maxResults or nextToken'");
    }
    const out = new Map<string, ImageRecord>();
    for (const id of input.imageIds) {
      if (id.imageDigest === undefined && id.imageTag === undefined) {
        throw new AwsError('InvalidParameterException', 'Invalid request parameters: both tag and digest cannot be null');
      }
      const img = findImage(ctx.tx, t.scope, t.repo.name, { ...(id.imageTag !== undefined ? { tag: id.imageTag } : {}), ...(id.imageDigest !== undefined ? { digest: id.imageDigest } : {}) });
      if (!img) throw imageNotFound(id, t.repo.name, t.registryId);
      out.set(img.digest, img);
    }
    return { imageDetails: [...out.values()].map((i) => toImageDetail(ctx.tx, t.scope, i, t.registryId)) };
  }
  const all = imagesOf(ctx.tx, t.scope, t.repo.name)
    .filter((i) => tagMatches(i, input.filter?.tagStatus) && statusMatches(i, input.filter?.imageStatus))
    .map((i) => ({ key: i.digest, img: i }));
  const binding = { operation: 'DescribeImages', input };
  const page = pageAfter(all, resumeAfter(binding, input.nextToken), input.maxResults ?? 100);
  return {
    imageDetails: page.items.map((e) => toImageDetail(ctx.tx, t.scope, e.img, t.registryId)),
    ...(page.more ? { nextToken: pageToken(binding, page.items[page.items.length - 1]!.key) } : {}),
  };
};

const listImages: Handler<ListImagesRequest, ListImagesResponse> = (input, ctx) => {
  const t = target(ctx, input);
  const want = input.filter?.tagStatus ?? 'ANY';
  const entries: Array<{ key: string; id: ImageIdentifier }> = [];
  for (const img of imagesOf(ctx.tx, t.scope, t.repo.name)) {
    if (!statusMatches(img, input.filter?.imageStatus)) continue;
    if (img.tags.length === 0) {
      if (want !== 'TAGGED') entries.push({ key: `${img.digest}\u0000`, id: idOf(img.digest) });
    } else if (want !== 'UNTAGGED') {
      for (const tag of img.tags) entries.push({ key: `${img.digest}\u0000${tag}`, id: idOf(img.digest, tag) });
    }
  }
  const binding = { operation: 'ListImages', input };
  const page = pageAfter(entries, resumeAfter(binding, input.nextToken), input.maxResults ?? 100);
  return {
    imageIds: page.items.map((e) => e.id),
    ...(page.more ? { nextToken: pageToken(binding, page.items[page.items.length - 1]!.key) } : {}),
  };
};

const listImageReferrers: Handler<ListImageReferrersRequest, ListImageReferrersResponse> = (input, ctx) => {
  const t = target(ctx, input);
  const subject = input.subjectId!.imageDigest!;
  const types = input.filter?.artifactTypes;
  const status = input.filter?.artifactStatus;
  const entries = referrersOf(ctx.tx, t.scope, t.repo.name, subject)
    .filter((i) => statusMatches(i, status) && (!types?.length || (i.artifactMediaType !== undefined && types.includes(i.artifactMediaType))))
    .map((i) => ({ key: i.digest, ref: toReferrer(i) }));
  const binding = { operation: 'ListImageReferrers', input };
  const page = pageAfter(entries, resumeAfter(binding, input.nextToken), input.maxResults ?? 50);
  return {
    referrers: page.items.map((e) => e.ref),
    ...(page.more ? { nextToken: pageToken(binding, page.items[page.items.length - 1]!.key) } : {}),
  };
};

function toReferrer(img: ImageRecord): ImageReferrer {
  const bytes = Buffer.from(img.manifest, 'utf8');
  const annotations = parseManifest(bytes, img.mediaType).annotations;
  return {
    digest: img.digest,
    mediaType: img.mediaType,
    size: bytes.length,
    artifactStatus: imageStatusOf(img),
    ...(img.artifactMediaType !== undefined ? { artifactType: img.artifactMediaType } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

/** The one image an operation on a single imageId names (ImageNotFoundException otherwise). */
function requireImage(ctx: RequestContext, t: Target, id: ImageIdentifier): ImageRecord {
  const bad = idFailure(id);
  const img = bad ? undefined : findImage(ctx.tx, t.scope, t.repo.name, {
    ...(id.imageTag !== undefined ? { tag: id.imageTag } : {}),
    ...(id.imageDigest !== undefined ? { digest: id.imageDigest } : {}),
  });
  if (!img) throw imageNotFound(id, t.repo.name, t.registryId);
  return img;
}

const updateImageStorageClass: Handler<UpdateImageStorageClassRequest, UpdateImageStorageClassResponse> = (input, ctx) => {
  const t = target(ctx, input);
  const img = requireImage(ctx, t, input.imageId!);
  const next = setStorageClass(ctx.tx, t.scope, t.repo.name, img.digest, input.targetStorageClass as 'STANDARD' | 'ARCHIVE', ctx.clock.nowMs())!;
  return { registryId: t.registryId, repositoryName: t.repo.name, imageId: idOf(img.digest, input.imageId!.imageTag), imageStatus: imageStatusOf(next) };
};

// Replication and signing: stored, never performed (image-status.ts says what that reports).
const describeImageReplicationStatus: Handler<DescribeImageReplicationStatusRequest, DescribeImageReplicationStatusResponse> = (input, ctx) => {
  const t = target(ctx, input);
  const img = requireImage(ctx, t, input.imageId!);
  return { repositoryName: t.repo.name, imageId: idOf(img.digest, input.imageId!.imageTag), replicationStatuses: replicationStatuses(ctx.tx, t.scope, t.repo.name) };
};

const describeImageSigningStatus: Handler<DescribeImageSigningStatusRequest, DescribeImageSigningStatusResponse> = (input, ctx) => {
  const t = target(ctx, input);
  const img = requireImage(ctx, t, input.imageId!);
  return { registryId: t.registryId, repositoryName: t.repo.name, imageId: idOf(img.digest, input.imageId!.imageTag), signingStatuses: signingStatuses(ctx.tx, t.scope, t.repo.name) };
};

/** ECR operations of this area (see index.ts). */
export const imageHandlers: Record<string, Handler> = {
  PutImage: putImage,
  BatchGetImage: batchGetImage,
  BatchDeleteImage: batchDeleteImage,
  DescribeImages: describeImages,
  ListImages: listImages,
  ListImageReferrers: listImageReferrers,
  UpdateImageStorageClass: updateImageStorageClass,
  DescribeImageReplicationStatus: describeImageReplicationStatus,
  DescribeImageSigningStatus: describeImageSigningStatus,
};

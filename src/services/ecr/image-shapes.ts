/**
 * ECR's output shapes for images: Image (PutImage, BatchGetImage), ImageDetail (DescribeImages,
 * with the scan status and summary read from the SCAN row), ImageIdentifier and ImageFailure,
 * and the errors that name an image the way ECR prints it.
 */
import type { Image, ImageDetail, ImageFailure, ImageFailureCode, ImageIdentifier, ImageStatus } from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import type { Scope, Tx } from '../../store/types.js';
import { isValidDigest } from './images.js';
import { repoKey, SCAN, type ImageRecord, type ScanRecord } from './records.js';

export function idOf(digest: string, tag?: string): ImageIdentifier {
  return tag === undefined ? { imageDigest: digest } : { imageDigest: digest, imageTag: tag };
}

export function toImage(img: ImageRecord, registryId: string, tag?: string): Image {
  return {
    registryId,
    repositoryName: img.repo,
    imageId: idOf(img.digest, tag),
    imageManifest: img.manifest,
    imageManifestMediaType: img.mediaType,
  };
}

export function imageStatusOf(img: ImageRecord): ImageStatus {
  return img.storageClass === 'ARCHIVE' ? 'ARCHIVED' : 'ACTIVE';
}

export function toImageDetail(tx: Tx, scope: Scope, img: ImageRecord, registryId: string): ImageDetail {
  const d: ImageDetail = {
    registryId,
    repositoryName: img.repo,
    imageDigest: img.digest,
    imageSizeInBytes: img.sizeBytes,
    imagePushedAt: new Date(img.pushedAtMs),
    imageManifestMediaType: img.mediaType,
    imageStatus: imageStatusOf(img),
  };
  if (img.tags.length) d.imageTags = [...img.tags];
  if (img.artifactMediaType !== undefined) d.artifactMediaType = img.artifactMediaType;
  if (img.lastPullMs !== undefined) d.lastRecordedPullTime = new Date(img.lastPullMs);
  if (img.subject !== undefined) d.subjectManifestDigest = img.subject;
  if (img.archivedAtMs !== undefined) d.lastArchivedAt = new Date(img.archivedAtMs);
  if (img.activatedAtMs !== undefined) d.lastActivatedAt = new Date(img.activatedAtMs);
  const scan = tx.get<ScanRecord>(scope, SCAN, repoKey(img.repo, img.digest));
  if (scan) {
    d.imageScanStatus = { status: scan.status, ...(scan.description !== undefined ? { description: scan.description } : {}) };
    if (scan.status === 'COMPLETE') {
      const counts: Record<string, number> = {};
      for (const f of scan.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
      d.imageScanFindingsSummary = { findingSeverityCounts: counts };
      if (scan.completedAtMs !== undefined) d.imageScanFindingsSummary.imageScanCompletedAt = new Date(scan.completedAtMs);
      const updated = sourceDate(scan.database);
      if (updated) d.imageScanFindingsSummary.vulnerabilitySourceUpdatedAt = updated;
    }
  }
  return d;
}

/** The date a vulnerability database names (its version carries the source and the date). */
function sourceDate(database: string | undefined): Date | undefined {
  const m = database && /\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z)?/.exec(database);
  if (!m) return undefined;
  const t = Date.parse(m[0]);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** {imageDigest:'…', imageTag:'…'} with 'null' for a missing member, as ECR's messages print an image id. */
export function idText(id: ImageIdentifier): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;
}

export function imageNotFound(id: ImageIdentifier, repo: string, registryId: string): AwsError {
  return new AwsError(
    'ImageNotFoundException',
    `The image with imageId ${idText(id)} does not exist within the repository with name '${repo}' in the registry with id '${registryId}'`,
  );
}

export function failure(id: ImageIdentifier, failureCode: ImageFailureCode, failureReason: string): ImageFailure {
  const imageId: ImageIdentifier = {};
  if (id.imageDigest !== undefined) imageId.imageDigest = id.imageDigest;
  if (id.imageTag !== undefined) imageId.imageTag = id.imageTag;
  return { imageId, failureCode, failureReason };
}

export const NOT_FOUND_REASON = 'Requested image not found';

/** The failure an image id earns before any lookup (BatchGetImage, BatchDeleteImage), if any. */
export function idFailure(id: ImageIdentifier): ImageFailure | undefined {
  if (id.imageDigest === undefined && id.imageTag === undefined) {
    return failure(id, 'MissingDigestAndTag', 'Invalid request parameters: both tag and digest cannot be null');
  }
  if (id.imageDigest !== undefined && !/^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$/.test(id.imageDigest)) {
    return failure(id, 'InvalidImageDigest', "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'");
  }
  if (id.imageDigest !== undefined && !isValidDigest(id.imageDigest)) return failure(id, 'ImageNotFound', NOT_FOUND_REASON);
  return undefined;
}

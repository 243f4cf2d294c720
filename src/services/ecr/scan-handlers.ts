/**
 * ECR basic scanning: DescribeImageScanFindings (the SCAN row as ECR reports it: status, findings
 * page by page with their package attributes, counts per severity over all findings, when the
 * scan completed and how current its database was) and StartImageScan (a rescan, at most one per
 * image per 24 hours by the cloudlet clock, the scan on push included). The scans: scan/.
 */
import type {
  Attribute, DescribeImageScanFindingsRequest, DescribeImageScanFindingsResponse, FindingSeverity, ImageIdentifier,
  ImageScanFinding, StartImageScanRequest, StartImageScanResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { idText, imageNotFound } from './image-shapes.js';
import { pageToken, resumeAfter } from './image-pages.js';
import { findImage } from './images.js';
import { registryScope, type ImageRecord, type RepositoryRecord, type ScanRecord } from './records.js';
import { requireRepository } from './repositories.js';
import { getScan, interrupted, SCAN_INTERVAL_MS, startScan } from './scan/index.js';

interface Found {
  registryId: string;
  scope: { account: string; region: string };
  repo: RepositoryRecord;
  image: ImageRecord;
  imageId: ImageIdentifier;
}

function validateId(id: ImageIdentifier | undefined): ImageIdentifier {
  if (!id || (id.imageDigest === undefined && id.imageTag === undefined)) {
    throw new AwsError('InvalidParameterException', 'Invalid parameter at \'imageId\' failed to satisfy constraint: \'Either imageDigest or imageTag must be specified\'');
  }
  return id;
}

function findTarget(ctx: RequestContext, input: { registryId?: string; repositoryName?: string; imageId?: ImageIdentifier }): Found {
  const registryId = input.registryId ?? ctx.account;
  const scope = registryScope(registryId, ctx.region);
  const repo = requireRepository(ctx.tx, scope, input.repositoryName!);
  const id = validateId(input.imageId);
  const image = id.imageTag !== undefined
    ? findImage(ctx.tx, scope, repo.name, { tag: id.imageTag })
    : findImage(ctx.tx, scope, repo.name, { digest: id.imageDigest! });
  if (!image || (id.imageDigest !== undefined && image.digest !== id.imageDigest)) throw imageNotFound(id, repo.name, registryId);
  const imageId: ImageIdentifier = { imageDigest: image.digest };
  if (id.imageTag !== undefined) imageId.imageTag = id.imageTag;
  return { registryId, scope, repo, image, imageId };
}

function toFinding(f: ScanRecord['findings'][number]): ImageScanFinding {
  const attributes: Attribute[] = [
    { key: 'package_version', value: f.version },
    { key: 'package_name', value: f.package },
  ];
  if (f.vector !== undefined) attributes.push({ key: 'CVSS3_VECTOR', value: f.vector });
  if (f.score !== undefined) attributes.push({ key: 'CVSS3_SCORE', value: f.score.toFixed(1) });
  // Not in ECR's own attribute set: what cloudlet knows and a reader needs to fix the finding.
  if (f.fixedVersion !== undefined) attributes.push({ key: 'fixed_in_version', value: f.fixedVersion });
  attributes.push({ key: 'ecosystem', value: f.ecosystem });
  const out: ImageScanFinding = { name: f.name, uri: f.uri, severity: f.severity as FindingSeverity, attributes };
  if (f.description !== undefined) out.description = f.description;
  return out;
}

/** The date a database label names (scan/index.ts writes it as '..., updated ISO-DATE' or '(YYYY-MM-DD)'). */
function sourceUpdatedAt(database: string | undefined): Date | undefined {
  const m = database && (/updated (\S+)$/.exec(database) ?? /\d{4}-\d{2}-\d{2}/.exec(database));
  if (!m) return undefined;
  const t = Date.parse(m[1] ?? m[0]);
  return Number.isNaN(t) ? undefined : new Date(t);
}

export const describeImageScanFindings: Handler<DescribeImageScanFindingsRequest, DescribeImageScanFindingsResponse> = (input, ctx) => {
  const max = input.maxResults ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new AwsError('ValidationException', `1 validation error detected: Value '${input.maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : 'less than or equal to 1000'}`);
  }
  const t = findTarget(ctx, input);
  let scan = getScan(ctx.tx, t.scope, t.repo.name, t.image.digest);
  if (scan && interrupted(scan)) {
    // Cloudlet stopped while this scan ran: it runs again now.
    startScan(ctx, t.scope, t.repo.name, t.image.digest);
    scan = getScan(ctx.tx, t.scope, t.repo.name, t.image.digest);
  }
  if (!scan) {
    throw new AwsError('ScanNotFoundException', `Image scan does not exist for the image with '${idText(input.imageId!)}' in the repository with name '${t.repo.name}' in the registry with id '${t.registryId}'`);
  }
  const out: DescribeImageScanFindingsResponse = {
    registryId: t.registryId, repositoryName: t.repo.name, imageId: t.imageId,
    imageScanStatus: { status: scan.status, ...(scan.description !== undefined ? { description: scan.description } : {}) },
  };
  if (scan.status !== 'COMPLETE') return out;
  const binding = { operation: 'DescribeImageScanFindings', input };
  const after = resumeAfter(binding, input.nextToken);
  const start = after === undefined ? 0 : Number(after) + 1;
  const page = scan.findings.slice(start, start + max);
  const counts: Partial<Record<FindingSeverity, number>> = {};
  for (const f of scan.findings) counts[f.severity as FindingSeverity] = (counts[f.severity as FindingSeverity] ?? 0) + 1;
  out.imageScanFindings = { findings: page.map(toFinding), findingSeverityCounts: counts };
  if (scan.completedAtMs !== undefined) out.imageScanFindings.imageScanCompletedAt = new Date(scan.completedAtMs);
  const updated = sourceUpdatedAt(scan.database);
  if (updated) out.imageScanFindings.vulnerabilitySourceUpdatedAt = updated;
  if (start + max < scan.findings.length) out.nextToken = pageToken(binding, String(start + max - 1).padStart(8, '0'));
  return out;
};

/** Why an image cannot be scanned at all (an index, an artifact), before any scan is started. */
function unscannable(image: ImageRecord): string | undefined {
  if (image.children !== undefined) return 'manifest lists and image indexes';
  try {
    const m = JSON.parse(image.manifest) as { config?: { mediaType?: string }; layers?: unknown };
    const cfg = m.config?.mediaType;
    if (!Array.isArray(m.layers)) return 'manifests without layers';
    if (cfg && cfg !== 'application/vnd.oci.image.config.v1+json' && cfg !== 'application/vnd.docker.container.image.v1+json') return `artifacts (config media type ${cfg})`;
  } catch {
    return 'manifests that are not JSON';
  }
  return undefined;
}

export const startImageScan: Handler<StartImageScanRequest, StartImageScanResponse> = (input, ctx) => {
  const t = findTarget(ctx, input);
  if (t.image.storageClass === 'ARCHIVE') {
    throw new AwsError('ImageArchivedException', `The image with imageId ${idText(input.imageId!)} is archived and cannot be scanned; restore it with UpdateImageStorageClass first`);
  }
  const why = unscannable(t.image);
  if (why) throw new AwsError('UnsupportedImageTypeException', `Unsupported image type: basic scanning does not scan ${why}`);
  const last = getScan(ctx.tx, t.scope, t.repo.name, t.image.digest);
  if (last && !interrupted(last) && ctx.clock.nowMs() - last.startedAtMs < SCAN_INTERVAL_MS) {
    throw new AwsError('LimitExceededException', 'The scan quota per image has been exceeded. Wait and try again.');
  }
  startScan(ctx, t.scope, t.repo.name, t.image.digest);
  return { registryId: t.registryId, repositoryName: t.repo.name, imageId: t.imageId, imageScanStatus: { status: 'IN_PROGRESS' } };
};

/** ECR operations of this area (see index.ts). */
export const scanHandlers: Record<string, Handler> = {
  DescribeImageScanFindings: describeImageScanFindings,
  StartImageScan: startImageScan,
};

/**
 * ECR repositories: the only writer of REPOSITORY rows. Lookups other modules use
 * (findRepository, requireRepository, updateRepository, repositoryUri) and the handlers of
 * CreateRepository, DescribeRepositories, DeleteRepository, PutImageTagMutability and
 * PutImageScanningConfiguration. A repository lives in its registry's scope
 * {account: registryId, region}.
 */
import { createHash } from 'node:crypto';
import type {
  CreateRepositoryRequest, CreateRepositoryResponse, DeleteRepositoryRequest, DeleteRepositoryResponse,
  DescribeRepositoriesRequest, DescribeRepositoriesResponse, PutImageScanningConfigurationRequest,
  PutImageScanningConfigurationResponse, PutImageTagMutabilityRequest, PutImageTagMutabilityResponse, Repository,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, type PageBinding } from '../../core/page-token.js';
import type { Scope, Tx } from '../../store/types.js';
import { ECR_REPOSITORY_NAME_PATTERN } from '../registry.js';
import type { Handler, RequestContext } from '../types.js';
import { deleteRepositoryImages } from './images.js';
import { dropRepositoryLayers } from './layers.js';
import { IMAGE, REPOSITORY, registryScope, repoPrefix, type RepositoryRecord, type TagMutability } from './records.js';
import { checkTags } from './tagging.js';

export type { RepositoryRecord } from './records.js';

/** AWS's repository name rule, as its error message prints it (one spelling, shared with the codec's ECR style). */
export const NAME_PATTERN = ECR_REPOSITORY_NAME_PATTERN;
const NAME_RE = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** InvalidParameterException in ECR's words, for one parameter. */
export function invalidParameter(param: string, constraint: string): AwsError {
  return new AwsError('InvalidParameterException', `Invalid parameter at '${param}' failed to satisfy constraint: '${constraint}'`);
}

/**
 * Throws ECR's InvalidParameterException unless `name` is a valid repository name. On the API
 * path the JSON codec's ECR style refuses a bad name first, in these same words; this still
 * guards CreateRepository when the model's value checks are off (codecFor's `constraints: false`,
 * the conformance run), so no stored name is one the registry front door cannot address.
 */
export function checkRepositoryName(name: string, param = 'repositoryName'): void {
  if (name.length < 2) throw invalidParameter(param, 'must have length greater than or equal to 2');
  if (name.length > 256) throw invalidParameter(param, 'must have length less than or equal to 256');
  if (!NAME_RE.test(name)) throw invalidParameter(param, `must satisfy regular expression '${NAME_PATTERN}'`);
}

export function repositoryArn(registryId: string, region: string, name: string): string {
  return `arn:aws:ecr:${region}:${registryId}:repository/${name}`;
}

/** The port of the request's Host header ('' when it has none). */
export function hostPort(ctx: Pick<RequestContext, 'wire'>): string {
  const host = ctx.wire.headers.host ?? '';
  const m = /:(\d+)$/.exec(host);
  return m && !/^\[[^\]]*$/.test(host.slice(0, m.index)) ? m[1]! : '';
}

/** ACCOUNT.dkr.ecr.REGION.localhost[:PORT]/NAME, the form docker and skopeo push to. */
export function repositoryUri(registryId: string, region: string, name: string, port: string): string {
  return `${registryId}.dkr.ecr.${region}.localhost${port ? `:${port}` : ''}/${name}`;
}

/** The row written before repositories could be created through the API (kept by snapshots and exports of that time). */
interface LegacyRepositoryRow { createdAt?: string; encryptionType?: string }

/** A stored row in today's shape: rows of the first layout (createdAt text, encryptionType) are read as they were meant. */
export function readRepository(raw: RepositoryRecord & LegacyRepositoryRow, scope: Scope): RepositoryRecord {
  if (raw.createdAtMs !== undefined && raw.encryption && raw.tags) return raw;
  const { createdAt, encryptionType, ...rest } = raw;
  const at = createdAt === undefined ? NaN : Date.parse(createdAt);
  return {
    ...rest,
    region: raw.region ?? scope.region,
    createdAtMs: raw.createdAtMs ?? (Number.isFinite(at) ? at : 0),
    encryption: raw.encryption ?? { encryptionType: (encryptionType as RepositoryRecord['encryption']['encryptionType'] | undefined) ?? 'AES256' },
    tags: raw.tags ?? [],
    imageTagMutability: raw.imageTagMutability ?? 'MUTABLE',
    scanOnPush: raw.scanOnPush ?? false,
  };
}

export function findRepository(tx: Tx, scope: Scope, name: string): RepositoryRecord | undefined {
  const raw = tx.get<RepositoryRecord>(scope, REPOSITORY, name);
  return raw && readRepository(raw, scope);
}

export function notFound(name: string, registryId: string): AwsError {
  return new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`);
}

export function requireRepository(tx: Tx, scope: Scope, name: string): RepositoryRecord {
  const r = findRepository(tx, scope, name);
  if (!r) throw notFound(name, scope.account);
  return r;
}

/** Rewrites one repository row (the lifecycle and policy code keep their fields through here). */
export function updateRepository(tx: Tx, scope: Scope, name: string, change: (r: RepositoryRecord) => RepositoryRecord): RepositoryRecord {
  const next = change(requireRepository(tx, scope, name));
  tx.put(scope, REPOSITORY, name, next);
  return next;
}

export function allRepositories(tx: Tx, scope: Scope): RepositoryRecord[] {
  return tx.list<RepositoryRecord>(scope, REPOSITORY).map((r) => readRepository(r.value, scope));
}

/** The request's registry: registryId when given, else the caller's account; in the request's region. */
export function requestScope(ctx: RequestContext, registryId: string | undefined): Scope {
  return registryScope(registryId ?? ctx.account, ctx.region);
}

/** The ARN of the AWS managed key aws/ecr, as ECR reports it for KMS encryption without a key. */
export function managedKeyArn(account: string, region: string): string {
  const h = createHash('sha256').update(`aws/ecr\u0000${account}\u0000${region}`).digest('hex');
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return `arn:aws:kms:${region}:${account}:key/${id}`;
}

const MUTABILITY: ReadonlySet<string> = new Set(['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION']);
const FILTER_RE = /^[0-9a-zA-Z._*-]{1,128}$/;

/** Tag mutability and its exclusion filters, checked together as ECR does. */
export function checkMutability(mode: string | undefined, filters: Array<{ filterType?: string; filter?: string }> | undefined): {
  imageTagMutability: TagMutability; imageTagMutabilityExclusionFilters?: Array<{ filterType: string; filter: string }>;
} {
  const m = (mode ?? 'MUTABLE') as TagMutability;
  if (!MUTABILITY.has(m)) throw invalidParameter('imageTagMutability', `Member must satisfy enum value set: [${[...MUTABILITY].join(', ')}]`);
  const withExclusion = m.endsWith('_WITH_EXCLUSION');
  if (!withExclusion) {
    if (filters?.length) {
      throw new AwsError('InvalidParameterException', `Image tag mutability exclusion filters can only be used with the ${m}_WITH_EXCLUSION tag mutability setting`);
    }
    return { imageTagMutability: m };
  }
  if (!filters?.length) {
    throw new AwsError('InvalidParameterException', `At least one image tag mutability exclusion filter is required for the ${m} tag mutability setting`);
  }
  if (filters.length > 5) throw invalidParameter('imageTagMutabilityExclusionFilters', 'Member must have length less than or equal to 5');
  const out = filters.map((f, i) => {
    if (f.filterType !== 'WILDCARD') throw invalidParameter(`imageTagMutabilityExclusionFilters.${i + 1}.member.filterType`, 'Member must satisfy enum value set: [WILDCARD]');
    if (typeof f.filter !== 'string' || !FILTER_RE.test(f.filter)) {
      throw invalidParameter(`imageTagMutabilityExclusionFilters.${i + 1}.member.filter`, 'Member must satisfy regular expression pattern: ^[0-9a-zA-Z._*-]{1,128}$');
    }
    return { filterType: f.filterType, filter: f.filter };
  });
  return { imageTagMutability: m, imageTagMutabilityExclusionFilters: out };
}

const ENCRYPTION: ReadonlySet<string> = new Set(['AES256', 'KMS', 'KMS_DSSE']);

export function checkEncryption(e: { encryptionType?: string; kmsKey?: string } | undefined, account: string, region: string): RepositoryRecord['encryption'] {
  if (!e) return { encryptionType: 'AES256' };
  const type = e.encryptionType ?? 'AES256';
  if (!ENCRYPTION.has(type)) throw invalidParameter('encryptionConfiguration.encryptionType', 'Member must satisfy enum value set: [AES256, KMS, KMS_DSSE]');
  if (type === 'AES256') {
    if (e.kmsKey !== undefined) throw new AwsError('InvalidParameterException', 'Invalid parameter: kmsKey can only be specified when encryptionType is KMS or KMS_DSSE');
    return { encryptionType: 'AES256' };
  }
  const key = e.kmsKey;
  if (key === undefined || key === '') return { encryptionType: type as 'KMS' | 'KMS_DSSE', kmsKey: managedKeyArn(account, region) };
  const keyId = /^(?:arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(?:key|alias)\/.+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|alias\/.+|mrk-[0-9a-f]{32})$/;
  if (!keyId.test(key)) {
    throw new AwsError('KmsException', `The KMS key '${key}' is not valid: give a key ID, key ARN, alias name or alias ARN`);
  }
  // A bare id or alias is reported as the ARN AWS resolves it to.
  const arn = key.startsWith('arn:') ? key : `arn:aws:kms:${region}:${account}:${key.startsWith('alias/') ? key : `key/${key}`}`;
  return { encryptionType: type as 'KMS' | 'KMS_DSSE', kmsKey: arn };
}

export function toRepository(r: RepositoryRecord, port: string): Repository {
  const out: Repository = {
    repositoryArn: r.arn,
    registryId: r.registryId,
    repositoryName: r.name,
    repositoryUri: repositoryUri(r.registryId, r.region, r.name, port),
    createdAt: new Date(r.createdAtMs),
    imageTagMutability: r.imageTagMutability,
    imageScanningConfiguration: { scanOnPush: r.scanOnPush },
    encryptionConfiguration: r.encryption.kmsKey ? { encryptionType: r.encryption.encryptionType, kmsKey: r.encryption.kmsKey } : { encryptionType: r.encryption.encryptionType },
  };
  if (r.imageTagMutabilityExclusionFilters?.length) {
    out.imageTagMutabilityExclusionFilters = r.imageTagMutabilityExclusionFilters as Repository['imageTagMutabilityExclusionFilters'];
  }
  return out;
}

export const createRepository: Handler<CreateRepositoryRequest, CreateRepositoryResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const name = input.repositoryName ?? '';
  checkRepositoryName(name);
  const tags = checkTags(input.tags ?? []);
  const mutability = checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
  const encryption = checkEncryption(input.encryptionConfiguration, scope.account, scope.region);
  if (findRepository(ctx.tx, scope, name)) {
    throw new AwsError('RepositoryAlreadyExistsException', `The repository with name '${name}' already exists in the registry with id '${scope.account}'`);
  }
  const port = hostPort(ctx);
  const rec: RepositoryRecord = {
    name,
    arn: repositoryArn(scope.account, scope.region, name),
    registryId: scope.account,
    region: scope.region,
    uri: repositoryUri(scope.account, scope.region, name, port),
    createdAtMs: ctx.clock.nowMs(),
    ...mutability,
    scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
    encryption,
    tags,
  };
  ctx.tx.put(scope, REPOSITORY, name, rec);
  return { repository: toRepository(rec, port) };
};

function decodeToken(binding: PageBinding, token: string | undefined): string | undefined {
  if (token === undefined) return undefined;
  const id = decodePageToken(binding, token);
  if (id === undefined) throw new AwsError('InvalidParameterException', "Invalid parameter at 'nextToken' failed to satisfy constraint: 'the token is not valid for this request'");
  return id;
}

export const describeRepositories: Handler<DescribeRepositoriesRequest, DescribeRepositoriesResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const port = hostPort(ctx);
  if (input.repositoryNames?.length) {
    if (input.nextToken !== undefined || input.maxResults !== undefined) {
      throw new AwsError('InvalidParameterException', 'Invalid parameter: repositoryNames cannot be used together with maxResults or nextToken');
    }
    return { repositories: input.repositoryNames.map((n) => toRepository(requireRepository(ctx.tx, scope, n), port)) };
  }
  const max = input.maxResults ?? 1000;
  const binding = { service: 'ecr', operation: 'DescribeRepositories', query: { registryId: scope.account } };
  const rows = ctx.tx.list<RepositoryRecord>(scope, REPOSITORY, { after: decodeToken(binding, input.nextToken), limit: max + 1 });
  const page = rows.slice(0, max);
  return {
    repositories: page.map((r) => toRepository(readRepository(r.value, scope), port)),
    nextToken: rows.length > max ? encodePageToken(binding, page[page.length - 1]!.id) : undefined,
  };
};

export const deleteRepository: Handler<DeleteRepositoryRequest, DeleteRepositoryResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const name = input.repositoryName ?? '';
  const rec = requireRepository(ctx.tx, scope, name);
  const images = ctx.tx.count(scope, IMAGE, { prefix: repoPrefix(name) });
  if (images > 0 && !input.force) {
    throw new AwsError('RepositoryNotEmptyException',
      `The repository with name '${name}' in registry with id '${scope.account}' cannot be deleted because it still contains images`);
  }
  deleteRepositoryImages(ctx.tx, scope, name);
  const orphaned = dropRepositoryLayers(ctx.tx, scope, name);
  ctx.tx.delete(scope, REPOSITORY, name);
  if (orphaned.length) ctx.afterCommit(() => { for (const id of orphaned) ctx.blobs.delete(id); });
  return { repository: toRepository(rec, hostPort(ctx)) };
};

export const putImageTagMutability: Handler<PutImageTagMutabilityRequest, PutImageTagMutabilityResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const m = checkMutability(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
  const rec = updateRepository(ctx.tx, scope, input.repositoryName ?? '', (r) => {
    const { imageTagMutabilityExclusionFilters: _old, ...rest } = r;
    return { ...rest, ...m };
  });
  const out: PutImageTagMutabilityResponse = { registryId: rec.registryId, repositoryName: rec.name, imageTagMutability: rec.imageTagMutability };
  if (rec.imageTagMutabilityExclusionFilters) out.imageTagMutabilityExclusionFilters = rec.imageTagMutabilityExclusionFilters as PutImageTagMutabilityResponse['imageTagMutabilityExclusionFilters'];
  return out;
};

export const putImageScanningConfiguration: Handler<PutImageScanningConfigurationRequest, PutImageScanningConfigurationResponse> = (input, ctx) => {
  const scope = requestScope(ctx, input.registryId);
  const scanOnPush = input.imageScanningConfiguration?.scanOnPush ?? false;
  const rec = updateRepository(ctx.tx, scope, input.repositoryName ?? '', (r) => ({ ...r, scanOnPush }));
  return { registryId: rec.registryId, repositoryName: rec.name, imageScanningConfiguration: { scanOnPush: rec.scanOnPush } };
};

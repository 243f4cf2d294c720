/**
 * Object Ownership and the ACLs that remain meaningful. CreateBucket stores the 'ownership'
 * configuration ({Rules: [{ObjectOwnership}]}; BucketOwnerEnforced by default). With
 * BucketOwnerEnforced, ACLs are off: they are still read (the owner's FULL_CONTROL), but setting
 * any other than the bucket owner's full control is AccessControlListNotSupported, and no stored
 * ACL grants anything. Otherwise canned ACLs, x-amz-grant-* headers and AccessControlPolicy
 * bodies are stored as their full grant lists (bucket: config 'acl'; object: ObjectVersion.acl),
 * for the authorizer to consult (aclGrantsPublicRead).
 */
import type {
  AccessControlPolicy, DeleteBucketOwnershipControlsRequest, GetBucketAclOutput, GetBucketAclRequest, GetBucketOwnershipControlsOutput,
  GetBucketOwnershipControlsRequest, GetObjectAclOutput, GetObjectAclRequest, Grant, PutBucketAclRequest, PutBucketOwnershipControlsRequest,
  PutObjectAclOutput, PutObjectAclRequest,
} from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { Handler } from '../types.js';
import { canonicalUserId, deleteConfig, getConfig, putConfig } from './buckets.js';
import { malformedXml, oneOf, resolveBucket } from './config-common.js';
import type { AclGrant, StoredAcl } from './records.js';
import { currentVersion, findVersion, readableVersion, updateVersion } from './versions.js';

export const OWNERSHIP_CONFIG = 'ownership';
export const ACL_CONFIG = 'acl';

export const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
export const AUTHENTICATED_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
export const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';
const GROUPS = new Set([ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY]);
/** The canonical user aws-exec-read grants READ to (Amazon EC2, for AMI bundles). */
const EC2_CANONICAL_ID = '6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c';

const OWNERSHIPS = ['BucketOwnerPreferred', 'ObjectWriter', 'BucketOwnerEnforced'] as const;
const PERMISSIONS = ['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP'] as const;
const BUCKET_CANNED = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'log-delivery-write'];
const OBJECT_CANNED = ['private', 'public-read', 'public-read-write', 'authenticated-read', 'aws-exec-read', 'bucket-owner-read', 'bucket-owner-full-control'];

interface StoredOwnership { Rules: Array<{ ObjectOwnership: (typeof OWNERSHIPS)[number] }> }

/** The bucket's Object Ownership setting, or undefined when its controls were deleted. */
export function objectOwnership(tx: Tx, owner: string, bucket: string): string | undefined {
  return getConfig<StoredOwnership>(tx, owner, bucket, OWNERSHIP_CONFIG)?.Rules?.[0]?.ObjectOwnership;
}

const aclsDisabled = (tx: Tx, owner: string, bucket: string): boolean => objectOwnership(tx, owner, bucket) === 'BucketOwnerEnforced';

const ownerGrant = (canonicalId: string): AclGrant => ({ type: 'CanonicalUser', id: canonicalId, permission: 'FULL_CONTROL' });

/** The grants of a canned ACL. `ownerId`: the resource owner's canonical ID; `bucketOwnerId`: the bucket's. */
export function cannedGrants(canned: string, ownerId: string, bucketOwnerId: string): AclGrant[] {
  const grants = [ownerGrant(ownerId)];
  const group = (uri: string, permission: AclGrant['permission']) => grants.push({ type: 'Group', uri, permission });
  switch (canned) {
    case 'public-read': group(ALL_USERS, 'READ'); break;
    case 'public-read-write': group(ALL_USERS, 'READ'); group(ALL_USERS, 'WRITE'); break;
    case 'authenticated-read': group(AUTHENTICATED_USERS, 'READ'); break;
    case 'log-delivery-write': group(LOG_DELIVERY, 'WRITE'); group(LOG_DELIVERY, 'READ_ACP'); break;
    case 'aws-exec-read': grants.push({ type: 'CanonicalUser', id: EC2_CANONICAL_ID, permission: 'READ' }); break;
    case 'bucket-owner-read': if (bucketOwnerId !== ownerId) grants.push({ type: 'CanonicalUser', id: bucketOwnerId, permission: 'READ' }); break;
    case 'bucket-owner-full-control': if (bucketOwnerId !== ownerId) grants.push(ownerGrant(bucketOwnerId)); break;
    default: break;
  }
  return grants;
}

/** What an ACL request can carry: a canned ACL, x-amz-grant-* headers, or an AccessControlPolicy body. */
export interface AclInput {
  ACL?: string;
  AccessControlPolicy?: AccessControlPolicy;
  GrantFullControl?: string;
  GrantRead?: string;
  GrantReadACP?: string;
  GrantWrite?: string;
  GrantWriteACP?: string;
}

const HEADERS: Array<[keyof AclInput, string, AclGrant['permission']]> = [
  ['GrantFullControl', 'x-amz-grant-full-control', 'FULL_CONTROL'],
  ['GrantRead', 'x-amz-grant-read', 'READ'],
  ['GrantReadACP', 'x-amz-grant-read-acp', 'READ_ACP'],
  ['GrantWrite', 'x-amz-grant-write', 'WRITE'],
  ['GrantWriteACP', 'x-amz-grant-write-acp', 'WRITE_ACP'],
];

const badArgument = (message: string, name: string, value: string): AwsError =>
  new AwsError('InvalidArgument', message, 400, { fields: { ArgumentName: name, ArgumentValue: value } });

const unresolvableEmail = (email: string): AwsError =>
  new AwsError('UnresolvableGrantByEmailAddress', 'The e-mail address you provided does not match any account on record.', 400, { fields: { EmailAddress: email } });

/** One grantee as a header or body names it. */
function grantee(kind: string, value: string, permission: AclGrant['permission'], where: string): AclGrant {
  if (kind === 'id') {
    if (!/^[0-9a-f]{64}$/.test(value)) throw badArgument('Invalid id', where, value);
    return { type: 'CanonicalUser', id: value, permission };
  }
  if (kind === 'uri') {
    if (!GROUPS.has(value)) throw badArgument('Invalid group uri', where, value);
    return { type: 'Group', uri: value, permission };
  }
  // cloudlet accounts have no e-mail addresses on record.
  throw unresolvableEmail(value);
}

function headerGrants(input: AclInput): AclGrant[] | undefined {
  const present = HEADERS.filter(([m]) => input[m] !== undefined);
  if (present.length === 0) return undefined;
  const grants: AclGrant[] = [];
  for (const [member, header, permission] of present) {
    const raw = String(input[member]);
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) throw badArgument('Argument format not recognized', header, raw);
    for (const item of items) {
      const m = /^(id|uri|emailAddress)\s*=\s*"?([^"]*)"?$/i.exec(item);
      if (!m) throw badArgument('Argument format not recognized', header, raw);
      grants.push(grantee(m[1]!.toLowerCase() === 'emailaddress' ? 'email' : m[1]!.toLowerCase(), m[2]!, permission, header));
    }
  }
  return grants;
}

const malformedAcl = (): AwsError =>
  new AwsError('MalformedACLError', 'The XML you provided was not well-formed or did not validate against our published schema', 400);

function bodyGrants(policy: AccessControlPolicy, ownerId: string): AclGrant[] {
  if (!policy.Owner?.ID) throw malformedAcl();
  if (policy.Owner.ID !== ownerId) throw new AwsError('AccessDenied', 'Access Denied', 403);
  return (policy.Grants ?? []).map((g: Grant) => {
    const permission = g.Permission as string | undefined;
    if (!permission || !(PERMISSIONS as readonly string[]).includes(permission) || !g.Grantee) throw malformedAcl();
    const p = permission as AclGrant['permission'];
    const t = g.Grantee.Type as string | undefined;
    if (t === 'CanonicalUser' && g.Grantee.ID) return grantee('id', g.Grantee.ID, p, 'CanonicalUser/ID');
    if (t === 'Group' && g.Grantee.URI) return grantee('uri', g.Grantee.URI, p, 'Group/URI');
    if (t === 'AmazonCustomerByEmail' && g.Grantee.EmailAddress) throw unresolvableEmail(g.Grantee.EmailAddress);
    throw malformedAcl();
  });
}

/**
 * The ACL a request sets, checked as S3 checks it: exactly one of a canned ACL, grant headers and
 * a body. `allowed`: the canned ACLs of the resource kind.
 */
export function requestedAcl(input: AclInput, ownerId: string, bucketOwnerId: string, allowed: readonly string[]): StoredAcl {
  const headers = headerGrants(input);
  if (input.ACL !== undefined) {
    if (headers) throw new AwsError('InvalidRequest', 'Specifying both Canned ACLs and Header Grants is not allowed', 400);
    if (input.AccessControlPolicy) throw new AwsError('UnexpectedContent', 'This request does not support content', 400);
    if (!allowed.includes(input.ACL)) throw badArgument('Argument format not recognized', 'x-amz-acl', input.ACL);
    return { canned: input.ACL, grants: cannedGrants(input.ACL, ownerId, bucketOwnerId) };
  }
  if (headers) {
    if (input.AccessControlPolicy) throw new AwsError('UnexpectedContent', 'This request does not support content', 400);
    return { grants: headers };
  }
  if (input.AccessControlPolicy) return { grants: bodyGrants(input.AccessControlPolicy, ownerId) };
  throw new AwsError('MissingSecurityHeader', 'Your request was missing a required header', 400, { fields: { MissingHeaderName: 'x-amz-acl' } });
}

/** Under BucketOwnerEnforced only the bucket owner's full control may be "set". */
function refuseUnlessOwnerOnly(acl: StoredAcl, bucketOwnerId: string): void {
  const ok = acl.grants.every((g) => g.type === 'CanonicalUser' && g.id === bucketOwnerId && g.permission === 'FULL_CONTROL');
  if (!ok) throw new AwsError('AccessControlListNotSupported', 'The bucket does not allow ACLs', 400);
}

/** A stored ACL that is just the owner's full control is the default: nothing to keep. */
const isDefault = (acl: StoredAcl, ownerId: string): boolean =>
  acl.grants.length === 1 && acl.grants[0]!.type === 'CanonicalUser' && acl.grants[0]!.id === ownerId && acl.grants[0]!.permission === 'FULL_CONTROL';

/**
 * The ACL a new object takes from its write (PutObject, CopyObject, CreateMultipartUpload with
 * x-amz-acl or x-amz-grant-*): undefined for the default. Throws AccessControlListNotSupported
 * under BucketOwnerEnforced as S3 does. `writer`: the writing account (the object's owner unless
 * ACLs are disabled).
 */
export function objectAclForWrite(tx: Tx, bucketOwner: string, bucket: string, writer: string, input: AclInput): StoredAcl | undefined {
  if (input.ACL === undefined && !HEADERS.some(([m]) => input[m] !== undefined)) return undefined;
  const bucketOwnerId = canonicalUserId(bucketOwner);
  const disabled = aclsDisabled(tx, bucketOwner, bucket);
  const ownerId = disabled ? bucketOwnerId : canonicalUserId(writer);
  const acl = requestedAcl({ ...input, AccessControlPolicy: undefined }, ownerId, bucketOwnerId, OBJECT_CANNED);
  if (disabled) {
    refuseUnlessOwnerOnly(acl, bucketOwnerId);
    return undefined;
  }
  return isDefault(acl, ownerId) ? undefined : acl;
}

/** The bucket ACL CreateBucket stores from x-amz-acl / x-amz-grant-* (undefined: the default). */
export function bucketAclForCreate(owner: string, ownership: string, input: AclInput): StoredAcl | undefined {
  if (input.ACL === undefined && !HEADERS.some(([m]) => input[m] !== undefined)) return undefined;
  const id = canonicalUserId(owner);
  const acl = requestedAcl({ ...input, AccessControlPolicy: undefined }, id, id, BUCKET_CANNED);
  if (ownership === 'BucketOwnerEnforced') {
    refuseUnlessOwnerOnly(acl, id);
    return undefined;
  }
  return isDefault(acl, id) ? undefined : acl;
}

/**
 * The grants in force on a bucket (no key) or an object's current version: none beyond the
 * owner's when ACLs are disabled (BucketOwnerEnforced), as S3 then ignores every ACL.
 */
export function aclGrants(tx: Tx, owner: string, bucket: string, key?: string): AclGrant[] {
  if (aclsDisabled(tx, owner, bucket)) return [ownerGrant(canonicalUserId(owner))];
  if (key === undefined) return getConfig<StoredAcl>(tx, owner, bucket, ACL_CONFIG)?.grants ?? [ownerGrant(canonicalUserId(owner))];
  const v = currentVersion(tx, owner, bucket, key);
  if (!v || v.deleteMarker) return [];
  return v.acl?.grants ?? [ownerGrant(canonicalUserId(v.owner))];
}

/** Whether the ACL of a bucket (list) or of an object's current version (read) lets anyone read: AllUsers READ or FULL_CONTROL. */
export function aclGrantsPublicRead(tx: Tx, owner: string, bucket: string, key?: string): boolean {
  return aclGrants(tx, owner, bucket, key).some((g) => g.type === 'Group' && g.uri === ALL_USERS && (g.permission === 'READ' || g.permission === 'FULL_CONTROL'));
}

const displayName = (ownerAccount: string) => ({ ID: canonicalUserId(ownerAccount), DisplayName: ownerAccount });

function grantsOut(grants: AclGrant[], owner: string): Grant[] {
  const ownerId = canonicalUserId(owner);
  return grants.map((g) => ({
    Grantee: g.type === 'Group'
      ? { Type: 'Group', URI: g.uri }
      : { Type: 'CanonicalUser', ID: g.id, ...(g.id === ownerId ? { DisplayName: owner } : {}) },
    Permission: g.permission,
  }));
}

const getBucketAcl: Handler<GetBucketAclRequest, GetBucketAclOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const stored = aclsDisabled(ctx.tx, owner.account, bucket.name) ? undefined : getConfig<StoredAcl>(ctx.tx, owner.account, bucket.name, ACL_CONFIG);
  const grants = stored?.grants ?? [ownerGrant(canonicalUserId(owner.account))];
  return { Owner: displayName(owner.account), Grants: grantsOut(grants, owner.account) };
};

const putBucketAcl: Handler<PutBucketAclRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const id = canonicalUserId(owner.account);
  const disabled = aclsDisabled(ctx.tx, owner.account, bucket.name);
  // With ACLs off, "bucket-owner-full-control" is the owner's full control too, and accepted.
  const acl = requestedAcl(input, id, id, disabled ? [...BUCKET_CANNED, 'bucket-owner-full-control'] : BUCKET_CANNED);
  if (disabled) {
    refuseUnlessOwnerOnly(acl, id);
    return;
  }
  if (isDefault(acl, id)) deleteConfig(ctx.tx, owner.account, bucket.name, ACL_CONFIG);
  else putConfig(ctx.tx, owner.account, bucket.name, ACL_CONFIG, acl);
};

function objectVersionFor(ctx: Parameters<Handler>[1], input: { Bucket?: string; Key?: string; VersionId?: string; ExpectedBucketOwner?: string }, method: string) {
  if (!input.Key) throw new AwsError('InvalidArgument', 'A key must be specified', 400);
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const v = readableVersion(ctx.tx, owner.account, bucket.name, input.Key, input.VersionId, method);
  const found = findVersion(ctx.tx, owner.account, bucket.name, input.Key, v.versionId)!;
  return { owner: owner.account, bucket, found };
}

const getObjectAcl: Handler<GetObjectAclRequest, GetObjectAclOutput> = (input, ctx) => {
  const { owner, bucket, found } = objectVersionFor(ctx, input, 'GET');
  if (aclsDisabled(ctx.tx, owner, bucket.name)) {
    return { Owner: displayName(owner), Grants: grantsOut([ownerGrant(canonicalUserId(owner))], owner) };
  }
  const objectOwner = found.version.owner;
  const grants = found.version.acl?.grants ?? [ownerGrant(canonicalUserId(objectOwner))];
  return { Owner: displayName(objectOwner), Grants: grantsOut(grants, objectOwner) };
};

const putObjectAcl: Handler<PutObjectAclRequest, PutObjectAclOutput> = (input, ctx) => {
  const { owner, bucket, found } = objectVersionFor(ctx, input, 'PUT');
  const bucketOwnerId = canonicalUserId(owner);
  if (aclsDisabled(ctx.tx, owner, bucket.name)) {
    refuseUnlessOwnerOnly(requestedAcl(input, bucketOwnerId, bucketOwnerId, OBJECT_CANNED), bucketOwnerId);
    return {};
  }
  const ownerId = canonicalUserId(found.version.owner);
  const acl = requestedAcl(input, ownerId, bucketOwnerId, OBJECT_CANNED);
  const { acl: _old, ...rest } = found.version;
  updateVersion(ctx.tx, owner, bucket.name, found, isDefault(acl, ownerId) ? rest : { ...rest, acl });
  return {};
};

const putOwnershipControls: Handler<PutBucketOwnershipControlsRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const rules = input.OwnershipControls?.Rules;
  if (!Array.isArray(rules) || rules.length !== 1) throw malformedXml();
  const ownership = oneOf(rules[0]?.ObjectOwnership, OWNERSHIPS);
  if (ownership === 'BucketOwnerEnforced') {
    // ACLs go off only once the bucket ACL is private again (grants outside the owner would silently vanish).
    const acl = getConfig<StoredAcl>(ctx.tx, owner.account, bucket.name, ACL_CONFIG);
    if (acl && !acl.grants.every((g) => g.type === 'CanonicalUser' && g.id === canonicalUserId(owner.account))) {
      throw new AwsError('InvalidBucketAclWithObjectOwnership', "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400);
    }
  }
  putConfig(ctx.tx, owner.account, bucket.name, OWNERSHIP_CONFIG, { Rules: [{ ObjectOwnership: ownership }] } satisfies StoredOwnership);
};

const getOwnershipControls: Handler<GetBucketOwnershipControlsRequest, GetBucketOwnershipControlsOutput> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  const config = getConfig<StoredOwnership>(ctx.tx, owner.account, bucket.name, OWNERSHIP_CONFIG);
  if (!config) {
    throw new AwsError('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', 404, { fields: { BucketName: bucket.name } });
  }
  return { OwnershipControls: config };
};

const deleteOwnershipControls: Handler<DeleteBucketOwnershipControlsRequest, void> = (input, ctx) => {
  const { owner, bucket } = resolveBucket(ctx.tx, input);
  deleteConfig(ctx.tx, owner.account, bucket.name, OWNERSHIP_CONFIG);
};

export const aclHandlers: Record<string, Handler> = {
  GetBucketAcl: getBucketAcl,
  PutBucketAcl: putBucketAcl,
  GetObjectAcl: getObjectAcl,
  PutObjectAcl: putObjectAcl,
  PutBucketOwnershipControls: putOwnershipControls,
  GetBucketOwnershipControls: getOwnershipControls,
  DeleteBucketOwnershipControls: deleteOwnershipControls,
};

/**
 * The bucket side of S3 authorization (authz.ts's refine hook): each check of a bucket or
 * object names the bucket owner's account (so the engine applies its same-account "either
 * allows" and cross-account "both must allow" rules) and the bucket's resource policy: the
 * bucket policy, plus an Allow for Principal "*" when a public-read ACL lets anyone list the
 * bucket or read the object. Block Public Access applies here: IgnorePublicAcls drops the ACL
 * grants, RestrictPublicBuckets keeps only the Deny statements of a public policy for callers
 * outside the owner's account, BlockPublicAcls refuses requests that set a public ACL. Each flag
 * is the bucket's setting OR its owner account's (S3 Control), the most restrictive combination.
 * S3's condition keys (s3:prefix, s3:x-amz-acl, s3:RequestObjectTag/..., s3:ExistingObjectTag/...)
 * go on each check's context.
 */
import { AwsError } from '../../core/errors.js';
import type { AuthzRequest, Check, ContextKeys, ResourcePolicyRef } from '../authz/types.js';
import { ALL_USERS, AUTHENTICATED_USERS, aclGrantsPublicRead } from './acl.js';
import { bucketPolicy, policyStatements, statementIsPublic } from './bucket-policy.js';
import { findBucket } from './buckets.js';
import { accountLevelPublicAccessBlock, effectivePublicAccessBlock, type EffectivePublicAccessBlock } from './public-access.js';
import type { BucketOwner } from './records.js';
import { currentVersion, findVersion } from './versions.js';

const S3_ARN = 'arn:aws:s3:::';

interface BucketView {
  owner: BucketOwner;
  name: string;
  policy: string | undefined;
  /** The policy's statements (undefined when it does not parse: it was validated on save). */
  parsed: { version: string; statements: unknown[] } | undefined;
  /** The bucket's settings combined with its owner account's (public-access.ts). */
  pab: EffectivePublicAccessBlock | undefined;
}

const PUBLIC_CANNED = new Set(['public-read', 'public-read-write', 'authenticated-read']);
const ACL_OPS = new Set(['PutBucketAcl', 'PutObjectAcl', 'PutObject', 'CopyObject', 'CreateMultipartUpload']);

/** Whether a request sets an ACL granting AllUsers or AuthenticatedUsers anything. */
function setsPublicAcl(input: any): boolean {
  if (typeof input?.ACL === 'string' && PUBLIC_CANNED.has(input.ACL)) return true;
  for (const m of ['GrantRead', 'GrantWrite', 'GrantReadACP', 'GrantWriteACP', 'GrantFullControl']) {
    const v = input?.[m];
    if (typeof v === 'string' && (v.includes(ALL_USERS) || v.includes(AUTHENTICATED_USERS))) return true;
  }
  const grants = input?.AccessControlPolicy?.Grants;
  return Array.isArray(grants) && grants.some((g: any) => g?.Grantee?.URI === ALL_USERS || g?.Grantee?.URI === AUTHENTICATED_USERS);
}

function splitArn(arn: string): { bucket: string; key?: string } | undefined {
  if (!arn.startsWith(S3_ARN)) return undefined;
  const rest = arn.slice(S3_ARN.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return rest && !rest.includes('*') ? { bucket: rest } : undefined;
  return { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

const OBJECT_READS = new Set(['s3:getobject', 's3:getobjectversion']);

/** The resource policy one check sees: the bucket policy, public ACL grants, Block Public Access applied. */
function effectivePolicy(req: AuthzRequest, b: BucketView, check: Check, key: string | undefined): ResourcePolicyRef | null {
  const statements: unknown[] = [];
  let version = '2012-10-17';
  let asStored = false;
  if (b.parsed) {
    version = b.parsed.version;
    const restrict = b.pab?.RestrictPublicBuckets && req.account !== b.owner.account && b.parsed.statements.some(statementIsPublic);
    if (restrict) statements.push(...b.parsed.statements.filter((st) => (st as { Effect?: string }).Effect === 'Deny'));
    else statements.push(...b.parsed.statements);
    asStored = !restrict;
  }
  if (!b.pab?.IgnorePublicAcls) {
    const action = check.action.toLowerCase();
    if (key === undefined && (action === 's3:listbucket' || action === 's3:listbucketversions')
      && aclGrantsPublicRead(req.tx, b.owner.account, b.name)) {
      statements.push({ Sid: 'BucketAclAllUsersRead', Effect: 'Allow', Principal: '*', Action: check.action, Resource: check.resource });
    } else if (key !== undefined && OBJECT_READS.has(action) && aclGrantsPublicRead(req.tx, b.owner.account, b.name, key)) {
      statements.push({ Sid: 'ObjectAclAllUsersRead', Effect: 'Allow', Principal: '*', Action: check.action, Resource: check.resource });
    }
  }
  if (!statements.length) return null;
  const document = asStored && b.policy !== undefined && statements.length === b.parsed!.statements.length
    ? b.policy : JSON.stringify({ Version: version, Statement: statements });
  return { id: b.name, document, kind: 'resource' };
}

/** S3's own condition keys for a check. */
function conditionKeys(req: AuthzRequest, b: BucketView, check: Check, key: string | undefined): ContextKeys | undefined {
  const input = req.input ?? {};
  const out: ContextKeys = {};
  const action = check.action.toLowerCase();
  if (action === 's3:listbucket' || action === 's3:listbucketversions') {
    if (typeof input.Prefix === 'string') out['s3:prefix'] = input.Prefix;
    if (typeof input.Delimiter === 'string') out['s3:delimiter'] = input.Delimiter;
    if (input.MaxKeys !== undefined) out['s3:max-keys'] = String(input.MaxKeys);
  }
  if (action === 's3:putobject' && check.resource === `${S3_ARN}${b.name}/${input.Key}`) {
    if (typeof input.ServerSideEncryption === 'string') out['s3:x-amz-server-side-encryption'] = input.ServerSideEncryption;
    if (typeof input.SSEKMSKeyId === 'string') out['s3:x-amz-server-side-encryption-aws-kms-key-id'] = input.SSEKMSKeyId;
    if (typeof input.StorageClass === 'string') out['s3:x-amz-storage-class'] = input.StorageClass;
    if (typeof input.Tagging === 'string') {
      const keys: string[] = [];
      for (const [k, v] of new URLSearchParams(input.Tagging)) {
        out[`s3:RequestObjectTag/${k}`] = v;
        keys.push(k);
      }
      out['s3:RequestObjectTagKeys'] = keys;
    }
  }
  if ((action === 's3:putobject' || action === 's3:putobjectacl' || action === 's3:putbucketacl') && typeof input.ACL === 'string') {
    out['s3:x-amz-acl'] = input.ACL;
  }
  if (action === 's3:putobjecttagging' || action === 's3:putobjectversiontagging') {
    const set = input.Tagging?.TagSet;
    if (Array.isArray(set)) {
      for (const t of set) if (typeof t?.Key === 'string') out[`s3:RequestObjectTag/${t.Key}`] = String(t.Value ?? '');
      out['s3:RequestObjectTagKeys'] = set.map((t: any) => String(t?.Key));
    }
  }
  if (typeof input.VersionId === 'string' && key !== undefined) out['s3:versionid'] = input.VersionId;
  // s3:ExistingObjectTag applies to operations on an existing object, not to writes of a new one.
  if (key !== undefined && action !== 's3:putobject' && action !== 's3:bypassgovernanceretention') {
    const v = typeof input.VersionId === 'string' && input.Key === key
      ? findVersion(req.tx, b.owner.account, b.name, key, input.VersionId)?.version
      : currentVersion(req.tx, b.owner.account, b.name, key);
    if (v && !v.deleteMarker && v.tags) for (const [k, val] of Object.entries(v.tags)) out[`s3:ExistingObjectTag/${k}`] = val;
  }
  out['s3:signatureversion'] = 'AWS4-HMAC-SHA256';
  out['s3:ResourceAccount'] = b.owner.account;
  return Object.keys(out).length ? out : undefined;
}

const BYPASS_OPS = new Set(['DeleteObject', 'DeleteObjects', 'PutObjectRetention']);

export function refineChecks(req: AuthzRequest, checks: Check[]): Check[] {
  // CreateBucket names a bucket that is not (yet) anyone else's to grant: BucketAlreadyExists comes
  // from the handler. Only the caller's account-level BlockPublicAcls can refuse its public ACL.
  if (req.operation === 'CreateBucket') {
    if (setsPublicAcl(req.input) && req.account && accountLevelPublicAccessBlock(req.tx, req.account)?.BlockPublicAcls) {
      throw new AwsError('AccessDenied', 'Access Denied', 403);
    }
    return checks;
  }
  const views = new Map<string, BucketView | null>();
  const view = (name: string): BucketView | null => {
    let v = views.get(name);
    if (v === undefined) {
      const found = findBucket(req.tx, name);
      const policy = found ? bucketPolicy(req.tx, found.owner.account, name) : undefined;
      let parsed: BucketView['parsed'];
      try {
        parsed = policy === undefined ? undefined : policyStatements(policy);
      } catch { /* validated on save */ }
      v = found ? { owner: found.owner, name, policy, parsed, pab: effectivePublicAccessBlock(req.tx, found.owner.account, name) } : null;
      views.set(name, v);
    }
    return v;
  };
  const bucketName = typeof req.input?.Bucket === 'string' ? req.input.Bucket : undefined;
  if (bucketName && ACL_OPS.has(req.operation) && setsPublicAcl(req.input) && view(bucketName)?.pab?.BlockPublicAcls) {
    throw new AwsError('AccessDenied', 'Access Denied', 403);
  }
  const out = [...checks];
  if (bucketName && BYPASS_OPS.has(req.operation) && req.input?.BypassGovernanceRetention === true) {
    const objects: unknown[] = req.operation === 'DeleteObjects' ? req.input.Delete?.Objects ?? [] : [{ Key: req.input.Key }];
    for (const o of objects) {
      const key = (o as { Key?: unknown })?.Key;
      if (typeof key === 'string') out.push({ action: 's3:BypassGovernanceRetention', resource: `${S3_ARN}${bucketName}/${key}` });
    }
  }
  return out.map((check) => {
    const where = splitArn(check.resource);
    const b = where ? view(where.bucket) : null;
    if (!where || !b) return check;
    const next: Check = { ...check, resourceAccount: b.owner.account };
    if (check.resourcePolicy === undefined) next.resourcePolicy = effectivePolicy(req, b, check, where.key);
    // The owner's root user with no bucket policy in play is not evaluated: skip the condition keys.
    if (req.principal.kind === 'root' && req.account === b.owner.account && !next.resourcePolicy) return next;
    const keys = conditionKeys(req, b, check, where.key);
    if (keys) next.context = { ...check.context, ...keys };
    return next;
  });
}

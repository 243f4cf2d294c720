/**
 * Bucket policies and Block Public Access, the pure parts: validation as S3 does on
 * PutBucketPolicy (MalformedPolicy with S3's messages), AWS's test of a "public" policy
 * (a statement allowing Principal "*" with no condition fixing who or where), and the
 * stored configurations (bucket configs 'policy' and 'public-access-block').
 */
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import { AwsError } from '../../core/errors.js';
import { parsePolicy, PolicyError } from '../../policy/index.js';
import type { Tx } from '../../store/types.js';
import { getConfig } from './buckets.js';

export const POLICY_CONFIG = 'policy';
export const PAB_CONFIG = 'public-access-block';

export interface StoredPolicy { document: string }

export const bucketPolicy = (tx: Tx, owner: string, bucket: string): string | undefined =>
  getConfig<StoredPolicy>(tx, owner, bucket, POLICY_CONFIG)?.document;

export const publicAccessBlock = (tx: Tx, owner: string, bucket: string): PublicAccessBlockConfiguration | undefined =>
  getConfig<PublicAccessBlockConfiguration>(tx, owner, bucket, PAB_CONFIG);

const malformed = (message: string): AwsError => new AwsError('MalformedPolicy', message, 400);

const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const ACCOUNT = /^\d{12}$/;
const IAM_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|user\/.+|role\/.+|assumed-role\/.+|federated-user\/.+)$/;
const CANONICAL = /^[0-9a-f]{64}$/;

function validPrincipal(p: unknown): boolean {
  if (p === '*') return true;
  if (!isObject(p)) return false;
  for (const [type, raw] of Object.entries(p)) {
    const values = asList(raw);
    if (!values.length || !values.every((v) => typeof v === 'string')) return false;
    for (const v of values as string[]) {
      if (type === 'AWS') { if (v !== '*' && !ACCOUNT.test(v) && !IAM_ARN.test(v)) return false; }
      else if (type === 'Service') { if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(v) && v !== '*') return false; }
      else if (type === 'CanonicalUser') { if (!CANONICAL.test(v)) return false; }
      else if (type === 'Federated') { /* accepted */ }
      else return false;
    }
  }
  return true;
}

/** Object-level S3 actions (the rest name the bucket). */
const OBJECT_ACTION = /object|multipartupload|^s3:restoreobject$|^s3:listmultipartuploadparts$|^s3:abortmultipartupload$/i;
const BUCKET_OBJECT_BOTH = new Set(['s3:listmultipartuploadparts']);

/** Where a resource ARN points within `bucket`: 'bucket', 'object', or undefined when elsewhere. */
function resourceScope(arn: string, bucket: string): 'bucket' | 'object' | 'any' | undefined {
  if (arn === '*') return 'any';
  const prefix = 'arn:aws:s3:::';
  if (!arn.startsWith(prefix)) return undefined;
  const rest = arn.slice(prefix.length);
  const slash = rest.indexOf('/');
  const name = slash < 0 ? rest : rest.slice(0, slash);
  const glob = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  if (!glob.test(bucket)) return undefined;
  if (slash >= 0) return 'object';
  return name.includes('*') ? 'any' : 'bucket';
}

/** Validates a bucket policy as PutBucketPolicy does; returns the document as stored. */
export function validateBucketPolicy(text: string, bucket: string): void {
  let doc: unknown;
  if (!text.trimStart().startsWith('{')) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  if (!isObject(doc)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  if (doc.Statement === undefined) throw malformed('Missing required field Statement');
  for (const st of asList(doc.Statement)) {
    if (!isObject(st)) throw malformed('Statement is not a JSON object');
    if (st.Principal === undefined && st.NotPrincipal === undefined) throw malformed('Missing required field Principal');
    if (st.Principal !== undefined && !validPrincipal(st.Principal)) throw malformed('Invalid principal in policy');
    if (st.NotPrincipal !== undefined && !validPrincipal(st.NotPrincipal)) throw malformed('Invalid principal in policy');
    if (st.Action === undefined && st.NotAction === undefined) throw malformed('Missing required field Action');
    if (st.Resource === undefined && st.NotResource === undefined) throw malformed('Missing required field Resource');
    const actions = asList(st.Action ?? st.NotAction);
    for (const a of actions) {
      if (typeof a !== 'string' || (a !== '*' && !/^s3(-object-lambda|express)?:[A-Za-z*?]+$/i.test(a))) throw malformed('Policy has invalid action');
    }
    const scopes = asList(st.Resource ?? st.NotResource).map((r) => {
      const s = typeof r === 'string' ? resourceScope(r, bucket) : undefined;
      if (!s) throw malformed('Policy has invalid resource');
      return s;
    });
    if (st.Action !== undefined && st.Resource !== undefined && !scopes.includes('any')) {
      const hasObject = scopes.includes('object');
      const hasBucket = scopes.includes('bucket');
      const applies = (actions as string[]).some((a) => {
        if (/[*?]/.test(a)) return true;
        const lower = a.toLowerCase();
        if (BUCKET_OBJECT_BOTH.has(lower)) return true;
        return OBJECT_ACTION.test(lower) ? hasObject : hasBucket;
      });
      if (!applies) throw malformed('Action does not apply to any resource(s) in statement');
    }
  }
  try {
    parsePolicy(text, { kind: 'resource', id: bucket });
  } catch (e) {
    if (e instanceof PolicyError) throw malformed(e.message);
    throw e;
  }
}

/**
 * Condition keys that pin a public-looking statement to known callers or networks (AWS's
 * "The meaning of public"): with a fixed value for any of them the statement is not public.
 */
const RESTRICTING = new Set([
  'aws:sourceip', 'aws:sourcearn', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourceowner', 'aws:sourceaccount',
  'aws:principalorgid', 'aws:principalorgpaths', 'aws:userid', 'aws:principalaccount', 'aws:principalarn',
  's3:x-amz-server-side-encryption-aws-kms-key-id', 's3:datAccessPointArn'.toLowerCase(), 's3:dataaccesspointaccount',
]);

const wildcardPrincipal = (p: unknown): boolean =>
  p === '*' || (isObject(p) && asList(p.AWS).includes('*'));

/** Whether one statement of a bucket policy grants public access. */
export function statementIsPublic(st: unknown): boolean {
  if (!isObject(st) || st.Effect !== 'Allow') return false;
  if (st.NotPrincipal === undefined && !wildcardPrincipal(st.Principal)) return false;
  if (isObject(st.Condition)) {
    for (const [op, keys] of Object.entries(st.Condition)) {
      if (!isObject(keys) || /^(StringNotEquals|StringNotLike|ArnNotEquals|ArnNotLike|NotIpAddress)/.test(op)) continue;
      for (const [key, values] of Object.entries(keys)) {
        if (!RESTRICTING.has(key.toLowerCase())) continue;
        const vals = asList(values);
        const fixed = vals.length > 0 && vals.every((v) => typeof v === 'string' && (key.toLowerCase() === 'aws:sourceip' ? !/\/0$/.test(v) : !/[*?]/.test(v)));
        if (fixed) return false;
      }
    }
  }
  return true;
}

export function policyIsPublic(text: string): boolean {
  try {
    const doc = JSON.parse(text) as { Statement?: unknown };
    return asList(doc.Statement).some(statementIsPublic);
  } catch {
    return false;
  }
}

/** The statements of a stored policy (parsed), for composing the effective resource policy. */
export function policyStatements(text: string): { version: string; statements: unknown[] } {
  const doc = JSON.parse(text) as { Version?: string; Statement?: unknown };
  return { version: doc.Version ?? '2008-10-17', statements: asList(doc.Statement) };
}

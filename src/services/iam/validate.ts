import { AwsError } from '../../core/errors.js';
import { parsePolicy, PolicyError } from '../../policy/index.js';
import { invalidInput, limitExceeded } from './common.js';
import type { Tag } from './records.js';

/**
 * IAM's rules that its model does not carry: policy grammar, size quotas, tag-key uniqueness,
 * paths. Lengths, patterns, ranges and enums are the model's and the codec checks them
 * (src/protocol/validate.ts) before any handler runs.
 */

// --- policy documents ---

export type DocumentKind = 'identity' | 'trust' | 'boundary';

/**
 * The document as stored: callers send raw JSON (the CLI, SDKs) but some tools send it
 * URL-encoded, which IAM also accepts. Then validated like IAM does on save.
 */
export function checkDocument(raw: string, kind: DocumentKind): string {
  let doc = raw;
  if (/^\s*%/.test(raw)) {
    try { doc = decodeURIComponent(raw); } catch { /* parsePolicy reports it */ }
  }
  try {
    parsePolicy(doc, { kind });
  } catch (e) {
    if (e instanceof PolicyError) throw new AwsError('MalformedPolicyDocument', e.message, 400);
    throw e;
  }
  return doc;
}

/** IAM counts policy size without white space. */
export const policySize = (doc: string): number => doc.replace(/\s+/g, '').length;

export const MANAGED_POLICY_SIZE = 6144;
export const TRUST_POLICY_SIZE = 2048;
export const INLINE_SIZE = { user: 2048, group: 5120, role: 10240 } as const;

export function checkManagedSize(doc: string): void {
  if (policySize(doc) > MANAGED_POLICY_SIZE) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_SIZE}`);
}

export function checkTrustSize(doc: string): void {
  if (policySize(doc) > TRUST_POLICY_SIZE) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_SIZE}`);
}

// --- tags ---

export const MAX_TAGS = 50;

/** Tags in one request: keys unique ignoring case. */
export function checkTagKeys(tags: readonly Tag[] | undefined): Tag[] {
  const list = (tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value ?? '' }));
  const seen = new Set<string>();
  for (const t of list) {
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  return list;
}

/** Existing tags with new ones merged in (a key replaces the same key in any case). */
export function mergeTags(existing: readonly Tag[], incoming: readonly Tag[], quotaName: string): Tag[] {
  const add = checkTagKeys(incoming);
  const keys = new Set(add.map((t) => t.Key.toLowerCase()));
  const merged = [...existing.filter((t) => !keys.has(t.Key.toLowerCase())), ...add];
  if (merged.length > MAX_TAGS) throw limitExceeded(`Cannot exceed quota for ${quotaName}: ${MAX_TAGS}`);
  return merged;
}

export function removeTags(existing: readonly Tag[], keys: readonly string[]): Tag[] {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

// --- paths ---

export const DEFAULT_PATH = '/';
export const underPath = (path: string, prefix: string | undefined): boolean => !prefix || path.startsWith(prefix);

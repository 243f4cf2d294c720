/**
 * What the enforcement step needs to evaluate an AssumeRole request against the caller's
 * identity policies and the role's trust policy, derived from the request input alone.
 * (AssumeRoleWithWebIdentity: see webIdentityContext in web-identity.ts.)
 */
import type { AssumeRoleRequest } from '@aws-sdk/client-sts';
import { checkSessionPolicyLength } from './validate.js';

export interface AssumeRoleTrustContext {
  /** The role ARN: the resource of sts:AssumeRole, and whose trust policy applies. */
  resource: string;
  /** The role's account (may differ from the caller's: cross-account). */
  roleAccount?: string;
  /**
   * Every action the request needs: sts:AssumeRole, plus sts:TagSession when it passes session
   * tags or transitive tag keys, plus sts:SetSourceIdentity when it sets a source identity.
   */
  actions: string[];
  /**
   * Condition keys: sts:ExternalId, sts:RoleSessionName, sts:SourceIdentity, aws:RequestTag/K,
   * aws:TagKeys, sts:TransitiveTagKeys, aws:MultiFactorAuthPresent when an MFA code is passed.
   */
  keys: Record<string, string | string[]>;
}

/**
 * The trust-policy context of an AssumeRole request. The model's constraints (lengths,
 * patterns, ranges) were checked by the codec, so a malformed request already failed
 * validation before it got here, as on AWS.
 */
export function assumeRoleTrustContext(input: Partial<AssumeRoleRequest>): AssumeRoleTrustContext {
  checkSessionPolicyLength(input.Policy);
  const keys: Record<string, string | string[]> = {};
  if (input.ExternalId !== undefined) keys['sts:ExternalId'] = input.ExternalId;
  if (input.RoleSessionName !== undefined) keys['sts:RoleSessionName'] = input.RoleSessionName;
  if (input.SourceIdentity !== undefined) keys['sts:SourceIdentity'] = input.SourceIdentity;
  const tags = input.Tags ?? [];
  for (const t of tags) if (t.Key !== undefined) keys[`aws:RequestTag/${t.Key}`] = t.Value ?? '';
  if (tags.length) keys['aws:TagKeys'] = tags.map((t) => t.Key ?? '');
  if (input.TransitiveTagKeys?.length) keys['sts:TransitiveTagKeys'] = input.TransitiveTagKeys;
  if (input.SerialNumber !== undefined && input.TokenCode !== undefined) keys['aws:MultiFactorAuthPresent'] = 'true';
  const actions = ['sts:AssumeRole'];
  if (tags.length || input.TransitiveTagKeys?.length) actions.push('sts:TagSession');
  if (input.SourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  const roleAccount = /^arn:[^:]+:iam::(\d{12}):role\//.exec(input.RoleArn ?? '')?.[1];
  return { resource: input.RoleArn ?? '', ...(roleAccount ? { roleAccount } : {}), actions, keys };
}

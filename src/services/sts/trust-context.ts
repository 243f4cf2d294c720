/**
 * What the enforcement step needs to evaluate an AssumeRole request against the caller's
 * identity policies and the role's trust policy, derived from the request input alone.
 * (AssumeRoleWithWebIdentity: see webIdentityContext in web-identity.ts.)
 */
import type { AssumeRoleRequest } from '@aws-sdk/client-sts';
import { Checker, RULES } from './validate.js';

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

/** The model's constraints on AssumeRole input (lengths, patterns, ranges): ValidationError. */
export function checkAssumeRoleInput(input: Partial<AssumeRoleRequest>): void {
  new Checker()
    .string('roleArn', input.RoleArn, RULES.arn)
    .string('roleSessionName', input.RoleSessionName, RULES.roleSessionName)
    .policyArns(input.PolicyArns)
    .string('policy', input.Policy, RULES.policy)
    .integer('durationSeconds', input.DurationSeconds, 900, 43200)
    .tags(input.Tags, input.TransitiveTagKeys)
    .string('externalId', input.ExternalId, RULES.externalId)
    .string('serialNumber', input.SerialNumber, RULES.serialNumber)
    .string('tokenCode', input.TokenCode, RULES.tokenCode)
    .string('sourceIdentity', input.SourceIdentity, RULES.sourceIdentity)
    .done();
}

/**
 * Throws ValidationError when the input breaks the model's constraints, so that (as on AWS)
 * a malformed request fails validation before it is authorized.
 */
export function assumeRoleTrustContext(input: Partial<AssumeRoleRequest>): AssumeRoleTrustContext {
  checkAssumeRoleInput(input);
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

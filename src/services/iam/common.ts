import { AwsError } from '../../core/errors.js';
import type { Scope } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { iamScope } from './records.js';

/** Small helpers every IAM handler file uses. */

export const scopeOf = (ctx: RequestContext): Scope => iamScope(ctx.account);

/** IAM reports times to the second. */
export function nowIso(ctx: RequestContext): string {
  return new Date(Math.floor(ctx.clock.nowMs() / 1000) * 1000).toISOString();
}

export const date = (iso: string): Date => new Date(iso);

/** arn:aws:iam::ACCT:KIND/PATH/NAME (the path starts and ends with '/'). */
export const iamArn = (account: string, kind: string, path: string, name: string): string =>
  `arn:aws:iam::${account}:${kind}${path}${name}`;

/**
 * AWS returns policy documents URL-encoded (RFC 3986: everything but A-Z a-z 0-9 - _ . ~),
 * in GetRole, GetPolicyVersion, GetUserPolicy, ...; the SDKs hand it over as is and the
 * AWS CLI decodes it.
 */
export function encodePolicy(doc: string): string {
  return encodeURIComponent(doc).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const noSuchEntity = (message: string): AwsError => new AwsError('NoSuchEntity', message, 404);
export const alreadyExists = (message: string): AwsError => new AwsError('EntityAlreadyExists', message, 409);
export const deleteConflict = (message: string): AwsError => new AwsError('DeleteConflict', message, 409);
export const limitExceeded = (message: string): AwsError => new AwsError('LimitExceeded', message, 409);
export const invalidInput = (message: string): AwsError => new AwsError('InvalidInput', message, 400);

/** Case-insensitive equality, the way IAM compares names and tag keys. */
export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

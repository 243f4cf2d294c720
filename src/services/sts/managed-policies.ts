/** Managed session policies (PolicyArns): their documents come from the IAM catalog. */
import { AwsError } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import { managedPolicyDocument } from '../iam/principal-policies.js';
import { MAX_POLICY_ARNS } from './session.js';

/**
 * The documents of the managed policies passed as session policies, resolved in the account
 * of the role or federating user (customer managed policies must live there; AWS managed ones
 * are arn:aws:iam::aws:policy/...).
 */
export function managedSessionPolicies(tx: Tx, account: string, arns: string[]): string[] {
  if (arns.length > MAX_POLICY_ARNS) {
    throw new AwsError('ValidationError', `Cannot exceed quota for PolicyArnsPerSession: ${MAX_POLICY_ARNS}`);
  }
  return arns.map((arn) => {
    const doc = managedPolicyDocument(tx, account, arn);
    if (doc === undefined) throw new AwsError('InvalidParameterValue', `Policy ${arn} does not exist or is not attachable.`);
    return doc;
  });
}

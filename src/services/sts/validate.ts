/**
 * STS's input rules that its model no longer states. Everything else (lengths, patterns,
 * ranges, list sizes) is the model's and the codec checks it (src/protocol/validate.ts).
 */
import { AwsError } from '../../core/errors.js';
import { validationMessage } from '../../protocol/validate.js';

/**
 * AssumeRole's Policy: the current model types it `unrestrictedSessionPolicyDocumentType`
 * (min 1, no max), but STS still documents and enforces 2,048 characters for the plaintext
 * session policy, as for the other AssumeRole* calls whose model keeps `max: 2048`.
 */
export const SESSION_POLICY_MAX = 2048;

export function checkSessionPolicyLength(policy: string | undefined): void {
  if (policy === undefined || [...policy].length <= SESSION_POLICY_MAX) return;
  throw new AwsError('ValidationError', validationMessage([{
    path: 'policy', member: 'Policy', value: policy,
    constraint: `Member must have length less than or equal to ${SESSION_POLICY_MAX}`,
  }]));
}

import { AwsError } from '../../core/errors.js';

// Placeholder until enforcement lands (issue 3, item 4): the encoded explanation EC2 denials carry.
export function encodeAuthorizationMessage(explanation: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(explanation)).toString('base64url');
}

export function decodeAuthorizationMessage(encoded: string): string {
  try {
    return JSON.stringify(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')));
  } catch {
    throw new AwsError('InvalidAuthorizationMessageException', 'The encoded authorization message is invalid.');
  }
}

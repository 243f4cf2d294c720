import type { DecodeAuthorizationMessageRequest, DecodeAuthorizationMessageResponse } from '@aws-sdk/client-sts';
import { decodeAuthorizationMessage as decode } from '../authz/message.js';
import type { Handler } from '../types.js';

/** The explanation behind an encoded authorization failure (EC2 denials carry one). */
export const decodeAuthorizationMessage: Handler<DecodeAuthorizationMessageRequest, DecodeAuthorizationMessageResponse> = (input) => {
  return { DecodedMessage: decode(input.EncodedMessage!) };
};

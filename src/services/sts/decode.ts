import type { DecodeAuthorizationMessageRequest, DecodeAuthorizationMessageResponse } from '@aws-sdk/client-sts';
import { decodeAuthorizationMessage as decode } from '../authz/message.js';
import type { Handler } from '../types.js';
import { Checker, RULES } from './validate.js';

/** The explanation behind an encoded authorization failure (EC2 denials carry one). */
export const decodeAuthorizationMessage: Handler<DecodeAuthorizationMessageRequest, DecodeAuthorizationMessageResponse> = (input) => {
  new Checker().string('encodedMessage', input.EncodedMessage, RULES.encodedMessage).done();
  return { DecodedMessage: decode(input.EncodedMessage!) };
};

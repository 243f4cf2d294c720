import { AwsError } from '../core/errors.js';
import type { AuthFailure } from './sigv4.js';

type Family = 'query' | 'ec2' | 'rest-xml' | 'json' | 'rest-json';
type TableFamily = Exclude<Family, 'rest-json'>;
type Entry = [code: string, status: number, message?: string];

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const EC2_AUTH = 'AWS was not able to validate the provided access credentials';

/**
 * Each protocol family names the same authentication failure differently; these are the
 * codes AWS sends (IAM/STS for query, EC2, S3, and the JSON services such as ECR).
 * A missing message means: use the verifier's own, which says what was wrong.
 */
const TABLE: Record<AuthFailure, Record<TableFamily, Entry>> = {
  missing: {
    query: ['MissingAuthenticationToken', 403, 'Request is missing Authentication Token'],
    ec2: ['MissingAuthenticationToken', 401, 'Request is missing Authentication Token'],
    'rest-xml': ['AccessDenied', 403, 'Access Denied'],
    json: ['MissingAuthenticationTokenException', 400, 'Missing Authentication Token'],
  },
  malformed: {
    query: ['IncompleteSignature', 400], ec2: ['IncompleteSignature', 400],
    'rest-xml': ['AuthorizationHeaderMalformed', 400], json: ['IncompleteSignatureException', 400],
  },
  'unknown-key': {
    query: ['InvalidClientTokenId', 403, INVALID_TOKEN], ec2: ['AuthFailure', 401, EC2_AUTH],
    'rest-xml': ['InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.'],
    json: ['UnrecognizedClientException', 400, INVALID_TOKEN],
  },
  'inactive-key': {
    query: ['InvalidClientTokenId', 403, INVALID_TOKEN], ec2: ['AuthFailure', 401, EC2_AUTH],
    'rest-xml': ['InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.'],
    json: ['UnrecognizedClientException', 400, INVALID_TOKEN],
  },
  signature: {
    query: ['SignatureDoesNotMatch', 403], ec2: ['AuthFailure', 401, EC2_AUTH],
    'rest-xml': ['SignatureDoesNotMatch', 403], json: ['InvalidSignatureException', 400],
  },
  skew: {
    query: ['SignatureDoesNotMatch', 403], ec2: ['RequestExpired', 400, 'Request has expired.'],
    'rest-xml': ['RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.'],
    json: ['InvalidSignatureException', 400],
  },
  'presign-expired': {
    query: ['ExpiredToken', 403, 'The security token included in the request is expired'], ec2: ['RequestExpired', 400, 'Request has expired.'],
    'rest-xml': ['AccessDenied', 403, 'Request has expired'], json: ['InvalidSignatureException', 400],
  },
  'presign-bad-expires': {
    query: ['AuthorizationQueryParametersError', 400], ec2: ['AuthFailure', 401],
    'rest-xml': ['AuthorizationQueryParametersError', 400], json: ['InvalidSignatureException', 400],
  },
  'token-missing': {
    query: ['InvalidClientTokenId', 403, INVALID_TOKEN], ec2: ['AuthFailure', 401, EC2_AUTH],
    'rest-xml': ['InvalidToken', 400, 'The provided token is malformed or otherwise invalid.'],
    json: ['UnrecognizedClientException', 400, INVALID_TOKEN],
  },
  'token-invalid': {
    query: ['InvalidClientTokenId', 403, INVALID_TOKEN], ec2: ['AuthFailure', 401, EC2_AUTH],
    'rest-xml': ['InvalidToken', 400, 'The provided token is malformed or otherwise invalid.'],
    json: ['UnrecognizedClientException', 400, INVALID_TOKEN],
  },
  'expired-token': {
    query: ['ExpiredToken', 403, 'The security token included in the request is expired'],
    ec2: ['RequestExpired', 400, 'Request has expired.'],
    'rest-xml': ['ExpiredToken', 400, 'The provided token has expired.'],
    json: ['ExpiredTokenException', 400, 'The security token included in the request is expired'],
  },
  'bad-region': {
    query: ['SignatureDoesNotMatch', 403], ec2: ['AuthFailure', 401],
    'rest-xml': ['AuthorizationHeaderMalformed', 400], json: ['InvalidSignatureException', 400],
  },
  'payload-hash': {
    query: ['SignatureDoesNotMatch', 403], ec2: ['AuthFailure', 401],
    'rest-xml': ['XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed."],
    json: ['InvalidSignatureException', 400],
  },
};

/**
 * rest-json services (Savings Plans, Lambda) use the JSON services' codes, but their front
 * door answers authentication failures with 403 where awsJson answers 400.
 */
export function authError(failure: AuthFailure, family: Family, detail: string): AwsError {
  const [code, jsonStatus, message] = TABLE[failure][family === 'rest-json' ? 'json' : family];
  const status = family === 'rest-json' ? 403 : jsonStatus;
  return new AwsError(code, message ?? detail, status);
}

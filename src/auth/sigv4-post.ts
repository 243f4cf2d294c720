/**
 * SigV4 for browser POST uploads (S3 POST Object). A form is not a signed request: its
 * x-amz-signature is the hex HMAC-SHA256 of the base64 `policy` field, exactly as received,
 * under the signing key of its x-amz-credential scope (AWS's "Calculating a Signature" for
 * POST). The policy's own conditions are checked elsewhere (services/s3/post-policy.ts).
 *
 * The errors are S3's answers to forms, which differ from a signed request's: a missing or
 * malformed field is InvalidArgument naming it, a mismatch is SignatureDoesNotMatch with the
 * policy as StringToSign.
 */
import { AwsError } from '../core/errors.js';
import { authError } from './auth-errors.js';
import type { Credential, CredentialLookup } from './principal.js';
import { ALGORITHM, hmac, signaturesEqual, signingKey, stringsEqual } from './sigv4-core.js';

/** The authentication fields of a form, found case-insensitively. */
export interface PostAuthFields {
  algorithm?: string;
  credential?: string;
  date?: string;
  signature?: string;
  policy?: string;
  securityToken?: string;
}

export interface PostVerifyOptions {
  lookup: CredentialLookup;
  /** The cloudlet clock: session credentials expire by it. */
  nowMs: number;
  isValidRegion?: (region: string) => boolean;
  /** The bucket's region: a credential scoped to another one is refused, as S3 refuses it. */
  expectedRegion?: string;
}

export interface PostVerified {
  credential: Credential;
  accessKeyId: string;
  region: string;
  /** YYYYMMDD of the credential scope. */
  date: string;
  amzDate: string;
  scope: string;
  signingKey: Buffer;
  signature: string;
}

/** The names S3 uses for the fields in its messages. */
const NAMES = {
  algorithm: 'X-Amz-Algorithm', credential: 'X-Amz-Credential', date: 'X-Amz-Date', signature: 'X-Amz-Signature', policy: 'Policy',
} as const;

const invalid = (message: string, name: string, value: string, extra: Record<string, string> = {}): AwsError =>
  new AwsError('InvalidArgument', message, 400, { fields: { ArgumentName: name, ArgumentValue: value, ...extra } });

const missingField = (name: string): AwsError =>
  invalid(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, name, '');

/**
 * Whether the form is signed: any SigV4 field makes it so (and then all are required); with none
 * it is anonymous, whatever else it carries. SigV2 forms (AWSAccessKeyId + signature) are refused
 * as S3 refuses SigV2 everywhere in cloudlet.
 */
export function postIsSigned(get: (lowerName: string) => string | undefined): boolean {
  const v4 = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'].some((n) => get(n) !== undefined);
  if (!v4 && get('awsaccesskeyid') !== undefined && get('signature') !== undefined) {
    throw new AwsError('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.', 400);
  }
  return v4;
}

/** The SigV4 fields of a signed form; a missing one is S3's InvalidArgument naming it. */
export function postAuthFields(get: (lowerName: string) => string | undefined): Required<Omit<PostAuthFields, 'securityToken'>> & Pick<PostAuthFields, 'securityToken'> {
  const out: Record<string, string> = {};
  for (const [member, lower] of [['algorithm', 'x-amz-algorithm'], ['credential', 'x-amz-credential'], ['date', 'x-amz-date'], ['signature', 'x-amz-signature'], ['policy', 'policy']] as const) {
    const v = get(lower);
    if (v === undefined) throw missingField(NAMES[member]);
    out[member] = v;
  }
  const token = get('x-amz-security-token');
  return { algorithm: out.algorithm!, credential: out.credential!, date: out.date!, signature: out.signature!, policy: out.policy!, ...(token !== undefined ? { securityToken: token } : {}) };
}

/** "AKID/YYYYMMDD/REGION/s3/aws4_request", checked part by part. */
function parseCredential(raw: string, opts: PostVerifyOptions): { accessKeyId: string; date: string; region: string } {
  const name = NAMES.credential;
  const parts = raw.split('/');
  if (parts.length !== 5) {
    throw invalid('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".', name, raw);
  }
  const [accessKeyId, date, region, service, terminal] = parts as [string, string, string, string, string];
  if (!accessKeyId) throw invalid('a non-empty Access Key (AKID) must be provided in the credential.', name, raw);
  if (!/^\d{8}$/.test(date)) throw invalid(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`, name, raw);
  if (opts.isValidRegion && !opts.isValidRegion(region)) throw invalid(`the region '${region}' is wrong; expecting '${opts.expectedRegion ?? 'us-east-1'}'`, name, raw);
  if (opts.expectedRegion !== undefined && region !== opts.expectedRegion) {
    throw invalid(`the region '${region}' is wrong; expecting '${opts.expectedRegion}'`, name, raw, { Region: opts.expectedRegion });
  }
  if (service !== 's3') throw invalid(`incorrect service "${service}". This endpoint belongs to "s3".`, name, raw);
  if (terminal !== 'aws4_request') throw invalid(`incorrect terminal "${terminal}". This endpoint uses "aws4_request".`, name, raw);
  return { accessKeyId, date, region };
}

/** The hex signature of a policy (the base64 text, as sent) under a scope's signing key. */
export function postPolicySignature(secret: string, date: string, region: string, policyB64: string): string {
  return hmac(signingKey(secret, date, region, 's3'), policyB64).toString('hex');
}

/** Two lower-case hex digits a byte, space-separated: S3's StringToSignBytes. */
const spacedHex = (s: string): string => Buffer.from(s, 'utf8').toString('hex').replace(/(..)(?!$)/g, '$1 ');

/** Verifies a signed form's credential, session token and signature; throws S3's error. */
export function verifyPostSignature(f: ReturnType<typeof postAuthFields>, opts: PostVerifyOptions): PostVerified {
  if (f.algorithm !== ALGORITHM) throw invalid(`X-Amz-Algorithm only supports "${ALGORITHM}"`, NAMES.algorithm, f.algorithm);
  const { accessKeyId, date, region } = parseCredential(f.credential, opts);
  if (!/^\d{8}T\d{6}Z$/.test(f.date)) throw invalid('X-Amz-Date must be formated via ISO8601 Long format', NAMES.date, f.date);
  const cred = opts.lookup(accessKeyId);
  if (!cred || cred.status === 'Inactive') {
    throw new AwsError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { fields: { AWSAccessKeyId: accessKeyId } });
  }
  if (cred.sessionToken) {
    if (f.securityToken === undefined) throw authError('token-missing', 'rest-xml', '');
    if (!stringsEqual(f.securityToken, cred.sessionToken)) throw authError('token-invalid', 'rest-xml', '');
  } else if (f.securityToken !== undefined) {
    throw authError('token-invalid', 'rest-xml', '');
  }
  const exp = cred.principal.expiresAt;
  if (exp !== undefined && exp < opts.nowMs) throw authError('expired-token', 'rest-xml', '');
  const key = signingKey(cred.secretAccessKey, date, region, 's3');
  const expected = hmac(key, f.policy).toString('hex');
  if (!signaturesEqual(expected, f.signature.toLowerCase())) {
    throw new AwsError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403, {
      fields: { AWSAccessKeyId: accessKeyId, StringToSign: f.policy, SignatureProvided: f.signature, StringToSignBytes: spacedHex(f.policy) },
    });
  }
  return {
    credential: cred, accessKeyId, region, date, amzDate: f.date,
    scope: `${date}/${region}/s3/aws4_request`, signingKey: key, signature: expected,
  };
}

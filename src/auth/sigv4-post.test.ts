import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsError } from '../core/errors.js';
import type { Credential } from './principal.js';
import { postAuthFields, postIsSigned, postPolicySignature, verifyPostSignature } from './sigv4-post.js';

// AWS's "Example: Browser-Based Upload using HTTP POST (Using AWS Signature Version 4)": the
// policy (CRLF line ends) as base64, and the signature the page states for it.
const EXAMPLE_POLICY = 'eyAiZXhwaXJhdGlvbiI6ICIyMDE1LTEyLTMwVDEyOjAwOjAwLjAwMFoiLA0KICAiY29uZGl0aW9ucyI6IFsNCiAgICB7ImJ1Y2tldCI6ICJzaWd2NGV4YW1wbGVidWNrZXQifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRrZXkiLCAidXNlci91c2VyMS8iXSwNCiAgICB7ImFjbCI6ICJwdWJsaWMtcmVhZCJ9LA0KICAgIHsic3VjY2Vzc19hY3Rpb25fcmVkaXJlY3QiOiAiaHR0cDovL3NpZ3Y0ZXhhbXBsZWJ1Y2tldC5zMy5hbWF6b25hd3MuY29tL3N1Y2Nlc3NmdWxfdXBsb2FkLmh0bWwifSwNCiAgICBbInN0YXJ0cy13aXRoIiwgIiRDb250ZW50LVR5cGUiLCAiaW1hZ2UvIl0sDQogICAgeyJ4LWFtei1tZXRhLXV1aWQiOiAiMTQzNjUxMjM2NTEyNzQifSwNCiAgICB7IngtYW16LXNlcnZlci1zaWRlLWVuY3J5cHRpb24iOiAiQUVTMjU2In0sDQogICAgWyJzdGFydHMtd2l0aCIsICIkeC1hbXotbWV0YS10YWciLCAiIl0sDQoNCiAgICB7IngtYW16LWNyZWRlbnRpYWwiOiAiQUtJQUlPU0ZPRE5ON0VYQU1QTEUvMjAxNTEyMjkvdXMtZWFzdC0xL3MzL2F3czRfcmVxdWVzdCJ9LA0KICAgIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwNCiAgICB7IngtYW16LWRhdGUiOiAiMjAxNTEyMjlUMDAwMDAwWiIgfQ0KICBdDQp9';
const EXAMPLE_SIGNATURE = '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e';
const AKID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

const CRED: Credential = { accessKeyId: AKID, secretAccessKey: SECRET, principal: { kind: 'user', account: '111111111111', arn: 'arn:aws:iam::111111111111:user/eric', userId: 'AIDAEXAMPLE' } };
const SESSION: Credential = {
  accessKeyId: 'ASIAEXAMPLE', secretAccessKey: SECRET, sessionToken: 'tok',
  principal: { kind: 'assumed-role', account: '111111111111', arn: 'arn:aws:sts::111111111111:assumed-role/r/s', userId: 'AROA:s', expiresAt: 1_000 },
};
const lookup = (id: string) => (id === AKID ? CRED : id === SESSION.accessKeyId ? SESSION : undefined);

const fields = (over: Record<string, string | undefined> = {}) => {
  const f: Record<string, string | undefined> = {
    'x-amz-algorithm': 'AWS4-HMAC-SHA256', 'x-amz-credential': `${AKID}/20151229/us-east-1/s3/aws4_request`,
    'x-amz-date': '20151229T000000Z', 'x-amz-signature': EXAMPLE_SIGNATURE, policy: EXAMPLE_POLICY, ...over,
  };
  return (name: string) => f[name];
};
const fails = (code: string, message?: string | RegExp, extra?: Record<string, string>) => (e: AwsError) => {
  assert.equal(e.code, code);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  for (const [k, v] of Object.entries(extra ?? {})) assert.equal(e.fields[k], v);
  return true;
};

test('the POST signature is the HMAC of the base64 policy: AWS\'s published example', () => {
  assert.equal(postPolicySignature(SECRET, '20151229', 'us-east-1', EXAMPLE_POLICY), EXAMPLE_SIGNATURE);
  const v = verifyPostSignature(postAuthFields(fields()), { lookup, nowMs: 0, expectedRegion: 'us-east-1' });
  assert.equal(v.credential, CRED);
  assert.equal(v.scope, '20151229/us-east-1/s3/aws4_request');
  // Upper-case hex is the same signature.
  verifyPostSignature(postAuthFields(fields({ 'x-amz-signature': EXAMPLE_SIGNATURE.toUpperCase() })), { lookup, nowMs: 0 });
});

test('a changed policy or signature is SignatureDoesNotMatch, with the policy as StringToSign', () => {
  const tampered = `${EXAMPLE_POLICY.slice(0, -2)}`;
  assert.throws(() => verifyPostSignature(postAuthFields(fields({ policy: tampered })), { lookup, nowMs: 0 }), fails('SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    { AWSAccessKeyId: AKID, StringToSign: tampered, SignatureProvided: EXAMPLE_SIGNATURE }));
  try {
    verifyPostSignature(postAuthFields(fields({ policy: 'ab' })), { lookup, nowMs: 0 });
    assert.fail('accepted');
  } catch (e) {
    assert.equal((e as AwsError).fields.StringToSignBytes, '61 62');
    assert.equal((e as AwsError).status, 403);
  }
  assert.throws(() => verifyPostSignature(postAuthFields(fields({ 'x-amz-signature': '0'.repeat(64) })), { lookup, nowMs: 0 }), fails('SignatureDoesNotMatch'));
  // Another day's key does not sign this policy.
  assert.throws(() => verifyPostSignature(postAuthFields(fields({ 'x-amz-credential': `${AKID}/20151230/us-east-1/s3/aws4_request` })), { lookup, nowMs: 0 }), fails('SignatureDoesNotMatch'));
});

test('signed or anonymous, missing fields, malformed credentials and dates, keys and tokens', () => {
  assert.equal(postIsSigned(fields()), true);
  assert.equal(postIsSigned((n) => ({ key: 'k', policy: 'p' } as Record<string, string>)[n]), false);
  assert.throws(() => postIsSigned((n) => ({ awsaccesskeyid: AKID, signature: 's' } as Record<string, string>)[n]), fails('InvalidRequest', /AWS4-HMAC-SHA256/));
  assert.throws(() => postAuthFields(fields({ 'x-amz-signature': undefined })), fails('InvalidArgument',
    "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.", { ArgumentName: 'X-Amz-Signature', ArgumentValue: '' }));
  assert.throws(() => postAuthFields(fields({ 'x-amz-algorithm': undefined, 'x-amz-credential': undefined })), fails('InvalidArgument', /'X-Amz-Algorithm'/));
  const v = (over: Record<string, string | undefined>, opts: { expectedRegion?: string; nowMs?: number } = {}) =>
    () => verifyPostSignature(postAuthFields(fields(over)), { lookup, nowMs: opts.nowMs ?? 0, isValidRegion: (r) => r === 'us-east-1' || r === 'eu-west-1', ...opts });
  assert.throws(v({ 'x-amz-algorithm': 'AWS4-HMAC-SHA1' }), fails('InvalidArgument', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', { ArgumentName: 'X-Amz-Algorithm' }));
  assert.throws(v({ 'x-amz-credential': 'nope' }), fails('InvalidArgument', /the Credential is mal-formed/, { ArgumentName: 'X-Amz-Credential', ArgumentValue: 'nope' }));
  assert.throws(v({ 'x-amz-credential': '/20151229/us-east-1/s3/aws4_request' }), fails('InvalidArgument', 'a non-empty Access Key (AKID) must be provided in the credential.'));
  assert.throws(v({ 'x-amz-credential': `${AKID}/2015-12-29/us-east-1/s3/aws4_request` }), fails('InvalidArgument', /incorrect date format "2015-12-29"/));
  assert.throws(v({ 'x-amz-credential': `${AKID}/20151229/us-east-1/ec2/aws4_request` }), fails('InvalidArgument', 'incorrect service "ec2". This endpoint belongs to "s3".'));
  assert.throws(v({}, { expectedRegion: 'eu-west-1' }), fails('InvalidArgument', "the region 'us-east-1' is wrong; expecting 'eu-west-1'", { Region: 'eu-west-1' }));
  assert.throws(v({ 'x-amz-date': '2015-12-29' }), fails('InvalidArgument', 'X-Amz-Date must be formated via ISO8601 Long format', { ArgumentName: 'X-Amz-Date' }));
  assert.throws(v({ 'x-amz-credential': `AKIANOBODY/20151229/us-east-1/s3/aws4_request` }), fails('InvalidAccessKeyId', /does not exist/, { AWSAccessKeyId: 'AKIANOBODY' }));
  assert.throws(v({ 'x-amz-security-token': 'tok' }), fails('InvalidToken'));
  const session = { 'x-amz-credential': 'ASIAEXAMPLE/20151229/us-east-1/s3/aws4_request' };
  assert.throws(v(session), fails('InvalidToken'));
  assert.throws(v({ ...session, 'x-amz-security-token': 'other' }), fails('InvalidToken'));
  assert.throws(v({ ...session, 'x-amz-security-token': 'tok' }, { nowMs: 2_000 }), fails('ExpiredToken'));
  assert.equal(verifyPostSignature(postAuthFields(fields({ ...session, 'x-amz-security-token': 'tok' })), { lookup, nowMs: 0 }).credential, SESSION);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { policyIsPublic, statementIsPublic, validateBucketPolicy } from './bucket-policy.js';

const doc = (...Statement: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const malformed = (text: string, message: string) =>
  assert.throws(() => validateBucketPolicy(text, 'b'), (e: any) => e.code === 'MalformedPolicy' && e.status === 400 && e.message === message);

test('validateBucketPolicy: S3\'s MalformedPolicy messages', () => {
  malformed('  [1]', "Policies must be valid JSON and the first byte must be '{'");
  malformed('{"Statement": ', "Policies must be valid JSON and the first byte must be '{'");
  malformed(doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), 'Missing required field Principal');
  malformed(doc({ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), 'Invalid principal in policy');
  malformed(doc({ Effect: 'Allow', Principal: { Nobody: 'x' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), 'Invalid principal in policy');
  malformed(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b' }), 'Action does not apply to any resource(s) in statement');
  malformed(doc({ Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b/*' }), 'Action does not apply to any resource(s) in statement');
  malformed(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::c/*' }), 'Policy has invalid resource');
  malformed(doc({ Effect: 'Allow', Principal: '*', Action: 'ec2:RunInstances', Resource: 'arn:aws:s3:::b/*' }), 'Policy has invalid action');
  // Accepted: accounts, IAM ARNs, wildcards, mixed resources, a bucket glob.
  validateBucketPolicy(doc(
    { Effect: 'Allow', Principal: { AWS: ['111111111111', 'arn:aws:iam::111111111111:role/r'] }, Action: ['s3:ListBucket', 's3:GetObject'], Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] },
    { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
  ), 'b');
});

test('statementIsPublic: Principal "*" allowing, unless a condition pins the caller or network', () => {
  const base = { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
  assert.equal(statementIsPublic(base), true);
  assert.equal(statementIsPublic({ ...base, Principal: { AWS: '*' } }), true);
  assert.equal(statementIsPublic({ ...base, Effect: 'Deny' }), false);
  assert.equal(statementIsPublic({ ...base, Principal: { AWS: '111111111111' } }), false);
  assert.equal(statementIsPublic({ ...base, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), false);
  assert.equal(statementIsPublic({ ...base, Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } }), true);
  assert.equal(statementIsPublic({ ...base, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } }), false);
  assert.equal(statementIsPublic({ ...base, Condition: { StringLike: { 'aws:SourceVpce': '*' } } }), true);
  assert.equal(statementIsPublic({ ...base, Condition: { StringEquals: { 's3:prefix': 'x' } } }), true);
  assert.equal(policyIsPublic(doc({ ...base, Effect: 'Deny' }, base)), true);
  assert.equal(policyIsPublic(doc({ ...base, Principal: { AWS: '111111111111' } })), false);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsError } from '../../core/errors.js';
import { checkPolicyText } from './policies.js';
import { checkEncryption, checkMutability, checkRepositoryName, hostPort, managedKeyArn, repositoryUri } from './repositories.js';
import { scanningRulesFor, wildcardMatches } from './settings.js';
import { checkTags } from './tagging.js';

const fails = (code: string, message?: RegExp) => (e: AwsError) => e.code === code && (message === undefined || message.test(e.message));
const A = '111111111111';

test('repository names: AWS\'s pattern and length 2..256, in its words', () => {
  for (const ok of ['ab', 'team/web-app', 'a.b_c__d--e', 'x/y/z', 'a'.repeat(256)]) checkRepositoryName(ok);
  assert.throws(() => checkRepositoryName('a'), fails('InvalidParameterException', /^Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'$/));
  assert.throws(() => checkRepositoryName('a'.repeat(257)), fails('InvalidParameterException', /less than or equal to 256/));
  for (const bad of ['Upper', 'a//b', '-ab', 'ab-', 'a___b', 'a/', '/a', 'a b', 'a.-b']) {
    assert.throws(() => checkRepositoryName(bad), fails('InvalidParameterException', /must satisfy regular expression '\(\?:\[a-z0-9\]/), bad);
  }
});

test('tag mutability: exclusion filters only with the _WITH_EXCLUSION settings, 1 to 5 of them, wildcard text', () => {
  assert.deepEqual(checkMutability(undefined, undefined), { imageTagMutability: 'MUTABLE' });
  const f = [{ filterType: 'WILDCARD', filter: 'release-*' }];
  assert.deepEqual(checkMutability('MUTABLE_WITH_EXCLUSION', f), { imageTagMutability: 'MUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: f });
  assert.throws(() => checkMutability('IMMUTABLE', f), fails('InvalidParameterException', /only be used with the IMMUTABLE_WITH_EXCLUSION/));
  assert.throws(() => checkMutability('IMMUTABLE_WITH_EXCLUSION', []), fails('InvalidParameterException', /At least one/));
  assert.throws(() => checkMutability('IMMUTABLE_WITH_EXCLUSION', Array(6).fill(f[0])), fails('InvalidParameterException', /less than or equal to 5/));
  assert.throws(() => checkMutability('IMMUTABLE_WITH_EXCLUSION', [{ filterType: 'WILDCARD', filter: 'a/b' }]), fails('InvalidParameterException', /filter' failed/));
  assert.throws(() => checkMutability('IMMUTABLE_WITH_EXCLUSION', [{ filterType: 'REGEX', filter: 'a' }]), fails('InvalidParameterException', /WILDCARD/));
  assert.throws(() => checkMutability('SOMETIMES', undefined), fails('InvalidParameterException'));
});

test('encryption: AES256 by default, KMS without a key is the aws/ecr key, ids and aliases become ARNs', () => {
  assert.deepEqual(checkEncryption(undefined, A, 'us-east-1'), { encryptionType: 'AES256' });
  const managed = checkEncryption({ encryptionType: 'KMS' }, A, 'us-east-1');
  assert.equal(managed.kmsKey, managedKeyArn(A, 'us-east-1'));
  assert.match(managed.kmsKey!, /^arn:aws:kms:us-east-1:111111111111:key\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(managedKeyArn(A, 'eu-west-1'), managed.kmsKey);
  assert.equal(checkEncryption({ encryptionType: 'KMS_DSSE', kmsKey: 'alias/app' }, A, 'us-east-1').kmsKey, 'arn:aws:kms:us-east-1:111111111111:alias/app');
  const id = '1234abcd-12ab-34cd-56ef-1234567890ab';
  assert.equal(checkEncryption({ encryptionType: 'KMS', kmsKey: id }, A, 'us-east-1').kmsKey, `arn:aws:kms:us-east-1:111111111111:key/${id}`);
  assert.throws(() => checkEncryption({ encryptionType: 'AES256', kmsKey: id }, A, 'us-east-1'), fails('InvalidParameterException'));
  assert.throws(() => checkEncryption({ encryptionType: 'KMS', kmsKey: 'not a key' }, A, 'us-east-1'), fails('KmsException'));
});

test('repository URIs carry the Host header\'s port', () => {
  const port = (host: string | undefined) => hostPort({ wire: { headers: host === undefined ? {} : { host } } as never });
  assert.equal(port('localhost:4566'), '4566');
  assert.equal(port('127.0.0.1:39001'), '39001');
  assert.equal(port('[::1]:4566'), '4566');
  assert.equal(port('[::1]'), '');
  assert.equal(port('localhost'), '');
  assert.equal(port(undefined), '');
  assert.equal(repositoryUri(A, 'us-east-1', 'team/app', '4566'), '111111111111.dkr.ecr.us-east-1.localhost:4566/team/app');
  assert.equal(repositoryUri(A, 'us-east-1', 'app', ''), '111111111111.dkr.ecr.us-east-1.localhost/app');
});

test('tags: 50 at most, keys 1..128 without aws:, values up to 256, the last value of a repeated key', () => {
  assert.deepEqual(checkTags([{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }, { Key: 'b' }]), [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '' }]);
  assert.equal(checkTags(Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))).length, 50);
  assert.throws(() => checkTags(Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }))), fails('TooManyTagsException'));
  assert.throws(() => checkTags([{ Key: '', Value: 'v' }]), fails('InvalidTagParameterException'));
  assert.throws(() => checkTags([{ Key: 'k'.repeat(129), Value: 'v' }]), fails('InvalidTagParameterException'));
  assert.throws(() => checkTags([{ Key: 'k', Value: 'v'.repeat(257) }]), fails('InvalidTagParameterException'));
  assert.throws(() => checkTags([{ Key: 'AWS:x', Value: 'v' }]), fails('InvalidTagParameterException', /aws:/));
  assert.throws(() => checkTags([{ Key: 'semi;colon', Value: 'v' }]), fails('InvalidTagParameterException'));
});

test('policies: a Principal in every statement, JSON, known fields; the parser\'s reason in the message', () => {
  const ok = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' }] });
  assert.equal(checkPolicyText(ok, 'repository').statements.length, 1);
  assert.throws(() => checkPolicyText('{', 'repository'), fails('InvalidParameterException', /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided' \(Syntax errors/));
  assert.throws(() => checkPolicyText(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'ecr:*' }] }), 'registry'), fails('InvalidParameterException', /Invalid registry policy provided.*Principal/));
  assert.throws(() => checkPolicyText(JSON.stringify({ Statement: [{ Effect: 'Maybe', Principal: '*', Action: 'ecr:*' }] }), 'repository'), fails('InvalidParameterException', /Invalid effect/));
  assert.throws(() => checkPolicyText('', 'repository'), fails('InvalidParameterException'));
});

test('scanning filters: * is any run of characters, everything else literal; the rules matching a repository', () => {
  assert.ok(wildcardMatches('team/*', 'team/web'));
  assert.ok(wildcardMatches('*', 'anything/at/all'));
  assert.ok(wildcardMatches('*-prod', 'api-prod'));
  assert.ok(!wildcardMatches('team/*', 'teams/web'));
  assert.ok(!wildcardMatches('a.b', 'axb'));
  const cfg = {
    scanType: 'BASIC' as const,
    rules: [
      { scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: [{ filter: 'team/*', filterType: 'WILDCARD' as const }] },
      { scanFrequency: 'MANUAL' as const, repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' as const }] },
    ],
  };
  assert.deepEqual(scanningRulesFor(cfg, 'team/web').map((r) => r.scanFrequency), ['SCAN_ON_PUSH', 'MANUAL']);
  assert.deepEqual(scanningRulesFor(cfg, 'other').map((r) => r.scanFrequency), ['MANUAL']);
});

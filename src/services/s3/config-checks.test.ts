import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsError } from '../../core/errors.js';
import { checkEncryption, checkLogging, checkNotifications, checkReplication, checkWebsite, nextVersioning } from './config-checks.js';
import { BUCKET_TAG_RULES, OBJECT_TAG_RULES, checkBodyIntegrity, checkTagSet } from './config-common.js';
import { checksumOf } from './checksums.js';
import { createHash } from 'node:crypto';
import type { BucketRecord } from './records.js';

const fails = (code: string, message?: RegExp) => (e: AwsError) => e.code === code && (message === undefined || message.test(e.message));
const bucket = (fields: Partial<BucketRecord> = {}): BucketRecord => ({ name: 'b', region: 'us-east-1', createdAt: '', seq: 0, ...fields });

test('tags: unique keys of 1-128 characters, values up to 256, no aws: keys, 50 per bucket and 10 per object', () => {
  assert.deepEqual(checkTagSet([{ Key: 'a', Value: '1' }, { Key: 'b' } as never], BUCKET_TAG_RULES), [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '' }]);
  assert.throws(() => checkTagSet(undefined, BUCKET_TAG_RULES), fails('MalformedXML'));
  assert.throws(() => checkTagSet([{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }], BUCKET_TAG_RULES), fails('InvalidTag', /multiple Tags with the same key/));
  assert.throws(() => checkTagSet([{ Key: '', Value: '1' }], BUCKET_TAG_RULES), fails('InvalidTag', /TagKey/));
  checkTagSet([{ Key: 'k'.repeat(128), Value: 'v'.repeat(256) }], BUCKET_TAG_RULES);
  // Characters, not UTF-16 units: 128 emoji-free non-ASCII letters are fine.
  checkTagSet([{ Key: 'é'.repeat(128), Value: '' }], BUCKET_TAG_RULES);
  assert.throws(() => checkTagSet([{ Key: 'k'.repeat(129), Value: '' }], BUCKET_TAG_RULES), fails('InvalidTag', /TagKey/));
  assert.throws(() => checkTagSet([{ Key: 'k', Value: 'v'.repeat(257) }], BUCKET_TAG_RULES), fails('InvalidTag', /max length is 256/));
  assert.throws(() => checkTagSet([{ Key: 'k', Value: 'semi;colon' }], BUCKET_TAG_RULES), fails('InvalidTag', /TagValue/));
  assert.throws(() => checkTagSet([{ Key: 'AWS:thing', Value: '' }], BUCKET_TAG_RULES), fails('InvalidTag', /System tags/));
  assert.throws(() => checkTagSet([{ Key: 'aws:thing', Value: '' }], OBJECT_TAG_RULES), fails('InvalidTag', /prefixed with aws:/));
  const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ Key: `k${i}`, Value: '' }));
  checkTagSet(tags(50), BUCKET_TAG_RULES);
  assert.throws(() => checkTagSet(tags(51), BUCKET_TAG_RULES), fails('InvalidTag', /greater than 50/));
  checkTagSet(tags(10), OBJECT_TAG_RULES);
  assert.throws(() => checkTagSet(tags(11), OBJECT_TAG_RULES), fails('BadRequest', /greater than 10/));
});

test('default encryption: one rule, a known algorithm, a KMS key only with KMS', () => {
  assert.deepEqual(checkEncryption({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] }),
    { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }] });
  assert.deepEqual(checkEncryption({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'k' }, BucketKeyEnabled: true }] }),
    { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'k' }, BucketKeyEnabled: true }] });
  assert.throws(() => checkEncryption(undefined), fails('MalformedXML'));
  assert.throws(() => checkEncryption({ Rules: [] }), fails('MalformedXML'));
  assert.throws(() => checkEncryption({ Rules: [{}] }), fails('MalformedXML'));
  assert.throws(() => checkEncryption({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aes256' as never } }] }), fails('MalformedXML'));
  assert.throws(() => checkEncryption({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' } }] }), fails('InvalidArgument', /KMSMasterKeyID/));
});

test('versioning: Enabled and Suspended; Object Lock and replication keep it on; MFA delete changes need x-amz-mfa', () => {
  assert.deepEqual(nextVersioning(bucket(), { Status: 'Enabled' }, undefined, false), { versioning: 'Enabled' });
  assert.deepEqual(nextVersioning(bucket(), { Status: 'Suspended' }, undefined, false), { versioning: 'Suspended' });
  assert.deepEqual(nextVersioning(bucket({ versioning: 'Enabled' }), {}, undefined, false), { versioning: 'Enabled' });
  assert.throws(() => nextVersioning(bucket(), undefined, undefined, false), fails('MalformedXML'));
  assert.throws(() => nextVersioning(bucket(), { Status: 'enabled' as never }, undefined, false), fails('MalformedXML'));
  assert.throws(() => nextVersioning(bucket({ versioning: 'Enabled', objectLock: true }), { Status: 'Suspended' }, undefined, false), fails('InvalidBucketState', /Object Lock/));
  assert.deepEqual(nextVersioning(bucket({ versioning: 'Enabled', objectLock: true }), { Status: 'Enabled' }, undefined, false), { versioning: 'Enabled' });
  assert.throws(() => nextVersioning(bucket({ versioning: 'Enabled' }), { Status: 'Suspended' }, undefined, true), fails('InvalidBucketState', /replication/));
  assert.throws(() => nextVersioning(bucket(), { Status: 'Enabled', MFADelete: 'Enabled' }, undefined, false), fails('AccessDenied', /Mfa/));
  assert.deepEqual(nextVersioning(bucket(), { Status: 'Enabled', MFADelete: 'Enabled' }, 'arn:aws:iam::1:mfa/d 123456', false), { versioning: 'Enabled', mfaDelete: 'Enabled' });
  // Saying what already is needs no MFA.
  assert.deepEqual(nextVersioning(bucket(), { Status: 'Enabled', MFADelete: 'Disabled' }, undefined, false), { versioning: 'Enabled', mfaDelete: 'Disabled' });
});

test('website: an index document or a redirect of every request, well formed', () => {
  assert.deepEqual(checkWebsite({ IndexDocument: { Suffix: 'index.html' } }), { IndexDocument: { Suffix: 'index.html' } });
  assert.deepEqual(checkWebsite({ RedirectAllRequestsTo: { HostName: 'example.com', Protocol: 'https' } }), { RedirectAllRequestsTo: { HostName: 'example.com', Protocol: 'https' } });
  assert.throws(() => checkWebsite(undefined), fails('MalformedXML'));
  assert.throws(() => checkWebsite({ ErrorDocument: { Key: 'e' } }), fails('InvalidArgument', /IndexDocument Suffix must be provided/));
  assert.throws(() => checkWebsite({ IndexDocument: { Suffix: 'a/index.html' } }), fails('InvalidArgument', /not well formed/));
  assert.throws(() => checkWebsite({ RedirectAllRequestsTo: { HostName: 'x' }, IndexDocument: { Suffix: 'i' } }), fails('InvalidArgument'));
  assert.throws(() => checkWebsite({ RedirectAllRequestsTo: { HostName: 'x', Protocol: 'ftp' as never } }), fails('MalformedXML'));
  assert.throws(() => checkWebsite({ IndexDocument: { Suffix: 'i' }, RoutingRules: [{ Redirect: { ReplaceKeyWith: 'a', ReplaceKeyPrefixWith: 'b' } }] }), fails('InvalidArgument'));
  assert.throws(() => checkWebsite({ IndexDocument: { Suffix: 'i' }, RoutingRules: [{ Redirect: { HttpRedirectCode: '200' } }] }), fails('InvalidArgument', /redirect code/));
});

test('logging, notifications and replication shapes', () => {
  assert.equal(checkLogging({}), undefined);
  assert.throws(() => checkLogging(undefined), fails('MalformedXML'));
  assert.throws(() => checkLogging({ LoggingEnabled: { TargetBucket: 'b' } as never }), fails('MalformedXML'));
  assert.deepEqual(checkLogging({ LoggingEnabled: { TargetBucket: 'b', TargetPrefix: '' } }), { TargetBucket: 'b', TargetPrefix: '' });

  const queue = { QueueArn: 'arn:aws:sqs:us-east-1:111111111111:q', Events: ['s3:ObjectCreated:Put' as const] };
  const out = checkNotifications({ QueueConfigurations: [queue, { ...queue, Id: 'mine' }] });
  assert.equal(out.QueueConfigurations!.length, 2);
  assert.ok(out.QueueConfigurations![0]!.Id && out.QueueConfigurations![0]!.Id !== 'mine');
  assert.equal(out.QueueConfigurations![1]!.Id, 'mine');
  assert.deepEqual(checkNotifications({}), {});
  assert.throws(() => checkNotifications({ QueueConfigurations: [{ ...queue, Events: ['s3:Nope' as never] }] }), fails('InvalidArgument', /event is not supported/));
  assert.throws(() => checkNotifications({ QueueConfigurations: [{ ...queue, QueueArn: 'arn:aws:sns:us-east-1:111111111111:t' }] }), fails('InvalidArgument', /destination/));
  assert.throws(() => checkNotifications({ QueueConfigurations: [{ ...queue, Filter: { Key: { FilterRules: [{ Name: 'middle' as never, Value: 'x' }] } } }] }), fails('InvalidArgument', /prefix or suffix/));
  assert.throws(() => checkNotifications({ QueueConfigurations: [{ ...queue, Id: 'a' }, { ...queue, Id: 'a' }] }), fails('InvalidArgument', /unique/));

  const rule = { Status: 'Enabled' as const, Prefix: '', Destination: { Bucket: 'arn:aws:s3:::dest' } };
  checkReplication({ Role: 'arn:aws:iam::1:role/r', Rules: [rule] });
  assert.throws(() => checkReplication({ Role: '', Rules: [rule] }), fails('MalformedXML'));
  assert.throws(() => checkReplication({ Role: 'r', Rules: [] }), fails('MalformedXML'));
  assert.throws(() => checkReplication({ Role: 'r', Rules: [{ ...rule, Status: 'On' as never }] }), fails('MalformedXML'));
  assert.throws(() => checkReplication({ Role: 'r', Rules: [{ ...rule, Destination: { Bucket: 'dest' } }] }), fails('InvalidArgument'));
  assert.throws(() => checkReplication({ Role: 'r', Rules: [{ ...rule, ID: 'x' }, { ...rule, ID: 'x' }] }), fails('InvalidArgument', /unique/));
});

test('configuration bodies: Content-MD5 and x-amz-checksum-* must match what was sent', () => {
  const body = Buffer.from('<Tagging><TagSet/></Tagging>');
  const md5 = createHash('md5').update(body).digest('base64');
  checkBodyIntegrity({}, body);
  checkBodyIntegrity({ 'content-md5': md5, 'x-amz-checksum-crc32': checksumOf('CRC32', body) }, body);
  checkBodyIntegrity({ 'x-amz-checksum-crc64nvme': checksumOf('CRC64NVME', body) }, body);
  assert.throws(() => checkBodyIntegrity({ 'content-md5': md5 }, Buffer.from('<Tagging/>')), fails('BadDigest', /Content-MD5/));
  assert.throws(() => checkBodyIntegrity({ 'content-md5': 'nope' }, body), fails('InvalidDigest'));
  assert.throws(() => checkBodyIntegrity({ 'x-amz-checksum-crc32': checksumOf('CRC32', Buffer.from('x')) }, body), fails('BadDigest', /CRC32/));
  assert.throws(() => checkBodyIntegrity({ 'x-amz-checksum-sha256': 'short' }, body), fails('InvalidRequest'));
});

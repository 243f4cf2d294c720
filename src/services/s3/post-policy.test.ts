import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsError } from '../../core/errors.js';
import { checkPostPolicy, expandFilename, fieldMap, parsePostPolicy, sizeRange, sizeRefusal, type PostForm } from './post-policy.js';
import { postInput, taggingField } from './post-upload.js';

const fails = (code: string, message?: string | RegExp, status?: number) => (e: AwsError) => {
  assert.equal(e.code, code);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  if (status !== undefined) assert.equal(e.status, status);
  return true;
};

const b64 = (doc: unknown): string => Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)).toString('base64');
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const LATER = '2026-01-01T13:00:00.000Z';
const policy = (conditions: unknown[], expiration = LATER) => parsePostPolicy(b64({ expiration, conditions }));
const form = (fields: Array<[string, string]>, bucket = 'photos'): PostForm => ({ fields, bucket });

test('POST policy documents: shape errors are InvalidPolicyDocument with S3 words', () => {
  const bad = (doc: unknown, message: string) =>
    assert.throws(() => parsePostPolicy(typeof doc === 'string' && doc.startsWith('!') ? doc.slice(1) : b64(doc)), fails('InvalidPolicyDocument', `Invalid Policy: ${message}`, 400));
  bad('!not base64 %%%', 'invalid Base64 encoding.');
  bad('{"expiration": ', 'Invalid JSON.');
  bad('[1]', 'Invalid JSON.');
  bad({ conditions: [] }, 'Policy missing expiration.');
  bad({ EXPIRATION: LATER, conditions: [] }, "Unexpected: 'expiration'");
  bad({ expiration: LATER }, 'Policy missing conditions.');
  bad({ expiration: LATER, conditions: {} }, "Invalid 'conditions' value: must be a List.");
  bad({ expiration: '2026-01-01 13:00:00 UTC', conditions: [] }, "Invalid 'expiration' value: '2026-01-01 13:00:00 UTC'");
  bad({ expiration: '2026-01-01T13:00:00+02:00', conditions: [] }, "Invalid 'expiration' value: '2026-01-01T13:00:00+02:00'");
  bad({ expiration: LATER, conditions: [{}] }, 'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
  bad({ expiration: LATER, conditions: [{ bucket: 'a', key: 'b' }] }, 'Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
  bad({ expiration: LATER, conditions: [{ 'Content-Length': 6199034 }] }, 'Invalid Simple-Condition: value must be a string.');
  bad({ expiration: LATER, conditions: [[]] }, 'Invalid Condition: missing operation identifier.');
  bad({ expiration: LATER, conditions: [['matches', '$key', 'a']] }, "Invalid Condition: unknown operation 'matches'.");
  bad({ expiration: LATER, conditions: [['eq', '$key']] }, 'Invalid eq: wrong number of arguments.');
  bad({ expiration: LATER, conditions: [['content-length-range', 0, 512.5]] }, 'Invalid JSON.');
  bad({ expiration: LATER, conditions: [7] }, 'Invalid condition test: must be a List or Object.');
  // Without fractional seconds (botocore, the JS SDK) is as good as with.
  assert.equal(parsePostPolicy(b64({ expiration: '2026-01-01T13:00:00Z', conditions: [] })).expirationMs, Date.UTC(2026, 0, 1, 13));
});

test('POST policy: expiration by the clock, eq, starts-with, exact-match objects, and their refusals', () => {
  const p = policy([{ bucket: 'photos' }, ['starts-with', '$key', 'user/eric/'], { acl: 'public-read' }, ['eq', '$X-Amz-Meta-Uuid', '1436'], ['starts-with', '$x-amz-meta-tag', '']]);
  const ok: Array<[string, string]> = [['key', 'user/eric/a.jpg'], ['ACL', 'public-read'], ['x-amz-meta-uuid', '1436'], ['x-amz-meta-tag', '']];
  checkPostPolicy(p, form(ok), NOW);
  assert.throws(() => checkPostPolicy(p, form(ok), Date.parse(LATER) + 1), fails('AccessDenied', 'Invalid according to Policy: Policy expired.', 403));
  checkPostPolicy(p, form(ok), Date.parse(LATER));
  const deny = (fields: Array<[string, string]>, condition: string, bucket?: string) =>
    assert.throws(() => checkPostPolicy(p, form(fields, bucket), NOW), fails('AccessDenied', `Invalid according to Policy: Policy Condition failed: ${condition}`, 403));
  deny(ok, '["eq", "$bucket", "photos"]', 'other-bucket');
  deny([['key', 'user/mallory/a.jpg'], ...ok.slice(1)], '["starts-with", "$key", "user/eric/"]');
  // Values are case-sensitive.
  deny([ok[0]!, ['acl', 'PUBLIC-READ'], ...ok.slice(2)], '["eq", "$acl", "public-read"]');
  deny([...ok.slice(0, 2), ['x-amz-meta-uuid', '14365'], ok[3]!], '["eq", "$X-Amz-Meta-Uuid", "1436"]');
  // A condition on a missing field fails, even starts-with "".
  deny(ok.slice(0, 3), '["starts-with", "$x-amz-meta-tag", ""]');
  // Quotes inside values are escaped as JSON.
  const q = policy([['eq', '$Content-Disposition', 'filename="a.png"']]);
  assert.throws(() => checkPostPolicy(q, form([['content-disposition', 'x']]), NOW), fails('AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Disposition", "filename=\\"a.png\\""]'));
  // A name without the '$' names no field.
  const noDollar = policy([['eq', 'key', 'k']]);
  assert.throws(() => checkPostPolicy(noDollar, form([['key', 'k']]), NOW), fails('AccessDenied', /Condition failed: \["eq", "key", "k"\]/));
});

test('POST policy: Content-Type lists, every field covered, exemptions', () => {
  const p = policy([['starts-with', '$Content-Type', 'image/'], ['starts-with', '$key', '']]);
  checkPostPolicy(p, form([['key', 'k'], ['Content-Type', 'image/jpg,image/png, image/gif']]), NOW);
  assert.throws(() => checkPostPolicy(p, form([['key', 'k'], ['Content-Type', 'image/jpg,text/plain']]), NOW), fails('AccessDenied', /Condition failed/));
  // Only Content-Type is a list.
  const k = policy([['starts-with', '$key', 'a/']]);
  checkPostPolicy(k, form([['key', 'a/1,b/2']]), NOW);
  const exempt: Array<[string, string]> = [['key', 'a/1'], ['X-Amz-Signature', 's'], ['Policy', 'p'], ['file', 'x'], ['x-ignore-tracker', '1']];
  checkPostPolicy(k, form(exempt), NOW);
  assert.throws(() => checkPostPolicy(k, form([...exempt, ['x-amz-meta-note', 'n'], ['StorageClass', 'S'], ['x-amz-meta-note', 'again']]), NOW),
    fails('AccessDenied', 'Invalid according to Policy: Extra input fields: x-amz-meta-note, StorageClass', 403));
  // Checksum fields need a condition too.
  assert.throws(() => checkPostPolicy(k, form([['key', 'a/1'], ['x-amz-checksum-sha256', 'abc']]), NOW), fails('AccessDenied', /Extra input fields: x-amz-checksum-sha256/));
  // Condition and field names match case-insensitively.
  checkPostPolicy(policy([['StArTs-WiTh', '$KeY', 'a/'], { 'SUCCESS_action_status': '201' }]), form([['kEy', 'a/b'], ['success_action_status', '201']]), NOW);
});

test('POST policy: content-length-range bounds, inclusive, exact ProposedSize', () => {
  const p = policy([['content-length-range', 5, 10], ['content-length-range', '0', '8'], ['starts-with', '$key', '']]);
  checkPostPolicy(p, form([['key', 'k']]), NOW);
  const range = sizeRange(p)!;
  assert.deepEqual(range, { min: 5, max: 8 });
  assert.equal(sizeRefusal(5, range), undefined);
  assert.equal(sizeRefusal(8, range), undefined);
  const big = sizeRefusal(12, range)!;
  assert.equal(big.code, 'EntityTooLarge');
  assert.equal(big.message, 'Your proposed upload exceeds the maximum allowed size');
  assert.deepEqual(big.fields, { ProposedSize: '12', MaxSizeAllowed: '8' });
  const small = sizeRefusal(1, range)!;
  assert.equal(small.code, 'EntityTooSmall');
  assert.deepEqual(small.fields, { ProposedSize: '1', MinSizeAllowed: '5' });
  assert.equal(sizeRange(policy([])), undefined);
  // A bound that is no number fails as a condition; a negative one is no policy.
  assert.throws(() => checkPostPolicy(policy([['content-length-range', 'test', '10']]), form([]), NOW),
    fails('AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["content-length-range", "test", "10"]'));
  assert.throws(() => policy([['content-length-range', -1, 0]]), fails('InvalidPolicyDocument'));
});

test('POST forms: ${filename}, repeated fields, and the fields as PutObject members', () => {
  assert.equal(expandFilename('user/${filename}', 'C:\\Program Files\\dir\\file.txt'), 'user/file.txt');
  assert.equal(expandFilename('u/${filename}/${filename}', 'a/b.jpg'), 'u/b.jpg/b.jpg');
  assert.equal(expandFilename('u/${filename}', ''), 'u/');
  // No filename parameter at all: kept as it is.
  assert.equal(expandFilename('u/${filename}', undefined), 'u/${filename}');
  assert.deepEqual([...fieldMap([['X-Amz-Meta-Tag', 'Ninja'], ['x-amz-meta-tag', 'Stallman']])], [['x-amz-meta-tag', 'Ninja,Stallman']]);

  const input = postInput('photos', fieldMap([
    ['key', 'a.jpg'], ['Content-Type', 'image/jpeg'], ['Cache-Control', 'max-age=60'], ['x-amz-meta-Owner', 'eric'],
    ['acl', 'private'], ['x-amz-storage-class', 'STANDARD_IA'], ['x-amz-checksum-sha256', 'c2hh'], ['x-amz-checksum-algorithm', 'SHA256'],
    ['Content-MD5', 'bWQ1'], ['success_action_status', '201'], ['redirect', 'http://x/y'],
    ['tagging', '<Tagging><TagSet><Tag><Key>team</Key><Value>a b</Value></Tag><Tag><Key>k2</Key><Value></Value></Tag></TagSet></Tagging>'],
  ]));
  assert.equal(input.Key, 'a.jpg');
  assert.equal(input.ContentType, 'image/jpeg');
  assert.equal(input.CacheControl, 'max-age=60');
  assert.deepEqual(input.Metadata, { owner: 'eric' });
  assert.equal(input.ACL, 'private');
  assert.equal(input.StorageClass, 'STANDARD_IA');
  assert.equal(input.Tagging, 'team=a+b&k2=');
  assert.equal(input.successStatus, '201');
  assert.equal(input.redirect, 'http://x/y');
  assert.deepEqual(input.headers, {
    'x-amz-acl': 'private', 'content-md5': 'bWQ1', 'x-amz-checksum-sha256': 'c2hh', 'x-amz-sdk-checksum-algorithm': 'SHA256', 'x-amz-storage-class': 'STANDARD_IA',
  });
  assert.throws(() => taggingField('not-xml'), fails('MalformedXML'));
  assert.equal(taggingField('<InvalidXmlTagging></InvalidXmlTagging>'), '');
});

// S3 authorization with real SDK v3 clients: identity policies (an assumed role with the
// read-only policy for my-backup-bucket), bucket policies (cross-account grants, a Deny that
// stops the owner's root, public reads), Block Public Access, presigned URLs on the clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand, PutBucketAclCommand, PutObjectAclCommand, DeleteBucketPolicyCommand, DeleteObjectCommand, DeletePublicAccessBlockCommand, GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand, GetObjectCommand, GetPublicAccessBlockCommand, ListObjectsV2Command, PutBucketPolicyCommand,
  PutObjectCommand, PutPublicAccessBlockCommand, S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { createLogger } from '../../src/core/log.js';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = '000000000000';
const B = '222222222222';
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const doc = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
/** The seeds' read-only policy: list the bucket, read its objects. */
const READ_ONLY = doc(
  { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::my-backup-bucket' },
  { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-backup-bucket/*' },
);

let cl: Cloudlet;
type LogLine = { level: string; msg: string; fields: Record<string, any> };
const lines: LogLine[] = [];
let s3: S3Client;
const s3As = (c: Creds) => new S3Client({ ...clientConfig(cl.url, 'us-east-1', c), forcePathStyle: true });
const text = async (body: unknown): Promise<string> => (body as { transformToString(): Promise<string> }).transformToString();
const clock = async (by: string) => {
  const res = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: by }) });
  assert.equal(res.status, 200);
};

async function userKeys(name: string, account: string, policy: string): Promise<Creds> {
  const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: account === A ? 'test' : account, secretAccessKey: 'test' }));
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  iam.destroy();
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

before(async () => {
  cl = await startTestServer({ iam: 'enforce' });
  cl.deps.log = createLogger('debug', (line) => {
    const m = /^\S+ (\w+) (.*?)(?: (\{.*\}))?\n$/.exec(line);
    if (m) lines.push({ level: m[1]!, msg: m[2]!, fields: m[3] ? JSON.parse(m[3]) : {} });
  });
  s3 = s3As({ accessKeyId: 'test', secretAccessKey: 'test' });
  await s3.send(new CreateBucketCommand({ Bucket: 'my-backup-bucket' }));
  await s3.send(new PutObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/1.txt', Body: 'backup one' }));
});
after(async () => { s3.destroy(); await cl.close(); });

describe('S3 bucket policies and IAM', () => {
  test('the read-only policy on an assumed role: list and get work, put and delete are denied with the reason', async () => {
    const iam = new IAMClient(clientConfig(cl.url));
    const trust = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' });
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'backup-reader', AssumeRolePolicyDocument: trust }))).Role!;
    await iam.send(new PutRolePolicyCommand({ RoleName: 'backup-reader', PolicyName: 'read-only', PolicyDocument: READ_ONLY }));
    iam.destroy();
    const caller = await userKeys('ops', A, doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.Arn! }));
    const sts = new STSClient(clientConfig(cl.url, 'us-east-1', caller));
    const c = (await sts.send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'nightly' }))).Credentials!;
    sts.destroy();
    const reader = s3As({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
    const listed = await reader.send(new ListObjectsV2Command({ Bucket: 'my-backup-bucket' }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['daily/1.txt']);
    assert.equal(await text((await reader.send(new GetObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/1.txt' }))).Body), 'backup one');
    const who = `arn:aws:sts::${A}:assumed-role/backup-reader/nightly`;
    await rejects(reader.send(new PutObjectCommand({ Bucket: 'my-backup-bucket', Key: 'x', Body: 'x' })), 'AccessDenied', 403,
      `User: ${who} is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::my-backup-bucket/x because no identity-based policy allows the s3:PutObject action`);
    await rejects(reader.send(new DeleteObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/1.txt' })), 'AccessDenied', 403,
      /not authorized to perform: s3:DeleteObject on resource: arn:aws:s3:::my-backup-bucket\/daily\/1.txt because no identity-based policy allows/);
    // Another bucket of the same account: the policy names only my-backup-bucket.
    await s3.send(new CreateBucketCommand({ Bucket: 'other-bucket' }));
    await rejects(reader.send(new ListObjectsV2Command({ Bucket: 'other-bucket' })), 'AccessDenied', 403, /s3:ListBucket on resource: arn:aws:s3:::other-bucket because/);
    reader.destroy();
  });

  test('PutBucketPolicy validates as S3 does; GetBucketPolicy, status and delete', async () => {
    const put = (Policy: string) => s3.send(new PutBucketPolicyCommand({ Bucket: 'my-backup-bucket', Policy }));
    await rejects(put('not json'), 'MalformedPolicy', 400, "Policies must be valid JSON and the first byte must be '{'");
    await rejects(put(doc({ Effect: 'Allow', Principal: { AWS: 'nobody' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-backup-bucket/*' })),
      'MalformedPolicy', 400, 'Invalid principal in policy');
    await rejects(put(doc({ Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::my-backup-bucket/*' })),
      'MalformedPolicy', 400, 'Action does not apply to any resource(s) in statement');
    await rejects(put(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other-bucket/*' })),
      'MalformedPolicy', 400, 'Policy has invalid resource');
    await rejects(s3.send(new GetBucketPolicyCommand({ Bucket: 'my-backup-bucket' })), 'NoSuchBucketPolicy', 404, 'The bucket policy does not exist');
    const restricted = doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-backup-bucket/*',
      Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    await put(restricted);
    assert.equal((await s3.send(new GetBucketPolicyCommand({ Bucket: 'my-backup-bucket' }))).Policy, restricted);
    assert.equal((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'my-backup-bucket' }))).PolicyStatus?.IsPublic, false);
    await put(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-backup-bucket/*' }));
    assert.equal((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'my-backup-bucket' }))).PolicyStatus?.IsPublic, true);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'my-backup-bucket' }));
    await rejects(s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'my-backup-bucket' })), 'NoSuchBucketPolicy', 404);
  });

  test('a cross-account grant in the bucket policy works only with the caller\'s identity policy too', async () => {
    const withRead = await userKeys('partner', B, doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }));
    const without = await userKeys('stranger', B, doc({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }));
    const get = (c: Creds) => s3As(c).send(new GetObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/1.txt' }));
    // No bucket policy yet: the identity policy alone is not enough across accounts.
    await rejects(get(withRead), 'AccessDenied', 403, 'Access Denied');
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'my-backup-bucket', Policy: doc({
      Sid: 'PartnerAccount', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-backup-bucket/*',
    }) }));
    assert.equal(await text((await get(withRead)).Body), 'backup one');
    await rejects(get(without), 'AccessDenied', 403, 'Access Denied');
    // The other account's root has its identity allowance; the policy grants the account.
    assert.equal(await text((await get({ accessKeyId: B, secretAccessKey: 'test' })).Body), 'backup one');
    // The grant is for reads only.
    await rejects(s3As(withRead).send(new ListObjectsV2Command({ Bucket: 'my-backup-bucket' })), 'AccessDenied', 403, 'Access Denied');
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'my-backup-bucket' }));
    await rejects(get(withRead), 'AccessDenied', 403, 'Access Denied');
  });

  test('an explicit Deny in the bucket policy stops the owner\'s root user, and names the statement', async () => {
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'my-backup-bucket', Policy: doc({
      Sid: 'NoDeletes', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::my-backup-bucket/daily/*',
    }) }));
    await rejects(s3.send(new DeleteObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/1.txt' })), 'AccessDenied', 403,
      `User: arn:aws:iam::${A}:root is not authorized to perform: s3:DeleteObject on resource: arn:aws:s3:::my-backup-bucket/daily/1.txt with an explicit deny in a resource-based policy`);
    // The log line names the bucket policy and its statement.
    const line = [...lines].reverse().find((l) => l.msg === 'access denied' && l.fields.operation === 's3:DeleteObject');
    assert.ok(line, 'a log line explains the denial');
    assert.match(JSON.stringify(line.fields), /my-backup-bucket/);
    assert.match(JSON.stringify(line.fields), /NoDeletes/);
    // Outside the denied prefix the root user still may.
    await s3.send(new PutObjectCommand({ Bucket: 'my-backup-bucket', Key: 'tmp/x', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'my-backup-bucket', Key: 'tmp/x' }));
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'my-backup-bucket' }));
  });

  test('anonymous GET works only with a public policy, and not once Block Public Access is set', async () => {
    const url = `${cl.url}/my-backup-bucket/daily/1.txt`;
    assert.equal((await fetch(url)).status, 403);
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'my-backup-bucket', Policy: doc({
      Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-backup-bucket/daily/*',
    }) }));
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'backup one');
    // The public statement grants reads, not lists or writes.
    assert.equal((await fetch(`${cl.url}/my-backup-bucket?list-type=2`)).status, 403);
    assert.equal((await fetch(`${cl.url}/my-backup-bucket/daily/2.txt`, { method: 'PUT', body: 'x' })).status, 403);

    await rejects(s3.send(new GetPublicAccessBlockCommand({ Bucket: 'my-backup-bucket' })), 'NoSuchPublicAccessBlockConfiguration', 404);
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'my-backup-bucket', PublicAccessBlockConfiguration: {
      BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true,
    } }));
    assert.deepEqual((await s3.send(new GetPublicAccessBlockCommand({ Bucket: 'my-backup-bucket' }))).PublicAccessBlockConfiguration,
      { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    const blocked = await fetch(url);
    assert.equal(blocked.status, 403);
    assert.match(await blocked.text(), /<Code>AccessDenied<\/Code>/);
    // The owner still reads; a public policy can no longer be put.
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/1.txt' }))).Body), 'backup one');
    await rejects(s3.send(new PutBucketPolicyCommand({ Bucket: 'my-backup-bucket', Policy: doc({
      Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-backup-bucket/*',
    }) })), 'AccessDenied', 403, `User: arn:aws:iam::${A}:root is not authorized to perform: s3:PutBucketPolicy on resource: `
      + '"arn:aws:s3:::my-backup-bucket" because public policies are blocked by the BlockPublicPolicy block public access setting.');
    await rejects(s3.send(new PutObjectCommand({ Bucket: 'my-backup-bucket', Key: 'pub', Body: 'x', ACL: 'public-read' })), 'AccessDenied', 403);
    await s3.send(new DeletePublicAccessBlockCommand({ Bucket: 'my-backup-bucket' }));
    assert.equal((await fetch(url)).status, 200);
    await s3.send(new DeleteBucketPolicyCommand({ Bucket: 'my-backup-bucket' }));
    assert.equal((await fetch(url)).status, 403);
  });

  test('presigned GET and PUT URLs work until they expire on the cloudlet clock', async () => {
    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/1.txt' }), { expiresIn: 3600 });
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/2.txt' }), { expiresIn: 3600 });
    const got = await fetch(getUrl);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'backup one');
    assert.equal((await fetch(putUrl, { method: 'PUT', body: 'backup two' })).status, 200);
    assert.equal(await text((await s3.send(new GetObjectCommand({ Bucket: 'my-backup-bucket', Key: 'daily/2.txt' }))).Body), 'backup two');
    await clock('2h');
    const expired = await fetch(getUrl);
    assert.equal(expired.status, 403);
    assert.match(await expired.text(), /Request has expired/);
    assert.equal((await fetch(putUrl, { method: 'PUT', body: 'late' })).status, 403);
  });

  test('condition keys: s3:prefix, s3:RequestObjectTag, s3:ExistingObjectTag, s3:x-amz-acl', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'cond-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cond-bucket', Key: 'open.txt', Body: 'open', Tagging: 'class=public' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cond-bucket', Key: 'closed.txt', Body: 'closed', Tagging: 'class=secret' }));
    const c = s3As(await userKeys('tagged', A, doc(
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::cond-bucket', Condition: { StringLike: { 's3:prefix': 'team/*' } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::cond-bucket/*', Condition: { StringEquals: { 's3:ExistingObjectTag/class': 'public' } } },
      { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::cond-bucket/*', Condition: { StringEquals: { 's3:RequestObjectTag/team': 'ops' } } },
      { Effect: 'Deny', Action: 's3:PutObject', Resource: 'arn:aws:s3:::cond-bucket/*', Condition: { StringEquals: { 's3:x-amz-acl': 'public-read' } } },
    )));
    await c.send(new ListObjectsV2Command({ Bucket: 'cond-bucket', Prefix: 'team/a' }));
    await rejects(c.send(new ListObjectsV2Command({ Bucket: 'cond-bucket' })), 'AccessDenied', 403, /s3:ListBucket/);
    assert.equal(await text((await c.send(new GetObjectCommand({ Bucket: 'cond-bucket', Key: 'open.txt' }))).Body), 'open');
    await rejects(c.send(new GetObjectCommand({ Bucket: 'cond-bucket', Key: 'closed.txt' })), 'AccessDenied', 403, /s3:GetObject/);
    await c.send(new PutObjectCommand({ Bucket: 'cond-bucket', Key: 'new.txt', Body: 'n', Tagging: 'team=ops' }));
    await rejects(c.send(new PutObjectCommand({ Bucket: 'cond-bucket', Key: 'new2.txt', Body: 'n', Tagging: 'team=dev' })), 'AccessDenied', 403, /s3:PutObject/);
    await rejects(c.send(new PutObjectCommand({ Bucket: 'cond-bucket', Key: 'new3.txt', Body: 'n', Tagging: 'team=ops', ACL: 'public-read' })),
      'AccessDenied', 403, /explicit deny in an identity-based policy/);
    c.destroy();
  });

  test('a public-read bucket ACL lets anonymous callers list, until IgnorePublicAcls', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'acl-bucket', ObjectOwnership: 'ObjectWriter' }));
    await s3.send(new PutObjectCommand({ Bucket: 'acl-bucket', Key: 'k', Body: 'v' }));
    assert.equal((await fetch(`${cl.url}/acl-bucket?list-type=2`)).status, 403);
    await s3.send(new PutBucketAclCommand({ Bucket: 'acl-bucket', ACL: 'public-read' }));
    const listed = await fetch(`${cl.url}/acl-bucket?list-type=2`);
    assert.equal(listed.status, 200);
    assert.match(await listed.text(), /<Key>k<\/Key>/);
    // The object's own ACL is private, until it too is public-read.
    assert.equal((await fetch(`${cl.url}/acl-bucket/k`)).status, 403);
    await s3.send(new PutObjectAclCommand({ Bucket: 'acl-bucket', Key: 'k', ACL: 'public-read' }));
    const got = await fetch(`${cl.url}/acl-bucket/k`);
    assert.equal(got.status, 200);
    assert.equal(await got.text(), 'v');
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'acl-bucket', PublicAccessBlockConfiguration: { IgnorePublicAcls: true } }));
    assert.equal((await fetch(`${cl.url}/acl-bucket?list-type=2`)).status, 403);
    assert.equal((await fetch(`${cl.url}/acl-bucket/k`)).status, 403);
  });

  test('RestrictPublicBuckets: a public policy serves only the owner\'s account', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'restrict-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'restrict-bucket', Key: 'k', Body: 'v' }));
    await s3.send(new PutBucketPolicyCommand({ Bucket: 'restrict-bucket', Policy: doc({
      Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::restrict-bucket/*',
    }) }));
    const other = s3As({ accessKeyId: B, secretAccessKey: 'test' });
    const sameAccount = s3As(await userKeys('nopolicy', A, doc({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' })));
    const get = (c: S3Client) => c.send(new GetObjectCommand({ Bucket: 'restrict-bucket', Key: 'k' }));
    assert.equal(await text((await get(other)).Body), 'v');
    await s3.send(new PutPublicAccessBlockCommand({ Bucket: 'restrict-bucket', PublicAccessBlockConfiguration: { RestrictPublicBuckets: true } }));
    await rejects(get(other), 'AccessDenied', 403, 'Access Denied');
    assert.equal((await fetch(`${cl.url}/restrict-bucket/k`)).status, 403);
    assert.equal(await text((await get(sameAccount)).Body), 'v');
    other.destroy();
    sameAccount.destroy();
  });

  test('x-amz-bypass-governance-retention needs s3:BypassGovernanceRetention', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'locked-bucket', ObjectLockEnabledForBucket: true }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'locked-bucket', Key: 'k', Body: 'v', ObjectLockMode: 'GOVERNANCE',
      ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000) }));
    const del = (c: S3Client) => c.send(new DeleteObjectCommand({ Bucket: 'locked-bucket', Key: 'k', VersionId: put.VersionId!, BypassGovernanceRetention: true }));
    const plain = s3As(await userKeys('deleter', A, doc({ Effect: 'Allow', Action: 's3:DeleteObjectVersion', Resource: '*' })));
    await rejects(del(plain), 'AccessDenied', 403,
      `User: arn:aws:iam::${A}:user/deleter is not authorized to perform: s3:BypassGovernanceRetention on resource: arn:aws:s3:::locked-bucket/k because no identity-based policy allows the s3:BypassGovernanceRetention action`);
    const bypasser = s3As(await userKeys('bypasser', A, doc({ Effect: 'Allow', Action: ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'], Resource: '*' })));
    await del(bypasser);
    plain.destroy();
    bypasser.destroy();
  });
});

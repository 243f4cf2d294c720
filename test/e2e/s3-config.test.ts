import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateBucketCommand, DeleteBucketCorsCommand, DeleteBucketEncryptionCommand, DeleteBucketOwnershipControlsCommand, DeleteBucketReplicationCommand,
  DeleteBucketTaggingCommand, DeleteBucketWebsiteCommand, DeleteObjectTaggingCommand, GetBucketAccelerateConfigurationCommand, GetBucketAclCommand,
  GetBucketCorsCommand, GetBucketEncryptionCommand, GetBucketLoggingCommand, GetBucketNotificationConfigurationCommand,
  GetBucketOwnershipControlsCommand, GetBucketReplicationCommand, GetBucketRequestPaymentCommand, GetBucketTaggingCommand,
  GetBucketVersioningCommand, GetBucketWebsiteCommand, GetObjectAclCommand, GetObjectCommand, GetObjectTaggingCommand, PutBucketAccelerateConfigurationCommand,
  PutBucketAclCommand, PutBucketCorsCommand, PutBucketEncryptionCommand, PutBucketLoggingCommand, PutBucketNotificationConfigurationCommand,
  PutBucketOwnershipControlsCommand, PutBucketReplicationCommand, PutBucketRequestPaymentCommand, PutBucketTaggingCommand,
  PutBucketVersioningCommand, PutBucketWebsiteCommand, PutObjectAclCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Cloudlet } from '../../src/server/server.js';
import { canonicalUserId } from '../../src/services/s3/buckets.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

let cl: Cloudlet;
let s3: S3Client;
const OWNER_ID = canonicalUserId('000000000000');

before(async () => {
  cl = await startTestServer();
  s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
});
after(async () => { s3.destroy(); await cl.close(); });

describe('S3 bucket configuration', () => {
  test('every operation on a missing bucket is NoSuchBucket', async () => {
    await rejects(s3.send(new GetBucketTaggingCommand({ Bucket: 'no-such-config-bucket' })), 'NoSuchBucket', 404);
    await rejects(s3.send(new GetBucketEncryptionCommand({ Bucket: 'no-such-config-bucket' })), 'NoSuchBucket', 404);
    await rejects(s3.send(new PutBucketVersioningCommand({ Bucket: 'no-such-config-bucket', VersioningConfiguration: { Status: 'Enabled' } })), 'NoSuchBucket', 404);
    await rejects(s3.send(new GetObjectTaggingCommand({ Bucket: 'no-such-config-bucket', Key: 'k' })), 'NoSuchBucket', 404);
  });

  test('tagging: round trip, limits, NoSuchTagSet', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'tags' }));
    await rejects(s3.send(new GetBucketTaggingCommand({ Bucket: 'tags' })), 'NoSuchTagSet', 404);
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet: [{ Key: 'team', Value: 'storage' }, { Key: 'env', Value: '' }] } }));
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tags' }))).TagSet, [{ Key: 'team', Value: 'storage' }, { Key: 'env', Value: '' }]);
    await rejects(s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] } })), 'InvalidTag', 400);
    await rejects(s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet: [{ Key: 'aws:x', Value: '1' }] } })), 'InvalidTag', 400);
    await rejects(s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet: [{ Key: 'k'.repeat(129), Value: '1' }] } })), 'InvalidTag', 400);
    await rejects(s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet: [{ Key: 'k', Value: 'v'.repeat(257) }] } })), 'InvalidTag', 400);
    const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet: many } })), 'InvalidTag', 400);
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'tags', Tagging: { TagSet: many.slice(0, 50) } }));
    assert.equal((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tags' }))).TagSet!.length, 50);
    // x-amz-expected-bucket-owner: another account's ID is refused, the owner's accepted.
    await rejects(s3.send(new GetBucketTaggingCommand({ Bucket: 'tags', ExpectedBucketOwner: '999999999999' })), 'AccessDenied', 403);
    assert.equal((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tags', ExpectedBucketOwner: '000000000000' }))).TagSet!.length, 50);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: 'tags' }));
    await rejects(s3.send(new GetBucketTaggingCommand({ Bucket: 'tags' })), 'NoSuchTagSet', 404);
  });

  test('CORS: round trip, validation, NoSuchCORSConfiguration', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'cors-rt' }));
    await rejects(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-rt' })), 'NoSuchCORSConfiguration', 404);
    await rejects(s3.send(new PutBucketCorsCommand({ Bucket: 'cors-rt', CORSConfiguration: { CORSRules: [{ AllowedMethods: ['PATCH'], AllowedOrigins: ['*'] }] } })),
      'InvalidRequest', 400, 'Found unsupported HTTP method in CORS config. Unsupported method is PATCH');
    const tooMany = Array.from({ length: 101 }, () => ({ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }));
    await rejects(s3.send(new PutBucketCorsCommand({ Bucket: 'cors-rt', CORSConfiguration: { CORSRules: tooMany } })), 'MalformedXML', 400);
    const rules = [{ ID: 'web', AllowedMethods: ['GET', 'PUT'], AllowedOrigins: ['https://app.example.com'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 300 }];
    await s3.send(new PutBucketCorsCommand({ Bucket: 'cors-rt', CORSConfiguration: { CORSRules: rules } }));
    assert.deepEqual((await s3.send(new GetBucketCorsCommand({ Bucket: 'cors-rt' }))).CORSRules, rules);
    await s3.send(new DeleteBucketCorsCommand({ Bucket: 'cors-rt' }));
    await rejects(s3.send(new GetBucketCorsCommand({ Bucket: 'cors-rt' })), 'NoSuchCORSConfiguration', 404);
  });

  test('CORS in a browser: preflights answered from the rules, actual responses carry Access-Control-Allow-Origin', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'cors-web' }));
    await s3.send(new PutObjectCommand({ Bucket: 'cors-web', Key: 'site/page.txt', Body: 'hello' }));
    const url = `${cl.url}/cors-web/site/page.txt`;
    const preflight = (origin: string, method: string, headers?: string) => fetch(url, {
      method: 'OPTIONS',
      headers: { Origin: origin, 'Access-Control-Request-Method': method, ...(headers ? { 'Access-Control-Request-Headers': headers } : {}) },
    });
    // No CORS configuration yet.
    let res = await preflight('https://app.example.com', 'GET');
    assert.equal(res.status, 403);
    assert.match(await res.text(), /CORSResponse: CORS is not enabled for this bucket/);

    await s3.send(new PutBucketCorsCommand({ Bucket: 'cors-web', CORSConfiguration: { CORSRules: [
      { AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['https://*.example.com'], AllowedHeaders: ['x-amz-*', 'content-type'], ExposeHeaders: ['ETag', 'x-amz-version-id'], MaxAgeSeconds: 120 },
    ] } }));
    res = await preflight('https://app.example.com', 'GET', 'X-Amz-Date, Content-Type');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, HEAD');
    assert.equal(res.headers.get('access-control-allow-headers'), 'x-amz-date, content-type');
    assert.equal(res.headers.get('access-control-max-age'), '120');

    // Wrong origin, method or header: S3's refusal.
    for (const [origin, method, headers] of [['https://evil.test', 'GET'], ['https://app.example.com', 'PUT'], ['https://app.example.com', 'GET', 'authorization']] as const) {
      res = await preflight(origin, method, headers);
      assert.equal(res.status, 403, `${origin} ${method} ${headers}`);
      const body = await res.text();
      assert.match(body, /<Code>AccessForbidden<\/Code>/);
      assert.match(body, /CORSResponse: This CORS request is not allowed/);
    }

    // The actual cross-origin GET, presigned as a page would get it from its backend.
    const signed = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'cors-web', Key: 'site/page.txt' }), { expiresIn: 300 });
    res = await fetch(signed, { headers: { Origin: 'https://app.example.com' } });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'hello');
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example.com');
    assert.equal(res.headers.get('access-control-expose-headers'), 'ETag, x-amz-version-id');
    // From an origin no rule names, cloudlet refuses the cross-site request outright.
    res = await fetch(signed, { headers: { Origin: 'https://evil.test' } });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  test('ownership controls and ACLs: BucketOwnerEnforced refuses ACLs, ObjectWriter stores them', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'acls' }));
    assert.deepEqual((await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'acls' }))).OwnershipControls?.Rules, [{ ObjectOwnership: 'BucketOwnerEnforced' }]);
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: 'acls' }));
    assert.equal(acl.Owner?.ID, OWNER_ID);
    assert.deepEqual(acl.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.ID, g.Permission]), [['CanonicalUser', OWNER_ID, 'FULL_CONTROL']]);
    await rejects(s3.send(new PutBucketAclCommand({ Bucket: 'acls', ACL: 'public-read' })), 'AccessControlListNotSupported', 400, 'The bucket does not allow ACLs');
    await s3.send(new PutBucketAclCommand({ Bucket: 'acls', ACL: 'private' }));
    await s3.send(new PutObjectCommand({ Bucket: 'acls', Key: 'o', Body: 'x' }));
    await rejects(s3.send(new PutObjectAclCommand({ Bucket: 'acls', Key: 'o', ACL: 'public-read' })), 'AccessControlListNotSupported', 400);
    await s3.send(new PutObjectAclCommand({ Bucket: 'acls', Key: 'o', ACL: 'bucket-owner-full-control' }));

    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: 'acls', OwnershipControls: { Rules: [{ ObjectOwnership: 'ObjectWriter' }] } }));
    await s3.send(new PutBucketAclCommand({ Bucket: 'acls', ACL: 'public-read' }));
    const pub = await s3.send(new GetBucketAclCommand({ Bucket: 'acls' }));
    assert.deepEqual(pub.Grants?.map((g) => [g.Grantee?.Type, g.Grantee?.URI ?? g.Grantee?.ID, g.Permission]), [
      ['CanonicalUser', OWNER_ID, 'FULL_CONTROL'],
      ['Group', 'http://acs.amazonaws.com/groups/global/AllUsers', 'READ'],
    ]);
    // Back to enforced only once the bucket ACL is private again.
    await rejects(s3.send(new PutBucketOwnershipControlsCommand({ Bucket: 'acls', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } })),
      'InvalidBucketAclWithObjectOwnership', 400);
    await s3.send(new PutObjectAclCommand({ Bucket: 'acls', Key: 'o', GrantRead: 'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"', GrantFullControl: `id="${OWNER_ID}"` }));
    const obj = await s3.send(new GetObjectAclCommand({ Bucket: 'acls', Key: 'o' }));
    assert.deepEqual(obj.Grants?.map((g) => [g.Grantee?.URI ?? g.Grantee?.ID, g.Permission]), [
      [OWNER_ID, 'FULL_CONTROL'],
      ['http://acs.amazonaws.com/groups/global/AuthenticatedUsers', 'READ'],
    ]);
    // A full AccessControlPolicy body.
    await s3.send(new PutObjectAclCommand({ Bucket: 'acls', Key: 'o', AccessControlPolicy: {
      Owner: { ID: OWNER_ID },
      Grants: [{ Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' }, Permission: 'READ' }],
    } }));
    assert.deepEqual((await s3.send(new GetObjectAclCommand({ Bucket: 'acls', Key: 'o' }))).Grants?.map((g) => g.Grantee?.URI), ['http://acs.amazonaws.com/groups/global/AllUsers']);
    await rejects(s3.send(new PutObjectAclCommand({ Bucket: 'acls', Key: 'o', ACL: 'private', GrantRead: `id="${OWNER_ID}"` })), 'InvalidRequest', 400);
    await rejects(s3.send(new PutObjectAclCommand({ Bucket: 'acls', Key: 'o', GrantRead: 'emailAddress="a@example.com"' })), 'UnresolvableGrantByEmailAddress', 400);
    // An anonymous read works through the object's public-read ACL... only if the authorizer consults it; the ACL is what is checked here.
    await s3.send(new PutBucketAclCommand({ Bucket: 'acls', ACL: 'private' }));
    await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: 'acls', OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
    // ACLs off: the object's stored ACL no longer shows.
    assert.deepEqual((await s3.send(new GetObjectAclCommand({ Bucket: 'acls', Key: 'o' }))).Grants?.map((g) => g.Permission), ['FULL_CONTROL']);
    // CreateBucket's own ACL, on a bucket with ACLs on.
    await s3.send(new CreateBucketCommand({ Bucket: 'acls-created', ObjectOwnership: 'ObjectWriter', ACL: 'public-read' }));
    assert.deepEqual((await s3.send(new GetBucketAclCommand({ Bucket: 'acls-created' }))).Grants?.map((g) => g.Grantee?.URI ?? g.Permission), ['FULL_CONTROL', 'http://acs.amazonaws.com/groups/global/AllUsers']);
    await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: 'acls' }));
    await rejects(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: 'acls' })), 'OwnershipControlsNotFoundError', 404);
    await rejects(s3.send(new PutBucketOwnershipControlsCommand({ Bucket: 'acls', OwnershipControls: { Rules: [{ ObjectOwnership: 'Nobody' as never }] } })), 'MalformedXML', 400);
  });

  test('default encryption: SSE-S3 until set, reported on objects, back to SSE-S3 after delete', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'enc' }));
    const def = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc' }));
    assert.deepEqual(def.ServerSideEncryptionConfiguration?.Rules, [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false }]);
    await rejects(s3.send(new PutBucketEncryptionCommand({ Bucket: 'enc', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'DES' as never } }] } })), 'MalformedXML', 400);
    await rejects(s3.send(new PutBucketEncryptionCommand({ Bucket: 'enc', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' } }] } })), 'InvalidArgument', 400);
    await s3.send(new PutBucketEncryptionCommand({ Bucket: 'enc', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/mine' }, BucketKeyEnabled: true }] } }));
    const kms = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc' }));
    assert.deepEqual(kms.ServerSideEncryptionConfiguration?.Rules, [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/mine' }, BucketKeyEnabled: true }]);
    const put = await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'k', Body: 'x' }));
    assert.equal(put.ServerSideEncryption, 'aws:kms');
    assert.equal(put.SSEKMSKeyId, 'alias/mine');
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'enc' }));
    assert.equal((await s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc' }))).ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm, 'AES256');
    assert.equal((await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'k2', Body: 'x' }))).ServerSideEncryption, 'AES256');
  });

  test('request payment, accelerate, logging, notifications, website: stored and returned', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'misc' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'misc-logs' }));
    assert.equal((await s3.send(new GetBucketRequestPaymentCommand({ Bucket: 'misc' }))).Payer, 'BucketOwner');
    await s3.send(new PutBucketRequestPaymentCommand({ Bucket: 'misc', RequestPaymentConfiguration: { Payer: 'Requester' } }));
    assert.equal((await s3.send(new GetBucketRequestPaymentCommand({ Bucket: 'misc' }))).Payer, 'Requester');
    await rejects(s3.send(new PutBucketRequestPaymentCommand({ Bucket: 'misc', RequestPaymentConfiguration: { Payer: 'Nobody' as never } })), 'MalformedXML', 400);

    assert.equal((await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket: 'misc' }))).Status, undefined);
    await s3.send(new PutBucketAccelerateConfigurationCommand({ Bucket: 'misc', AccelerateConfiguration: { Status: 'Enabled' } }));
    assert.equal((await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket: 'misc' }))).Status, 'Enabled');

    assert.equal((await s3.send(new GetBucketLoggingCommand({ Bucket: 'misc' }))).LoggingEnabled, undefined);
    await rejects(s3.send(new PutBucketLoggingCommand({ Bucket: 'misc', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'no-such-log-target', TargetPrefix: 'x/' } } })), 'InvalidTargetBucketForLogging', 400);
    await s3.send(new PutBucketLoggingCommand({ Bucket: 'misc', BucketLoggingStatus: { LoggingEnabled: { TargetBucket: 'misc-logs', TargetPrefix: 'misc/' } } }));
    assert.deepEqual((await s3.send(new GetBucketLoggingCommand({ Bucket: 'misc' }))).LoggingEnabled, { TargetBucket: 'misc-logs', TargetPrefix: 'misc/' });
    await s3.send(new PutBucketLoggingCommand({ Bucket: 'misc', BucketLoggingStatus: {} }));
    assert.equal((await s3.send(new GetBucketLoggingCommand({ Bucket: 'misc' }))).LoggingEnabled, undefined);

    const none = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'misc' }));
    assert.equal(none.QueueConfigurations, undefined);
    await rejects(s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'misc', NotificationConfiguration: {
      QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q', Events: ['s3:ObjectMade' as never] }],
    } })), 'InvalidArgument', 400);
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: 'misc', NotificationConfiguration: {
      QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:000000000000:q', Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'in/' }] } } }],
    } }));
    const q = (await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: 'misc' }))).QueueConfigurations!;
    assert.equal(q.length, 1);
    assert.equal(q[0]!.QueueArn, 'arn:aws:sqs:us-east-1:000000000000:q');
    assert.deepEqual(q[0]!.Events, ['s3:ObjectCreated:*']);
    assert.ok(q[0]!.Id, 'S3 gives a configuration without an Id one');

    await rejects(s3.send(new GetBucketWebsiteCommand({ Bucket: 'misc' })), 'NoSuchWebsiteConfiguration', 404);
    await rejects(s3.send(new PutBucketWebsiteCommand({ Bucket: 'misc', WebsiteConfiguration: { ErrorDocument: { Key: 'e.html' } } })), 'InvalidArgument', 400);
    await s3.send(new PutBucketWebsiteCommand({ Bucket: 'misc', WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' }, ErrorDocument: { Key: 'error.html' } } }));
    const site = await s3.send(new GetBucketWebsiteCommand({ Bucket: 'misc' }));
    assert.deepEqual([site.IndexDocument, site.ErrorDocument], [{ Suffix: 'index.html' }, { Key: 'error.html' }]);
    await s3.send(new DeleteBucketWebsiteCommand({ Bucket: 'misc' }));
    await rejects(s3.send(new GetBucketWebsiteCommand({ Bucket: 'misc' })), 'NoSuchWebsiteConfiguration', 404);
  });

  test('versioning: {} until set, Enabled and Suspended, Object Lock buckets cannot suspend; replication needs it', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'ver' }));
    const never = await s3.send(new GetBucketVersioningCommand({ Bucket: 'ver' }));
    assert.equal(never.Status, undefined);
    await rejects(s3.send(new PutBucketReplicationCommand({ Bucket: 'ver', ReplicationConfiguration: {
      Role: 'arn:aws:iam::000000000000:role/r', Rules: [{ Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::ver-dest' }, Prefix: '' }],
    } })), 'InvalidRequest', 400);
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'ver', VersioningConfiguration: { Status: 'Enabled' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'ver' }))).Status, 'Enabled');
    const v1 = await s3.send(new PutObjectCommand({ Bucket: 'ver', Key: 'k', Body: '1' }));
    assert.ok(v1.VersionId && v1.VersionId !== 'null');
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'ver', VersioningConfiguration: { Status: 'Suspended' } }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'ver' }))).Status, 'Suspended');
    assert.equal((await s3.send(new PutObjectCommand({ Bucket: 'ver', Key: 'k', Body: '2' }))).VersionId, 'null');
    await rejects(s3.send(new PutBucketVersioningCommand({ Bucket: 'ver', VersioningConfiguration: { Status: 'Off' as never } })), 'MalformedXML', 400);

    await s3.send(new CreateBucketCommand({ Bucket: 'ver-locked', ObjectLockEnabledForBucket: true }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'ver-locked' }))).Status, 'Enabled');
    await rejects(s3.send(new PutBucketVersioningCommand({ Bucket: 'ver-locked', VersioningConfiguration: { Status: 'Suspended' } })), 'InvalidBucketState', 409);

    await s3.send(new PutBucketVersioningCommand({ Bucket: 'ver', VersioningConfiguration: { Status: 'Enabled' } }));
    await s3.send(new CreateBucketCommand({ Bucket: 'ver-dest' }));
    const replication = { Role: 'arn:aws:iam::000000000000:role/r', Rules: [{ ID: 'all', Status: 'Enabled' as const, Prefix: '', Destination: { Bucket: 'arn:aws:s3:::ver-dest' } }] };
    await rejects(s3.send(new PutBucketReplicationCommand({ Bucket: 'ver', ReplicationConfiguration: replication })), 'InvalidRequest', 400, 'Destination bucket must have versioning enabled.');
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'ver-dest', VersioningConfiguration: { Status: 'Enabled' } }));
    await rejects(s3.send(new GetBucketReplicationCommand({ Bucket: 'ver' })), 'ReplicationConfigurationNotFoundError', 404);
    await s3.send(new PutBucketReplicationCommand({ Bucket: 'ver', ReplicationConfiguration: replication }));
    const got = await s3.send(new GetBucketReplicationCommand({ Bucket: 'ver' }));
    assert.equal(got.ReplicationConfiguration?.Role, replication.Role);
    assert.equal(got.ReplicationConfiguration?.Rules?.[0]?.Destination?.Bucket, 'arn:aws:s3:::ver-dest');
    await rejects(s3.send(new PutBucketVersioningCommand({ Bucket: 'ver', VersioningConfiguration: { Status: 'Suspended' } })), 'InvalidBucketState', 409);
    await s3.send(new DeleteBucketReplicationCommand({ Bucket: 'ver' }));
    await rejects(s3.send(new GetBucketReplicationCommand({ Bucket: 'ver' })), 'ReplicationConfigurationNotFoundError', 404);
  });

  test('object tagging: by version, 10 tags at most, x-amz-version-id reported', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'otags' }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'otags', VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: 'otags', Key: 'k', Body: '1', Tagging: 'a=1' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: 'otags', Key: 'k', Body: '2' }))).VersionId!;
    let got = await s3.send(new GetObjectTaggingCommand({ Bucket: 'otags', Key: 'k' }));
    assert.deepEqual([got.VersionId, got.TagSet], [v2, []]);
    got = await s3.send(new GetObjectTaggingCommand({ Bucket: 'otags', Key: 'k', VersionId: v1 }));
    assert.deepEqual([got.VersionId, got.TagSet], [v1, [{ Key: 'a', Value: '1' }]]);
    const put = await s3.send(new PutObjectTaggingCommand({ Bucket: 'otags', Key: 'k', Tagging: { TagSet: [{ Key: 'x', Value: 'y' }, { Key: 'z', Value: '' }] } }));
    assert.equal(put.VersionId, v2);
    got = await s3.send(new GetObjectTaggingCommand({ Bucket: 'otags', Key: 'k' }));
    assert.deepEqual(got.TagSet, [{ Key: 'x', Value: 'y' }, { Key: 'z', Value: '' }]);
    // GetObject reports the count, and the old version kept its own tags.
    assert.equal((await s3.send(new GetObjectCommand({ Bucket: 'otags', Key: 'k' }))).TagCount, 2);
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: 'otags', Key: 'k', VersionId: v1 }))).TagSet, [{ Key: 'a', Value: '1' }]);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(s3.send(new PutObjectTaggingCommand({ Bucket: 'otags', Key: 'k', Tagging: { TagSet: eleven } })), 'BadRequest', 400);
    await rejects(s3.send(new PutObjectTaggingCommand({ Bucket: 'otags', Key: 'k', Tagging: { TagSet: [{ Key: 'aws:k', Value: 'v' }] } })), 'InvalidTag', 400);
    await rejects(s3.send(new PutObjectTaggingCommand({ Bucket: 'otags', Key: 'k', Tagging: { TagSet: [{ Key: 'k', Value: 'v'.repeat(257) }] } })), 'InvalidTag', 400);
    await rejects(s3.send(new GetObjectTaggingCommand({ Bucket: 'otags', Key: 'missing' })), 'NoSuchKey', 404);
    await rejects(s3.send(new GetObjectTaggingCommand({ Bucket: 'otags', Key: 'k', VersionId: 'nope' })), 'NoSuchVersion', 404);
    const del = await s3.send(new DeleteObjectTaggingCommand({ Bucket: 'otags', Key: 'k', VersionId: v1 }));
    assert.equal(del.VersionId, v1);
    assert.deepEqual((await s3.send(new GetObjectTaggingCommand({ Bucket: 'otags', Key: 'k', VersionId: v1 }))).TagSet, []);
    assert.equal((await s3.send(new GetObjectTaggingCommand({ Bucket: 'otags', Key: 'k' }))).TagSet!.length, 2);
  });
});

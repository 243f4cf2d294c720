import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { EC2Client, DescribeAvailabilityZonesCommand, DescribeCapacityReservationsCommand, DescribeRegionsCommand } from '@aws-sdk/client-ec2';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { ECRClient, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { CloudWatchClient, ListDashboardsCommand } from '@aws-sdk/client-cloudwatch';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

describe('foundation: real SDK v3 clients against a live server', () => {
  let cl: Cloudlet;
  before(async () => { cl = await startTestServer(); });
  after(async () => { await cl.close(); });

  test('STS GetCallerIdentity: test/test is the root of 000000000000', async () => {
    const sts = new STSClient(clientConfig(cl.url));
    const id = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, '000000000000');
    assert.equal(id.Arn, 'arn:aws:iam::000000000000:root');
    assert.equal(id.UserId, '000000000000');
    assert.match(id.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
  });

  test('any 12-digit access key is the root of that account', async () => {
    const sts = new STSClient(clientConfig(cl.url, 'eu-west-1', { accessKeyId: '123456789012', secretAccessKey: 'test' }));
    const id = await sts.send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, '123456789012');
    assert.equal(id.Arn, 'arn:aws:iam::123456789012:root');
  });

  test('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidClientTokenId', async () => {
    const bad = new STSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: 'test', secretAccessKey: 'nope' }));
    await assert.rejects(bad.send(new GetCallerIdentityCommand({})), { name: 'SignatureDoesNotMatch' });
    const unknown = new STSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'test' }));
    await assert.rejects(unknown.send(new GetCallerIdentityCommand({})), { name: 'InvalidClientTokenId' });
    const ec2 = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: 'test', secretAccessKey: 'nope' }));
    await assert.rejects(ec2.send(new DescribeRegionsCommand({})), { name: 'AuthFailure' });
    const ecr = new ECRClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'test' }));
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({})), { name: 'UnrecognizedClientException' });
  });

  test('EC2 DescribeRegions lists every commercial region, filters apply', async () => {
    const ec2 = new EC2Client(clientConfig(cl.url));
    const all = await ec2.send(new DescribeRegionsCommand({ AllRegions: true }));
    const names = all.Regions!.map((r) => r.RegionName);
    for (const r of ['us-east-1', 'us-west-2', 'eu-west-1', 'ap-southeast-2', 'sa-east-1', 'af-south-1']) assert.ok(names.includes(r), r);
    const eu = await ec2.send(new DescribeRegionsCommand({ Filters: [{ Name: 'region-name', Values: ['eu-*'] }] }));
    assert.ok(eu.Regions!.length >= 5 && eu.Regions!.every((r) => r.RegionName!.startsWith('eu-')));
    assert.equal(eu.Regions!.find((r) => r.RegionName === 'eu-west-1')!.Endpoint, 'ec2.eu-west-1.amazonaws.com');
    await assert.rejects(ec2.send(new DescribeRegionsCommand({ RegionNames: ['mars-1'] })), { name: 'InvalidParameterValue' });
  });

  test('EC2 DescribeAvailabilityZones answers for the signing region, with zone IDs and filters', async () => {
    const ec2 = new EC2Client(clientConfig(cl.url, 'eu-west-1'));
    const r = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    assert.deepEqual(r.AvailabilityZones!.map((z) => z.ZoneName), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    for (const z of r.AvailabilityZones!) {
      assert.equal(z.RegionName, 'eu-west-1');
      assert.equal(z.State, 'available');
      assert.match(z.ZoneId!, /^euw1-az[123]$/);
    }
    const one = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['eu-west-1b'] }] }));
    assert.equal(one.AvailabilityZones!.length, 1);
    const byId = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-id', Values: [one.AvailabilityZones![0]!.ZoneId!] }] }));
    assert.equal(byId.AvailabilityZones![0]!.ZoneName, 'eu-west-1b');
    const withAll = await ec2.send(new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: true, Filters: [{ Name: 'region-name', Values: ['eu-west-1'] }] }));
    assert.equal(withAll.AvailabilityZones!.length, 3);
    await assert.rejects(ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['eu-west-1z'] })), { name: 'InvalidParameterValue' });
    await assert.rejects(ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] })), { name: 'InvalidParameterValue' });
    await assert.rejects(ec2.send(new DescribeAvailabilityZonesCommand({ DryRun: true })), { name: 'DryRunOperation' });
  });

  test('the letter-to-zone-ID mapping differs between accounts and is stable', async () => {
    const ids = new Set<string>();
    for (const acct of ['111111111111', '222222222222', '333333333333', '444444444444', '555555555555']) {
      const ec2 = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: acct, secretAccessKey: 'test' }));
      const a = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1a'] }));
      const b = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['us-east-1a'] }));
      assert.equal(a.AvailabilityZones![0]!.ZoneId, b.AvailabilityZones![0]!.ZoneId);
      ids.add(a.AvailabilityZones![0]!.ZoneId!);
    }
    assert.ok(ids.size > 1);
  });

  test('an unknown region in the credential scope is refused', async () => {
    const ec2 = new EC2Client(clientConfig(cl.url, 'mars-north-1'));
    await assert.rejects(ec2.send(new DescribeRegionsCommand({})), { name: 'AuthFailure' });
    const sts = new STSClient(clientConfig(cl.url, 'mars-north-1'));
    await assert.rejects(sts.send(new GetCallerIdentityCommand({})), { name: 'SignatureDoesNotMatch' });
  });

  test('S3 ListBuckets path-style and virtual-host style, and a presigned URL', async () => {
    const s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
    const r = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(r.Buckets ?? [], []);
    assert.match(r.Owner!.ID!, /^[0-9a-f]{64}$/);
    const url = await getSignedUrl(s3, new ListBucketsCommand({}), { expiresIn: 60 });
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<ListAllMyBucketsResult/);
    const anon = await fetch(`${cl.url}/`);
    assert.equal(anon.status, 403);
    assert.match(await anon.text(), /<Code>AccessDenied<\/Code>/);
  });

  test('S3 virtual-hosted addressing (BUCKET.s3.localhost) reaches the bucket operation, signature intact', async () => {
    // Every name resolves to loopback, so bucket.s3.localhost needs no DNS set-up.
    const lookup = (_h: string, o: { all?: boolean }, cb: (e: null, a: unknown, f?: number) => void) =>
      (o.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4));
    const agent = new Agent({ lookup: lookup as never });
    const s3 = new S3Client({ ...clientConfig(`http://s3.localhost:${cl.port}`), forcePathStyle: false, requestHandler: new NodeHttpHandler({ httpAgent: agent }) });
    await s3.send(new CreateBucketCommand({ Bucket: 'vhost-bucket' }));
    await s3.send(new PutObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b c.txt', Body: 'through the host name' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b c.txt' }));
    assert.equal(await got.Body!.transformToString(), 'through the host name');
    const path = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
    assert.equal((await path.send(new HeadObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b c.txt' }))).ContentLength, 21);
    agent.destroy();
  });

  test('a presigned URL past its expiry by the cloudlet clock is refused', async () => {
    const s3 = new S3Client({ ...clientConfig(cl.url), forcePathStyle: true });
    const url = await getSignedUrl(s3, new ListBucketsCommand({}), { expiresIn: 60 });
    const tampered = url.replace(/X-Amz-Signature=[0-9a-f]{4}/, 'X-Amz-Signature=0000');
    assert.equal((await fetch(tampered)).status, 403);
    cl.deps.clock.advance(61_000);
    try {
      const res = await fetch(url);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /<Code>AccessDenied<\/Code><Message>Request has expired/);
    } finally {
      cl.deps.clock.setOffset(0);
    }
  });

  test('ECR DescribeRepositories is empty, and a named missing repository is RepositoryNotFoundException', async () => {
    const ecr = new ECRClient(clientConfig(cl.url));
    const r = await ecr.send(new DescribeRepositoriesCommand({}));
    assert.deepEqual(r.repositories, []);
    await assert.rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['nope'] })), (e: Error) => {
      assert.equal(e.name, 'RepositoryNotFoundException');
      assert.match(e.message, /'nope' does not exist in the registry with id '000000000000'/);
      return true;
    });
  });

  test('an operation of a registered model without a handler answers 501 NotImplemented in its protocol', async () => {
    const check = (service: string, op: string) => (e: Error & { $metadata: { httpStatusCode?: number } }) => {
      assert.equal(e.name, 'NotImplemented');
      assert.match(e.message, new RegExp(`${service}:${op}`));
      assert.equal(e.$metadata.httpStatusCode, 501);
      return true;
    };
    const ec2 = new EC2Client(clientConfig(cl.url));
    await assert.rejects(ec2.send(new DescribeCapacityReservationsCommand({})), check('ec2', 'DescribeCapacityReservations'));
    const cw = new CloudWatchClient(clientConfig(cl.url));
    await assert.rejects(cw.send(new ListDashboardsCommand({})), check('cloudwatch', 'ListDashboards'));
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cloudlet } from '../../src/server/server.js';
import { startTestServer } from '../helpers/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { needTool } from '../helpers/tools.js';

const clis = awsClis();

test('both AWS CLI major versions are installed (CI installs v2 with apt)', { skip: needTool(['aws1', 'aws2']) }, async () => {
  const versions = await Promise.all(clis.map(async (c) => { const r = await runAws(c.bin, 'http://127.0.0.1:1', ['--version']); return `${r.stdout}${r.stderr}`; }));
  assert.match(versions[0]!, /^aws-cli\/1\./);
  assert.match(versions[1]!, /^aws-cli\/2\./);
});

for (const cli of clis) {
  describe(`foundation with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => { cl = await startTestServer(); });
    after(async () => { await cl.close(); });

    test('aws sts get-caller-identity', async () => {
      const id = await awsJson(cli.bin, cl.url, ['sts', 'get-caller-identity']);
      assert.deepEqual(id, { UserId: '000000000000', Account: '000000000000', Arn: 'arn:aws:iam::000000000000:root' });
    });

    test('aws ec2 describe-availability-zones --region eu-west-1', async () => {
      const r = await awsJson(cli.bin, cl.url, ['ec2', 'describe-availability-zones', '--region', 'eu-west-1']);
      assert.deepEqual(r.AvailabilityZones.map((z: { ZoneName: string }) => z.ZoneName), ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
      const f = await awsJson(cli.bin, cl.url, ['ec2', 'describe-availability-zones', '--region', 'eu-west-1', '--all-availability-zones', '--filters', 'Name=zone-name,Values=eu-west-1c']);
      assert.equal(f.AvailabilityZones.length, 1);
      assert.match(f.AvailabilityZones[0].ZoneId, /^euw1-az\d$/);
    });

    test('aws ec2 describe-regions with a filter', async () => {
      const r = await awsJson(cli.bin, cl.url, ['ec2', 'describe-regions', '--filters', 'Name=region-name,Values=us-*']);
      assert.deepEqual(r.Regions.map((x: { RegionName: string }) => x.RegionName).sort(), ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2']);
    });

    test('aws s3 ls and aws s3api list-buckets', async () => {
      const ls = await runAws(cli.bin, cl.url, ['s3', 'ls']);
      assert.equal(ls.status, 0, ls.stderr);
      assert.equal(ls.stdout.trim(), '');
      const lb = await awsJson(cli.bin, cl.url, ['s3api', 'list-buckets']);
      assert.match(lb.Owner.ID, /^[0-9a-f]{64}$/);
    });

    test('aws ecr describe-repositories', async () => {
      const r = await awsJson(cli.bin, cl.url, ['ecr', 'describe-repositories']);
      assert.deepEqual(r.repositories, []);
      const missing = await runAws(cli.bin, cl.url, ['ecr', 'describe-repositories', '--repository-names', 'nope']);
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /RepositoryNotFoundException/);
    });

    test('aws s3 presign gives a URL that works until it expires', async () => {
      // CLI v1 presigns with Signature Version 2 unless told otherwise; S3 no longer takes it.
      const v2sig = await runAws(cli.bin, cl.url, ['s3', 'presign', 's3://no-such-bucket/key']);
      if (/Signature=/.test(v2sig.stdout) && !/X-Amz-Signature=/.test(v2sig.stdout)) {
        const refused = await fetch(v2sig.stdout.trim());
        assert.equal(refused.status, 400);
        assert.match(await refused.text(), /<Code>InvalidRequest<\/Code><Message>The authorization mechanism you have provided is not supported/);
      }
      const dir = mkdtempSync(join(tmpdir(), 'cloudlet-cli-'));
      const config = join(dir, 'config');
      writeFileSync(config, '[default]\ns3 =\n    signature_version = s3v4\n');
      const r = await runAws(cli.bin, cl.url, ['s3', 'presign', 's3://no-such-bucket/key', '--expires-in', '30'], { AWS_CONFIG_FILE: config });
      rmSync(dir, { recursive: true, force: true });
      assert.equal(r.status, 0, r.stderr);
      const url = r.stdout.trim();
      assert.match(url, /X-Amz-Signature=/);
      const res = await fetch(url);
      // The signature is accepted: the answer is about the bucket, not about authentication.
      assert.equal(res.status, 404);
      assert.match(await res.text(), /<Code>NoSuchBucket<\/Code>/);
    });

    test('wrong credentials are refused with AWS error codes', async () => {
      const sts = await runAws(cli.bin, cl.url, ['sts', 'get-caller-identity'], { AWS_SECRET_ACCESS_KEY: 'wrong' });
      assert.notEqual(sts.status, 0);
      assert.match(sts.stderr, /SignatureDoesNotMatch/);
      const ec2 = await runAws(cli.bin, cl.url, ['ec2', 'describe-regions'], { AWS_ACCESS_KEY_ID: 'AKIANOBODY0000000000' });
      assert.match(ec2.stderr, /AuthFailure/);
    });
  });
}

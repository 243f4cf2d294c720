// IAM enforcement seen through the AWS CLI v1 and v2: the error lines they print, the
// assumed-role identity, and decode-authorization-message on an EC2 denial.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { startTestServer } from '../helpers/server.js';

const A = '000000000000';
const policy = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

for (const cli of awsClis()) {
  describe(`IAM enforcement with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    let alice: Record<string, string>;
    const as = (env: Record<string, string>, args: string[]) => runAws(cli.bin, cl.url, args, env);

    before(async () => {
      cl = await startTestServer({ iam: 'enforce' });
      const root = (args: string[]) => awsJson(cli.bin, cl.url, args);
      await root(['iam', 'create-group', '--group-name', 'listers']);
      await root(['iam', 'put-group-policy', '--group-name', 'listers', '--policy-name', 'list-only',
        '--policy-document', policy({ Effect: 'Allow', Action: ['iam:ListUsers', 'sts:AssumeRole'], Resource: '*' })]);
      await root(['iam', 'create-user', '--user-name', 'alice']);
      await root(['iam', 'add-user-to-group', '--group-name', 'listers', '--user-name', 'alice']);
      const key = (await root(['iam', 'create-access-key', '--user-name', 'alice'])).AccessKey;
      alice = { AWS_ACCESS_KEY_ID: key.AccessKeyId, AWS_SECRET_ACCESS_KEY: key.SecretAccessKey };
      await root(['iam', 'create-role', '--role-name', 'viewer', '--assume-role-policy-document',
        policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/alice` }, Action: 'sts:AssumeRole' })]);
      await root(['iam', 'put-role-policy', '--role-name', 'viewer', '--policy-name', 'ec2-read',
        '--policy-document', policy({ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' })]);
    });
    after(async () => { await cl.close(); });

    test('allowed list, denied create: the CLI prints AWS\'s sentence', async () => {
      const listed = await as(alice, ['iam', 'list-users']);
      assert.equal(listed.status, 0, listed.stderr);
      assert.ok(JSON.parse(listed.stdout).Users.some((u: { UserName: string }) => u.UserName === 'alice'));
      const denied = await as(alice, ['iam', 'create-user', '--user-name', 'bob']);
      assert.notEqual(denied.status, 0);
      assert.match(denied.stderr, /An error occurred \(AccessDenied\) when calling the CreateUser operation: User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user\/bob because no identity-based policy allows the iam:CreateUser action/);
    });

    test('an assumed role: get-caller-identity, the role\'s permissions, nothing more', async () => {
      const r = await awsJson(cli.bin, cl.url, ['sts', 'assume-role', '--role-arn', `arn:aws:iam::${A}:role/viewer`, '--role-session-name', 'cli'], alice);
      const session = {
        AWS_ACCESS_KEY_ID: r.Credentials.AccessKeyId, AWS_SECRET_ACCESS_KEY: r.Credentials.SecretAccessKey, AWS_SESSION_TOKEN: r.Credentials.SessionToken,
      };
      const id = await awsJson(cli.bin, cl.url, ['sts', 'get-caller-identity'], session);
      assert.equal(id.Arn, `arn:aws:sts::${A}:assumed-role/viewer/cli`);
      const zones = await as(session, ['ec2', 'describe-availability-zones']);
      assert.equal(zones.status, 0, zones.stderr);
      const users = await as(session, ['iam', 'list-users']);
      assert.match(users.stderr, /\(AccessDenied\) when calling the ListUsers operation: User: arn:aws:sts::000000000000:assumed-role\/viewer\/cli is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::000000000000:user\/ because no identity-based policy allows the iam:ListUsers action/);
    });

    test('EC2 UnauthorizedOperation, decoded by aws sts decode-authorization-message', async () => {
      const denied = await as(alice, ['ec2', 'describe-regions']);
      assert.notEqual(denied.status, 0);
      assert.match(denied.stderr, /\(UnauthorizedOperation\) when calling the DescribeRegions operation: You are not authorized to perform this operation\. User: arn:aws:iam::000000000000:user\/alice is not authorized to perform: ec2:DescribeRegions because no identity-based policy allows the ec2:DescribeRegions action\. Encoded authorization failure message: /);
      const encoded = /Encoded authorization failure message: (\S+)/.exec(denied.stderr)![1]!;
      const self = await as(alice, ['sts', 'decode-authorization-message', '--encoded-message', encoded]);
      assert.match(self.stderr, /\(AccessDenied\).*sts:DecodeAuthorizationMessage/);
      const out = await awsJson(cli.bin, cl.url, ['sts', 'decode-authorization-message', '--encoded-message', encoded]);
      const decoded = JSON.parse(out.DecodedMessage);
      assert.equal(decoded.allowed, false);
      assert.equal(decoded.context.action, 'ec2:DescribeRegions');
      assert.equal(decoded.context.principal.arn, `arn:aws:iam::${A}:user/alice`);
      assert.equal(decoded.explanation.reason, 'no identity-based policy allows the ec2:DescribeRegions action');
    });
  });
}

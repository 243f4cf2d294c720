import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cloudlet } from '../../src/server/server.js';
import { startTestServer } from '../helpers/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';

const ACCT = '000000000000';
const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] }] };

for (const cli of awsClis()) {
  describe(`IAM with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    let dir: string;
    const aws = <T = any>(args: string[], env?: Record<string, string>) => awsJson<T>(cli.bin, cl.url, args, env);
    before(async () => {
      cl = await startTestServer();
      dir = mkdtempSync(join(tmpdir(), 'cloudlet-iam-cli-'));
      writeFileSync(join(dir, 'trust.json'), JSON.stringify(TRUST, null, 2));
      writeFileSync(join(dir, 'policy.json'), JSON.stringify(POLICY, null, 2));
    });
    after(async () => {
      await cl.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('users: create, get, list with pagination (the CLI follows Marker), errors with exit codes', async () => {
      const u = await aws(['iam', 'create-user', '--user-name', 'cli-user', '--path', '/cli/']);
      assert.equal(u.User.Arn, `arn:aws:iam::${ACCT}:user/cli/cli-user`);
      for (let i = 0; i < 5; i++) await aws(['iam', 'create-user', '--user-name', `bulk${i}`]);
      // --page-size makes the CLI fetch 2 at a time and follow the markers to the end.
      const all = await aws(['iam', 'list-users', '--page-size', '2']);
      assert.deepEqual(all.Users.map((x: { UserName: string }) => x.UserName), ['bulk0', 'bulk1', 'bulk2', 'bulk3', 'bulk4', 'cli-user']);
      const first = await aws(['iam', 'list-users', '--max-items', '4']);
      assert.equal(first.Users.length, 4);
      assert.ok(first.NextToken);
      const rest = await aws(['iam', 'list-users', '--max-items', '4', '--starting-token', first.NextToken]);
      assert.deepEqual(rest.Users.map((x: { UserName: string }) => x.UserName), ['bulk4', 'cli-user']);
      const missing = await runAws(cli.bin, cl.url, ['iam', 'get-user', '--user-name', 'nobody']);
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /\(NoSuchEntity\).*The user with name nobody cannot be found\./);
      const dup = await runAws(cli.bin, cl.url, ['iam', 'create-user', '--user-name', 'CLI-USER']);
      assert.match(dup.stderr, /\(EntityAlreadyExists\).*User with name CLI-USER already exists\./);
      const me = await aws(['iam', 'get-user']);
      assert.equal(me.User.Arn, `arn:aws:iam::${ACCT}:root`);
    });

    test('roles: the CLI decodes the URL-encoded trust policy into JSON', async () => {
      const r = await aws(['iam', 'create-role', '--role-name', 'cli-role', '--assume-role-policy-document', `file://${join(dir, 'trust.json')}`]);
      assert.deepEqual(r.Role.AssumeRolePolicyDocument, TRUST);
      const g = await aws(['iam', 'get-role', '--role-name', 'cli-role']);
      assert.deepEqual(g.Role.AssumeRolePolicyDocument, TRUST);
      assert.equal(g.Role.MaxSessionDuration, 3600);
      assert.deepEqual(g.Role.RoleLastUsed, {});
      const l = await aws(['iam', 'list-roles']);
      assert.deepEqual(l.Roles[0].AssumeRolePolicyDocument, TRUST);
      const bad = await runAws(cli.bin, cl.url, ['iam', 'create-role', '--role-name', 'bad', '--assume-role-policy-document',
        JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] })]);
      assert.match(bad.stderr, /MalformedPolicyDocument/);
      await aws(['iam', 'put-role-policy', '--role-name', 'cli-role', '--policy-name', 'inline', '--policy-document', `file://${join(dir, 'policy.json')}`]);
      const rp = await aws(['iam', 'get-role-policy', '--role-name', 'cli-role', '--policy-name', 'inline']);
      assert.deepEqual(rp.PolicyDocument, POLICY);
      await aws(['iam', 'create-instance-profile', '--instance-profile-name', 'cli-ip']);
      await aws(['iam', 'add-role-to-instance-profile', '--instance-profile-name', 'cli-ip', '--role-name', 'cli-role']);
      const ip = await aws(['iam', 'get-instance-profile', '--instance-profile-name', 'cli-ip']);
      assert.deepEqual(ip.InstanceProfile.Roles.map((x: { RoleName: string }) => x.RoleName), ['cli-role']);
      const conflict = await runAws(cli.bin, cl.url, ['iam', 'delete-role', '--role-name', 'cli-role']);
      assert.match(conflict.stderr, /\(DeleteConflict\)/);
    });

    test('managed policies: versions decoded, attach, list with --scope', async () => {
      const p = await aws(['iam', 'create-policy', '--policy-name', 'cli-pol', '--policy-document', `file://${join(dir, 'policy.json')}`]);
      const arn = p.Policy.Arn;
      assert.equal(arn, `arn:aws:iam::${ACCT}:policy/cli-pol`);
      const v = await aws(['iam', 'get-policy-version', '--policy-arn', arn, '--version-id', 'v1']);
      assert.deepEqual(v.PolicyVersion.Document, POLICY);
      assert.equal(v.PolicyVersion.IsDefaultVersion, true);
      const v2 = await aws(['iam', 'create-policy-version', '--policy-arn', arn, '--policy-document', `file://${join(dir, 'policy.json')}`, '--set-as-default']);
      assert.equal(v2.PolicyVersion.VersionId, 'v2');
      await aws(['iam', 'attach-user-policy', '--user-name', 'cli-user', '--policy-arn', arn]);
      await aws(['iam', 'attach-user-policy', '--user-name', 'cli-user', '--policy-arn', 'arn:aws:iam::aws:policy/ReadOnlyAccess']);
      const att = await aws(['iam', 'list-attached-user-policies', '--user-name', 'cli-user']);
      assert.deepEqual(att.AttachedPolicies.map((x: { PolicyName: string }) => x.PolicyName), ['ReadOnlyAccess', 'cli-pol']);
      const onlyAttached = await aws(['iam', 'list-policies', '--only-attached']);
      assert.deepEqual(onlyAttached.Policies.map((x: { PolicyName: string }) => x.PolicyName), ['ReadOnlyAccess', 'cli-pol']);
      const awsPolicies = await aws(['iam', 'list-policies', '--scope', 'AWS']);
      assert.ok(awsPolicies.Policies.length >= 11);
      const admin = await aws(['iam', 'get-policy-version', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess', '--version-id',
        (await aws(['iam', 'get-policy', '--policy-arn', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess'])).Policy.DefaultVersionId]);
      assert.ok(admin.PolicyVersion.Document.Statement[0].Action.includes('s3:Get*'));
      const details = await aws(['iam', 'get-account-authorization-details', '--filter', 'LocalManagedPolicy']);
      assert.deepEqual(details.Policies[0].PolicyVersionList[0].Document, POLICY);
      const limit = await runAws(cli.bin, cl.url, ['iam', 'create-access-key', '--user-name', 'nobody-here']);
      assert.match(limit.stderr, /\(NoSuchEntity\)/);
    });

    test('access keys: a created key works with the CLI; inactive and deleted keys are refused', async () => {
      await aws(['iam', 'create-user', '--user-name', 'key-user']);
      const k = (await aws(['iam', 'create-access-key', '--user-name', 'key-user'])).AccessKey;
      assert.match(k.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
      const env = { AWS_ACCESS_KEY_ID: k.AccessKeyId, AWS_SECRET_ACCESS_KEY: k.SecretAccessKey };
      const id = await aws(['sts', 'get-caller-identity'], env);
      assert.equal(id.Arn, `arn:aws:iam::${ACCT}:user/key-user`);
      assert.match(id.UserId, /^AIDA[A-Z2-7]{17}$/);
      await aws(['iam', 'update-access-key', '--user-name', 'key-user', '--access-key-id', k.AccessKeyId, '--status', 'Inactive']);
      const keys = await aws(['iam', 'list-access-keys', '--user-name', 'key-user']);
      assert.equal(keys.AccessKeyMetadata[0].Status, 'Inactive');
      const inactive = await runAws(cli.bin, cl.url, ['sts', 'get-caller-identity'], env);
      assert.notEqual(inactive.status, 0);
      assert.match(inactive.stderr, /InvalidClientTokenId/);
      await aws(['iam', 'delete-access-key', '--user-name', 'key-user', '--access-key-id', k.AccessKeyId]);
      const deleted = await runAws(cli.bin, cl.url, ['sts', 'get-caller-identity'], env);
      assert.match(deleted.stderr, /InvalidClientTokenId/);
    });

    test('OIDC providers and tags', async () => {
      const o = await aws(['iam', 'create-open-id-connect-provider', '--url', 'https://token.actions.githubusercontent.com',
        '--client-id-list', 'sts.amazonaws.com', '--thumbprint-list', 'f'.repeat(40), '--tags', 'Key=team,Value=ci']);
      assert.equal(o.OpenIDConnectProviderArn, `arn:aws:iam::${ACCT}:oidc-provider/token.actions.githubusercontent.com`);
      const g = await aws(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', o.OpenIDConnectProviderArn]);
      assert.equal(g.Url, 'token.actions.githubusercontent.com');
      assert.deepEqual(g.Tags, [{ Key: 'team', Value: 'ci' }]);
      await aws(['iam', 'tag-user', '--user-name', 'cli-user', '--tags', 'Key=a,Value=1', 'Key=b,Value=2']);
      const t = await aws(['iam', 'list-user-tags', '--user-name', 'cli-user']);
      assert.deepEqual(t.Tags, [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
      const summary = await aws(['iam', 'get-account-summary']);
      assert.equal(summary.SummaryMap.Providers, 1);
      assert.equal(summary.SummaryMap.AccessKeysPerUserQuota, 2);
    });
  });
}

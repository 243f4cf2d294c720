import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateAccessKeyCommand, CreateOpenIDConnectProviderCommand, CreateRoleCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { encodeAuthorizationMessage } from '../../src/services/authz/message.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { startIssuer, type TestIssuer } from '../helpers/oidc.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCT = '000000000000';
const clis = awsClis();

interface CliCredentials { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string }
const envOf = (c: CliCredentials) => ({ AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken });

for (const cli of clis) {
  describe(`STS with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    let issuer: TestIssuer;
    let roleArn: string;
    let webRoleArn: string;
    let userEnv: Record<string, string>;

    before(async () => {
      cl = await startTestServer();
      issuer = await startIssuer();
      const iam = new IAMClient(clientConfig(cl.url));
      const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] });
      roleArn = (await iam.send(new CreateRoleCommand({ RoleName: 'cli-role', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
      const p = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer.url, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] }));
      const webTrust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: p.OpenIDConnectProviderArn }, Action: 'sts:AssumeRoleWithWebIdentity' }] });
      webRoleArn = (await iam.send(new CreateRoleCommand({ RoleName: 'cli-web-role', AssumeRolePolicyDocument: webTrust }))).Role!.Arn!;
      await iam.send(new CreateUserCommand({ UserName: 'dev' }));
      const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dev' }))).AccessKey!;
      userEnv = { AWS_ACCESS_KEY_ID: k.AccessKeyId!, AWS_SECRET_ACCESS_KEY: k.SecretAccessKey! };
    });
    after(async () => {
      await cl.close();
      await issuer.close();
    });

    test('aws sts assume-role, then get-caller-identity with AWS_SESSION_TOKEN', async () => {
      const r = await awsJson(cli.bin, cl.url, ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'cli-session',
        '--tags', 'Key=team,Value=blue', '--transitive-tag-keys', 'team']);
      assert.match(r.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
      assert.ok(Math.abs(Date.parse(r.Credentials.Expiration) - (Date.now() + 3600_000)) < 5000);
      assert.equal(r.AssumedRoleUser.Arn, `arn:aws:sts::${ACCT}:assumed-role/cli-role/cli-session`);
      assert.match(r.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z2-7]{17}:cli-session$/);
      assert.equal(typeof r.PackedPolicySize, 'number');
      const id = await awsJson(cli.bin, cl.url, ['sts', 'get-caller-identity'], envOf(r.Credentials));
      assert.deepEqual(id, { UserId: r.AssumedRoleUser.AssumedRoleId, Account: ACCT, Arn: r.AssumedRoleUser.Arn });
    });

    test('aws sts assume-role errors: duration over the maximum, missing role', async () => {
      const tooLong = await runAws(cli.bin, cl.url, ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 's1', '--duration-seconds', '7200']);
      assert.notEqual(tooLong.status, 0);
      assert.match(tooLong.stderr, /ValidationError.*The requested DurationSeconds exceeds the MaxSessionDuration set for this role\./);
      const missing = await runAws(cli.bin, cl.url, ['sts', 'assume-role', '--role-arn', `arn:aws:iam::${ACCT}:role/none`, '--role-session-name', 's1']);
      assert.notEqual(missing.status, 0);
      assert.match(missing.stderr, /AccessDenied.*User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role\/none/);
    });

    test('aws sts get-session-token for an IAM user', async () => {
      const r = await awsJson(cli.bin, cl.url, ['sts', 'get-session-token', '--duration-seconds', '900'], userEnv);
      assert.ok(Math.abs(Date.parse(r.Credentials.Expiration) - (Date.now() + 900_000)) < 5000);
      const id = await awsJson(cli.bin, cl.url, ['sts', 'get-caller-identity'], envOf(r.Credentials));
      assert.equal(id.Arn, `arn:aws:iam::${ACCT}:user/dev`);
      assert.match(id.UserId, /^AIDA/);
      const again = await runAws(cli.bin, cl.url, ['sts', 'get-session-token'], envOf(r.Credentials));
      assert.notEqual(again.status, 0);
      assert.match(again.stderr, /AccessDenied.*Cannot call GetSessionToken with session credentials/);
    });

    test('aws sts assume-role-with-web-identity', async () => {
      const r = await awsJson(cli.bin, cl.url, ['sts', 'assume-role-with-web-identity', '--role-arn', webRoleArn,
        '--role-session-name', 'pod', '--web-identity-token', issuer.token()]);
      assert.equal(r.SubjectFromWebIdentityToken, 'system:serviceaccount:default:app');
      assert.equal(r.Audience, 'sts.amazonaws.com');
      assert.equal(r.Provider, `arn:aws:iam::${ACCT}:oidc-provider/${issuer.hostPath}`);
      const id = await awsJson(cli.bin, cl.url, ['sts', 'get-caller-identity'], envOf(r.Credentials));
      assert.equal(id.Arn, `arn:aws:sts::${ACCT}:assumed-role/cli-web-role/pod`);
      const bad = await runAws(cli.bin, cl.url, ['sts', 'assume-role-with-web-identity', '--role-arn', webRoleArn,
        '--role-session-name', 'pod', '--web-identity-token', issuer.token({ aud: 'nope' })]);
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /InvalidIdentityToken.*Incorrect token audience/);
    });

    test('aws sts decode-authorization-message', async () => {
      const encoded = encodeAuthorizationMessage({ allowed: false, context: { action: 'ec2:RunInstances' } });
      const r = await awsJson(cli.bin, cl.url, ['sts', 'decode-authorization-message', '--encoded-message', encoded]);
      assert.match(r.DecodedMessage, /ec2:RunInstances/);
    });

    test('expired session credentials: ExpiredToken from the CLI', async () => {
      const r = await awsJson(cli.bin, cl.url, ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'short', '--duration-seconds', '900']);
      cl.deps.clock.advance(3600_000);
      try {
        const sts = await runAws(cli.bin, cl.url, ['sts', 'get-caller-identity'], envOf(r.Credentials));
        assert.notEqual(sts.status, 0);
        assert.match(sts.stderr, /ExpiredToken.*The security token included in the request is expired/);
        const ec2 = await runAws(cli.bin, cl.url, ['ec2', 'describe-regions'], envOf(r.Credentials));
        assert.notEqual(ec2.status, 0);
        assert.match(ec2.stderr, /RequestExpired/);
      } finally {
        cl.deps.clock.setOffset(0);
      }
    });
  });
}

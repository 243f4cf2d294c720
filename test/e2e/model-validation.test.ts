/**
 * The codec's model validation as a user meets it: a too-long IAM user name, an STS session
 * name breaking its pattern, an ECR repository name, each answered with AWS's validation
 * message by the real server to the JS SDK v3 and to the AWS CLI.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateUserCommand, IAMClient, ListUsersCommand, TagUserCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { awsClis, runAws } from '../helpers/cli.js';

const LONG = 'u'.repeat(65);
const USER_NAME_MESSAGE = `1 validation error detected: Value '${LONG}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`;

async function failure(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the request to fail');
}

describe('model constraints enforced by the codec', () => {
  let cl: Cloudlet;
  before(async () => {
    cl = await startTestServer();
  });
  after(async () => {
    await cl.close();
  });

  test('JS SDK v3: a 65-character IAM user name gets AWS\'s ValidationError, and nothing is created', async () => {
    const iam = new IAMClient(clientConfig(cl.url));
    const e = await failure(iam.send(new CreateUserCommand({ UserName: LONG })));
    assert.equal(e.name, 'ValidationError');
    assert.equal(e.message, USER_NAME_MESSAGE);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    const users = await iam.send(new ListUsersCommand({}));
    assert.equal((users.Users ?? []).some((u) => u.UserName === LONG), false);
  });

  test('JS SDK v3: several broken constraints in one message; tag paths as AWS prints them', async () => {
    const iam = new IAMClient(clientConfig(cl.url));
    const e = await failure(iam.send(new TagUserCommand({ UserName: 'bad name', Tags: [{ Key: 'k*', Value: 'v' }] })));
    assert.equal(e.name, 'ValidationError');
    assert.match(e.message, /^2 validation errors detected: Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\+; Value 'k\*' at 'tags\.1\.member\.key' failed to satisfy constraint: Member must satisfy regular expression pattern: /);
  });

  test('JS SDK v3: STS (ValidationError) and ECR (InvalidParameterException, ECR\'s wording) answer from the model before authorization', async () => {
    const sts = new STSClient(clientConfig(cl.url));
    const e = await failure(sts.send(new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/r', RoleSessionName: 'has space' })));
    assert.equal(e.name, 'ValidationError');
    assert.equal(e.message, "1 validation error detected: Value 'has space' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    const ecr = new ECRClient(clientConfig(cl.url));
    const t = Date.now();
    const v = await failure(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [`${'a'.repeat(255)}!`] })));
    assert.ok(Date.now() - t < 2000, 'a hostile name is answered at once');
    assert.equal(v.name, 'InvalidParameterException');
    // A list of strings keeps the generic inner wording, as ECR's 'registryIds' answer does.
    assert.match(v.message, /^Invalid parameter at 'repositoryNames' failed to satisfy constraint: 'Member must satisfy constraint: \[Member must have length less than or equal to 256, Member must have length greater than or equal to 2, Member must satisfy regular expression pattern: [^']*\]'$/);
  });

  test('/_cloudlet/health reports the vendored models\' operation counts', async () => {
    const health = await (await fetch(`${cl.url}/_cloudlet/health`)).json() as { services: Record<string, { operations: number }> };
    const counts = Object.fromEntries(['ec2', 's3', 'iam', 'ecr', 'sts'].map((s) => [s, health.services[s]?.operations]));
    assert.deepEqual(counts, { ec2: 765, s3: 111, iam: 176, ecr: 58, sts: 11 });
  });

  for (const cli of awsClis()) {
    test(`${cli.name}: a 65-character user name gets the same message and a service-error exit code`, { skip: cli.skip }, async () => {
      const r = await runAws(cli.bin, cl.url, ['iam', 'create-user', '--user-name', LONG]);
      // CLI v1 exits 255 on any error, v2 254 on a service error.
      assert.equal(r.status, cli.name.endsWith('v1') ? 255 : 254, r.stderr);
      assert.ok(r.stderr.includes(`An error occurred (ValidationError) when calling the CreateUser operation: ${USER_NAME_MESSAGE}`), r.stderr);
    });
  }
});

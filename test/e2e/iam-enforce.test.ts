// IAM enforcement on live requests, with real SDK v3 clients: denials worded as AWS words
// them, the log line that explains each one, audit and off modes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand,
  CreateRoleCommand, CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand, PutGroupPolicyCommand, PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand, TagUserCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, DecodeAuthorizationMessageCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeAvailabilityZonesCommand, DescribeRegionsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { createLogger, type Logger } from '../../src/core/log.js';
import type { IamMode } from '../../src/server/context.js';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = '000000000000';
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
type LogLine = { level: string; msg: string; fields: Record<string, any> };

const policy = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const allow = (action: string | string[], extra: Record<string, unknown> = {}) => ({ Effect: 'Allow', Action: action, Resource: '*', ...extra });

/** A server whose log lines are kept for the test to read. */
async function serverWithLog(iam: IamMode): Promise<{ cl: Cloudlet; lines: LogLine[] }> {
  const cl = await startTestServer({ iam });
  const lines: LogLine[] = [];
  const log: Logger = createLogger('debug', (line) => {
    const m = /^\S+ (\w+) (.*?)(?: (\{.*\}))?\n$/.exec(line);
    if (m) lines.push({ level: m[1]!, msg: m[2]!, fields: m[3] ? JSON.parse(m[3]) : {} });
  });
  cl.deps.log = log;
  return { cl, lines };
}

/** Waits for an AWS error and checks code, HTTP status and message. */
async function rejects(p: Promise<unknown>, name: string, status: number, message: string | RegExp): Promise<Error> {
  let err: (Error & { $metadata?: { httpStatusCode?: number } }) | undefined;
  try {
    await p;
  } catch (e) {
    err = e as typeof err;
  }
  assert.ok(err, 'expected the request to fail');
  assert.equal(err.name, name, err.message);
  assert.equal(err.$metadata?.httpStatusCode, status);
  if (typeof message === 'string') assert.equal(err.message, message);
  else assert.match(err.message, message);
  return err;
}

describe('IAM enforcement (SDK v3)', () => {
  let cl: Cloudlet;
  let lines: LogLine[];
  const root = () => new IAMClient(clientConfig(cl.url));
  const iamAs = (c: Creds) => new IAMClient(clientConfig(cl.url, 'us-east-1', c));
  const keysFor = async (user: string, account = A): Promise<Creds> => {
    const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: account === A ? 'test' : account, secretAccessKey: 'test' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  };
  const newUser = async (name: string, inline?: string, account = A): Promise<Creds> => {
    const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: account === A ? 'test' : account, secretAccessKey: 'test' }));
    await iam.send(new CreateUserCommand({ UserName: name }));
    if (inline) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'inline', PolicyDocument: inline }));
    return keysFor(name, account);
  };
  const denials = () => lines.filter((l) => l.msg === 'access denied');

  before(async () => {
    ({ cl, lines } = await serverWithLog('enforce'));
  });
  after(async () => { await cl.close(); });

  test('a user in a group allowed only iam:ListUsers can list users, and CreateUser is AccessDenied', async () => {
    await root().send(new CreateGroupCommand({ GroupName: 'listers' }));
    await root().send(new PutGroupPolicyCommand({ GroupName: 'listers', PolicyName: 'list-only', PolicyDocument: policy(allow('iam:ListUsers')) }));
    const alice = await newUser('alice');
    await root().send(new AddUserToGroupCommand({ GroupName: 'listers', UserName: 'alice' }));

    const users = await iamAs(alice).send(new ListUsersCommand({}));
    assert.ok(users.Users!.some((u) => u.UserName === 'alice'));
    const before = denials().length;
    await rejects(iamAs(alice).send(new CreateUserCommand({ UserName: 'bob' })), 'AccessDenied', 403,
      'User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/bob because no identity-based policy allows the iam:CreateUser action');
    // The resource carries the path the request asks for.
    await rejects(iamAs(alice).send(new CreateUserCommand({ UserName: 'carol', Path: '/eng/' })), 'AccessDenied', 403,
      /on resource: arn:aws:iam::000000000000:user\/eng\/carol because no identity-based policy allows/);
    const line = denials()[before]!;
    assert.equal(line.level, 'INFO');
    assert.equal(line.fields.action, 'iam:CreateUser');
    assert.equal(line.fields.principal, 'arn:aws:iam::000000000000:user/alice');
    assert.equal(line.fields.resource, 'arn:aws:iam::000000000000:user/bob');
    assert.equal(line.fields.missing, 'identity-based policy');
    assert.equal(line.fields.operation, 'iam:CreateUser');
  });

  test('an explicit deny beats an allow, and the log names the policy and statement', async () => {
    const dave = await newUser('dave', policy(allow('iam:*'), { Sid: 'NoUserCreation', Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }));
    await iamAs(dave).send(new ListUsersCommand({}));
    const n = denials().length;
    await rejects(iamAs(dave).send(new CreateUserCommand({ UserName: 'erin' })), 'AccessDenied', 403,
      'User: arn:aws:iam::000000000000:user/dave is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/erin with an explicit deny in an identity-based policy');
    const line = denials()[n]!;
    assert.equal(line.fields.policy, 'user/dave/inline/inline');
    assert.equal(line.fields.policyType, 'identity');
    assert.deepEqual(line.fields.statement, { sid: 'NoUserCreation', index: 1 });
    assert.equal(line.fields.decision, 'ExplicitDeny');
  });

  test('a permissions boundary caps an administrator policy', async () => {
    const boundary = (await root().send(new CreatePolicyCommand({ PolicyName: 'read-iam', PolicyDocument: policy(allow(['iam:Get*', 'iam:List*'])) }))).Policy!.Arn!;
    const fay = await newUser('fay');
    await root().send(new AttachUserPolicyCommand({ UserName: 'fay', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    await root().send(new PutUserPermissionsBoundaryCommand({ UserName: 'fay', PermissionsBoundary: boundary }));
    await iamAs(fay).send(new ListUsersCommand({}));
    const n = denials().length;
    await rejects(iamAs(fay).send(new CreateUserCommand({ UserName: 'gus' })), 'AccessDenied', 403,
      'User: arn:aws:iam::000000000000:user/fay is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/gus because no permissions boundary allows the iam:CreateUser action');
    assert.equal(denials()[n]!.fields.policy, boundary);
    await rejects(new EC2Client(clientConfig(cl.url, 'us-east-1', fay)).send(new DescribeRegionsCommand({})), 'UnauthorizedOperation', 403,
      /^You are not authorized to perform this operation\. User: arn:aws:iam::000000000000:user\/fay is not authorized to perform: ec2:DescribeRegions because no permissions boundary allows the ec2:DescribeRegions action\. Encoded authorization failure message: [\w-]+$/);
  });

  test('an assumed role acts with the role\'s policies; a session policy narrows them', async () => {
    const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: 'sts:AssumeRole' });
    const roleArn = (await root().send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    await root().send(new AttachRolePolicyCommand({ RoleName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const hal = await newUser('hal', policy(allow('sts:AssumeRole')));
    const sts = new STSClient(clientConfig(cl.url, 'us-east-1', hal));

    const r = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'work' }));
    const session: Creds = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
    const id = await new STSClient(clientConfig(cl.url, 'us-east-1', session)).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:sts::${A}:assumed-role/reader/work`);
    await iamAs(session).send(new ListUsersCommand({}));
    await rejects(iamAs(session).send(new CreateUserCommand({ UserName: 'ivy' })), 'AccessDenied', 403,
      `User: arn:aws:sts::${A}:assumed-role/reader/work is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${A}:user/ivy because no identity-based policy allows the iam:CreateUser action`);

    const narrowed = await sts.send(new AssumeRoleCommand({
      RoleArn: roleArn, RoleSessionName: 'narrow', Policy: policy(allow('iam:GetUser')),
    }));
    const n: Creds = { accessKeyId: narrowed.Credentials!.AccessKeyId!, secretAccessKey: narrowed.Credentials!.SecretAccessKey!, sessionToken: narrowed.Credentials!.SessionToken! };
    await rejects(iamAs(n).send(new ListUsersCommand({})), 'AccessDenied', 403,
      `User: arn:aws:sts::${A}:assumed-role/reader/narrow is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${A}:user/ because no session policy allows the iam:ListUsers action`);
  });

  test('AssumeRole: a trust policy not naming the caller, and ExternalId conditions, deny', async () => {
    const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${A}:user/jan` }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'ext-42' } } });
    // IAM refuses a trust policy naming a user that does not exist: jan comes first.
    const jan = await newUser('jan');
    const roleArn = (await root().send(new CreateRoleCommand({ RoleName: 'jan-only', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    const kim = await newUser('kim', policy(allow('sts:AssumeRole')));
    const janSts = new STSClient(clientConfig(cl.url, 'us-east-1', jan));
    await rejects(new STSClient(clientConfig(cl.url, 'us-east-1', kim)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ss', ExternalId: 'ext-42' })),
      'AccessDenied', 403, `User: arn:aws:iam::${A}:user/kim is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    await rejects(janSts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ss' })), 'AccessDenied', 403,
      `User: arn:aws:iam::${A}:user/jan is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    await rejects(janSts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ss', ExternalId: 'wrong' })), 'AccessDenied', 403, /not authorized/);
    // The trust policy names jan directly: it allows without any identity policy of jan's.
    const ok = await janSts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ss', ExternalId: 'ext-42' }));
    assert.equal(ok.AssumedRoleUser!.Arn, `arn:aws:sts::${A}:assumed-role/jan-only/ss`);
  });

  test('cross-account AssumeRole needs both the trust policy and the caller\'s identity policy', async () => {
    const owner = '111111111111';
    const caller = '222222222222';
    const ownerIam = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: owner, secretAccessKey: 'test' }));
    const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${caller}:root` }, Action: 'sts:AssumeRole' });
    const roleArn = (await ownerIam.send(new CreateRoleCommand({ RoleName: 'shared', AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    await ownerIam.send(new AttachRolePolicyCommand({ RoleName: 'shared', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));

    const without = await newUser('lee', undefined, caller);
    const withPolicy = await newUser('max', policy(allow('sts:AssumeRole', { Resource: roleArn })), caller);
    const n = denials().length;
    await rejects(new STSClient(clientConfig(cl.url, 'us-east-1', without)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'xx' })),
      'AccessDenied', 403, `User: arn:aws:iam::${caller}:user/lee is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    assert.equal(denials()[n]!.fields.missing, 'identity-based policy');
    assert.equal(denials()[n]!.fields.resourceAccount, owner);

    const r = await new STSClient(clientConfig(cl.url, 'us-east-1', withPolicy)).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'xx' }));
    const session: Creds = { accessKeyId: r.Credentials!.AccessKeyId!, secretAccessKey: r.Credentials!.SecretAccessKey!, sessionToken: r.Credentials!.SessionToken! };
    const id = await new STSClient(clientConfig(cl.url, 'us-east-1', session)).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Account, owner);
    assert.equal(id.Arn, `arn:aws:sts::${owner}:assumed-role/shared/xx`);
    // The session works in the role's account, with the role's policies.
    const listed = await iamAs(session).send(new ListUsersCommand({}));
    assert.ok(!listed.Users!.some((u) => u.UserName === 'max'));

    // A trust policy naming another account denies even an account's root.
    const other = new STSClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: '333333333333', secretAccessKey: 'test' }));
    await rejects(other.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'xx' })), 'AccessDenied', 403,
      `User: arn:aws:iam::333333333333:root is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  });

  test('EC2 UnauthorizedOperation carries an encoded message that STS decodes into the explanation', async () => {
    const nia = await newUser('nia', policy({ Sid: 'NoEc2', Effect: 'Deny', Action: 'ec2:RunInstances', Resource: '*' }));
    const ec2 = new EC2Client(clientConfig(cl.url, 'us-east-1', nia));
    const err = await rejects(ec2.send(new DescribeAvailabilityZonesCommand({})), 'UnauthorizedOperation', 403,
      /^You are not authorized to perform this operation\. User: arn:aws:iam::000000000000:user\/nia is not authorized to perform: ec2:DescribeAvailabilityZones because no identity-based policy allows the ec2:DescribeAvailabilityZones action\. Encoded authorization failure message: /);
    const encoded = /Encoded authorization failure message: (\S+)$/.exec(err.message)![1]!;

    // Decoding needs sts:DecodeAuthorizationMessage.
    await rejects(new STSClient(clientConfig(cl.url, 'us-east-1', nia)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded })),
      'AccessDenied', 403, 'User: arn:aws:iam::000000000000:user/nia is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action');
    const decoded = JSON.parse((await new STSClient(clientConfig(cl.url)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }))).DecodedMessage!);
    assert.equal(decoded.allowed, false);
    assert.equal(decoded.explicitDeny, false);
    assert.equal(decoded.context.action, 'ec2:DescribeAvailabilityZones');
    assert.equal(decoded.context.resource, '*');
    assert.equal(decoded.context.principal.arn, 'arn:aws:iam::000000000000:user/nia');
    assert.match(decoded.context.principal.id, /^AIDA/);
    const keys = decoded.context.conditions.items.map((c: { key: string }) => c.key);
    for (const k of ['aws:SourceIp', 'aws:RequestedRegion', 'ec2:Region', 'aws:CurrentTime']) assert.ok(keys.includes(k), k);
    assert.equal(decoded.explanation.missing, 'identity-based policy');

    // An explicit deny: the decoded message names the statement.
    const runErr = await rejects(ec2.send(new RunInstancesCommand({ ImageId: 'ami-12345678', MinCount: 1, MaxCount: 1, DryRun: true })), 'UnauthorizedOperation', 403,
      /User: arn:aws:iam::000000000000:user\/nia is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1::image\/ami-12345678 with an explicit deny in an identity-based policy\. Encoded/);
    const run = JSON.parse((await new STSClient(clientConfig(cl.url)).send(new DecodeAuthorizationMessageCommand({
      EncodedMessage: /message: (\S+)$/.exec(runErr.message)![1]!,
    }))).DecodedMessage!);
    assert.equal(run.explicitDeny, true);
    assert.equal(run.matchedStatements.items[0].statementId, 'NoEc2');
    assert.equal(run.matchedStatements.items[0].effect, 'DENY');
    assert.deepEqual(run.matchedStatements.items[0].actions.items, [{ value: 'ec2:RunInstances' }]);
    assert.equal(run.matchedStatements.items[0].policyId, 'user/nia/inline/inline');
    assert.deepEqual(run.explanation.statement, { sid: 'NoEc2', index: 0 });
  });

  test('EC2 DryRun is answered after authorization', async () => {
    const ola = await newUser('ola', policy(allow('ec2:DescribeAvailabilityZones')));
    const ec2 = new EC2Client(clientConfig(cl.url, 'us-east-1', ola));
    await rejects(ec2.send(new DescribeAvailabilityZonesCommand({ DryRun: true })), 'DryRunOperation', 412, /Request would have succeeded/);
    await rejects(ec2.send(new DescribeRegionsCommand({ DryRun: true })), 'UnauthorizedOperation', 403, /ec2:DescribeRegions/);
  });

  test('S3 and ECR denials in their own words', async () => {
    const pat = await newUser('pat');
    await rejects(new S3Client({ ...clientConfig(cl.url, 'us-east-1', pat), forcePathStyle: true }).send(new ListBucketsCommand({})), 'AccessDenied', 403,
      'User: arn:aws:iam::000000000000:user/pat is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action');
    await rejects(new ECRClient(clientConfig(cl.url, 'us-east-1', pat)).send(new DescribeRepositoriesCommand({})), 'AccessDeniedException', 400,
      'User: arn:aws:iam::000000000000:user/pat is not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:000000000000:repository/* because no identity-based policy allows the ecr:DescribeRepositories action');
  });

  test('policy edits and tags are picked up on the next request', async () => {
    const quinn = await newUser('quinn', policy(allow('iam:GetUser')));
    await rejects(iamAs(quinn).send(new ListUsersCommand({})), 'AccessDenied', 403, /because no identity-based policy allows the iam:ListUsers action/);
    await root().send(new PutUserPolicyCommand({ UserName: 'quinn', PolicyName: 'inline', PolicyDocument: policy(allow('iam:ListUsers')) }));
    await iamAs(quinn).send(new ListUsersCommand({}));
    // aws:PrincipalTag comes from the user's tags.
    await root().send(new PutUserPolicyCommand({ UserName: 'quinn', PolicyName: 'inline', PolicyDocument: policy(allow('iam:ListUsers', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } })) }));
    await rejects(iamAs(quinn).send(new ListUsersCommand({})), 'AccessDenied', 403, /because no identity-based policy allows/);
    await root().send(new TagUserCommand({ UserName: 'quinn', Tags: [{ Key: 'team', Value: 'blue' }] }));
    await iamAs(quinn).send(new ListUsersCommand({}));
    // aws:ResourceTag comes from the tags of the user acted on.
    await root().send(new PutUserPolicyCommand({ UserName: 'quinn', PolicyName: 'inline', PolicyDocument: policy(allow('iam:GetUser', { Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } })) }));
    await root().send(new CreateUserCommand({ UserName: 'untagged' }));
    await iamAs(quinn).send(new GetUserCommand({ UserName: 'quinn' }));
    await rejects(iamAs(quinn).send(new GetUserCommand({ UserName: 'untagged' })), 'AccessDenied', 403,
      `User: arn:aws:iam::${A}:user/quinn is not authorized to perform: iam:GetUser on resource: arn:aws:iam::${A}:user/untagged because no identity-based policy allows the iam:GetUser action`);
  });

  test('anonymous callers get S3\'s plain Access Denied', async () => {
    const res = await fetch(`${cl.url}/`, { method: 'GET' });
    assert.equal(res.status, 403);
    const body = await res.text();
    assert.match(body, /<Code>AccessDenied<\/Code>/);
    assert.match(body, /<Message>Access Denied<\/Message>/);
  });
});

describe('--iam audit and --iam off', () => {
  for (const mode of ['audit', 'off'] as const) {
    test(`${mode}: a request policies deny is allowed${mode === 'audit' ? ', and logged with the explanation at warn level' : ''}`, async () => {
      const { cl, lines } = await serverWithLog(mode);
      try {
        const iam = new IAMClient(clientConfig(cl.url));
        await iam.send(new CreateUserCommand({ UserName: 'rae' }));
        const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'rae' }))).AccessKey!;
        const rae = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }));
        const made = await rae.send(new CreateUserCommand({ UserName: 'sam' }));
        assert.equal(made.User!.UserName, 'sam');
        const logged = lines.filter((l) => /denied/.test(l.msg));
        if (mode === 'off') {
          assert.equal(logged.length, 0);
        } else {
          assert.equal(logged.length, 1);
          assert.equal(logged[0]!.level, 'WARN');
          assert.equal(logged[0]!.fields.action, 'iam:CreateUser');
          assert.equal(logged[0]!.fields.resource, 'arn:aws:iam::000000000000:user/sam');
          assert.equal(logged[0]!.fields.missing, 'identity-based policy');
        }
      } finally {
        await cl.close();
      }
    });
  }
});

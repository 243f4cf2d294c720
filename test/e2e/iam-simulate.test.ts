// The policy simulator: SimulatePrincipalPolicy / SimulateCustomPolicy with SDK v3 and the
// AWS CLI, and a table of real requests whose outcome must match the simulation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand, AttachGroupPolicyCommand, CreateAccessKeyCommand, CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand,
  CreateUserCommand, DeleteUserCommand, GetUserCommand, IAMClient, ListRolesCommand, ListUsersCommand, PutGroupPolicyCommand,
  PutRolePolicyCommand, PutUserPermissionsBoundaryCommand, PutUserPolicyCommand, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand,
  type EvaluationResult,
} from '@aws-sdk/client-iam';
import { DecodeAuthorizationMessageCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeAvailabilityZonesCommand, DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = '000000000000';
const USER = `arn:aws:iam::${A}:user/sim`;
const policy = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

// Pretty-printed on purpose: the simulator reports where each statement sits.
const INLINE = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Read",
      "Effect": "Allow",
      "Action": ["iam:ListUsers", "iam:GetUser", "ec2:Describe*"],
      "Resource": "*"
    },
    {
      "Sid": "TeamUsers",
      "Effect": "Allow",
      "Action": "iam:CreateUser",
      "Resource": "arn:aws:iam::${A}:user/team/*"
    },
    {
      "Sid": "NoRegions",
      "Effect": "Deny",
      "Action": "ec2:DescribeRegions",
      "Resource": "*"
    }
  ]
}`;

describe('IAM policy simulator (SDK v3)', () => {
  let cl: Cloudlet;
  let boundaryArn: string;
  let sim: { accessKeyId: string; secretAccessKey: string };
  const iam = () => new IAMClient(clientConfig(cl.url));
  const simulate = (input: Partial<ConstructorParameters<typeof SimulatePrincipalPolicyCommand>[0]>) =>
    iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: USER, ActionNames: [], ...input }));

  before(async () => {
    cl = await startTestServer({ iam: 'enforce' });
    await iam().send(new CreateUserCommand({ UserName: 'sim' }));
    await iam().send(new PutUserPolicyCommand({ UserName: 'sim', PolicyName: 'basics', PolicyDocument: INLINE }));
    await iam().send(new CreateGroupCommand({ GroupName: 'decoders' }));
    await iam().send(new PutGroupPolicyCommand({ GroupName: 'decoders', PolicyName: 'decode', PolicyDocument: policy({ Effect: 'Allow', Action: ['sts:DecodeAuthorizationMessage', 's3:ListAllMyBuckets'], Resource: '*' }) }));
    await iam().send(new AttachGroupPolicyCommand({ GroupName: 'decoders', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly' }));
    await iam().send(new AddUserToGroupCommand({ GroupName: 'decoders', UserName: 'sim' }));
    boundaryArn = (await iam().send(new CreatePolicyCommand({ PolicyName: 'no-s3', PolicyDocument: policy({ Effect: 'Allow', Action: ['iam:*', 'ec2:*', 'sts:*', 'ecr:*'], Resource: '*' }) }))).Policy!.Arn!;
    await iam().send(new PutUserPermissionsBoundaryCommand({ UserName: 'sim', PermissionsBoundary: boundaryArn }));
    const k = (await iam().send(new CreateAccessKeyCommand({ UserName: 'sim' }))).AccessKey!;
    sim = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  });
  after(async () => { await cl.close(); });

  test('simulate-principal-policy matches enforcement, request by request', async () => {
    const as = { iam: new IAMClient(clientConfig(cl.url, 'us-east-1', sim)), ec2: new EC2Client(clientConfig(cl.url, 'us-east-1', sim)) };
    let encoded = 'x';
    try {
      await new EC2Client(clientConfig(cl.url, 'us-east-1', sim)).send(new DescribeRegionsCommand({}));
    } catch (e) {
      encoded = /message: (\S+)$/.exec((e as Error).message)?.[1] ?? 'x';
    }
    const table: Array<{ action: string; resource: string; send: () => Promise<unknown> }> = [
      { action: 'iam:ListUsers', resource: `arn:aws:iam::${A}:user/`, send: () => as.iam.send(new ListUsersCommand({})) },
      { action: 'iam:GetUser', resource: USER, send: () => as.iam.send(new GetUserCommand({ UserName: 'sim' })) },
      { action: 'iam:CreateUser', resource: `arn:aws:iam::${A}:user/team/tia`, send: () => as.iam.send(new CreateUserCommand({ UserName: 'tia', Path: '/team/' })) },
      { action: 'iam:CreateUser', resource: `arn:aws:iam::${A}:user/uma`, send: () => as.iam.send(new CreateUserCommand({ UserName: 'uma' })) },
      { action: 'iam:DeleteUser', resource: `arn:aws:iam::${A}:user/team/tia`, send: () => as.iam.send(new DeleteUserCommand({ UserName: 'tia' })) },
      { action: 'iam:ListRoles', resource: `arn:aws:iam::${A}:role/`, send: () => as.iam.send(new ListRolesCommand({})) },
      { action: 'ec2:DescribeAvailabilityZones', resource: '*', send: () => as.ec2.send(new DescribeAvailabilityZonesCommand({})) },
      { action: 'ec2:DescribeRegions', resource: '*', send: () => as.ec2.send(new DescribeRegionsCommand({})) },
      { action: 's3:ListAllMyBuckets', resource: '*', send: () => new S3Client({ ...clientConfig(cl.url, 'us-east-1', sim), forcePathStyle: true }).send(new ListBucketsCommand({})) },
      { action: 'sts:DecodeAuthorizationMessage', resource: '*', send: () => new STSClient(clientConfig(cl.url, 'us-east-1', sim)).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded })) },
      { action: 'ecr:DescribeRepositories', resource: `arn:aws:ecr:us-east-1:${A}:repository/*`, send: () => new ECRClient(clientConfig(cl.url, 'us-east-1', sim)).send(new DescribeRepositoriesCommand({})) },
    ];
    const expected = [true, true, true, false, false, false, true, false, false, true, true];
    for (const [i, row] of table.entries()) {
      const r = await simulate({ ActionNames: [row.action], ResourceArns: [row.resource] });
      const simulated = r.EvaluationResults![0]!.EvalDecision === 'allowed';
      let sent = true;
      try {
        await row.send();
      } catch (e) {
        if (!/AccessDenied|UnauthorizedOperation/.test((e as Error).name)) throw e;
        sent = false;
      }
      assert.equal(simulated, sent, `${row.action} on ${row.resource}: simulated ${simulated}, enforced ${sent}`);
      assert.equal(sent, expected[i], `${row.action} on ${row.resource}`);
    }
  });

  test('MatchedStatements name each policy, its type and the statement\'s place in the document', async () => {
    const r = await simulate({ ActionNames: ['iam:ListUsers', 'ec2:DescribeRegions', 'sts:DecodeAuthorizationMessage', 'ecr:BatchGetImage'] });
    const [list, regions, decode, ecr] = r.EvaluationResults! as [EvaluationResult, EvaluationResult, EvaluationResult, EvaluationResult];
    assert.equal(list.EvalResourceName, '*');
    assert.equal(list.EvalDecision, 'allowed');
    // The identity statement that allows, and the boundary statement that lets it.
    assert.deepEqual(list.MatchedStatements, [
      { SourcePolicyId: 'basics', SourcePolicyType: 'user', StartPosition: { Line: 4, Column: 5 }, EndPosition: { Line: 9, Column: 6 } },
      { SourcePolicyId: 'no-s3', SourcePolicyType: 'user-managed', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 114 } },
    ]);
    assert.equal(regions.EvalDecision, 'explicitDeny');
    assert.deepEqual(regions.MatchedStatements, [{ SourcePolicyId: 'basics', SourcePolicyType: 'user', StartPosition: { Line: 16, Column: 5 }, EndPosition: { Line: 21, Column: 6 } }]);
    assert.equal(decode.MatchedStatements![0]!.SourcePolicyId, 'decode');
    assert.equal(decode.MatchedStatements![0]!.SourcePolicyType, 'group');
    assert.equal(ecr.MatchedStatements![0]!.SourcePolicyId, 'AmazonEC2ContainerRegistryReadOnly');
    assert.equal(ecr.MatchedStatements![0]!.SourcePolicyType, 'aws-managed');
    for (const e of r.EvaluationResults!) assert.deepEqual(e.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: true });
  });

  test('the permissions boundary, extra policies and a replacement boundary', async () => {
    const s3 = (await simulate({ ActionNames: ['s3:ListAllMyBuckets'] })).EvaluationResults![0]!;
    assert.equal(s3.EvalDecision, 'implicitDeny');
    assert.deepEqual(s3.PermissionsBoundaryDecisionDetail, { AllowedByPermissionsBoundary: false });
    const replaced = (await simulate({
      ActionNames: ['s3:ListAllMyBuckets', 'iam:ListUsers'],
      PermissionsBoundaryPolicyInputList: [policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' })],
    })).EvaluationResults!;
    assert.deepEqual(replaced.map((e) => e.EvalDecision), ['allowed', 'implicitDeny']);
    const extra = (await simulate({
      ActionNames: ['iam:ListRoles'], PolicyInputList: [policy({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' })],
    })).EvaluationResults![0]!;
    assert.equal(extra.EvalDecision, 'allowed');
    assert.deepEqual(extra.MatchedStatements![0], { SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'IAM Policy', StartPosition: { Line: 1, Column: 38 }, EndPosition: { Line: 1, Column: 96 } });
  });

  test('several resources: one result per action, the most restrictive on top, each resource beneath', async () => {
    const r = (await simulate({ ActionNames: ['iam:CreateUser'], ResourceArns: [`arn:aws:iam::${A}:user/team/a`, `arn:aws:iam::${A}:user/b`] })).EvaluationResults!;
    assert.equal(r.length, 1);
    assert.equal(r[0]!.EvalDecision, 'implicitDeny');
    assert.deepEqual(r[0]!.ResourceSpecificResults!.map((x) => [x.EvalResourceName, x.EvalResourceDecision]), [
      [`arn:aws:iam::${A}:user/team/a`, 'allowed'], [`arn:aws:iam::${A}:user/b`, 'implicitDeny'],
    ]);
  });

  test('context entries and missing context values', async () => {
    const cond = policy({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    const missing = (await simulate({ ActionNames: ['iam:ListRoles'], PolicyInputList: [cond] })).EvaluationResults![0]!;
    assert.equal(missing.EvalDecision, 'implicitDeny');
    assert.deepEqual(missing.MissingContextValues, ['aws:SourceIp']);
    const given = (await simulate({
      ActionNames: ['iam:ListRoles'], PolicyInputList: [cond],
      ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.1.2.3'], ContextKeyType: 'ip' }],
    })).EvaluationResults![0]!;
    assert.equal(given.EvalDecision, 'allowed');
    assert.deepEqual(given.MissingContextValues, []);
  });

  test('a resource policy, the caller and the resource owner: cross-account needs both sides', async () => {
    const bucket = policy({ Effect: 'Allow', Principal: { AWS: USER }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' });
    const base = { ActionNames: ['s3:GetObject'], ResourceArns: ['arn:aws:s3:::shared/report.csv'], ResourcePolicy: bucket };
    // Same account: a bucket policy naming the user itself allows, even though the user's
    // boundary has no s3 (a boundary does not limit grants made to the user's own ARN).
    const same = (await simulate(base)).EvaluationResults![0]!;
    assert.equal(same.EvalDecision, 'allowed');
    assert.equal(same.MatchedStatements![0]!.SourcePolicyType, 'resource');
    const cross = (await simulate({ ...base, ResourceOwner: 'arn:aws:iam::111111111111:root' })).EvaluationResults![0]!;
    assert.equal(cross.EvalDecision, 'implicitDeny');
    assert.deepEqual(cross.EvalDecisionDetails, { 'IAM Policy': 'implicitDeny', 'Resource Policy': 'allowed' });
  });

  test('roles and groups can be simulated; errors are AWS\'s', async () => {
    await iam().send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }) }));
    await iam().send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'rp', PolicyDocument: policy({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }) }));
    const role = (await simulate({ PolicySourceArn: `arn:aws:iam::${A}:role/app`, ActionNames: ['ecr:ListImages', 'iam:ListUsers'] })).EvaluationResults!;
    assert.deepEqual(role.map((e) => e.EvalDecision), ['allowed', 'implicitDeny']);
    assert.equal(role[0]!.MatchedStatements![0]!.SourcePolicyType, 'role');
    const group = (await simulate({ PolicySourceArn: `arn:aws:iam::${A}:group/decoders`, ActionNames: ['s3:ListAllMyBuckets'] })).EvaluationResults![0]!;
    assert.equal(group.EvalDecision, 'allowed');

    await assert.rejects(simulate({ PolicySourceArn: `arn:aws:iam::${A}:user/nobody`, ActionNames: ['iam:ListUsers'] }),
      (e: Error & { $metadata: { httpStatusCode?: number } }) => e.name === 'NoSuchEntityException' && e.message === 'The user with name nobody cannot be found.' && e.$metadata.httpStatusCode === 404);
    await assert.rejects(simulate({ PolicySourceArn: 'arn:aws:iam::000000000000:bucket/x', ActionNames: ['iam:ListUsers'] }), { name: 'InvalidInputException' });
    await assert.rejects(simulate({ ActionNames: ['iam:ListUsers'], PolicyInputList: ['{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}'] }),
      { name: 'MalformedPolicyDocumentException' });
    await assert.rejects(simulate({ ActionNames: ['iam:ListUsers'], ResourceArns: ['not-an-arn'] }), { name: 'InvalidInputException' });
  });

  test('MaxItems and Marker page through the results', async () => {
    const actions = ['iam:ListUsers', 'iam:GetUser', 'ec2:DescribeRegions'];
    const first = await simulate({ ActionNames: actions, MaxItems: 2 });
    assert.equal(first.IsTruncated, true);
    assert.deepEqual(first.EvaluationResults!.map((e) => e.EvalActionName), actions.slice(0, 2));
    const second = await simulate({ ActionNames: actions, MaxItems: 2, Marker: first.Marker });
    assert.equal(second.IsTruncated, false);
    assert.deepEqual(second.EvaluationResults!.map((e) => e.EvalActionName), ['ec2:DescribeRegions']);
  });

  test('SimulateCustomPolicy evaluates only the policies given', async () => {
    const r = await iam().send(new SimulateCustomPolicyCommand({
      PolicyInputList: [policy({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), policy({ Sid: 'X', Effect: 'Deny', Action: 'ec2:TerminateInstances', Resource: '*' })],
      ActionNames: ['ec2:RunInstances', 'ec2:TerminateInstances', 'iam:ListUsers'],
    }));
    assert.deepEqual(r.EvaluationResults!.map((e) => e.EvalDecision), ['allowed', 'explicitDeny', 'implicitDeny']);
    assert.equal(r.EvaluationResults![1]!.MatchedStatements![0]!.SourcePolicyId, 'PolicyInputList.2');
  });

  test('the simulator itself needs iam:SimulatePrincipalPolicy', async () => {
    await assert.rejects(new IAMClient(clientConfig(cl.url, 'us-east-1', sim)).send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: USER, ActionNames: ['iam:ListUsers'] })),
      (e: Error) => e.name === 'AccessDenied' && e.message === `User: ${USER} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${USER} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`);
  });
});

for (const cli of awsClis()) {
  describe(`aws iam simulate-principal-policy with ${cli.name}`, { skip: cli.skip }, () => {
    let cl: Cloudlet;
    before(async () => {
      cl = await startTestServer();
      await awsJson(cli.bin, cl.url, ['iam', 'create-user', '--user-name', 'cli-sim']);
      await awsJson(cli.bin, cl.url, ['iam', 'put-user-policy', '--user-name', 'cli-sim', '--policy-name', 'p', '--policy-document', INLINE]);
    });
    after(async () => { await cl.close(); });

    test('decisions, matched statements and context entries', async () => {
      const r = await awsJson(cli.bin, cl.url, ['iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::${A}:user/cli-sim`,
        '--action-names', 'iam:ListUsers', 'ec2:DescribeRegions', 'iam:CreateUser', '--resource-arns', `arn:aws:iam::${A}:user/team/x`,
        '--context-entries', 'ContextKeyName=aws:SourceIp,ContextKeyValues=10.0.0.1,ContextKeyType=ip']);
      assert.deepEqual(r.EvaluationResults.map((e: EvaluationResult) => [e.EvalActionName, e.EvalDecision]), [
        ['iam:ListUsers', 'allowed'], ['ec2:DescribeRegions', 'explicitDeny'], ['iam:CreateUser', 'allowed'],
      ]);
      assert.equal(r.EvaluationResults[1].MatchedStatements[0].SourcePolicyId, 'p');
      const bad = await runAws(cli.bin, cl.url, ['iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::${A}:user/ghost`, '--action-names', 'iam:ListUsers']);
      assert.match(bad.stderr, /\(NoSuchEntity\).*The user with name ghost cannot be found\./);
    });
  });
}

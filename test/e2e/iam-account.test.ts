import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddRoleToInstanceProfileCommand, AddUserToGroupCommand, AttachGroupPolicyCommand, AttachRolePolicyCommand, AttachUserPolicyCommand,
  CreateAccountAliasCommand, CreateGroupCommand, CreateInstanceProfileCommand, CreatePolicyCommand, CreatePolicyVersionCommand,
  CreateRoleCommand, CreateUserCommand, DeleteAccountAliasCommand, GetAccountAuthorizationDetailsCommand, GetAccountSummaryCommand,
  GetUserCommand, IAMClient, ListAccountAliasesCommand, PutGroupPolicyCommand, PutRolePermissionsBoundaryCommand, PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import type { Principal } from '../../src/auth/principal.js';
import { managedPolicyDocument, policiesForPrincipal } from '../../src/services/iam/principal-policies.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCT = '333333333333';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

describe('IAM account-wide views and the policies of a principal', () => {
  let cl: Cloudlet;
  let iam: IAMClient;
  let boundaryArn: string;
  let localArn: string;
  before(async () => {
    cl = await startTestServer();
    iam = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: ACCT, secretAccessKey: 'test' }));
    // One of everything: a user in a group, a role in an instance profile, policies of each kind.
    localArn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'local', PolicyDocument: doc('s3:GetObject') }))).Policy!.Arn!;
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: localArn, PolicyDocument: doc('s3:PutObject'), SetAsDefault: true }));
    boundaryArn = (await iam.send(new CreatePolicyCommand({ PolicyName: 'boundary', PolicyDocument: doc('s3:*') }))).Policy!.Arn!;
    await iam.send(new CreateUserCommand({ UserName: 'ann', Tags: [{ Key: 't', Value: 'v' }] }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'ann', PolicyName: 'own', PolicyDocument: doc('ec2:DescribeVpcs') }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'ann', PolicyArn: localArn }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'ann', PermissionsBoundary: boundaryArn }));
    await iam.send(new CreateGroupCommand({ GroupName: 'ops' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'ops', UserName: 'ann' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'ops', PolicyName: 'grp', PolicyDocument: doc('sns:Publish') }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'ops', PolicyArn: 'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'svc', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'svc', PolicyName: 'rp', PolicyDocument: doc('ecr:*') }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'svc', PolicyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'svc', PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' }));
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'svc-ip' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'svc-ip', RoleName: 'svc' }));
  });
  after(async () => { await cl.close(); });

  test('IAM is global: every signing region sees the same users', async () => {
    const eu = new IAMClient(clientConfig(cl.url, 'eu-west-1', { accessKeyId: ACCT, secretAccessKey: 'test' }));
    assert.equal((await eu.send(new GetUserCommand({ UserName: 'ann' }))).User!.Arn, `arn:aws:iam::${ACCT}:user/ann`);
  });

  test('GetAccountAuthorizationDetails: users, groups, roles, policies with versions', async () => {
    const d = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    assert.equal(d.IsTruncated, false);
    const ann = d.UserDetailList!.find((u) => u.UserName === 'ann')!;
    assert.deepEqual(ann.GroupList, ['ops']);
    assert.deepEqual(ann.AttachedManagedPolicies, [{ PolicyName: 'local', PolicyArn: localArn }]);
    assert.equal(ann.UserPolicyList![0]!.PolicyName, 'own');
    assert.equal(decodeURIComponent(ann.UserPolicyList![0]!.PolicyDocument!), doc('ec2:DescribeVpcs'));
    assert.equal(ann.PermissionsBoundary!.PermissionsBoundaryArn, boundaryArn);
    assert.deepEqual(ann.Tags, [{ Key: 't', Value: 'v' }]);
    const ops = d.GroupDetailList!.find((g) => g.GroupName === 'ops')!;
    assert.deepEqual(ops.GroupPolicyList!.map((p) => p.PolicyName), ['grp']);
    assert.equal(ops.AttachedManagedPolicies![0]!.PolicyName, 'AmazonEC2ReadOnlyAccess');
    const svc = d.RoleDetailList!.find((r) => r.RoleName === 'svc')!;
    assert.equal(decodeURIComponent(svc.AssumeRolePolicyDocument!), TRUST);
    assert.deepEqual(svc.InstanceProfileList!.map((p) => p.InstanceProfileName), ['svc-ip']);
    assert.deepEqual(svc.RolePolicyList!.map((p) => p.PolicyName), ['rp']);
    const names = d.Policies!.map((p) => p.PolicyName).sort();
    // Local policies, plus only the AWS managed policies in use.
    assert.deepEqual(names, ['AmazonEC2ReadOnlyAccess', 'AmazonS3ReadOnlyAccess', 'PowerUserAccess', 'boundary', 'local']);
    const local = d.Policies!.find((p) => p.PolicyName === 'local')!;
    assert.equal(local.DefaultVersionId, 'v2');
    assert.deepEqual(local.PolicyVersionList!.map((v) => [v.VersionId, v.IsDefaultVersion]), [['v1', false], ['v2', true]]);
    assert.equal(decodeURIComponent(local.PolicyVersionList![1]!.Document!), doc('s3:PutObject'));
    assert.equal(local.AttachmentCount, 1);

    const onlyRoles = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
    assert.deepEqual([onlyRoles.UserDetailList, onlyRoles.GroupDetailList, onlyRoles.Policies], [[], [], []]);
    assert.equal(onlyRoles.RoleDetailList!.length, 1);
    const awsOnly = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['AWSManagedPolicy'] }));
    assert.equal(awsOnly.Policies!.length, 3);
  });

  test('GetAccountAuthorizationDetails pages across entity kinds', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const r = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 2, Marker: marker }));
      pages++;
      const n = r.UserDetailList!.length + r.GroupDetailList!.length + r.RoleDetailList!.length + r.Policies!.length;
      assert.ok(n <= 2);
      seen.push(...r.UserDetailList!.map((x) => x.UserName!), ...r.GroupDetailList!.map((x) => x.GroupName!),
        ...r.RoleDetailList!.map((x) => x.RoleName!), ...r.Policies!.map((x) => x.PolicyName!));
      marker = r.Marker;
    } while (marker);
    assert.equal(seen.length, 8);
    assert.equal(pages, 4);
  });

  test('GetAccountSummary: counts and quotas', async () => {
    const s = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    assert.equal(s.Users, 1);
    assert.equal(s.Groups, 1);
    assert.equal(s.Roles, 1);
    assert.equal(s.Policies, 2);
    assert.equal(s.InstanceProfiles, 1);
    assert.equal(s.PolicyVersionsInUse, 3);
    assert.equal(s.AccessKeysPerUserQuota, 2);
    assert.equal(s.AttachedPoliciesPerRoleQuota, 10);
    assert.equal(s.PolicySizeQuota, 6144);
    assert.equal(s.UsersQuota, 5000);
  });

  test('account aliases: one per account', async () => {
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'my-alias' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['my-alias']);
    await assert.rejects(iam.send(new CreateAccountAliasCommand({ AccountAlias: 'second' })), { name: 'LimitExceededException' });
    await assert.rejects(iam.send(new CreateAccountAliasCommand({ AccountAlias: 'Bad_Alias' })), { name: 'ValidationError' });
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'my-alias' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
  });

  test('policiesForPrincipal: a user gets its own and its groups\' policies and its boundary', async () => {
    const user: Principal = { kind: 'user', account: ACCT, arn: `arn:aws:iam::${ACCT}:user/ann`, userId: 'AIDAX', name: 'ann' };
    const got = await cl.deps.store.transaction((tx) => policiesForPrincipal(tx, user));
    assert.deepEqual(got.identity.map((p) => p.id), [
      'user/ann/inline/own', localArn, 'group/ops/inline/grp', 'arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess',
    ]);
    assert.equal(got.identity[0]!.document, doc('ec2:DescribeVpcs'));
    assert.equal(got.identity[1]!.document, doc('s3:PutObject')); // the default version
    assert.match(got.identity[3]!.document, /ec2:Describe\*/);
    assert.deepEqual(got.boundary, { id: boundaryArn, document: doc('s3:*') });
  });

  test('policiesForPrincipal: an assumed role gets the role\'s policies; root and anonymous get none', async () => {
    const role: Principal = {
      kind: 'assumed-role', account: ACCT, arn: `arn:aws:sts::${ACCT}:assumed-role/svc/s1`, userId: 'AROAX:s1',
      roleArn: `arn:aws:iam::${ACCT}:role/svc`, sessionName: 's1',
    };
    const got = await cl.deps.store.transaction((tx) => policiesForPrincipal(tx, role));
    assert.deepEqual(got.identity.map((p) => p.id), ['role/svc/inline/rp', 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess']);
    assert.equal(got.boundary!.id, 'arn:aws:iam::aws:policy/PowerUserAccess');
    const root = await cl.deps.store.transaction((tx) => policiesForPrincipal(tx, { kind: 'root', account: ACCT, arn: `arn:aws:iam::${ACCT}:root`, userId: ACCT }));
    assert.deepEqual(root, { identity: [] });
    const gone = await cl.deps.store.transaction((tx) => policiesForPrincipal(tx, { ...role, roleArn: `arn:aws:iam::${ACCT}:role/deleted` }));
    assert.deepEqual(gone, { identity: [] });
    const docs = await cl.deps.store.transaction((tx) => [
      managedPolicyDocument(tx, ACCT, 'arn:aws:iam::aws:policy/AdministratorAccess'),
      managedPolicyDocument(tx, ACCT, localArn),
      managedPolicyDocument(tx, ACCT, `arn:aws:iam::${ACCT}:policy/none`),
      managedPolicyDocument(tx, '000000000000', localArn),
      managedPolicyDocument(tx, ACCT, 'garbage'),
    ]);
    assert.deepEqual(JSON.parse(docs[0]!).Statement, [{ Effect: 'Allow', Action: '*', Resource: '*' }]);
    assert.equal(docs[1], doc('s3:PutObject'));
    assert.deepEqual(docs.slice(2), [undefined, undefined, undefined]);
  });
});

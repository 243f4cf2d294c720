import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachRolePolicyCommand, AttachUserPolicyCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand,
  CreateUserCommand, DeletePolicyCommand, DeletePolicyVersionCommand, DeleteRoleCommand, DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand, DetachRolePolicyCommand, DetachUserPolicyCommand, GetPolicyCommand, GetPolicyVersionCommand,
  GetRoleCommand, GetRolePolicyCommand, GetUserCommand, IAMClient, ListAttachedRolePoliciesCommand, ListEntitiesForPolicyCommand,
  ListPoliciesCommand, ListPolicyVersionsCommand, ListRolePoliciesCommand, ListRolesCommand, PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand, PutUserPermissionsBoundaryCommand, PutUserPolicyCommand, SetDefaultPolicyVersionCommand,
  UpdateAssumeRolePolicyCommand, UpdateRoleCommand, UpdateRoleDescriptionCommand, DeleteUserPermissionsBoundaryCommand,
  CreateGroupCommand, PutGroupPolicyCommand, GetUserPolicyCommand, CreatePolicyVersionCommandInput,
} from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { rejects } from '../helpers/assert.js';

const ACCT = '000000000000';
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const doc = (action: string, resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });


describe('IAM roles, managed and inline policies (SDK v3)', () => {
  let cl: Cloudlet;
  let iam: IAMClient;
  before(async () => {
    cl = await startTestServer();
    iam = new IAMClient(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test('CreateRole / GetRole: URL-encoded trust policy, defaults, RoleLastUsed', async () => {
    const created = await iam.send(new CreateRoleCommand({ RoleName: 'app', Path: '/svc/', AssumeRolePolicyDocument: TRUST, Description: 'the app' }));
    assert.equal(created.Role!.Arn, `arn:aws:iam::${ACCT}:role/svc/app`);
    assert.match(created.Role!.RoleId!, /^AROA[A-Z2-7]{17}$/);
    // AWS sends the document URL-encoded and the SDK does not decode it.
    assert.match(created.Role!.AssumeRolePolicyDocument!, /^%7B%22Version%22%3A%222012-10-17%22/);
    assert.equal(decodeURIComponent(created.Role!.AssumeRolePolicyDocument!), TRUST);
    const got = await iam.send(new GetRoleCommand({ RoleName: 'app' }));
    assert.equal(decodeURIComponent(got.Role!.AssumeRolePolicyDocument!), TRUST);
    assert.equal(got.Role!.MaxSessionDuration, 3600);
    assert.equal(got.Role!.Description, 'the app');
    assert.deepEqual(got.Role!.RoleLastUsed, {});
    const listed = await iam.send(new ListRolesCommand({ PathPrefix: '/svc/' }));
    assert.deepEqual(listed.Roles!.map((r) => r.RoleName), ['app']);
    assert.equal(decodeURIComponent(listed.Roles![0]!.AssumeRolePolicyDocument!), TRUST);
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'APP', AssumeRolePolicyDocument: TRUST })), 'EntityAlreadyExistsException', 409,
      'Role with name APP already exists.');
    await rejects(iam.send(new GetRoleCommand({ RoleName: 'nope' })), 'NoSuchEntityException', 404, 'The role with name nope cannot be found.');
  });

  test('trust policies are validated: no principal, bad JSON, identity-only fields, size, MaxSessionDuration range', async () => {
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: noPrincipal })), 'MalformedPolicyDocumentException', 400, /Principal/);
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: '{not json' })), 'MalformedPolicyDocumentException', 400);
    const withResource = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Resource: '*' }] });
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: withResource })), 'MalformedPolicyDocumentException', 400);
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: Array.from({ length: 80 }, (_, i) => `arn:aws:iam::${String(i).padStart(12, '1')}:root`) }, Action: 'sts:AssumeRole' }] });
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: big })), 'LimitExceededException', 409, 'Cannot exceed quota for ACLSizePerRole: 2048');
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 3599 })), 'ValidationError', 400, /maxSessionDuration/);
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 43201 })), 'ValidationError', 400);
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'r'.repeat(65), AssumeRolePolicyDocument: TRUST })), 'ValidationError', 400, /64/);
    // Nothing was half-created.
    await rejects(iam.send(new GetRoleCommand({ RoleName: 'r1' })), 'NoSuchEntityException', 404);
    const ok = await iam.send(new CreateRoleCommand({ RoleName: 'r1', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 43200 }));
    assert.equal(ok.Role!.RoleName, 'r1');
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'r1' }))).Role!.MaxSessionDuration, 43200);
  });

  test('UpdateRole, UpdateRoleDescription, UpdateAssumeRolePolicy', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'upd', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new UpdateRoleCommand({ RoleName: 'upd', MaxSessionDuration: 7200, Description: 'd1' }));
    let r = (await iam.send(new GetRoleCommand({ RoleName: 'upd' }))).Role!;
    assert.equal(r.MaxSessionDuration, 7200);
    assert.equal(r.Description, 'd1');
    const d = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'upd', Description: 'd2' }));
    assert.equal(d.Role!.Description, 'd2');
    const trust2 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'sts:AssumeRole' }] });
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'upd', PolicyDocument: trust2 }));
    r = (await iam.send(new GetRoleCommand({ RoleName: 'upd' }))).Role!;
    assert.equal(decodeURIComponent(r.AssumeRolePolicyDocument!), trust2);
    await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'upd', PolicyDocument: doc('s3:*') })), 'MalformedPolicyDocumentException', 400);
    await rejects(iam.send(new UpdateRoleCommand({ RoleName: 'upd', MaxSessionDuration: 100 })), 'ValidationError', 400);
  });

  test('managed policies: create, get, versions (max 5), default, delete rules', async () => {
    const p = (await iam.send(new CreatePolicyCommand({ PolicyName: 'pol', Path: '/team/', PolicyDocument: doc('s3:GetObject'), Description: 'mine' }))).Policy!;
    assert.equal(p.Arn, `arn:aws:iam::${ACCT}:policy/team/pol`);
    assert.match(p.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
    assert.equal(p.DefaultVersionId, 'v1');
    assert.equal(p.AttachmentCount, 0);
    assert.equal(p.IsAttachable, true);
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'POL', PolicyDocument: doc('s3:*') })), 'EntityAlreadyExistsException', 409,
      'A policy called POL already exists. Duplicate names are not allowed.');
    const got = (await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }))).Policy!;
    assert.equal(got.Description, 'mine');
    const v1 = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: 'v1' }))).PolicyVersion!;
    assert.equal(v1.IsDefaultVersion, true);
    assert.equal(decodeURIComponent(v1.Document!), doc('s3:GetObject'));
    const send = (i: Omit<CreatePolicyVersionCommandInput, 'PolicyArn'>) => iam.send(new CreatePolicyVersionCommand({ PolicyArn: p.Arn, ...i }));
    const v2 = (await send({ PolicyDocument: doc('s3:PutObject') })).PolicyVersion!;
    assert.deepEqual([v2.VersionId, v2.IsDefaultVersion], ['v2', false]);
    const v3 = (await send({ PolicyDocument: doc('s3:DeleteObject'), SetAsDefault: true })).PolicyVersion!;
    assert.deepEqual([v3.VersionId, v3.IsDefaultVersion], ['v3', true]);
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }))).Policy!.DefaultVersionId, 'v3');
    await send({ PolicyDocument: doc('s3:A') });
    await send({ PolicyDocument: doc('s3:B') });
    await rejects(send({ PolicyDocument: doc('s3:C') }), 'LimitExceededException', 409,
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: p.Arn }))).Versions!;
    assert.deepEqual(versions.map((v) => v.VersionId), ['v5', 'v4', 'v3', 'v2', 'v1']);
    assert.deepEqual(versions.filter((v) => v.IsDefaultVersion).map((v) => v.VersionId), ['v3']);
    await rejects(iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Arn, VersionId: 'v3' })), 'DeleteConflictException', 409,
      'Cannot delete the default version of a policy.');
    await iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Arn, VersionId: 'v5' }));
    // Version numbers are never reused.
    assert.equal((await send({ PolicyDocument: doc('s3:D') })).PolicyVersion!.VersionId, 'v6');
    await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: 'v1' }));
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: p.Arn }))).Policy!.DefaultVersionId, 'v1');
    await rejects(iam.send(new GetPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: 'v5' })), 'NoSuchEntityException', 404);
    await rejects(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: p.Arn, VersionId: 'v9' })), 'NoSuchEntityException', 404);
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn })), 'DeleteConflictException', 409, /must delete the policy's versions/);
    for (const v of ['v2', 'v3', 'v4', 'v6']) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: p.Arn, VersionId: v }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: p.Arn }));
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: p.Arn })), 'NoSuchEntityException', 404, `Policy ${p.Arn} was not found.`);
  });

  test('policy documents: malformed, size quota, URL-encoded input accepted', async () => {
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'bad', PolicyDocument: '{"Version":"2012-10-17"}' })), 'MalformedPolicyDocumentException', 400, /Statement/);
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'bad', PolicyDocument: withPrincipal })), 'MalformedPolicyDocumentException', 400);
    const huge = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: Array.from({ length: 500 }, (_, i) => `s3:Action${i}`), Resource: '*' }] });
    await rejects(iam.send(new CreatePolicyCommand({ PolicyName: 'bad', PolicyDocument: huge })), 'LimitExceededException', 409, 'Cannot exceed quota for PolicySize: 6144');
    // White space does not count toward the quota.
    const spaced = JSON.stringify(JSON.parse(doc('s3:GetObject')), null, 2).replace(/\n/g, `\n${' '.repeat(3000)}`);
    await iam.send(new CreatePolicyCommand({ PolicyName: 'spaced', PolicyDocument: spaced }));
    const enc = await iam.send(new CreatePolicyCommand({ PolicyName: 'encoded', PolicyDocument: encodeURIComponent(doc('ec2:*')) }));
    const v = await iam.send(new GetPolicyVersionCommand({ PolicyArn: enc.Policy!.Arn, VersionId: 'v1' }));
    assert.equal(decodeURIComponent(v.PolicyVersion!.Document!), doc('ec2:*'));
  });

  test('AWS managed policies: listed, readable, attachable, never changeable', async () => {
    const aws = await iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 1000 }));
    const names = aws.Policies!.map((p) => p.PolicyName);
    for (const n of ['AdministratorAccess', 'PowerUserAccess', 'ReadOnlyAccess', 'IAMFullAccess', 'AmazonS3FullAccess', 'AmazonS3ReadOnlyAccess',
      'AmazonEC2FullAccess', 'AmazonEC2ReadOnlyAccess', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonEC2ContainerRegistryPowerUser',
      'AmazonSSMManagedInstanceCore']) assert.ok(names.includes(n), n);
    assert.ok(aws.Policies!.every((p) => p.Arn!.startsWith('arn:aws:iam::aws:policy/')));
    const admin = 'arn:aws:iam::aws:policy/AdministratorAccess';
    const g = (await iam.send(new GetPolicyCommand({ PolicyArn: admin }))).Policy!;
    assert.equal(g.PolicyName, 'AdministratorAccess');
    assert.match(g.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
    const v = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: admin, VersionId: g.DefaultVersionId }))).PolicyVersion!;
    assert.deepEqual(JSON.parse(decodeURIComponent(v.Document!)), { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const lambda = (await iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' }))).Policy!;
    assert.equal(lambda.Path, '/service-role/');
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: admin })), 'AccessDenied', 403);
    await rejects(iam.send(new CreatePolicyVersionCommand({ PolicyArn: admin, PolicyDocument: doc('s3:*') })), 'AccessDenied', 403);
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' })), 'NoSuchEntityException', 404);
    await rejects(iam.send(new GetPolicyCommand({ PolicyArn: 'not-an-arn-at-all-really' })), 'InvalidInputException', 400);
    const local = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
    assert.ok(local.Policies!.every((p) => p.Arn!.startsWith(`arn:aws:iam::${ACCT}:policy/`)));
  });

  test('attach / detach: AttachmentCount, OnlyAttached, ListEntitiesForPolicy, limits, NoSuchEntity', async () => {
    const s3ro = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    await iam.send(new CreateUserCommand({ UserName: 'att-user' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'att-role', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'att-user', PolicyArn: s3ro }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: s3ro }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: s3ro })); // idempotent
    assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: s3ro }))).Policy!.AttachmentCount, 2);
    const attached = await iam.send(new ListPoliciesCommand({ OnlyAttached: true }));
    assert.deepEqual(attached.Policies!.map((p) => p.PolicyName), ['AmazonS3ReadOnlyAccess']);
    const ents = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: s3ro }));
    assert.deepEqual(ents.PolicyUsers!.map((u) => u.UserName), ['att-user']);
    assert.deepEqual(ents.PolicyRoles!.map((r) => r.RoleName), ['att-role']);
    assert.deepEqual(ents.PolicyGroups, []);
    const onlyRoles = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: s3ro, EntityFilter: 'Role' }));
    assert.deepEqual([onlyRoles.PolicyUsers, onlyRoles.PolicyRoles!.length], [[], 1]);
    const lar = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'att-role' }));
    assert.deepEqual(lar.AttachedPolicies, [{ PolicyName: 'AmazonS3ReadOnlyAccess', PolicyArn: s3ro }]);
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: `arn:aws:iam::${ACCT}:policy/ghost` })), 'NoSuchEntityException', 404,
      `Policy arn:aws:iam::${ACCT}:policy/ghost does not exist or is not attachable.`);
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'ghost', PolicyArn: s3ro })), 'NoSuchEntityException', 404);
    // A role in use cannot go; nor can an attached policy.
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'att-role' })), 'DeleteConflictException', 409, 'Cannot delete entity, must detach all policies first.');
    const mine = (await iam.send(new CreatePolicyCommand({ PolicyName: 'attached-one', PolicyDocument: doc('s3:*') }))).Policy!;
    await iam.send(new AttachUserPolicyCommand({ UserName: 'att-user', PolicyArn: mine.Arn }));
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: mine.Arn })), 'DeleteConflictException', 409, 'Cannot delete a policy attached to entities.');
    await iam.send(new DetachUserPolicyCommand({ UserName: 'att-user', PolicyArn: mine.Arn }));
    await iam.send(new DeletePolicyCommand({ PolicyArn: mine.Arn }));
    await rejects(iam.send(new DetachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: mine.Arn })), 'NoSuchEntityException', 404);
    // At most 10 managed policies per role.
    const policies = ['AdministratorAccess', 'PowerUserAccess', 'ReadOnlyAccess', 'IAMFullAccess', 'AmazonS3FullAccess', 'AmazonEC2FullAccess',
      'AmazonEC2ReadOnlyAccess', 'AmazonEC2ContainerRegistryReadOnly', 'AmazonEC2ContainerRegistryPowerUser'];
    for (const n of policies) await iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: `arn:aws:iam::aws:policy/${n}` }));
    await rejects(iam.send(new AttachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' })),
      'LimitExceededException', 409, 'Cannot exceed quota for PoliciesPerRole: 10');
    const page = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'att-role', MaxItems: 4 }));
    assert.equal(page.AttachedPolicies!.length, 4);
    assert.equal(page.IsTruncated, true);
    for (const n of [...policies, 'AmazonS3ReadOnlyAccess']) await iam.send(new DetachRolePolicyCommand({ RoleName: 'att-role', PolicyArn: `arn:aws:iam::aws:policy/${n}` }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'att-role' }));
  });

  test('inline policies: put/get/list/delete, aggregate size quotas per kind', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'inl', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'inl', PolicyName: 'a', PolicyDocument: doc('s3:GetObject') }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'inl', PolicyName: 'b', PolicyDocument: doc('ec2:*') }));
    const g = await iam.send(new GetRolePolicyCommand({ RoleName: 'inl', PolicyName: 'a' }));
    assert.equal(g.RoleName, 'inl');
    assert.equal(decodeURIComponent(g.PolicyDocument!), doc('s3:GetObject'));
    assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'inl' }))).PolicyNames, ['a', 'b']);
    const p1 = await iam.send(new ListRolePoliciesCommand({ RoleName: 'inl', MaxItems: 1 }));
    const p2 = await iam.send(new ListRolePoliciesCommand({ RoleName: 'inl', MaxItems: 1, Marker: p1.Marker }));
    assert.deepEqual([p1.PolicyNames, p2.PolicyNames, p2.IsTruncated], [['a'], ['b'], false]);
    await rejects(iam.send(new GetRolePolicyCommand({ RoleName: 'inl', PolicyName: 'zz' })), 'NoSuchEntityException', 404,
      'The role policy with name zz cannot be found.');
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'inl' })), 'DeleteConflictException', 409, 'Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'inl', PolicyName: 'a' }));
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'inl', PolicyName: 'b' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'inl' }));

    const sized = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(n)}` }] });
    await iam.send(new CreateUserCommand({ UserName: 'inl-user' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'inl-user', PolicyName: 'one', PolicyDocument: sized(1000) }));
    await rejects(iam.send(new PutUserPolicyCommand({ UserName: 'inl-user', PolicyName: 'two', PolicyDocument: sized(1000) })),
      'LimitExceededException', 409, 'Maximum policy size of 2048 bytes exceeded for user inl-user');
    // Replacing the same policy is measured without its old text.
    await iam.send(new PutUserPolicyCommand({ UserName: 'inl-user', PolicyName: 'one', PolicyDocument: sized(1900) }));
    assert.equal(decodeURIComponent((await iam.send(new GetUserPolicyCommand({ UserName: 'inl-user', PolicyName: 'one' }))).PolicyDocument!), sized(1900));
    await iam.send(new CreateGroupCommand({ GroupName: 'inl-group' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'inl-group', PolicyName: 'g', PolicyDocument: sized(4900) }));
    await rejects(iam.send(new PutGroupPolicyCommand({ GroupName: 'inl-group', PolicyName: 'h', PolicyDocument: sized(100) })),
      'LimitExceededException', 409, /5120 bytes exceeded for group inl-group/);
    await rejects(iam.send(new PutUserPolicyCommand({ UserName: 'inl-user', PolicyName: 'bad', PolicyDocument: '{}' })), 'MalformedPolicyDocumentException', 400);
  });

  test('permissions boundaries on users and roles', async () => {
    const arn = 'arn:aws:iam::aws:policy/PowerUserAccess';
    const u = await iam.send(new CreateUserCommand({ UserName: 'bounded', PermissionsBoundary: arn }));
    assert.deepEqual(u.User!.PermissionsBoundary, { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn });
    assert.deepEqual((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User!.PermissionsBoundary,
      { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: arn });
    await rejects(iam.send(new CreateUserCommand({ UserName: 'bounded2', PermissionsBoundary: `arn:aws:iam::${ACCT}:policy/none` })), 'NoSuchEntityException', 404);
    await rejects(iam.send(new GetUserCommand({ UserName: 'bounded2' })), 'NoSuchEntityException', 404);
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User!.PermissionsBoundary, undefined);
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: arn }));

    const boundary = (await iam.send(new CreatePolicyCommand({ PolicyName: 'boundary', PolicyDocument: doc('s3:*') }))).Policy!;
    await iam.send(new CreateRoleCommand({ RoleName: 'bounded-role', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'bounded-role', PermissionsBoundary: boundary.Arn }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'bounded-role' }))).Role!.PermissionsBoundary!.PermissionsBoundaryArn, boundary.Arn);
    const got = (await iam.send(new GetPolicyCommand({ PolicyArn: boundary.Arn }))).Policy!;
    assert.deepEqual([got.AttachmentCount, got.PermissionsBoundaryUsageCount], [0, 1]);
    const asBoundary = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: boundary.Arn, PolicyUsageFilter: 'PermissionsBoundary' }));
    assert.deepEqual(asBoundary.PolicyRoles!.map((r) => r.RoleName), ['bounded-role']);
    await rejects(iam.send(new DeletePolicyCommand({ PolicyArn: boundary.Arn })), 'DeleteConflictException', 409);
    await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'bounded-role' }));
    assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'bounded-role' }))).Role!.PermissionsBoundary, undefined);
    await iam.send(new DeletePolicyCommand({ PolicyArn: boundary.Arn }));
  });

  test('ListPolicies: scopes, PathPrefix and pagination over local and AWS policies', async () => {
    const c = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: '222222222222', secretAccessKey: 'test' }));
    for (const n of ['p1', 'p2', 'p3']) await c.send(new CreatePolicyCommand({ PolicyName: n, Path: '/x/', PolicyDocument: doc('s3:*') }));
    const local = await c.send(new ListPoliciesCommand({ Scope: 'Local' }));
    assert.deepEqual(local.Policies!.map((p) => p.Arn), ['p1', 'p2', 'p3'].map((n) => `arn:aws:iam::222222222222:policy/x/${n}`));
    assert.deepEqual((await c.send(new ListPoliciesCommand({ PathPrefix: '/x/' }))).Policies!.length, 3);
    const all: string[] = [];
    let marker: string | undefined;
    do {
      const r = await c.send(new ListPoliciesCommand({ MaxItems: 5, Marker: marker }));
      all.push(...r.Policies!.map((p) => p.Arn!));
      marker = r.Marker;
    } while (marker);
    const aws = (await c.send(new ListPoliciesCommand({ Scope: 'AWS' }))).Policies!;
    assert.equal(all.length, aws.length + 3);
    assert.equal(new Set(all).size, all.length);
    await rejects(c.send(new ListPoliciesCommand({ Scope: 'Everything' as never })), 'ValidationError', 400, /enum value set: \[All, AWS, Local\]/);
  });
});

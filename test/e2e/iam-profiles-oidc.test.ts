import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddClientIDToOpenIDConnectProviderCommand, AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand,
  CreateOpenIDConnectProviderCommand, CreatePolicyCommand, CreateRoleCommand, DeleteInstanceProfileCommand,
  DeleteOpenIDConnectProviderCommand, DeleteRoleCommand, GetInstanceProfileCommand, GetOpenIDConnectProviderCommand, IAMClient,
  ListInstanceProfilesCommand, ListInstanceProfilesForRoleCommand, ListInstanceProfileTagsCommand, ListOpenIDConnectProvidersCommand,
  ListOpenIDConnectProviderTagsCommand, ListPolicyTagsCommand, ListRoleTagsCommand, RemoveClientIDFromOpenIDConnectProviderCommand,
  RemoveRoleFromInstanceProfileCommand, TagInstanceProfileCommand, TagOpenIDConnectProviderCommand, TagPolicyCommand, TagRoleCommand,
  UntagInstanceProfileCommand, UntagOpenIDConnectProviderCommand, UntagPolicyCommand, UntagRoleCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { rejects } from '../helpers/assert.js';

const ACCT = '000000000000';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const THUMB = 'a'.repeat(40);


describe('IAM instance profiles, OIDC providers and tags (SDK v3)', () => {
  let cl: Cloudlet;
  let iam: IAMClient;
  before(async () => {
    cl = await startTestServer();
    iam = new IAMClient(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test('instance profiles: create, one role at most, lists, delete rules', async () => {
    const ip = (await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web', Path: '/ec2/' }))).InstanceProfile!;
    assert.equal(ip.Arn, `arn:aws:iam::${ACCT}:instance-profile/ec2/web`);
    assert.match(ip.InstanceProfileId!, /^AIPA[A-Z2-7]{17}$/);
    assert.deepEqual(ip.Roles, []);
    await rejects(iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'WEB' })), 'EntityAlreadyExistsException', 409);
    await iam.send(new CreateRoleCommand({ RoleName: 'web-role', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreateRoleCommand({ RoleName: 'other-role', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'web-role' }));
    await rejects(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'other-role' })), 'LimitExceededException', 409,
      'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
    const got = (await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'web' }))).InstanceProfile!;
    assert.deepEqual(got.Roles!.map((r) => r.RoleName), ['web-role']);
    assert.equal(decodeURIComponent(got.Roles![0]!.AssumeRolePolicyDocument!), TRUST);
    const forRole = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'web-role' }));
    assert.deepEqual(forRole.InstanceProfiles!.map((p) => p.InstanceProfileName), ['web']);
    assert.deepEqual((await iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/ec2/' }))).InstanceProfiles!.map((p) => p.InstanceProfileName), ['web']);
    await rejects(iam.send(new DeleteRoleCommand({ RoleName: 'web-role' })), 'DeleteConflictException', 409,
      'Cannot delete entity, must remove roles from instance profile first.');
    await rejects(iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'web' })), 'DeleteConflictException', 409);
    await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'web-role' }));
    await rejects(iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'web-role' })), 'NoSuchEntityException', 404);
    await iam.send(new DeleteRoleCommand({ RoleName: 'web-role' }));
    await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'web' }));
    await rejects(iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'web' })), 'NoSuchEntityException', 404, 'Instance Profile web cannot be found.');
    for (let i = 0; i < 5; i++) await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: `ip${i}` }));
    const p1 = await iam.send(new ListInstanceProfilesCommand({ MaxItems: 3 }));
    const p2 = await iam.send(new ListInstanceProfilesCommand({ MaxItems: 3, Marker: p1.Marker }));
    assert.deepEqual([...p1.InstanceProfiles!, ...p2.InstanceProfiles!].map((p) => p.InstanceProfileName), ['ip0', 'ip1', 'ip2', 'ip3', 'ip4']);
    assert.deepEqual([p1.IsTruncated, p2.IsTruncated], [true, false]);
  });

  test('OIDC providers: https only, ARN from host and path, client IDs, thumbprints, delete', async () => {
    const url = 'https://token.actions.githubusercontent.com';
    const created = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: url, ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [THUMB] }));
    const arn = `arn:aws:iam::${ACCT}:oidc-provider/token.actions.githubusercontent.com`;
    assert.equal(created.OpenIDConnectProviderArn, arn);
    await rejects(iam.send(new CreateOpenIDConnectProviderCommand({ Url: url })), 'EntityAlreadyExistsException', 409);
    await rejects(iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'http://insecure.example.com' })), 'InvalidInputException', 400);
    await rejects(iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://x.example.com', ThumbprintList: ['short'] })), 'ValidationError', 400);
    // Thumbprints are optional.
    const eks = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://oidc.eks.us-east-1.amazonaws.com/id/ABC123', ClientIDList: ['sts.amazonaws.com'] }));
    assert.equal(eks.OpenIDConnectProviderArn, `arn:aws:iam::${ACCT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC123`);
    const got = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    assert.equal(got.Url, 'token.actions.githubusercontent.com');
    assert.deepEqual(got.ClientIDList, ['sts.amazonaws.com']);
    assert.deepEqual(got.ThumbprintList, [THUMB]);
    assert.ok(got.CreateDate instanceof Date);
    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'my-app' }));
    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'my-app' }));
    await iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'sts.amazonaws.com' }));
    await iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'never-there' }));
    await iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: ['b'.repeat(40), 'c'.repeat(40)] }));
    const after2 = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    assert.deepEqual(after2.ClientIDList, ['my-app']);
    assert.deepEqual(after2.ThumbprintList, ['b'.repeat(40), 'c'.repeat(40)]);
    await rejects(iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: Array(6).fill(THUMB) })),
      'LimitExceededException', 409);
    const list = (await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList!.map((p) => p.Arn);
    assert.deepEqual(list.sort(), [arn, eks.OpenIDConnectProviderArn].sort());
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    await rejects(iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })), 'NoSuchEntityException', 404);
    await rejects(iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })), 'NoSuchEntityException', 404);
  });

  test('tags on roles, policies, instance profiles and OIDC providers', async () => {
    await iam.send(new CreateRoleCommand({ RoleName: 'tag-role', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'a', Value: '1' }] }));
    await iam.send(new TagRoleCommand({ RoleName: 'tag-role', Tags: [{ Key: 'b', Value: '2' }] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'tag-role' }))).Tags, [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    await iam.send(new UntagRoleCommand({ RoleName: 'tag-role', TagKeys: ['a'] }));
    assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'tag-role' }))).Tags, [{ Key: 'b', Value: '2' }]);

    const pol = (await iam.send(new CreatePolicyCommand({ PolicyName: 'tag-pol', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }), Tags: [{ Key: 'x', Value: 'y' }] }))).Policy!;
    assert.deepEqual(pol.Tags, [{ Key: 'x', Value: 'y' }]);
    await iam.send(new TagPolicyCommand({ PolicyArn: pol.Arn, Tags: [{ Key: 'X', Value: 'z' }] }));
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: pol.Arn }))).Tags, [{ Key: 'X', Value: 'z' }]);
    await iam.send(new UntagPolicyCommand({ PolicyArn: pol.Arn, TagKeys: ['x'] }));
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: pol.Arn }))).Tags, []);
    assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }))).Tags, []);
    await rejects(iam.send(new TagPolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess', Tags: [{ Key: 'k', Value: 'v' }] })), 'AccessDenied', 403);

    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'tag-ip', Tags: [{ Key: 'k', Value: 'v' }] }));
    await iam.send(new TagInstanceProfileCommand({ InstanceProfileName: 'tag-ip', Tags: [{ Key: 'k2', Value: 'v2' }] }));
    await iam.send(new UntagInstanceProfileCommand({ InstanceProfileName: 'tag-ip', TagKeys: ['k'] }));
    assert.deepEqual((await iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName: 'tag-ip' }))).Tags, [{ Key: 'k2', Value: 'v2' }]);
    assert.deepEqual((await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'tag-ip' }))).InstanceProfile!.Tags, [{ Key: 'k2', Value: 'v2' }]);

    const oidc = (await iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://idp.example.com/tenant', Tags: [{ Key: 'o', Value: '1' }] })));
    assert.deepEqual(oidc.Tags, [{ Key: 'o', Value: '1' }]);
    const arn = oidc.OpenIDConnectProviderArn!;
    await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'p', Value: '2' }] }));
    await iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: ['o'] }));
    assert.deepEqual((await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }))).Tags, [{ Key: 'p', Value: '2' }]);
    await rejects(iam.send(new TagRoleCommand({ RoleName: 'no-role', Tags: [{ Key: 'k', Value: 'v' }] })), 'NoSuchEntityException', 404);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddUserToGroupCommand, AttachGroupPolicyCommand, AttachUserPolicyCommand, CreateGroupCommand, CreateLoginProfileCommand,
  CreatePolicyCommand, CreateUserCommand, DeleteGroupCommand, DeleteGroupPolicyCommand, DeleteLoginProfileCommand,
  DeleteUserCommand, DeleteUserPolicyCommand, DetachGroupPolicyCommand, DetachUserPolicyCommand, GetGroupCommand,
  GetLoginProfileCommand, GetUserCommand, IAMClient, ListGroupsCommand, ListGroupsForUserCommand, ListUserTagsCommand,
  ListUsersCommand, PutGroupPolicyCommand, PutUserPolicyCommand, RemoveUserFromGroupCommand, TagUserCommand,
  UntagUserCommand, UpdateGroupCommand, UpdateUserCommand,
} from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { rejects } from '../helpers/assert.js';

const ACCT = '000000000000';
const DOC = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] });


describe('IAM users and groups (SDK v3)', () => {
  let cl: Cloudlet;
  let iam: IAMClient;
  before(async () => {
    cl = await startTestServer();
    iam = new IAMClient(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test('CreateUser / GetUser: ids, ARNs with paths, tags, default path', async () => {
    const a = await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    assert.equal(a.User!.UserName, 'alice');
    assert.equal(a.User!.Path, '/');
    assert.equal(a.User!.Arn, `arn:aws:iam::${ACCT}:user/alice`);
    assert.match(a.User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
    assert.ok(a.User!.CreateDate instanceof Date);
    const b = await iam.send(new CreateUserCommand({ UserName: 'bob', Path: '/eng/backend/', Tags: [{ Key: 'team', Value: 'core' }] }));
    assert.equal(b.User!.Arn, `arn:aws:iam::${ACCT}:user/eng/backend/bob`);
    assert.deepEqual(b.User!.Tags, [{ Key: 'team', Value: 'core' }]);
    const got = await iam.send(new GetUserCommand({ UserName: 'bob' }));
    assert.equal(got.User!.UserId, b.User!.UserId);
    assert.deepEqual(got.User!.Tags, [{ Key: 'team', Value: 'core' }]);
    // IAM names are case-insensitive: lookups and uniqueness ignore case.
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'BOB' }))).User!.UserName, 'bob');
  });

  test('EntityAlreadyExists (409) ignoring case; NoSuchEntity (404) with AWS messages', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'Carol' }));
    await rejects(iam.send(new CreateUserCommand({ UserName: 'carol' })), 'EntityAlreadyExistsException', 409, 'User with name carol already exists.');
    await rejects(iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 404, 'The user with name nobody cannot be found.');
    await rejects(iam.send(new DeleteUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 404);
  });

  test('names, paths and lengths are validated like AWS (ValidationError)', async () => {
    await rejects(iam.send(new CreateUserCommand({ UserName: 'bad name' })), 'ValidationError', 400,
      /Value 'bad name' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: \[\\w\+=,\.@-\]\+/);
    await rejects(iam.send(new CreateUserCommand({ UserName: 'x'.repeat(65) })), 'ValidationError', 400, /Member must have length less than or equal to 64/);
    await rejects(iam.send(new CreateUserCommand({ UserName: 'pathy', Path: 'nope' })), 'ValidationError', 400, /at 'path' failed to satisfy constraint/);
    await rejects(iam.send(new CreateUserCommand({ UserName: 'pathy', Path: '/no-trailing' })), 'ValidationError', 400);
    await rejects(iam.send(new CreateUserCommand({ UserName: 'pathy', Path: `/${'p'.repeat(511)}/` })), 'ValidationError', 400, /512/);
    await rejects(iam.send(new CreateGroupCommand({ GroupName: 'g'.repeat(129) })), 'ValidationError', 400, /128/);
    await rejects(iam.send(new ListUsersCommand({ MaxItems: 0 })), 'ValidationError', 400, /greater than or equal to 1/);
    await rejects(iam.send(new ListUsersCommand({ MaxItems: 1001 })), 'ValidationError', 400, /less than or equal to 1000/);
    // Names up to the limit and every allowed character are fine.
    await iam.send(new CreateUserCommand({ UserName: `a+=,.@_-${'z'.repeat(56)}` }));
  });

  test('GetUser without a name describes the caller: the root user', async () => {
    const me = await iam.send(new GetUserCommand({}));
    assert.equal(me.User!.Arn, `arn:aws:iam::${ACCT}:root`);
    assert.equal(me.User!.UserId, ACCT);
    assert.equal(me.User!.UserName, undefined);
    assert.ok(me.User!.CreateDate instanceof Date);
  });

  test('ListUsers: PathPrefix, MaxItems, opaque Marker, IsTruncated', async () => {
    const c = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: '111111111111', secretAccessKey: 'test' }));
    for (let i = 0; i < 7; i++) await c.send(new CreateUserCommand({ UserName: `u${i}`, Path: i % 2 ? '/odd/' : '/' }));
    const seen: string[] = [];
    let marker: string | undefined;
    let pages = 0;
    do {
      const r = await c.send(new ListUsersCommand({ MaxItems: 3, Marker: marker }));
      pages++;
      seen.push(...r.Users!.map((u) => u.UserName!));
      assert.equal(r.IsTruncated, r.Marker !== undefined);
      assert.ok(r.Users!.length <= 3);
      marker = r.Marker;
    } while (marker);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6']);
    const odd = await c.send(new ListUsersCommand({ PathPrefix: '/odd/' }));
    assert.deepEqual(odd.Users!.map((u) => u.UserName), ['u1', 'u3', 'u5']);
    assert.equal(odd.IsTruncated, false);
    // List* leaves tags out, like AWS.
    assert.equal(odd.Users![0]!.Tags, undefined);
    // Another account sees none of this account's users: IAM is per account.
    const other = await iam.send(new ListUsersCommand({ PathPrefix: '/odd/' }));
    assert.deepEqual(other.Users, []);
    await rejects(c.send(new ListUsersCommand({ Marker: 'garbage!!' })), 'ValidationError', 400);
  });

  test('groups: create, membership, GetGroup with users (paged), ListGroupsForUser, remove', async () => {
    const g = await iam.send(new CreateGroupCommand({ GroupName: 'devs', Path: '/teams/' }));
    assert.equal(g.Group!.Arn, `arn:aws:iam::${ACCT}:group/teams/devs`);
    assert.match(g.Group!.GroupId!, /^AGPA[A-Z2-7]{17}$/);
    await rejects(iam.send(new CreateGroupCommand({ GroupName: 'DEVS' })), 'EntityAlreadyExistsException', 409, 'Group with name DEVS already exists.');
    await iam.send(new CreateUserCommand({ UserName: 'gm1' }));
    await iam.send(new CreateUserCommand({ UserName: 'gm2' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'gm1' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'gm2' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'gm2' })); // idempotent
    const full = await iam.send(new GetGroupCommand({ GroupName: 'devs' }));
    assert.deepEqual(full.Users!.map((u) => u.UserName), ['gm1', 'gm2']);
    assert.equal(full.Group!.GroupName, 'devs');
    const p1 = await iam.send(new GetGroupCommand({ GroupName: 'devs', MaxItems: 1 }));
    assert.equal(p1.IsTruncated, true);
    const p2 = await iam.send(new GetGroupCommand({ GroupName: 'devs', MaxItems: 1, Marker: p1.Marker }));
    assert.deepEqual([...p1.Users!, ...p2.Users!].map((u) => u.UserName), ['gm1', 'gm2']);
    assert.equal(p2.IsTruncated, false);
    const fu = await iam.send(new ListGroupsForUserCommand({ UserName: 'gm1' }));
    assert.deepEqual(fu.Groups!.map((x) => x.GroupName), ['devs']);
    assert.deepEqual((await iam.send(new ListGroupsCommand({ PathPrefix: '/teams/' }))).Groups!.map((x) => x.GroupName), ['devs']);
    await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'devs', UserName: 'gm1' }));
    assert.deepEqual((await iam.send(new GetGroupCommand({ GroupName: 'devs' }))).Users!.map((u) => u.UserName), ['gm2']);
    await rejects(iam.send(new AddUserToGroupCommand({ GroupName: 'nogroup', UserName: 'gm1' })), 'NoSuchEntityException', 404,
      'The group with name nogroup cannot be found.');
    await rejects(iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'ghost' })), 'NoSuchEntityException', 404);
  });

  test('DeleteUser refuses while the user owns anything (DeleteConflict), then succeeds', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'sticky' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'sticky-group' }));
    const pol = await iam.send(new CreatePolicyCommand({ PolicyName: 'sticky-pol', PolicyDocument: DOC }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'sticky', PolicyName: 'inline', PolicyDocument: DOC }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'sticky', PolicyArn: pol.Policy!.Arn }));
    await iam.send(new AddUserToGroupCommand({ UserName: 'sticky', GroupName: 'sticky-group' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'sticky', Password: 'S3cret-password!' }));
    const conflict = (m: string) => rejects(iam.send(new DeleteUserCommand({ UserName: 'sticky' })), 'DeleteConflictException', 409, m);
    await conflict('Cannot delete entity, must delete login profile first.');
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'sticky' }))).LoginProfile!.UserName, 'sticky');
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'sticky' }));
    await rejects(iam.send(new GetLoginProfileCommand({ UserName: 'sticky' })), 'NoSuchEntityException', 404);
    await conflict('Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'sticky', PolicyName: 'inline' }));
    await conflict('Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachUserPolicyCommand({ UserName: 'sticky', PolicyArn: pol.Policy!.Arn }));
    await conflict('Cannot delete entity, must remove users from group first.');
    await iam.send(new RemoveUserFromGroupCommand({ UserName: 'sticky', GroupName: 'sticky-group' }));
    await iam.send(new DeleteUserCommand({ UserName: 'sticky' }));
    await rejects(iam.send(new GetUserCommand({ UserName: 'sticky' })), 'NoSuchEntityException', 404);
  });

  test('DeleteGroup refuses with members or policies', async () => {
    await iam.send(new CreateGroupCommand({ GroupName: 'g-del' }));
    await iam.send(new CreateUserCommand({ UserName: 'g-del-user' }));
    await iam.send(new AddUserToGroupCommand({ UserName: 'g-del-user', GroupName: 'g-del' }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: 'g-del', PolicyName: 'p', PolicyDocument: DOC }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'g-del', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const conflict = (m: string) => rejects(iam.send(new DeleteGroupCommand({ GroupName: 'g-del' })), 'DeleteConflictException', 409, m);
    await conflict('Cannot delete entity, must remove users from group first.');
    await iam.send(new RemoveUserFromGroupCommand({ UserName: 'g-del-user', GroupName: 'g-del' }));
    await conflict('Cannot delete entity, must delete policies first.');
    await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'g-del', PolicyName: 'p' }));
    await conflict('Cannot delete entity, must detach all policies first.');
    await iam.send(new DetachGroupPolicyCommand({ GroupName: 'g-del', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    await iam.send(new DeleteGroupCommand({ GroupName: 'g-del' }));
  });

  test('UpdateUser renames and moves; UpdateGroup renames and keeps members', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'old-name' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'old-group' }));
    await iam.send(new AddUserToGroupCommand({ UserName: 'old-name', GroupName: 'old-group' }));
    await iam.send(new UpdateUserCommand({ UserName: 'old-name', NewUserName: 'new-name', NewPath: '/moved/' }));
    const u = await iam.send(new GetUserCommand({ UserName: 'new-name' }));
    assert.equal(u.User!.Arn, `arn:aws:iam::${ACCT}:user/moved/new-name`);
    await rejects(iam.send(new GetUserCommand({ UserName: 'old-name' })), 'NoSuchEntityException', 404);
    await rejects(iam.send(new UpdateUserCommand({ UserName: 'new-name', NewUserName: 'alice' })), 'EntityAlreadyExistsException', 409);
    await iam.send(new UpdateGroupCommand({ GroupName: 'old-group', NewGroupName: 'new-group' }));
    const g = await iam.send(new GetGroupCommand({ GroupName: 'new-group' }));
    assert.deepEqual(g.Users!.map((x) => x.UserName), ['new-name']);
    assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: 'new-name' }))).Groups!.map((x) => x.GroupName), ['new-group']);
  });

  test('user tags: merge, case-insensitive keys, untag, limits', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'tagged', Tags: [{ Key: 'Env', Value: 'dev' }] }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'x' }] }));
    const t = await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }));
    assert.deepEqual(t.Tags, [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'x' }]);
    assert.equal(t.IsTruncated, false);
    await rejects(iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })),
      'InvalidInputException', 400, /Duplicate tag keys/);
    await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['TEAM'] }));
    assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags, [{ Key: 'env', Value: 'prod' }]);
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: many }));
    await rejects(iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'one-too-many', Value: 'v' }] })),
      'LimitExceededException', 409, 'Cannot exceed quota for TagsPerUser: 50');
    await rejects(iam.send(new TagUserCommand({ UserName: 'tagged', Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `n${i}`, Value: 'v' })) })),
      'ValidationError', 400, /less than or equal to 50/);
    await rejects(iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'bad*key', Value: 'v' }] })), 'ValidationError', 400, /tags\.1\.member\.key/);
    const page = await iam.send(new ListUserTagsCommand({ UserName: 'tagged', MaxItems: 10 }));
    assert.equal(page.Tags!.length, 10);
    assert.equal(page.IsTruncated, true);
  });
});

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand,
  GetAccessKeyLastUsedCommand, GetUserCommand, IAMClient, ListAccessKeysCommand, UpdateAccessKeyCommand, UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Cloudlet } from '../../src/server/server.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { rejects } from '../helpers/assert.js';

const ACCT = '000000000000';
type Key = { accessKeyId: string; secretAccessKey: string };


describe('IAM access keys authenticate requests (SDK v3)', () => {
  let cl: Cloudlet;
  let iam: IAMClient;
  const sts = (k: Key) => new STSClient(clientConfig(cl.url, 'us-east-1', k));
  const newKey = async (UserName?: string): Promise<Key & { id: string }> => {
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    return { id: k.AccessKeyId!, accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  };
  before(async () => {
    cl = await startTestServer();
    iam = new IAMClient(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test('CreateAccessKey: AKIA id, 40-char secret shown once; the key signs as the user', async () => {
    const u = (await iam.send(new CreateUserCommand({ UserName: 'dev', Path: '/people/' }))).User!;
    const r = (await iam.send(new CreateAccessKeyCommand({ UserName: 'dev' }))).AccessKey!;
    assert.match(r.AccessKeyId!, /^AKIA[A-Z2-7]{16}$/);
    assert.equal(r.SecretAccessKey!.length, 40);
    assert.equal(r.Status, 'Active');
    assert.equal(r.UserName, 'dev');
    const id = await sts({ accessKeyId: r.AccessKeyId!, secretAccessKey: r.SecretAccessKey! }).send(new GetCallerIdentityCommand({}));
    assert.equal(id.Arn, `arn:aws:iam::${ACCT}:user/people/dev`);
    assert.equal(id.UserId, u.UserId);
    assert.match(id.UserId!, /^AIDA/);
    assert.equal(id.Account, ACCT);
    // The wrong secret is still refused.
    await rejects(sts({ accessKeyId: r.AccessKeyId!, secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})), 'SignatureDoesNotMatch', 403);
    const listed = (await iam.send(new ListAccessKeysCommand({ UserName: 'dev' }))).AccessKeyMetadata!;
    assert.deepEqual(listed.map((k) => [k.UserName, k.AccessKeyId, k.Status]), [['dev', r.AccessKeyId, 'Active']]);
    assert.equal((listed[0] as Record<string, unknown>).SecretAccessKey, undefined);
  });

  test('at most 2 keys per user; DeleteUser refuses while keys exist', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'two-keys' }));
    await newKey('two-keys');
    await newKey('two-keys');
    await rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'two-keys' })), 'LimitExceededException', 409, 'Cannot exceed quota for AccessKeysPerUser: 2');
    await rejects(iam.send(new DeleteUserCommand({ UserName: 'two-keys' })), 'DeleteConflictException', 409, 'Cannot delete entity, must delete access keys first.');
    await rejects(iam.send(new CreateAccessKeyCommand({ UserName: 'ghost' })), 'NoSuchEntityException', 404);
  });

  test('an Inactive key is refused (InvalidClientTokenId), reactivated it works, deleted it is refused', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'rotator' }));
    const k = await newKey('rotator');
    await sts(k).send(new GetCallerIdentityCommand({}));
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'rotator', AccessKeyId: k.id, Status: 'Inactive' }));
    assert.equal((await iam.send(new ListAccessKeysCommand({ UserName: 'rotator' }))).AccessKeyMetadata![0]!.Status, 'Inactive');
    await rejects(sts(k).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'rotator', AccessKeyId: k.id, Status: 'Active' }));
    assert.equal((await sts(k).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCT}:user/rotator`);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'rotator', AccessKeyId: k.id }));
    await rejects(sts(k).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    assert.deepEqual((await iam.send(new ListAccessKeysCommand({ UserName: 'rotator' }))).AccessKeyMetadata, []);
    await rejects(iam.send(new DeleteAccessKeyCommand({ UserName: 'rotator', AccessKeyId: k.id })), 'NoSuchEntityException', 404,
      `The Access Key with id ${k.id} cannot be found.`);
    await rejects(iam.send(new UpdateAccessKeyCommand({ UserName: 'rotator', AccessKeyId: k.id, Status: 'Bogus' as never })), 'ValidationError', 400);
    await iam.send(new DeleteUserCommand({ UserName: 'rotator' }));
  });

  test('a user calling IAM with its own key: GetUser and key calls without UserName mean the caller', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'self' }));
    // With AdministratorAccess, so the calls stay allowed once policies are enforced.
    await iam.send(new AttachUserPolicyCommand({ UserName: 'self', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const k = await newKey('self');
    const asSelf = new IAMClient(clientConfig(cl.url, 'us-east-1', k));
    const me = (await asSelf.send(new GetUserCommand({}))).User!;
    assert.equal(me.UserName, 'self');
    assert.equal(me.Arn, `arn:aws:iam::${ACCT}:user/self`);
    const second = (await asSelf.send(new CreateAccessKeyCommand({}))).AccessKey!;
    assert.equal(second.UserName, 'self');
    const mine = (await asSelf.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!;
    assert.deepEqual(mine.map((x) => x.AccessKeyId).sort(), [k.id, second.AccessKeyId].sort());
    await asSelf.send(new DeleteAccessKeyCommand({ AccessKeyId: second.AccessKeyId }));
    const used = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.id }));
    assert.equal(used.UserName, 'self');
    assert.deepEqual(used.AccessKeyLastUsed, { Region: 'N/A', ServiceName: 'N/A' });
    await rejects(iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIANOSUCHKEY0000000' })), 'NoSuchEntityException', 404);
  });

  test('renaming a user keeps its keys working under the new ARN', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'before' }));
    const k = await newKey('before');
    await iam.send(new UpdateUserCommand({ UserName: 'before', NewUserName: 'after', NewPath: '/renamed/' }));
    assert.equal((await sts(k).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCT}:user/renamed/after`);
  });

  test('keys of users in other accounts sign as that account; the root user can have keys too', async () => {
    const other = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: '123456789012', secretAccessKey: 'test' }));
    await other.send(new CreateUserCommand({ UserName: 'dev' }));
    const k = (await other.send(new CreateAccessKeyCommand({ UserName: 'dev' }))).AccessKey!;
    const id = await sts({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([id.Account, id.Arn], ['123456789012', 'arn:aws:iam::123456789012:user/dev']);
    // CreateAccessKey without UserName, called by the root user: a root access key.
    const root = (await other.send(new CreateAccessKeyCommand({}))).AccessKey!;
    const rid = await sts({ accessKeyId: root.AccessKeyId!, secretAccessKey: root.SecretAccessKey! }).send(new GetCallerIdentityCommand({}));
    assert.deepEqual([rid.Account, rid.Arn, rid.UserId], ['123456789012', 'arn:aws:iam::123456789012:root', '123456789012']);
    assert.deepEqual((await other.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!.map((m) => m.AccessKeyId), [root.AccessKeyId]);
    await other.send(new DeleteAccessKeyCommand({ AccessKeyId: root.AccessKeyId }));
    await rejects(sts({ accessKeyId: root.AccessKeyId!, secretAccessKey: root.SecretAccessKey! }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    // One account cannot manage another account's keys.
    await rejects(iam.send(new DeleteAccessKeyCommand({ UserName: 'dev', AccessKeyId: k.AccessKeyId })), 'NoSuchEntityException', 404);
  });
});

/**
 * Sessions, access keys and trust policies are bound to the unique IDs of IAM users and roles
 * (AIDA..., AROA...), as on AWS: a principal deleted and created again under the same name is
 * another principal. Old credentials keep authenticating until they expire but get none of
 * the new namesake's permissions; a trust policy written for the old one does not trust the
 * new one, and GetRole shows the old principal's unique ID in its place.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteRoleCommand, DeleteRolePolicyCommand,
  DeleteUserCommand, DeleteUserPolicyCommand, GetRoleCommand, GetUserCommand, IAMClient, ListRolesCommand, ListUsersCommand, PutRolePolicyCommand,
  PutUserPolicyCommand, UpdateAssumeRolePolicyCommand, UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import { DescribeRegionsCommand, EC2Client } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = '000000000000';
type Creds = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[]) => doc({ Effect: 'Allow', Action, Resource: '*' });
const trusting = (AWS: string | string[]) => doc({ Effect: 'Allow', Principal: { AWS }, Action: 'sts:AssumeRole' });
const session = (c: Credentials | undefined): Creds => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
const principalsOf = (encoded: string | undefined): unknown => JSON.parse(decodeURIComponent(encoded!)).Statement[0].Principal.AWS;
const noIdentityPolicy = (who: string, action: string, resource: string) =>
  `User: ${who} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`;

describe('IAM unique IDs: sessions, keys and trust policies outlive no principal', () => {
  let cl: Cloudlet;
  let iam: IAMClient;
  const iamAs = (c: Creds) => new IAMClient(clientConfig(cl.url, 'us-east-1', c));
  const stsAs = (c: Creds) => new STSClient(clientConfig(cl.url, 'us-east-1', c));

  /** A user with one inline policy and one access key. */
  async function newUser(name: string, policy?: string): Promise<{ arn: string; id: string; creds: Creds }> {
    const u = (await iam.send(new CreateUserCommand({ UserName: name }))).User!;
    if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { arn: u.Arn!, id: u.UserId!, creds: { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! } };
  }

  async function deleteUser(name: string, creds: Creds, inline: boolean): Promise<void> {
    await iam.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: creds.accessKeyId }));
    if (inline) await iam.send(new DeleteUserPolicyCommand({ UserName: name, PolicyName: 'p' }));
    await iam.send(new DeleteUserCommand({ UserName: name }));
  }

  before(async () => {
    cl = await startTestServer();
    iam = new IAMClient(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  test('a role session does not gain the permissions of a re-created role of the same name', async () => {
    const rootTrust = trusting(`arn:aws:iam::${A}:root`);
    const first = (await iam.send(new CreateRoleCommand({ RoleName: 'phoenix', AssumeRolePolicyDocument: rootTrust }))).Role!;
    await iam.send(new PutRolePolicyCommand({ RoleName: 'phoenix', PolicyName: 'p', PolicyDocument: allow('iam:ListRoles') }));
    const root = new STSClient(clientConfig(cl.url));
    const old = session((await root.send(new AssumeRoleCommand({ RoleArn: first.Arn!, RoleSessionName: 'old' }))).Credentials);
    await iamAs(old).send(new ListRolesCommand({}));
    const oldArn = `arn:aws:sts::${A}:assumed-role/phoenix/old`;

    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'phoenix', PolicyName: 'p' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'phoenix' }));
    // The role is gone: the session still authenticates but may do nothing.
    await rejects(iamAs(old).send(new ListRolesCommand({})), 'AccessDenied', 403, noIdentityPolicy(oldArn, 'iam:ListRoles', `arn:aws:iam::${A}:role/`));

    const second = (await iam.send(new CreateRoleCommand({ RoleName: 'phoenix', AssumeRolePolicyDocument: rootTrust }))).Role!;
    assert.equal(second.Arn, first.Arn);
    assert.notEqual(second.RoleId, first.RoleId);
    await iam.send(new PutRolePolicyCommand({ RoleName: 'phoenix', PolicyName: 'p', PolicyDocument: allow('*') }));

    await rejects(iamAs(old).send(new ListRolesCommand({})), 'AccessDenied', 403, noIdentityPolicy(oldArn, 'iam:ListRoles', `arn:aws:iam::${A}:role/`));
    await rejects(iamAs(old).send(new ListUsersCommand({})), 'AccessDenied', 403, noIdentityPolicy(oldArn, 'iam:ListUsers', `arn:aws:iam::${A}:user/`));
    await rejects(stsAs(old).send(new AssumeRoleCommand({ RoleArn: second.Arn!, RoleSessionName: 'chain' })), 'AccessDenied', 403,
      `User: ${oldArn} is not authorized to perform: sts:AssumeRole on resource: ${second.Arn}`);
    // Who the old session is does not change: the first role's ID.
    const id = await stsAs(old).send(new GetCallerIdentityCommand({}));
    assert.equal(id.UserId, `${first.RoleId}:old`);

    const fresh = session((await root.send(new AssumeRoleCommand({ RoleArn: second.Arn!, RoleSessionName: 'new' }))).Credentials);
    assert.ok((await iamAs(fresh).send(new ListUsersCommand({}))).Users);
  });

  test('a user\'s keys and session tokens do not carry over to a re-created user of the same name', async () => {
    const first = await newUser('lazarus', allow(['iam:ListRoles', 'ec2:DescribeRegions', 'sts:GetFederationToken']));
    const token = session((await stsAs(first.creds).send(new GetSessionTokenCommand({}))).Credentials);
    const federated = session((await stsAs(first.creds).send(new GetFederationTokenCommand({ Name: 'fed', Policy: allow('*') }))).Credentials);
    const ec2As = (c: Creds) => new EC2Client(clientConfig(cl.url, 'us-east-1', c));
    await iamAs(token).send(new ListRolesCommand({}));
    await ec2As(federated).send(new DescribeRegionsCommand({}));

    await deleteUser('lazarus', first.creds, true);
    const second = await newUser('lazarus', allow('*'));
    assert.equal(second.arn, first.arn);
    assert.notEqual(second.id, first.id);

    // The deleted user's long-term key is gone with it.
    await rejects(iamAs(first.creds).send(new ListRolesCommand({})), 'InvalidClientTokenId', 403, 'The security token included in the request is invalid.');
    // Its session token still authenticates, as itself, with none of the new user's permissions.
    assert.equal((await stsAs(token).send(new GetCallerIdentityCommand({}))).UserId, first.id);
    await rejects(iamAs(token).send(new ListRolesCommand({})), 'AccessDenied', 403, noIdentityPolicy(first.arn, 'iam:ListRoles', `arn:aws:iam::${A}:role/`));
    await rejects(iamAs(token).send(new ListUsersCommand({})), 'AccessDenied', 403, noIdentityPolicy(first.arn, 'iam:ListUsers', `arn:aws:iam::${A}:user/`));
    // A federated session is capped by the user that made it: that user is gone.
    await rejects(ec2As(federated).send(new DescribeRegionsCommand({})), 'UnauthorizedOperation', 403);

    assert.ok((await iamAs(second.creds).send(new ListUsersCommand({}))).Users);
  });

  test('a trust policy naming a user does not trust a re-created user of the same name; GetRole shows the old unique ID', async () => {
    const first = await newUser('trusted');
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'for-trusted', AssumeRolePolicyDocument: trusting(first.arn) }))).Role!;
    const assume = (c: Creds) => stsAs(c).send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'ss' }));
    await assume(first.creds);
    assert.equal(principalsOf((await iam.send(new GetRoleCommand({ RoleName: 'for-trusted' }))).Role!.AssumeRolePolicyDocument), first.arn);

    await deleteUser('trusted', first.creds, false);
    assert.equal(principalsOf((await iam.send(new GetRoleCommand({ RoleName: 'for-trusted' }))).Role!.AssumeRolePolicyDocument), first.id);
    const second = await newUser('trusted');
    assert.equal(second.arn, first.arn);
    await rejects(assume(second.creds), 'AccessDenied', 403, `User: ${second.arn} is not authorized to perform: sts:AssumeRole on resource: ${role.Arn}`);
    const listed = (await iam.send(new ListRolesCommand({}))).Roles!.find((r) => r.RoleName === 'for-trusted')!;
    assert.equal(principalsOf(listed.AssumeRolePolicyDocument), first.id);

    // Saving the policy again binds the ARN to the principal that has it now.
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'for-trusted', PolicyDocument: trusting(second.arn) }));
    assert.equal(principalsOf((await iam.send(new GetRoleCommand({ RoleName: 'for-trusted' }))).Role!.AssumeRolePolicyDocument), second.arn);
    await assume(second.creds);
  });

  test('a trust policy naming a role is bound to that role; a missing principal is refused', async () => {
    const rootTrust = trusting(`arn:aws:iam::${A}:root`);
    await newUser('staff');
    const caller = (await iam.send(new CreateRoleCommand({ RoleName: 'caller', AssumeRolePolicyDocument: rootTrust }))).Role!;
    const target = (await iam.send(new CreateRoleCommand({ RoleName: 'target', AssumeRolePolicyDocument: trusting([caller.Arn!, `arn:aws:iam::${A}:user/staff`]) }))).Role!;
    await iam.send(new PutRolePolicyCommand({ RoleName: 'caller', PolicyName: 'p', PolicyDocument: allow('sts:AssumeRole') }));
    const root = new STSClient(clientConfig(cl.url));
    const before = session((await root.send(new AssumeRoleCommand({ RoleArn: caller.Arn!, RoleSessionName: 'xx' }))).Credentials);
    await stsAs(before).send(new AssumeRoleCommand({ RoleArn: target.Arn!, RoleSessionName: 'yy' }));

    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'caller', PolicyName: 'p' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'caller' }));
    const again = (await iam.send(new CreateRoleCommand({ RoleName: 'caller', AssumeRolePolicyDocument: rootTrust }))).Role!;
    await iam.send(new PutRolePolicyCommand({ RoleName: 'caller', PolicyName: 'p', PolicyDocument: allow('sts:AssumeRole') }));
    assert.deepEqual(principalsOf((await iam.send(new GetRoleCommand({ RoleName: 'target' }))).Role!.AssumeRolePolicyDocument), [caller.RoleId, `arn:aws:iam::${A}:user/staff`]);
    const s = session((await root.send(new AssumeRoleCommand({ RoleArn: again.Arn!, RoleSessionName: 'xx' }))).Credentials);
    await rejects(stsAs(s).send(new AssumeRoleCommand({ RoleArn: target.Arn!, RoleSessionName: 'yy' })), 'AccessDenied', 403,
      `User: arn:aws:sts::${A}:assumed-role/caller/xx is not authorized to perform: sts:AssumeRole on resource: ${target.Arn}`);

    for (const missing of [`arn:aws:iam::${A}:user/nobody`, `arn:aws:iam::${A}:role/nobody`, `arn:aws:iam::${A}:role/wrong-path/caller`, `arn:aws:iam::111122223333:user/nobody`]) {
      await rejects(iam.send(new CreateRoleCommand({ RoleName: 'never', AssumeRolePolicyDocument: trusting(missing) })), 'MalformedPolicyDocumentException', 400,
        `Invalid principal in policy: "AWS":"${missing}"`);
      await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'target', PolicyDocument: trusting(missing) })), 'MalformedPolicyDocumentException', 400,
        `Invalid principal in policy: "AWS":"${missing}"`);
    }
  });

  test('a renamed user keeps its trust and its sessions: they follow the unique ID, not the name', async () => {
    const u = await newUser('before-rename', allow(['iam:ListRoles', 'iam:GetUser']));
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'for-renamed', AssumeRolePolicyDocument: trusting(u.arn) }))).Role!;
    const token = session((await stsAs(u.creds).send(new GetSessionTokenCommand({}))).Credentials);
    await iam.send(new UpdateUserCommand({ UserName: 'before-rename', NewUserName: 'after-rename', NewPath: '/moved/' }));
    const renamed = `arn:aws:iam::${A}:user/moved/after-rename`;
    assert.equal(principalsOf((await iam.send(new GetRoleCommand({ RoleName: 'for-renamed' }))).Role!.AssumeRolePolicyDocument), renamed);
    await stsAs(u.creds).send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'ss' }));
    await iamAs(token).send(new ListRolesCommand({}));
    // GetUser without a name describes the caller: the same user, under its new name.
    assert.equal((await iamAs(token).send(new GetUserCommand({}))).User!.Arn, renamed);
    // A new user under the old name is someone else.
    const namesake = await newUser('before-rename', allow('sts:AssumeRole'));
    await rejects(stsAs(namesake.creds).send(new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'ss' })), 'AccessDenied', 403);
  });
});

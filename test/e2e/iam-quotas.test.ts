/** IAM's per-account entity quotas, which also bound what one listing reads. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateRoleCommand, CreateUserCommand, IAMClient, ListRolesCommand } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { IAM_KIND, iamScope } from '../../src/services/iam/records.js';
import { ROLES_PER_ACCOUNT } from '../../src/services/iam/roles.js';
import { USERS_PER_ACCOUNT } from '../../src/services/iam/users.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = '000000000000';
const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }] });

describe('IAM quotas: UsersPerAccount 5000, RolesPerAccount 1000', () => {
  let cl: Cloudlet;
  let iam: IAMClient;
  before(async () => {
    cl = await startTestServer();
    iam = new IAMClient(clientConfig(cl.url));
  });
  after(async () => { await cl.close(); });

  /** Fills an account up to one below the quota without thousands of requests. */
  const fill = (kind: 'user' | 'role', n: number) => cl.deps.store.transaction((tx) => {
    for (let i = 0; i < n; i++) {
      const name = `filler-${i}`;
      const common = { name, arn: `arn:aws:iam::${A}:${kind}/${name}`, path: '/', createdAt: '2026-01-01T00:00:00.000Z', tags: [], inlinePolicies: {}, attachedPolicies: [] };
      const row = kind === 'role'
        ? { ...common, id: `AROAFILLER${i}`, assumeRolePolicyDocument: trust, maxSessionDuration: 3600 }
        : { ...common, id: `AIDAFILLER${i}`, groups: [], accessKeys: [] };
      tx.put(iamScope(A), IAM_KIND[kind], name, row);
    }
  });

  test('the last role fits, the next is LimitExceeded; another account is not affected', async () => {
    await fill('role', ROLES_PER_ACCOUNT - 1);
    await iam.send(new CreateRoleCommand({ RoleName: 'last', AssumeRolePolicyDocument: trust }));
    await rejects(iam.send(new CreateRoleCommand({ RoleName: 'one-too-many', AssumeRolePolicyDocument: trust })), 'LimitExceededException', 409,
      'Cannot exceed quota for RolesPerAccount: 1000');
    const other = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: '111122223333', secretAccessKey: 'test' }));
    await other.send(new CreateRoleCommand({ RoleName: 'one-too-many', AssumeRolePolicyDocument: trust }));
    const page = await iam.send(new ListRolesCommand({ MaxItems: 1000 }));
    assert.equal(page.Roles!.length, 1000);
  });

  test('the last user fits, the next is LimitExceeded', async () => {
    await fill('user', USERS_PER_ACCOUNT - 1);
    await iam.send(new CreateUserCommand({ UserName: 'last' }));
    await rejects(iam.send(new CreateUserCommand({ UserName: 'one-too-many' })), 'LimitExceededException', 409, 'Cannot exceed quota for UsersPerAccount: 5000');
  });
});

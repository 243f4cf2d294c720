import { describe, test } from 'node:test';
import {
  ACCT, OTHER, allow, anonymous, deny, fedUser, pol, req, roleSession, root, rpol, runCase, service, user, type Case,
} from './testkit.js';

const alice = user('alice');
const bob = user('bob');
const sess = roleSession('app', 'sess');
const fed = fedUser('fed', 'alice');
const aliceArn = alice.arn;
const roleArn = sess.roleArn!;
const OBJ = 'arn:aws:s3:::bucket/key';
const onlyS3Put = (sid: string) => pol([allow(sid, { Action: 's3:PutObject' })], { kind: 'boundary', id: 'bnd' });

const run = (cases: Case[]): void => {
  for (const c of cases) test(c.name, () => runCase(c));
};

describe('same account: identity, resource, explicit deny', () => {
  run([
    { name: 'no policy: implicit deny', request: req(alice), policies: { identity: [] },
      expect: { decision: 'ImplicitDeny', sid: null, reason: /no identity-based policy allows the s3:GetObject action/ } },
    { name: 'identity allow', request: req(alice), policies: { identity: [pol([allow('Id')])] }, expect: { decision: 'Allow', sid: 'Id', reason: /allowed by identity-based policy identity statement Id/ } },
    { name: 'deny in a second identity policy beats allow', request: req(alice), policies: { identity: [pol([allow('Id')]), pol([deny('No')], { id: 'deny-pol' })] },
      expect: { decision: 'ExplicitDeny', sid: 'No', reason: /explicit deny in identity-based policy deny-pol statement No/ } },
    { name: 'deny in the resource policy beats identity allow', request: req(alice), policies: { identity: [pol([allow('Id')])], resource: rpol([deny('RDeny')]) },
      expect: { decision: 'ExplicitDeny', sid: 'RDeny', reason: /resource-based policy/ } },
    { name: 'resource policy naming the user allows without identity policy', request: req(alice),
      policies: { identity: [], resource: rpol([allow('RUser', { Principal: { AWS: aliceArn } })]) }, expect: { decision: 'Allow', sid: 'RUser' } },
    { name: 'resource policy Principal "*" allows', request: req(alice), policies: { identity: [], resource: rpol([allow('Pub')]) }, expect: { decision: 'Allow', sid: 'Pub' } },
    { name: 'resource policy {"AWS":"*"} allows', request: req(alice), policies: { identity: [], resource: rpol([allow('Pub', { Principal: { AWS: '*' } })]) },
      expect: { decision: 'Allow', sid: 'Pub' } },
    { name: 'resource policy naming the account only delegates: no identity allow', request: req(alice),
      policies: { identity: [], resource: rpol([allow('Acct', { Principal: { AWS: ACCT } })]) }, expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'resource policy naming account :root + identity allow', request: req(alice),
      policies: { identity: [pol([allow('Id')])], resource: rpol([allow('Acct', { Principal: { AWS: `arn:aws:iam::${ACCT}:root` } })]) }, expect: { decision: 'Allow', sid: 'Id' } },
    { name: 'resource policy naming another user', request: req(alice),
      policies: { identity: [], resource: rpol([allow('Bob', { Principal: { AWS: bob.arn } })]) }, expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'Principal array is OR', request: req(alice),
      policies: { identity: [], resource: rpol([allow('Two', { Principal: { AWS: [bob.arn, aliceArn] } })]) }, expect: { decision: 'Allow', sid: 'Two' } },
    { name: 'Principal by unique ID', request: req(alice),
      policies: { identity: [], resource: rpol([allow('Uid', { Principal: { AWS: alice.userId } })]) }, expect: { decision: 'Allow', sid: 'Uid' } },
    { name: 'account Deny applies to every principal of the account', request: req(alice),
      policies: { identity: [pol([allow('Id')])], resource: rpol([deny('AcctDeny', { Principal: { AWS: ACCT } })]) }, expect: { decision: 'ExplicitDeny', sid: 'AcctDeny' } },
    { name: 'resource statement for another action does not apply', request: req(alice),
      policies: { identity: [], resource: rpol([allow('Put', { Action: 's3:PutObject' })]) }, expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'keys of statements that do not apply are not reported', request: req(alice),
      policies: { identity: [pol([allow('Put', { Action: 's3:PutObject', Condition: { StringEquals: { 'aws:RequestTag/x': 'y' } } })])] },
      expect: { decision: 'ImplicitDeny', sid: null, missing: [] } },
  ]);
});

describe('permissions boundaries', () => {
  run([
    { name: 'boundary allows too', request: req(alice), policies: { identity: [pol([allow('Id')])], boundary: pol([allow('B')], { kind: 'boundary' }) },
      expect: { decision: 'Allow', sid: 'B' } },
    { name: 'boundary does not allow', request: req(alice), policies: { identity: [pol([allow('Id')])], boundary: onlyS3Put('B') },
      expect: { decision: 'ImplicitDeny', sid: 'Id', reason: /permissions boundary bnd does not allow the s3:GetObject action/ } },
    { name: 'boundary alone grants nothing', request: req(alice), policies: { identity: [], boundary: pol([allow('B')], { kind: 'boundary' }) },
      expect: { decision: 'ImplicitDeny', sid: null, reason: /no identity-based policy allows/ } },
    { name: 'explicit deny in the boundary', request: req(alice), policies: { identity: [pol([allow('Id')])], boundary: pol([allow('B'), deny('BD')], { kind: 'boundary' }) },
      expect: { decision: 'ExplicitDeny', sid: 'BD', reason: /permissions boundary/ } },
    { name: 'resource policy naming the user is not capped by the boundary', request: req(alice),
      policies: { identity: [], boundary: onlyS3Put('B'), resource: rpol([allow('RUser', { Principal: { AWS: aliceArn } })]) }, expect: { decision: 'Allow', sid: 'RUser' } },
    { name: 'resource policy "*" is not capped by the boundary', request: req(alice),
      policies: { identity: [], boundary: onlyS3Put('B'), resource: rpol([allow('Pub')]) }, expect: { decision: 'Allow', sid: 'Pub' } },
    { name: 'resource policy naming the account is capped (delegation to identity path)', request: req(alice),
      policies: { identity: [pol([allow('Id')])], boundary: onlyS3Put('B'), resource: rpol([allow('Acct', { Principal: { AWS: ACCT } })]) }, expect: { decision: 'ImplicitDeny', sid: 'Id' } },
  ]);
});

describe('role sessions and session policies', () => {
  const sessionPol = (sid: string, action = '*') => pol([allow(sid, { Action: action })], { kind: 'session', id: 'sp' });
  run([
    { name: 'role identity allow, no session policy', request: req(sess), policies: { identity: [pol([allow('Role')])] }, expect: { decision: 'Allow', sid: 'Role' } },
    { name: 'session policy allows too', request: req(sess), policies: { identity: [pol([allow('Role')])], session: [sessionPol('SP')] }, expect: { decision: 'Allow', sid: 'SP' } },
    { name: 'session policy does not allow', request: req(sess), policies: { identity: [pol([allow('Role')])], session: [sessionPol('SP', 's3:PutObject')] },
      expect: { decision: 'ImplicitDeny', sid: 'Role', reason: /no session policy allows the s3:GetObject action/ } },
    { name: 'any of several session policies may allow', request: req(sess), policies: { identity: [pol([allow('Role')])], session: [sessionPol('SP1', 's3:PutObject'), sessionPol('SP2', 's3:Get*')] },
      expect: { decision: 'Allow', sid: 'SP2' } },
    { name: 'session policy cannot grant beyond the role', request: req(sess), policies: { identity: [], session: [sessionPol('SP')] }, expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'explicit deny in a session policy', request: req(sess), policies: { identity: [pol([allow('Role')])], session: [pol([deny('SD')], { kind: 'session' })] },
      expect: { decision: 'ExplicitDeny', sid: 'SD', reason: /session policy/ } },
    { name: 'resource policy naming the session ARN: not capped by session policy or boundary', request: req(sess),
      policies: { identity: [], session: [sessionPol('SP', 's3:PutObject')], boundary: onlyS3Put('B'), resource: rpol([allow('RSess', { Principal: { AWS: sess.arn } })]) },
      expect: { decision: 'Allow', sid: 'RSess' } },
    { name: 'resource policy naming the role ARN, no session policy or boundary', request: req(sess),
      policies: { identity: [], resource: rpol([allow('RRole', { Principal: { AWS: roleArn } })]) }, expect: { decision: 'Allow', sid: 'RRole' } },
    { name: 'resource policy naming the role ARN is capped by the session policy', request: req(sess),
      policies: { identity: [], session: [sessionPol('SP', 's3:PutObject')], resource: rpol([allow('RRole', { Principal: { AWS: roleArn } })]) },
      expect: { decision: 'ImplicitDeny', sid: 'RRole', reason: /resource-based policy allows the role or user, but no session policy allows/ } },
    { name: 'resource policy naming the role ARN is capped by the boundary', request: req(sess),
      policies: { identity: [], boundary: onlyS3Put('B'), resource: rpol([allow('RRole', { Principal: { AWS: roleArn } })]) },
      expect: { decision: 'ImplicitDeny', sid: 'RRole', reason: /permissions boundary/ } },
    { name: 'resource policy naming the role ARN within the session policy', request: req(sess),
      policies: { identity: [], session: [sessionPol('SP')], resource: rpol([allow('RRole', { Principal: { AWS: roleArn } })]) }, expect: { decision: 'Allow', sid: 'RRole' } },
    { name: 'resource policy naming the role unique ID acts like the role ARN', request: req(sess),
      policies: { identity: [], resource: rpol([allow('RId', { Principal: { AWS: 'AROAROLEAPP0000000' } })]) }, expect: { decision: 'Allow', sid: 'RId' } },
    { name: 'resource policy naming another session of the role', request: req(sess),
      policies: { identity: [], resource: rpol([allow('Other', { Principal: { AWS: `arn:aws:sts::${ACCT}:assumed-role/app/other` } })]) }, expect: { decision: 'ImplicitDeny', sid: null } },
  ]);
});

describe('federated-user sessions (GetFederationToken)', () => {
  const sp = (sid: string, action = '*') => pol([allow(sid, { Action: action })], { kind: 'session' });
  run([
    { name: 'user policy and session policy allow', request: req(fed), policies: { identity: [pol([allow('User')])], session: [sp('SP')] }, expect: { decision: 'Allow', sid: 'SP' } },
    { name: 'no session policy: no permissions', request: req(fed), policies: { identity: [pol([allow('User')])] },
      expect: { decision: 'ImplicitDeny', sid: 'User', reason: /federated user session has no session policy/ } },
    { name: 'resource policy naming the federated-user ARN is direct', request: req(fed),
      policies: { identity: [], resource: rpol([allow('RFed', { Principal: { AWS: fed.arn } })]) }, expect: { decision: 'Allow', sid: 'RFed' } },
    { name: 'resource policy naming the IAM user behind it is capped by the session policy', request: req(fed),
      policies: { identity: [], session: [sp('SP', 's3:PutObject')], resource: rpol([allow('RUser', { Principal: { AWS: aliceArn } })]) }, expect: { decision: 'ImplicitDeny', sid: 'RUser' } },
    { name: 'resource policy naming the IAM user behind it, within the session policy', request: req(fed),
      policies: { identity: [], session: [sp('SP')], resource: rpol([allow('RUser', { Principal: { AWS: aliceArn } })]) }, expect: { decision: 'Allow', sid: 'RUser' } },
  ]);
});

describe('cross-account', () => {
  const x = { resourceAccount: OTHER };
  run([
    { name: 'identity allows, no resource policy', request: req(alice, x), policies: { identity: [pol([allow('Id')])] },
      expect: { decision: 'ImplicitDeny', sid: 'Id', reason: /cross-account: identity-based policy allows but the resource has no resource-based policy/ } },
    { name: 'resource allows, no identity policy', request: req(alice, x), policies: { identity: [], resource: rpol([allow('R', { Principal: { AWS: aliceArn } })]) },
      expect: { decision: 'ImplicitDeny', sid: 'R', reason: /^cross-account: resource policy allows but no identity-based policy allows/ } },
    { name: 'both allow', request: req(alice, x), policies: { identity: [pol([allow('Id')])], resource: rpol([allow('R', { Principal: { AWS: aliceArn } })]) },
      expect: { decision: 'Allow', sid: 'R', reason: /cross-account: allowed by identity-based policy identity statement Id and resource-based policy resource statement R/ } },
    { name: 'resource names the caller account id', request: req(alice, x), policies: { identity: [pol([allow('Id')])], resource: rpol([allow('R', { Principal: { AWS: ACCT } })]) },
      expect: { decision: 'Allow', sid: 'R' } },
    { name: 'resource names the caller account :root ARN', request: req(alice, x),
      policies: { identity: [pol([allow('Id')])], resource: rpol([allow('R', { Principal: { AWS: `arn:aws:iam::${ACCT}:root` } })]) }, expect: { decision: 'Allow', sid: 'Id' } },
    { name: 'resource names only its own account', request: req(alice, x), policies: { identity: [pol([allow('Id')])], resource: rpol([allow('R', { Principal: { AWS: OTHER } })]) },
      expect: { decision: 'ImplicitDeny', sid: 'Id', reason: /no resource-based policy allows/ } },
    { name: 'resource Principal "*"', request: req(alice, x), policies: { identity: [pol([allow('Id')])], resource: rpol([allow('Pub')]) }, expect: { decision: 'Allow', sid: 'Pub' } },
    { name: 'neither allows', request: req(alice, x), policies: { identity: [] }, expect: { decision: 'ImplicitDeny', sid: null, reason: /cross-account: neither/ } },
    { name: 'boundary caps the identity side', request: req(alice, x),
      policies: { identity: [pol([allow('Id')])], boundary: onlyS3Put('B'), resource: rpol([allow('R', { Principal: { AWS: aliceArn } })]) },
      expect: { decision: 'ImplicitDeny', sid: 'R', reason: /permissions boundary/ } },
    { name: 'session policy caps the identity side even when the session ARN is named', request: req(sess, x),
      policies: { identity: [pol([allow('Role')])], session: [pol([allow('SP', { Action: 's3:PutObject' })], { kind: 'session' })], resource: rpol([allow('R', { Principal: { AWS: sess.arn } })]) },
      expect: { decision: 'ImplicitDeny', sid: 'R', reason: /session policy/ } },
    { name: 'deny in the resource policy', request: req(alice, x), policies: { identity: [pol([allow('Id')])], resource: rpol([allow('R'), deny('RD', { Principal: { AWS: ACCT } })]) },
      expect: { decision: 'ExplicitDeny', sid: 'RD' } },
    { name: 'deny in the identity policy', request: req(alice, x), policies: { identity: [pol([allow('Id'), deny('ID')])], resource: rpol([allow('R')]) },
      expect: { decision: 'ExplicitDeny', sid: 'ID' } },
    { name: 'same account id given explicitly is not cross-account', request: req(alice, { resourceAccount: ACCT }),
      policies: { identity: [], resource: rpol([allow('R', { Principal: { AWS: aliceArn } })]) }, expect: { decision: 'Allow', sid: 'R' } },
  ]);
});

describe('root user', () => {
  const r = root();
  run([
    { name: 'root bypasses identity checks', request: req(r), policies: { identity: [] }, opts: { rootBypassesIdentity: true },
      expect: { decision: 'Allow', sid: null, reason: /root user has full access/ } },
    { name: 'root is still bound by an explicit deny in a resource policy', request: req(r), policies: { identity: [], resource: rpol([deny('RD')]) },
      opts: { rootBypassesIdentity: true }, expect: { decision: 'ExplicitDeny', sid: 'RD' } },
    { name: 'root matched by its account id in a Deny', request: req(r), policies: { identity: [], resource: rpol([allow('R'), deny('RD', { Principal: { AWS: ACCT } })]) },
      opts: { rootBypassesIdentity: true }, expect: { decision: 'ExplicitDeny', sid: 'RD' } },
    { name: 'without the bypass, root is an ordinary principal', request: req(r), policies: { identity: [] }, expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'account principal in a resource policy names root directly', request: req(r), policies: { identity: [], resource: rpol([allow('R', { Principal: { AWS: ACCT } })]) },
      expect: { decision: 'Allow', sid: 'R' } },
    { name: 'root cross-account needs the resource policy', request: req(r, { resourceAccount: OTHER }), policies: { identity: [] }, opts: { rootBypassesIdentity: true },
      expect: { decision: 'ImplicitDeny', sid: null, reason: /cross-account/ } },
    { name: 'root cross-account with resource policy for its account', request: req(r, { resourceAccount: OTHER }),
      policies: { identity: [], resource: rpol([allow('R', { Principal: { AWS: ACCT } })]) }, opts: { rootBypassesIdentity: true }, expect: { decision: 'Allow', sid: 'R' } },
  ]);
});

describe('service, anonymous and federated principals', () => {
  run([
    { name: 'service principal allowed by name', request: req(service('sns.amazonaws.com'), { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:111111111111:q' }),
      policies: { identity: [], resource: rpol([allow('Sns', { Principal: { Service: 'sns.amazonaws.com' } })]) }, expect: { decision: 'Allow', sid: 'Sns' } },
    { name: 'other service principal', request: req(service('s3.amazonaws.com')),
      policies: { identity: [], resource: rpol([allow('Sns', { Principal: { Service: ['sns.amazonaws.com', 'events.amazonaws.com'] } })]) }, expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'anonymous allowed by "*"', request: req(anonymous()), policies: { identity: [], resource: rpol([allow('Pub')]) }, expect: { decision: 'Allow', sid: 'Pub' } },
    { name: 'anonymous not matched by an account', request: req(anonymous()), policies: { identity: [], resource: rpol([allow('A', { Principal: { AWS: ACCT } })]) },
      expect: { decision: 'ImplicitDeny', sid: null, reason: /anonymous/ } },
    { name: 'anonymous without resource policy', request: req(anonymous()), policies: { identity: [] }, expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'web identity caller matched by Federated in a trust policy', request: req({ ...anonymous(), federated: `arn:aws:iam::${ACCT}:oidc-provider/idp.example.com` },
      { action: 'sts:AssumeRoleWithWebIdentity', resource: `arn:aws:iam::${ACCT}:role/web`, context: { 'idp.example.com:aud': 'client1' } }),
    policies: { identity: [], resource: rpol([allow('Web', { Resource: undefined, Principal: { Federated: `arn:aws:iam::${ACCT}:oidc-provider/idp.example.com` },
      Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'idp.example.com:aud': 'client1' } } })], 'trust') },
    expect: { decision: 'Allow', sid: 'Web' } },
  ]);
});

describe('NotPrincipal', () => {
  const nd = (sid: string, names: string[]) => rpol([allow('Pub'), deny(sid, { NotPrincipal: { AWS: names } })]);
  const acctRoot = `arn:aws:iam::${ACCT}:root`;
  run([
    { name: 'listed user and account: exempt', request: req(bob), policies: { identity: [], resource: nd('ND', [bob.arn, acctRoot]) }, expect: { decision: 'Allow', sid: 'Pub' } },
    { name: 'unlisted user: denied', request: req(alice), policies: { identity: [], resource: nd('ND', [bob.arn, acctRoot]) }, expect: { decision: 'ExplicitDeny', sid: 'ND' } },
    { name: 'user listed without its account: still denied', request: req(bob), policies: { identity: [], resource: nd('ND', [bob.arn]) }, expect: { decision: 'ExplicitDeny', sid: 'ND' } },
    { name: 'role session with session, role and account listed: exempt', request: req(sess), policies: { identity: [], resource: nd('ND', [sess.arn, roleArn, acctRoot]) },
      expect: { decision: 'Allow', sid: 'Pub' } },
    { name: 'role session without the role ARN listed: denied', request: req(sess), policies: { identity: [], resource: nd('ND', [sess.arn, acctRoot]) },
      expect: { decision: 'ExplicitDeny', sid: 'ND' } },
    { name: 'NotPrincipal with Deny always denies a principal with a boundary', request: req(bob),
      policies: { identity: [], boundary: pol([allow('B')], { kind: 'boundary' }), resource: nd('ND', [bob.arn, acctRoot]) }, expect: { decision: 'ExplicitDeny', sid: 'ND' } },
    { name: 'NotPrincipal with Allow grants everyone else, even anonymous', request: req(anonymous()),
      policies: { identity: [], resource: rpol([allow('NA', { NotPrincipal: { AWS: bob.arn } })]) }, expect: { decision: 'Allow', sid: 'NA' } },
  ]);
});

describe('trust policies (resource must allow)', () => {
  const assume = (p = alice, over = {}) => req(p, { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCT}:role/target`, ...over });
  const trust = (sid: string, principal: unknown, extra = {}) => rpol([{ Sid: sid, Effect: 'Allow', Action: 'sts:AssumeRole', Principal: principal, ...extra }], 'trust');
  run([
    { name: 'trust names the user: no identity policy needed', request: assume(), policies: { identity: [], resource: trust('T', { AWS: aliceArn }) }, expect: { decision: 'Allow', sid: 'T' } },
    { name: 'trust names the account: identity policy needed', request: assume(), policies: { identity: [], resource: trust('T', { AWS: ACCT }) }, expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'trust names the account and identity allows', request: assume(), policies: { identity: [pol([allow('Id', { Action: 'sts:AssumeRole' })])], resource: trust('T', { AWS: ACCT }) },
      expect: { decision: 'Allow', sid: 'T' } },
    { name: 'identity allows but the trust policy does not', request: assume(), policies: { identity: [pol([allow('Id', { Action: 'sts:AssumeRole' })])], resource: trust('T', { AWS: bob.arn }) },
      expect: { decision: 'ImplicitDeny', sid: 'Id', reason: /role trust policy does not allow/ } },
    { name: 'trust with sts:ExternalId condition, right id', request: assume(user('x', OTHER), { context: { 'sts:ExternalId': 'abc' } }),
      policies: { identity: [pol([allow('Id', { Action: 'sts:AssumeRole' })])], resource: trust('T', { AWS: OTHER }, { Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } }) },
      expect: { decision: 'Allow', sid: 'T' } },
    { name: 'trust with sts:ExternalId condition, missing id', request: assume(user('x', OTHER)),
      policies: { identity: [pol([allow('Id', { Action: 'sts:AssumeRole' })])], resource: trust('T', { AWS: OTHER }, { Condition: { StringEquals: { 'sts:ExternalId': 'abc' } } }) },
      expect: { decision: 'ImplicitDeny', sid: 'Id', missing: ['sts:ExternalId'] } },
    { name: 'requireResourceAllow for other resource policies (KMS style)', request: req(alice), opts: { requireResourceAllow: true },
      policies: { identity: [pol([allow('Id')])], resource: rpol([allow('K', { Principal: { AWS: bob.arn } })]) }, expect: { decision: 'ImplicitDeny', sid: 'Id' } },
  ]);
});

describe('service control policies', () => {
  const scp = (sid: string, action = '*') => pol([allow(sid, { Action: action })], { kind: 'scp', id: `scp-${sid}` });
  run([
    { name: 'SCP allows', request: req(alice), policies: { identity: [pol([allow('Id')])], scp: [scp('S')] }, expect: { decision: 'Allow', sid: 'S' } },
    { name: 'SCP does not allow', request: req(alice), policies: { identity: [pol([allow('Id')])], scp: [scp('S', 'ec2:*')] },
      expect: { decision: 'ImplicitDeny', sid: null, reason: /no service control policy at level 0 allows/ } },
    { name: 'SCP caps the root user too', request: req(root()), policies: { identity: [], scp: [scp('S', 'ec2:*')] }, opts: { rootBypassesIdentity: true },
      expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'SCP deny', request: req(alice), policies: { identity: [pol([allow('Id')])], scp: [pol([allow('S'), deny('SD')], { kind: 'scp' })] }, expect: { decision: 'ExplicitDeny', sid: 'SD' } },
    { name: 'every level must allow; any SCP within a level may', request: req(alice),
      policies: { identity: [pol([allow('Id')])], scp: [scp('Root'), [scp('Ou1', 'ec2:*'), scp('Ou2', 's3:*')]] }, expect: { decision: 'Allow', sid: 'Ou2' } },
    { name: 'SCP caps a same-account resource grant', request: req(alice), policies: { identity: [], resource: rpol([allow('Pub')]), scp: [scp('S', 'ec2:*')] },
      expect: { decision: 'ImplicitDeny', sid: null } },
    { name: 'SCP does not apply to anonymous callers', request: req(anonymous()), policies: { identity: [], resource: rpol([allow('Pub')]), scp: [scp('S', 'ec2:*')] },
      expect: { decision: 'Allow', sid: 'Pub' } },
  ]);
});

test('NotResource with request resource "*"', () => {
  runCase({ name: 'x', request: req(alice, { resource: '*' , action: 's3:ListAllMyBuckets' }),
    policies: { identity: [pol([allow('NR', { Resource: undefined, NotResource: OBJ })])] }, expect: { decision: 'Allow', sid: 'NR' } });
});

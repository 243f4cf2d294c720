import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePolicy, type Policy, type RequestContext, type RequestPrincipal } from '../../policy/index.js';
import { ACCT, OTHER, allow, anonymous, deny, fedUser, pol, roleSession, root, rpol, user } from '../../policy/testkit.js';
import { decide, denialMessage, endpointDecision, explain, type PolicyInputs } from './decision.js';

const now = () => Date.UTC(2026, 0, 1);
const alice = user('alice');
const sess = roleSession('app', 'work');
const ROLE = `arn:aws:iam::${ACCT}:role/app`;

function ask(principal: RequestPrincipal, inputs: PolicyInputs, over: Partial<RequestContext> = {}) {
  const req: RequestContext = { action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCT}:user/bob`, principal, context: {}, ...over };
  const d = decide(req, inputs, { now, rootBypassesIdentity: true });
  return { d, message: d.allowed ? undefined : denialMessage(req, d.denial!), req };
}

const trust = (p: Record<string, unknown>): Policy =>
  parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Trust', Effect: 'Allow', Principal: p, Action: 'sts:AssumeRole' }] }), { kind: 'trust', id: ROLE });

describe('decide(): who is blamed for a denial, in AWS\'s words', () => {
  test('no identity policy', () => {
    const { d, message } = ask(alice, { identity: [] });
    assert.equal(d.allowed, false);
    assert.equal(message, `User: ${alice.arn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCT}:user/bob because no identity-based policy allows the iam:CreateUser action`);
  });

  test('explicit deny in each kind of policy', () => {
    const id = ask(alice, { identity: [pol([allow('A'), deny('D')], { id: 'p1' })] });
    assert.match(id.message!, / with an explicit deny in an identity-based policy$/);
    assert.deepEqual(explain(id.req, id.d).statement, { sid: 'D', index: 1 });
    assert.equal(explain(id.req, id.d).policy, 'p1');
    const b = ask(alice, { identity: [pol([allow('A')])], boundary: pol([deny('BD')], { kind: 'boundary', id: 'bnd' }) });
    assert.match(b.message!, / with an explicit deny in a permissions boundary$/);
    const s = ask(sess, { identity: [pol([allow('A')])], session: [pol([deny('SD')], { kind: 'session' })] });
    assert.match(s.message!, / with an explicit deny in a session policy$/);
    const r = ask(alice, { identity: [pol([allow('A')])], resource: rpol([deny('RD')]) });
    assert.match(r.message!, / with an explicit deny in a resource-based policy$/);
  });

  test('implicit: boundary, session, federated user without session policy', () => {
    const b = ask(alice, { identity: [pol([allow('A')])], boundary: pol([allow('B', { Action: 'iam:Get*' })], { kind: 'boundary', id: 'bnd' }) });
    assert.match(b.message!, /because no permissions boundary allows the iam:CreateUser action$/);
    assert.equal(explain(b.req, b.d).policy, 'bnd');
    const s = ask(sess, { identity: [pol([allow('A')])], session: [pol([allow('S', { Action: 'ec2:*' })], { kind: 'session' })] });
    assert.match(s.message!, /because no session policy allows the iam:CreateUser action$/);
    const f = ask(fedUser(), { identity: [pol([allow('A')])] });
    assert.match(f.message!, /because no session policy allows/);
    // A role session with no session policy is not capped.
    assert.equal(ask(sess, { identity: [pol([allow('A')])] }).d.allowed, true);
  });

  test('cross-account: the resource policy must allow too', () => {
    const other = { resource: `arn:aws:s3:::theirs`, action: 's3:ListBucket', resourceAccount: OTHER };
    const noRes = ask(alice, { identity: [pol([allow('A')])] }, other);
    assert.match(noRes.message!, /because no resource-based policy allows the s3:ListBucket action$/);
    const both = ask(alice, { identity: [pol([allow('A')])], resource: rpol([allow('R', { Principal: { AWS: ACCT } })]) }, other);
    assert.equal(both.d.allowed, true);
    const resOnly = ask(alice, { identity: [], resource: rpol([allow('R', { Principal: { AWS: ACCT } })]) }, other);
    assert.match(resOnly.message!, /because no identity-based policy allows/);
  });

  test('root: allowed in its account, unless a resource policy denies; cross-account needs the resource policy', () => {
    assert.equal(ask(root(), { identity: [] }).d.allowed, true);
    const denied = ask(root(), { identity: [], resource: rpol([deny('NoRoot')]) });
    assert.match(denied.message!, new RegExp(`^User: arn:aws:iam::${ACCT}:root is not authorized .* with an explicit deny in a resource-based policy$`));
    assert.equal(ask(root(OTHER), { identity: [] }, { resourceAccount: ACCT }).d.allowed, false);
  });

  test('anonymous callers: only a resource policy allows', () => {
    const a = ask(anonymous(), { identity: [] }, { resource: 'arn:aws:s3:::b', action: 's3:ListBucket' });
    assert.equal(a.message, 'User: anonymous is not authorized to perform: s3:ListBucket on resource: arn:aws:s3:::b because no resource-based policy allows the s3:ListBucket action');
    assert.equal(ask(anonymous(), { identity: [], resource: rpol([allow('Pub')]) }, { resource: 'arn:aws:s3:::b', action: 's3:ListBucket' }).d.allowed, true);
  });

  test('trust policies: must let the caller in by themselves; no reason given when they do not', () => {
    const role = { action: 'sts:AssumeRole', resource: ROLE };
    const notNamed = ask(alice, { identity: [pol([allow('A')])], resource: trust({ AWS: `arn:aws:iam::${OTHER}:root` }) }, role);
    assert.equal(notNamed.message, `User: ${alice.arn} is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`);
    assert.equal(notNamed.d.denial!.explicit, false);
    // Trust names the account: the user needs an identity policy too.
    const acct = ask(alice, { identity: [], resource: trust({ AWS: ACCT }) }, role);
    assert.match(acct.message!, /because no identity-based policy allows the sts:AssumeRole action$/);
    // Trust names the user: enough by itself.
    assert.equal(ask(alice, { identity: [], resource: trust({ AWS: alice.arn }) }, role).d.allowed, true);
  });

  test('resources of "*" are left out of the sentence', () => {
    const { message } = ask(alice, { identity: [] }, { action: 's3:ListAllMyBuckets', resource: '*' });
    assert.equal(message, `User: ${alice.arn} is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action`);
  });
});

describe('endpointDecision(): a VPC endpoint policy on the way', () => {
  const req: RequestContext = { action: 'ec2:DescribeSubnets', resource: '*', principal: sess, context: {} };
  test('allowed by the endpoint policy: no denial', () => {
    assert.equal(endpointDecision(req, rpol([allow('E', { Principal: '*' })]), 'vpce-1', now), undefined);
  });
  test('not allowed: blamed on the VPC endpoint policy, in AWS\'s words', () => {
    const d = endpointDecision(req, rpol([allow('E', { Principal: '*', Action: 'ec2:DescribeVpcs' })]), 'vpce-1', now)!;
    assert.equal(d.allowed, false);
    assert.match(denialMessage(req, d.denial!), / because no VPC endpoint policy allows the ec2:DescribeSubnets action$/);
    assert.equal(explain(req, d).policy, 'vpce-1');
  });
  test('an explicit deny wins over an allow in the same endpoint policy', () => {
    const d = endpointDecision(req, rpol([allow('E', { Principal: '*' }), deny('D', { Principal: '*' })]), 'vpce-1', now)!;
    assert.match(denialMessage(req, d.denial!), / with an explicit deny in a VPC endpoint policy$/);
    assert.equal(explain(req, d).policyType, 'vpc-endpoint');
  });
});

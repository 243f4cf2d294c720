import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isAwsError } from '../../core/errors.js';
import { ACCT, allow, deny, pol, user } from '../../policy/testkit.js';
import { decide } from './decision.js';
import { authorizationMessage, decodeAuthorizationMessage, encodeAuthorizationMessage } from './message.js';
import { statementSpans } from './positions.js';
import { PolicyCache } from './policy-cache.js';

describe('encoded authorization messages', () => {
  test('round trip; opaque; a tampered or junk message is InvalidAuthorizationMessageException', () => {
    const msg = { allowed: false, context: { action: 'ec2:RunInstances', resource: '*' } };
    const encoded = encodeAuthorizationMessage(msg);
    assert.match(encoded, /^[A-Za-z0-9_-]+$/);
    assert.ok(!Buffer.from(encoded, 'base64url').toString('latin1').includes('RunInstances'));
    assert.deepEqual(JSON.parse(decodeAuthorizationMessage(encoded)), msg);
    assert.notEqual(encodeAuthorizationMessage(msg), encoded, 'a fresh IV each time');
    const flipped = Buffer.from(encoded, 'base64url');
    flipped[flipped.length - 1]! ^= 1;
    for (const bad of [flipped.toString('base64url'), 'junk', '']) {
      assert.throws(() => decodeAuthorizationMessage(bad), (e: unknown) => isAwsError(e) && e.code === 'InvalidAuthorizationMessageException');
    }
  });

  test('the decoded shape is AWS\'s, with the deciding statement', () => {
    const alice = user('alice');
    const identity = [pol([allow('All'), deny('NoRun', { Action: 'ec2:RunInstances', Condition: { StringEquals: { 'ec2:InstanceType': 'p4d.24xlarge' } } })], { id: 'pol-1' })];
    const req = { action: 'ec2:RunInstances', resource: `arn:aws:ec2:us-east-1:${ACCT}:instance/*`, principal: alice, context: { 'ec2:InstanceType': 'p4d.24xlarge' } };
    const d = decide(req, { identity }, { now: () => 0 });
    const m = authorizationMessage(req, d, { identity }, 0) as any;
    assert.equal(m.allowed, false);
    assert.equal(m.explicitDeny, true);
    const st = m.matchedStatements.items[0];
    assert.equal(st.statementId, 'NoRun');
    assert.equal(st.effect, 'DENY');
    assert.deepEqual(st.actions, { items: [{ value: 'ec2:RunInstances' }] });
    assert.deepEqual(st.conditions.items, [{ key: 'StringEquals:ec2:InstanceType', values: { items: [{ value: 'p4d.24xlarge' }] } }]);
    assert.equal(st.policyId, 'pol-1');
    assert.deepEqual(m.failures, { items: [] });
    assert.equal(m.context.principal.arn, alice.arn);
    assert.equal(m.context.principal.name, 'alice');
    const cond = Object.fromEntries(m.context.conditions.items.map((c: any) => [c.key, c.values.items.map((v: any) => v.value)]));
    assert.deepEqual(cond['ec2:InstanceType'], ['p4d.24xlarge']);
    assert.deepEqual(cond['aws:Type'], ['instance']);
    assert.deepEqual(cond['aws:Account'], [ACCT]);
    assert.deepEqual(m.explanation.statement, { sid: 'NoRun', index: 1 });
  });
});

describe('statement positions', () => {
  test('pretty-printed, one-line, a single statement object, strings with braces', () => {
    const pretty = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "*", "Resource": "*"},\n    {\n      "Effect": "Deny",\n      "Action": "x:Y",\n      "Resource": "*"\n    }\n  ]\n}';
    assert.deepEqual(statementSpans(pretty), [
      { start: { Line: 4, Column: 5 }, end: { Line: 4, Column: 56 } },
      { start: { Line: 5, Column: 5 }, end: { Line: 9, Column: 6 } },
    ]);
    const one = '{"Statement":{"Sid":"a{b}\\"","Effect":"Allow"},"Version":"2012-10-17"}';
    assert.deepEqual(statementSpans(one), [{ start: { Line: 1, Column: 14 }, end: { Line: 1, Column: 47 } }]);
    assert.deepEqual(statementSpans('{"Version":"2012-10-17","Id":"x"}'), []);
  });
});

describe('the parsed-policy cache', () => {
  test('keyed on the text; least recently used out; parse errors cached too', () => {
    const c = new PolicyCache(4);
    const doc = (a: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: a, Resource: '*' }] });
    const p1 = c.get(doc('a:A'), 'identity', 'p');
    assert.equal(c.get(doc('a:A'), 'identity', 'p'), p1);
    assert.notEqual(c.get(doc('a:B'), 'identity', 'p'), p1, 'an edited document is a new entry');
    c.get(doc('a:C'), 'identity', 'p');
    c.get(doc('a:D'), 'identity', 'p');
    c.get(doc('a:A'), 'identity', 'p'); // in the older half now: refreshed
    c.get(doc('a:E'), 'identity', 'p'); // evicts a:B, the least recently used
    assert.equal(c.size, 4);
    const misses = c.misses;
    assert.equal(c.get(doc('a:A'), 'identity', 'p'), p1);
    c.get(doc('a:B'), 'identity', 'p');
    assert.equal(c.misses, misses + 1);
    assert.throws(() => c.get('{', 'identity', 'bad'), /Syntax errors/);
    assert.throws(() => c.get('{', 'identity', 'bad'), /Syntax errors/);
    assert.equal(c.get(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/t': 'x' } } }] }), 'identity', 'q').needs.principalTags, true);
  });
});

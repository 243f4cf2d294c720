import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluate } from './evaluate.js';
import { parsePolicy } from './parse.js';
import { req, user } from './testkit.js';

/** A document without Version reads as 2008-10-17: no policy variables, everything else the same. */
const versionless = (statement: Record<string, unknown>) =>
  parsePolicy(JSON.stringify({ Statement: [{ Sid: 'S', Effect: 'Allow', Action: 's3:GetObject', ...statement }] }));

const decide = (statement: Record<string, unknown>, resource: string, context: Record<string, string> = {}) =>
  evaluate(req(user('alice'), { resource, context }), { identity: [versionless(statement)] }).decision;

test('without Version, ${aws:username} in Resource is literal text', () => {
  const st = { Resource: 'arn:aws:s3:::bucket/home/${aws:username}/*' };
  assert.equal(decide(st, 'arn:aws:s3:::bucket/home/alice/f'), 'ImplicitDeny');
  assert.equal(decide(st, 'arn:aws:s3:::bucket/home/${aws:username}/f'), 'Allow');
});

test('without Version, condition values are literal too (StringEquals and StringLike)', () => {
  const eq = { Resource: '*', Condition: { StringEquals: { 'app:owner': '${aws:username}' } } };
  assert.equal(decide(eq, 'arn:aws:s3:::b/k', { 'app:owner': 'alice' }), 'ImplicitDeny');
  assert.equal(decide(eq, 'arn:aws:s3:::b/k', { 'app:owner': '${aws:username}' }), 'Allow');
  const like = { Resource: '*', Condition: { StringLike: { 'app:owner': '${aws:username}*' } } };
  assert.equal(decide(like, 'arn:aws:s3:::b/k', { 'app:owner': 'alice-x' }), 'ImplicitDeny');
  assert.equal(decide(like, 'arn:aws:s3:::b/k', { 'app:owner': '${aws:username}-x' }), 'Allow');
});

test('without Version, wildcards still work and nothing is reported missing', () => {
  const r = evaluate(req(user('alice'), { resource: 'arn:aws:s3:::bucket/x/y' }),
    { identity: [versionless({ Resource: 'arn:aws:s3:::bucket/*' })] });
  assert.equal(r.decision, 'Allow');
  assert.deepEqual(r.missingContextKeys, []);
});

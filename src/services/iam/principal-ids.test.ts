import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../../core/errors.js';
import { createMemoryStore } from '../../store/memory.js';
import type { Tx } from '../../store/types.js';
import { findById, remove, save } from './entities.js';
import { bindPrincipals, entityArn, presentPrincipals } from './principal-ids.js';
import type { RoleRecord, UserRecord } from './records.js';

const A = '000000000000';
const user = (name: string, id: string, path = '/'): UserRecord => ({
  name, id, arn: `arn:aws:iam::${A}:user${path}${name}`, path, createdAt: '', tags: [], inlinePolicies: {}, attachedPolicies: [], groups: [], accessKeys: [],
});
const role = (name: string, id: string): RoleRecord => ({
  name, id, arn: `arn:aws:iam::${A}:role/${name}`, path: '/', createdAt: '', assumeRolePolicyDocument: '{}', maxSessionDuration: 3600, tags: [], inlinePolicies: {}, attachedPolicies: [],
});
const trust = (...aws: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: aws.length === 1 ? aws[0] : aws }, Action: 'sts:AssumeRole' }] });
const inTx = <T>(fn: (tx: Tx) => T) => createMemoryStore().transaction(fn);

test('entityArn: IAM user and role ARNs, paths included; anything else is not one', () => {
  assert.deepEqual(entityArn(`arn:aws:iam::${A}:user/a/b/alice`), { account: A, kind: 'user', name: 'alice' });
  assert.deepEqual(entityArn(`arn:aws-cn:iam::${A}:role/r`), { account: A, kind: 'role', name: 'r' });
  for (const no of [`arn:aws:iam::${A}:root`, A, `arn:aws:sts::${A}:assumed-role/r/s`, `arn:aws:iam::12:user/x`, `arn:aws:iam::${A}:user/`, 'AIDAXXXX']) {
    assert.equal(entityArn(no), undefined, no);
  }
});

test('bind at write time, present by unique ID once the principal is gone, by its new ARN once renamed', () => inTx((tx) => {
  save(tx, A, 'user', user('alice', 'AIDAALICE1'));
  save(tx, A, 'role', role('ops', 'AROAOPS1'));
  const doc = trust(`arn:aws:iam::${A}:user/alice`, `arn:aws:iam::${A}:role/ops`, `arn:aws:iam::${A}:root`);
  const ids = bindPrincipals(tx, doc)!;
  assert.deepEqual(ids, { [`arn:aws:iam::${A}:user/alice`]: 'AIDAALICE1', [`arn:aws:iam::${A}:role/ops`]: 'AROAOPS1' });
  assert.equal(presentPrincipals(tx, doc, ids), doc, 'unchanged text while every principal is there');

  remove(tx, A, 'role', 'ops');
  save(tx, A, 'role', role('ops', 'AROAOPS2'));
  const aws = () => JSON.parse(presentPrincipals(tx, doc, ids)).Statement[0].Principal.AWS;
  assert.deepEqual(aws(), [`arn:aws:iam::${A}:user/alice`, 'AROAOPS1', `arn:aws:iam::${A}:root`]);

  remove(tx, A, 'user', 'alice');
  save(tx, A, 'user', user('alice2', 'AIDAALICE1', '/moved/'));
  assert.deepEqual(aws(), [`arn:aws:iam::${A}:user/moved/alice2`, 'AROAOPS1', `arn:aws:iam::${A}:root`]);
  assert.equal(findById(tx, A, 'user', 'AIDAALICE1', 'alice')?.name, 'alice2');
  assert.equal(findById(tx, A, 'role', 'AROAOPS1', 'ops'), undefined);
  assert.equal(presentPrincipals(tx, doc, undefined), doc, 'roles stored before IDs were recorded keep their text');
}));

test('a named user or role that does not exist: Invalid principal in policy', () => inTx((tx) => {
  save(tx, A, 'user', user('bob', 'AIDABOB', '/p/'));
  for (const missing of [`arn:aws:iam::${A}:user/nobody`, `arn:aws:iam::${A}:user/bob`, `arn:aws:iam::${A}:role/bob`]) {
    assert.throws(() => bindPrincipals(tx, trust(missing)),
      (e: AwsError) => e.code === 'MalformedPolicyDocument' && e.message === `Invalid principal in policy: "AWS":"${missing}"`);
  }
  assert.deepEqual(bindPrincipals(tx, trust(`arn:aws:iam::${A}:user/p/bob`)), { [`arn:aws:iam::${A}:user/p/bob`]: 'AIDABOB' });
  assert.equal(bindPrincipals(tx, trust(A, '*')), undefined);
}));

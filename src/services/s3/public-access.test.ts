import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combinePublicAccessBlock } from './public-access.js';

const none = { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };

test('combinePublicAccessBlock: undefined when neither the account nor the bucket has a configuration', () => {
  assert.equal(combinePublicAccessBlock(undefined, undefined), undefined);
});

test('combinePublicAccessBlock: the account settings alone when the bucket has none', () => {
  assert.deepEqual(combinePublicAccessBlock({ BlockPublicPolicy: true }, undefined), { ...none, BlockPublicPolicy: true });
});

test('combinePublicAccessBlock: the bucket settings alone when the account has none', () => {
  assert.deepEqual(combinePublicAccessBlock(undefined, { IgnorePublicAcls: true, RestrictPublicBuckets: true }),
    { ...none, IgnorePublicAcls: true, RestrictPublicBuckets: true });
});

test('combinePublicAccessBlock: each flag is ORed, a false at one level never lifts a true at the other', () => {
  assert.deepEqual(combinePublicAccessBlock(
    { BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: true },
    { BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false },
  ), { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: true });
});

test('combinePublicAccessBlock: all-false configurations block nothing', () => {
  assert.deepEqual(combinePublicAccessBlock(none, none), none);
});

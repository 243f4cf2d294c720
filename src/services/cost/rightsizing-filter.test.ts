import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateFilter, validateFilter, type Expression } from './rightsizing-filter.js';

const subject = {
  dims: { REGION: 'us-east-1', INSTANCE_TYPE: 'm5.xlarge', INSTANCE_TYPE_FAMILY: 'm5', RIGHTSIZING_TYPE: 'MODIFY', LINKED_ACCOUNT: '111111111111' },
  tags: { team: 'web', env: 'prod' },
};

const refused = (e: Expression, re: RegExp) => assert.throws(() => validateFilter(e), (err: Error & { code?: string }) => err.code === 'ValidationException' && re.test(err.message));

describe('rightsizing filter expressions', () => {
  test('dimensions, tags, And/Or/Not and match options', () => {
    const ok = (e: Expression) => { validateFilter(e); return evaluateFilter(e, subject); };
    assert.equal(ok({ Dimensions: { Key: 'REGION', Values: ['us-east-1'] } }), true);
    assert.equal(ok({ Dimensions: { Key: 'REGION', Values: ['eu-west-1'] } }), false);
    assert.equal(ok({ Dimensions: { Key: 'RIGHTSIZING_TYPE', Values: ['TERMINATE'] } }), false);
    assert.equal(ok({ Dimensions: { Key: 'INSTANCE_TYPE', Values: ['M5.'], MatchOptions: ['STARTS_WITH', 'CASE_INSENSITIVE'] } }), true);
    assert.equal(ok({ Dimensions: { Key: 'INSTANCE_TYPE', Values: ['M5.'], MatchOptions: ['STARTS_WITH'] } }), false);
    assert.equal(ok({ Tags: { Key: 'team', Values: ['web'] } }), true);
    assert.equal(ok({ Tags: { Key: 'owner', MatchOptions: ['ABSENT'] } }), true);
    assert.equal(ok({ Tags: { Key: 'team', MatchOptions: ['ABSENT'] } }), false);
    assert.equal(ok({ And: [{ Tags: { Key: 'env', Values: ['prod'] } }, { Not: { Dimensions: { Key: 'INSTANCE_TYPE_FAMILY', Values: ['c5'] } } }] }), true);
    assert.equal(ok({ Or: [{ Tags: { Key: 'env', Values: ['dev'] } }, { Dimensions: { Key: 'LINKED_ACCOUNT', Values: ['222222222222'] } }] }), false);
  });

  test('refused with ValidationException: several roots, none, dimensions a recommendation lacks, cost categories, bad match options', () => {
    refused({ Dimensions: { Key: 'REGION', Values: ['us-east-1'] }, Tags: { Key: 'a', Values: ['b'] } }, /more than one roots/);
    refused({}, /no root operator/);
    refused({ Dimensions: { Key: 'USAGE_TYPE', Values: ['BoxUsage:m5.large'] } }, /Dimension USAGE_TYPE is not supported/);
    refused({ CostCategories: { Key: 'x', Values: ['y'] } }, /CostCategories/);
    refused({ Dimensions: { Key: 'REGION', Values: [] } }, /at least one value/);
    refused({ Dimensions: { Key: 'REGION', Values: ['x'], MatchOptions: ['ABSENT'] } }, /ABSENT/);
    refused({ Dimensions: { Key: 'REGION', Values: ['x'], MatchOptions: ['EQUALS', 'CONTAINS'] } }, /only one of/);
    refused({ And: [{ Dimensions: { Key: 'REGION', Values: ['x'] } }] }, /at least two/);
    refused({ Not: { And: [{ Dimensions: { Key: 'REGION', Values: ['x'] } }, { Dimensions: { Key: 'BILLING_ENTITY', Values: ['AWS'] } }] } }, /BILLING_ENTITY/);
  });
});

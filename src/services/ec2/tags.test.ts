import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../core/errors.js';
import { checkTag, tagSpecTags } from './tags.js';

const code = (c: string) => (e: AwsError) => e.code === c;

test('TagSpecifications: the own type is returned, allowed others accepted, anything else refused', () => {
  assert.deepEqual(tagSpecTags(undefined, 'vpc'), []);
  assert.deepEqual(tagSpecTags([{ ResourceType: 'vpc', Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }, { Key: 'b' }] }], 'vpc'),
    [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '' }]);
  assert.deepEqual(tagSpecTags([{ ResourceType: 'volume', Tags: [{ Key: 'v', Value: 'x' }] }, { ResourceType: 'instance', Tags: [] }], 'instance', ['volume']), []);
  assert.throws(() => tagSpecTags([{ ResourceType: 'subnet', Tags: [] }], 'vpc'), (e: AwsError) => e.code === 'InvalidParameterValue' && /'subnet' is not a valid taggable/.test(e.message));
  assert.throws(() => tagSpecTags([{ Tags: [] }], 'vpc'), code('InvalidParameterValue'));
  assert.throws(() => tagSpecTags([{ ResourceType: 'vpc' }, { ResourceType: 'vpc' }], 'vpc'), code('InvalidParameterValue'));
  const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: '' }));
  assert.equal(tagSpecTags([{ ResourceType: 'vpc', Tags: fifty }], 'vpc').length, 50);
  assert.throws(() => tagSpecTags([{ ResourceType: 'vpc', Tags: [...fifty, { Key: 'x', Value: '' }] }], 'vpc'), code('TagLimitExceeded'));
});

test('tag keys and values: lengths in characters, aws: reserved', () => {
  checkTag('k'.repeat(128), 'v'.repeat(256));
  checkTag('\u{1F600}'.repeat(128), '');
  assert.throws(() => checkTag('k'.repeat(129), ''), code('InvalidParameterValue'));
  assert.throws(() => checkTag('k', 'v'.repeat(257)), code('InvalidParameterValue'));
  assert.throws(() => checkTag('', 'v'), code('InvalidParameterValue'));
  assert.throws(() => checkTag('AWS:thing', 'v'), code('InvalidParameterValue'));
});

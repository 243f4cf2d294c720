import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AwsError } from '../../core/errors.js';
import { arnOf, checkId, isIdOf, newId, notFound, parseArn, randomHex17, typeOfId } from './ids.js';

test('new IDs have the prefix and 17 hex digits, and differ', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = newId('vpc');
    assert.match(id, /^vpc-[0-9a-f]{17}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 1000);
  assert.match(newId('network-interface-attachment'), /^eni-attach-[0-9a-f]{17}$/);
  assert.match(newId('route-table-association'), /^rtbassoc-[0-9a-f]{17}$/);
});

test('every one of the 17 digits is random (none is a UUID version or variant digit)', () => {
  const seen = Array.from({ length: 17 }, () => new Set<string>());
  for (let i = 0; i < 2000; i++) [...randomHex17()].forEach((d, k) => seen[k]!.add(d));
  assert.deepEqual(seen.map((s) => s.size), Array(17).fill(16));
});

test('types of IDs: longest prefix, old 8-digit form, malformed ones', () => {
  assert.equal(typeOfId('eni-attach-0123456789abcdef0'), 'network-interface-attachment');
  assert.equal(typeOfId('eni-0123456789abcdef0'), 'network-interface');
  assert.equal(typeOfId('rtb-12345678'), 'route-table');
  assert.equal(typeOfId('vpc-123'), undefined);
  assert.equal(typeOfId('vpc-0123456789ABCDEF0'), undefined);
  assert.equal(isIdOf('subnet', 'subnet-0123456789abcdef0'), true);
  assert.equal(isIdOf('subnet', 'vpc-0123456789abcdef0'), false);
  assert.throws(() => checkId('vpc', 'vpc-zz'), (e: AwsError) => e.code === 'InvalidVpcID.Malformed' && /vpc-zz/.test(e.message));
  assert.throws(() => checkId('key-pair', 'k'), (e: AwsError) => e.code === 'InvalidParameterValue');
});

test('NotFound messages list every missing ID', () => {
  assert.equal(notFound('vpc', ['vpc-1']).message, "The vpc ID 'vpc-1' does not exist");
  const e = notFound('subnet', ['subnet-1', 'subnet-2']);
  assert.equal(e.code, 'InvalidSubnetID.NotFound');
  assert.equal(e.message, "The subnet IDs 'subnet-1, subnet-2' do not exist");
});

test('ARNs round-trip', () => {
  const arn = arnOf('vpc', 'eu-west-1', '111111111111', 'vpc-0123456789abcdef0');
  assert.equal(arn, 'arn:aws:ec2:eu-west-1:111111111111:vpc/vpc-0123456789abcdef0');
  assert.deepEqual(parseArn(arn), { region: 'eu-west-1', account: '111111111111', type: 'vpc', id: 'vpc-0123456789abcdef0' });
  assert.equal(arnOf('image', 'us-east-1', '1', 'ami-12345678'), 'arn:aws:ec2:us-east-1::image/ami-12345678');
  assert.equal(parseArn('arn:aws:ec2:us-east-1:111111111111:subnet/vpc-0123456789abcdef0'), undefined);
  assert.equal(parseArn('arn:aws:ec2:us-east-1:111111111111:vpc/*'), undefined);
});

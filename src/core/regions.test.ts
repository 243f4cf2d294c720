import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRegion, region, regionNames, zones } from './regions.js';

test('every commercial region exists with zones whose IDs follow the region prefix', () => {
  assert.ok(regionNames().length >= 30);
  for (const name of regionNames()) {
    const zs = zones(name, '000000000000');
    assert.ok(zs.length >= 2, name);
    const prefix = zs[0]!.zoneId.split('-az')[0];
    for (const z of zs) {
      assert.ok(z.zoneName.startsWith(name));
      assert.match(z.zoneId, new RegExp(`^${prefix}-az\\d$`));
    }
    assert.equal(new Set(zs.map((z) => z.zoneId)).size, zs.length, 'zone IDs are distinct');
  }
});

test('zone letter to ID mapping is stable per account and differs between accounts', () => {
  const a = zones('us-east-1', '111111111111');
  assert.deepEqual(a, zones('us-east-1', '111111111111'));
  const accounts = Array.from({ length: 20 }, (_, i) => String(100000000000 + i));
  const firstIds = new Set(accounts.map((acct) => zones('us-east-1', acct)[0]!.zoneId));
  assert.ok(firstIds.size > 1, 'different accounts see different zones behind us-east-1a');
  // The set of zone IDs is the same for everyone.
  assert.deepEqual(new Set(a.map((z) => z.zoneId)), new Set(zones('us-east-1', '222222222222').map((z) => z.zoneId)));
});

test('unknown regions are unknown', () => {
  assert.equal(isRegion('us-east-9'), false);
  assert.equal(region('mars-north-1'), undefined);
  assert.deepEqual(zones('mars-north-1', '000000000000'), []);
  assert.equal(region('eu-west-1')!.endpoint, 'ec2.eu-west-1.amazonaws.com');
});

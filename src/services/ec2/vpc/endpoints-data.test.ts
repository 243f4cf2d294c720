import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCidr } from '../../../network/cidr.js';
import { regionNames } from '../../../core/regions.js';
import { isIdOf } from '../ids.js';
import { awsPrefixListById, awsPrefixListByName, awsPrefixLists } from './aws-prefix-lists.js';
import { endpointService, endpointServices } from './endpoint-services.js';
import { peeringState } from './peering.js';
import type { PeeringRecord } from './records-endpoints.js';

test("every Region has its S3 and DynamoDB lists: well-formed IDs unique across Regions, valid public CIDRs", () => {
  const ids = new Set<string>();
  for (const r of regionNames()) {
    const lists = awsPrefixLists(r);
    assert.deepEqual(lists.map((l) => l.name).sort(), [`com.amazonaws.${r}.dynamodb`, `com.amazonaws.${r}.s3`]);
    for (const l of lists) {
      assert.ok(isIdOf('prefix-list', l.id), l.id);
      assert.ok(!ids.has(l.id), `${l.id} is given twice`);
      ids.add(l.id);
      assert.ok(l.cidrs.length > 0);
      for (const c of l.cidrs) {
        const p = parseCidr(c, 4);
        assert.ok(p.ok && !p.hostBitsSet, c);
        assert.ok(!/^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(c), `${c} is private`);
      }
      assert.equal(awsPrefixListById(r, l.id)?.name, l.name);
      assert.equal(awsPrefixListByName(r, l.name)?.id, l.id);
    }
  }
  // Stable: the same on every call (derived, not random).
  assert.deepEqual(awsPrefixLists('eu-central-1'), awsPrefixLists('eu-central-1'));
  assert.equal(awsPrefixListByName('us-east-1', 'com.amazonaws.us-east-1.s3')?.id, 'pl-63a5400a');
});

test('endpoint services: S3 both types, DynamoDB gateway only, unknown names and wrong types refused', () => {
  const all = endpointServices('us-west-2');
  assert.deepEqual(all.filter((s) => s.short === 's3').map((s) => s.type), ['Gateway', 'Interface']);
  assert.equal(endpointService('us-west-2', 'com.amazonaws.us-west-2.dynamodb', 'Gateway').type, 'Gateway');
  assert.throws(() => endpointService('us-west-2', 'com.amazonaws.us-west-2.dynamodb', 'Interface'), { code: 'InvalidParameter' });
  assert.throws(() => endpointService('us-west-2', 'com.amazonaws.us-east-1.s3', 'Gateway'), { code: 'InvalidServiceName' });
  assert.throws(() => endpointService('us-west-2', undefined, 'Gateway'), { code: 'MissingParameter' });
  assert.equal(new Set(all.map((s) => s.id)).size, all.length);
  assert.ok(all.every((s) => /^vpce-svc-[0-9a-f]{17}$/.test(s.id)));
});

test('a pending peering request expires after 7 days; other states do not change with time', () => {
  const side = { ownerId: '111111111111', vpcId: 'vpc-00000001', region: 'us-east-1', cidrs: [], ipv6Cidrs: [], allowDnsResolutionFromRemoteVpc: false };
  const p: PeeringRecord = { id: 'pcx-00000001', requester: side, accepter: side, state: 'pending-acceptance', message: '', changedMs: 0, expirationMs: 1000 };
  assert.equal(peeringState(p, 999), 'pending-acceptance');
  assert.equal(peeringState(p, 1000), 'expired');
  assert.equal(peeringState({ ...p, state: 'active' }, 10_000), 'active');
});

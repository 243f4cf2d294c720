import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMemoryStore } from '../../../store/memory.js';
import { COMPUTE_KIND, type InstanceRecord } from '../compute/records.js';
import { revokedAtMs } from './session-source.js';

const SCOPE = { account: '000000000000', region: 'us-east-1' };
const SRC = { ...SCOPE, instanceId: 'i-0123456789abcdef0', associationId: 'iip-assoc-1', issuedMs: 1_000 };
const base = {
  id: SRC.instanceId, phase: 'start', sinceMs: 0, doneMs: 0, launchMs: 0, runs: [[0]],
  iamInstanceProfile: { arn: 'arn:aws:iam::000000000000:instance-profile/p', id: 'AIPA1', associationId: 'iip-assoc-1', state: 'associated' },
} as unknown as InstanceRecord;

async function check(i: InstanceRecord | undefined, nowMs: number): Promise<number | undefined> {
  const store = createMemoryStore();
  return store.transaction((tx) => {
    if (i) tx.put(SCOPE, COMPUTE_KIND.instance, i.id, i);
    return revokedAtMs(tx, SRC, nowMs);
  });
}

describe('instance-profile sessions', () => {
  it('stand while the instance runs with the same association', async () => {
    assert.equal(await check(base, 5_000), undefined);
  });
  it('end when the instance stops or terminates, is gone, or the association changes', async () => {
    assert.equal(await check({ ...base, phase: 'stop', sinceMs: 4_000, doneMs: 4_500 }, 5_000), 4_000);
    assert.equal(await check({ ...base, phase: 'terminate', sinceMs: 4_000, doneMs: 4_000 }, 5_000), 4_000);
    assert.equal(await check(undefined, 5_000), 0);
    assert.equal(typeof await check({ ...base, iamInstanceProfile: undefined, profileAssociatedMs: 3_000 }, 5_000), 'number');
    assert.equal(typeof await check({ ...base, iamInstanceProfile: { ...base.iamInstanceProfile!, associationId: 'iip-assoc-2' } }, 5_000), 'number');
  });
  it('stay dead after a stop and a new start', async () => {
    assert.equal(await check({ ...base, runs: [[0, 2_000], [3_000]], sinceMs: 3_000, doneMs: 3_000 }, 5_000), 3_000);
  });
});

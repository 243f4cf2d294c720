import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ACCESS_KEY_KIND, ACCESS_KEY_SCOPE } from '../../auth/credentials.js';
import type { Credential } from '../../auth/principal.js';
import { createMemoryStore } from '../../store/memory.js';
import { issueCredentials, packedPolicySize, roleDuration, sessionTags, sweepExpired, type SessionPrincipal } from './session.js';
import { fetchUrl, normaliseUrl } from './web-identity.js';

const P: SessionPrincipal = { kind: 'assumed-role', account: '000000000000', arn: 'arn:aws:sts::000000000000:assumed-role/r/s', userId: 'AROAX:s' };
const DAY = 86_400_000;

describe('STS sessions', () => {
  test('issued credentials are indexed with their principal and an expiry to the second', async () => {
    const store = createMemoryStore();
    const now = 1_700_000_000_123;
    const c = await store.transaction((tx) => issueCredentials(tx, now, 900, P));
    assert.equal(c.Expiration.getTime(), 1_700_000_000_000 + 900_000);
    const row = await store.transaction((tx) => tx.get<Credential>(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, c.AccessKeyId)!);
    assert.equal(row.sessionToken, c.SessionToken);
    assert.equal(row.principal.accessKeyId, c.AccessKeyId);
    assert.equal(row.principal.expiresAt, c.Expiration.getTime());
  });

  test('credentials expired for over a week are swept; recent ones and other keys stay', async () => {
    const store = createMemoryStore();
    const t0 = Date.now();
    const old = await store.transaction((tx) => Array.from({ length: 5 }, () => issueCredentials(tx, t0, 900, P).AccessKeyId));
    const recent = await store.transaction((tx) => issueCredentials(tx, t0 + 7 * DAY, 900, P).AccessKeyId);
    await store.transaction((tx) => tx.put(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, 'AKIAUSERKEY000000000', { accessKeyId: 'AKIAUSERKEY000000000', secretAccessKey: 's', principal: P }));
    const removed = await store.transaction((tx) => sweepExpired(tx, t0 + 8 * DAY, 'ASIA', 100));
    assert.equal(removed, 5);
    await store.transaction((tx) => {
      for (const id of old) assert.equal(tx.get(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, id), undefined);
      assert.ok(tx.get(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, recent));
      assert.ok(tx.get(ACCESS_KEY_SCOPE, ACCESS_KEY_KIND, 'AKIAUSERKEY000000000'));
    });
  });

  test('session tags: case-insensitive duplicates, transitive keys, incoming transitive tags', () => {
    assert.deepEqual(sessionTags([{ Key: 'A', Value: '1' }, { Key: 'b', Value: '2' }], ['a']), { tags: { A: '1', b: '2' }, transitiveTagKeys: ['A'] });
    assert.throws(() => sessionTags([{ Key: 'A', Value: '1' }, { Key: 'a', Value: '2' }], undefined), /Duplicate tag keys/);
    assert.throws(() => sessionTags([{ Key: 'A', Value: '1' }], ['z']), /TransitiveTagKeys/);
    const caller: SessionPrincipal = { ...P, tags: { Team: 'blue', other: 'x' }, transitiveTagKeys: ['Team'] };
    assert.deepEqual(sessionTags([{ Key: 'k', Value: 'v' }], undefined, caller), { tags: { k: 'v', Team: 'blue' }, transitiveTagKeys: ['Team'] });
    assert.deepEqual(sessionTags([{ Key: 'team', Value: 'blue' }], undefined, caller).tags, { team: 'blue' });
    assert.throws(() => sessionTags([{ Key: 'team', Value: 'red' }], undefined, caller), /cannot be overridden/);
  });

  test('packed policy size grows with content and overflows with many long random tags', () => {
    const small = packedPolicySize('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}', [], {});
    assert.ok(small >= 1 && small <= 10, String(small));
    const tags = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`key-${i}-${randomBytes(40).toString('hex')}`, randomBytes(100).toString('hex')]));
    assert.throws(() => packedPolicySize(undefined, [], tags), (e: Error & { code?: string }) => e.code === 'PackedPolicyTooLarge');
  });

  test('role durations', () => {
    assert.equal(roleDuration(undefined, 43200, false), 3600);
    assert.equal(roleDuration(43200, 43200, false), 43200);
    assert.throws(() => roleDuration(3601, 3600, false), /MaxSessionDuration/);
    assert.equal(roleDuration(3600, 43200, true), 3600);
    assert.throws(() => roleDuration(3601, 43200, true), /1 hour session limit/);
  });

  test('issuer URLs: normalised like provider ARNs; loopback issuers fetched over http', () => {
    assert.equal(normaliseUrl('https://Oidc.EKS.us-east-1.amazonaws.com/id/ABC/'), 'oidc.eks.us-east-1.amazonaws.com/id/ABC');
    assert.equal(normaliseUrl('accounts.google.com'), 'accounts.google.com');
    assert.equal(fetchUrl('https://127.0.0.1:8443/x'), 'http://127.0.0.1:8443/x');
    assert.equal(fetchUrl('https://localhost/x'), 'http://localhost/x');
    assert.equal(fetchUrl('https://token.actions.githubusercontent.com'), 'https://token.actions.githubusercontent.com/');
    const saved = process.env.CLOUDLET_OIDC_INSECURE_HTTP;
    process.env.CLOUDLET_OIDC_INSECURE_HTTP = '1';
    try {
      assert.equal(fetchUrl('https://idp.example.com/realm'), 'http://idp.example.com/realm');
    } finally {
      if (saved === undefined) delete process.env.CLOUDLET_OIDC_INSECURE_HTTP;
      else process.env.CLOUDLET_OIDC_INSECURE_HTTP = saved;
    }
  });
});

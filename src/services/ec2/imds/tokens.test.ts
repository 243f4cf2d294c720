import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkToken, issueToken, parseTokenTtl } from './tokens.js';

const KEY = randomBytes(32);
const I = { account: '000000000000', region: 'us-east-1', instanceId: 'i-0123456789abcdef0' };
const T0 = 1_700_000_000_000;

describe('IMDSv2 tokens', () => {
  it('takes TTLs of 1..21600 whole seconds only', () => {
    assert.equal(parseTokenTtl('1'), 1);
    assert.equal(parseTokenTtl('21600'), 21600);
    for (const bad of [undefined, '', '0', '21601', '-5', '1.5', 'abc', ['60']]) assert.equal(parseTokenTtl(bad as string), undefined, String(bad));
  });

  it('accepts its own token until the TTL passes by the given clock', () => {
    const t = issueToken(KEY, I, T0, 60);
    assert.deepEqual(checkToken(KEY, t, I, T0), { ok: true, remainingS: 60 });
    assert.deepEqual(checkToken(KEY, t, I, T0 + 59_500), { ok: true, remainingS: 1 });
    assert.deepEqual(checkToken(KEY, t, I, T0 + 60_000), { ok: false, reason: 'expired' });
  });

  it('refuses a token of another instance, another server key, or a tampered expiry', () => {
    const t = issueToken(KEY, I, T0, 60);
    assert.equal(checkToken(KEY, t, { ...I, instanceId: 'i-0fedcba9876543210' }, T0).ok, false);
    assert.equal(checkToken(KEY, t, { ...I, region: 'eu-west-1' }, T0).ok, false);
    assert.deepEqual(checkToken(randomBytes(32), t, I, T0), { ok: false, reason: 'forged' });
    const [, sig] = t.split('.');
    const longer = `${Buffer.from(String(T0 + 10 ** 9)).toString('base64url')}.${sig}`;
    assert.deepEqual(checkToken(KEY, longer, I, T0), { ok: false, reason: 'forged' });
    assert.deepEqual(checkToken(KEY, 'not-a-token', I, T0), { ok: false, reason: 'malformed' });
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rootPrincipal } from '../../auth/principal.js';
import { createMemoryStore } from '../../store/memory.js';
import type { RequestContext } from '../types.js';
import { getAuthorizationToken } from './auth-token.js';
import { verifyToken } from './token.js';

const NOW = Date.UTC(2026, 11, 7, 12);

async function call(host: string, secure: boolean, registryIds?: string[]) {
  const store = createMemoryStore();
  const out = store.transaction(async (tx) => {
    const ctx = {
      tx, account: '111111111111', region: 'eu-west-1', principal: rootPrincipal('111111111111', '111111111111'),
      clock: { nowMs: () => NOW }, wire: { headers: { host }, secure },
    } as unknown as RequestContext;
    const out = await getAuthorizationToken(registryIds ? { registryIds } : {}, ctx);
    return out;
  });
  const check = (password: string) => store.transaction((tx) => verifyToken(tx, password, NOW + 1000));
  return { out: await out, check };
}

test('the proxy endpoint follows the scheme and port the caller used', async () => {
  const plain = await call('localhost:4566', false);
  assert.equal(plain.out.authorizationData![0]!.proxyEndpoint, 'http://111111111111.dkr.ecr.eu-west-1.localhost:4566');
  const tls = await call('127.0.0.1:8443', true);
  assert.equal(tls.out.authorizationData![0]!.proxyEndpoint, 'https://111111111111.dkr.ecr.eu-west-1.localhost:8443');
  const noPort = await call('cloudlet.internal', true, ['222222222222', '222222222222', '333333333333']);
  assert.deepEqual(noPort.out.authorizationData!.map((d) => d.proxyEndpoint),
    ['https://222222222222.dkr.ecr.eu-west-1.localhost', 'https://333333333333.dkr.ecr.eu-west-1.localhost']);
});

test('the token is AWS:<password>, valid 12 hours by the clock, bound to the caller', async () => {
  const { out, check } = await call('localhost:4566', false);
  const d = out.authorizationData![0]!;
  assert.equal(d.expiresAt!.getTime(), NOW + 12 * 3600_000);
  const decoded = Buffer.from(d.authorizationToken!, 'base64').toString();
  assert.ok(decoded.startsWith('AWS:'));
  const verdict = await check(decoded.slice(4));
  assert.ok(verdict.ok);
  assert.equal(verdict.ok && verdict.principal.arn, 'arn:aws:iam::111111111111:root');
  assert.equal(verdict.ok && verdict.region, 'eu-west-1');
});

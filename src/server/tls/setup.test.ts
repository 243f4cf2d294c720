import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createLogger } from '../../core/log.js';
import { caPaths } from './ca.js';
import { prepareTls } from './setup.js';

const log = createLogger('silent');

test('a data directory: the CA and the server pair exist once prepareTls returns, and are the same on the next start', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'cloudlet-setup-test-'));
  t.after(() => rmSync(data, { recursive: true, force: true }));
  const first = await prepareTls({ dataDir: data, bindHost: '127.0.0.1', log });
  const p = caPaths(join(data, 'tls'));
  assert.ok(existsSync(p.caCert) && existsSync(p.serverCert));
  assert.equal(await first.caFile(), p.caCert);
  const cert = readFileSync(p.serverCert, 'utf8');
  first.close();
  assert.ok(existsSync(p.caCert), 'close keeps a data directory\'s CA');
  const second = await prepareTls({ dataDir: data, bindHost: '127.0.0.1', log });
  assert.equal(readFileSync(p.serverCert, 'utf8'), cert);
  second.close();
  // --allowed-hosts grow the certificate on the next start; the CA stays.
  const ca = readFileSync(p.caCert, 'utf8');
  await prepareTls({ dataDir: data, bindHost: '127.0.0.1', allowedHosts: ['cloudlet'], log });
  assert.equal(readFileSync(p.caCert, 'utf8'), ca);
  assert.match(new X509Certificate(readFileSync(p.serverCert)).subjectAltName!, /DNS:cloudlet(,|$)/);
});

test('ephemeral: nothing is made at start; the CA is made on first ask, in a temp dir removed on close', async () => {
  const tls = await prepareTls({ bindHost: '127.0.0.1', log });
  const file = await tls.caFile();
  assert.ok(file && existsSync(file));
  assert.ok(dirname(file).startsWith(tmpdir()));
  tls.close();
  assert.equal(existsSync(dirname(file)), false);
});

test('--tls off makes nothing; a bad user pair throws before anything listens', async () => {
  const off = await prepareTls({ tls: 'off', bindHost: '127.0.0.1', log });
  assert.equal(off.mode, 'off');
  assert.equal(await off.caFile(), undefined);
  await assert.rejects(prepareTls({ tlsCert: '/nonexistent/c.crt', tlsKey: '/nonexistent/c.key', bindHost: '127.0.0.1', log }), /cannot read --tls-cert \/nonexistent\/c\.crt/);
});

test('flags and environment: --tls on|off|only, --tls-cert with --tls-key', async () => {
  const { tlsOptions } = await import('./options.js');
  assert.deepEqual(tlsOptions({}, {}), {});
  assert.deepEqual(tlsOptions({ tls: 'only' }, { CLOUDLET_TLS: 'off' }), { tls: 'only' });
  assert.deepEqual(tlsOptions({}, { CLOUDLET_TLS: 'OFF' }), { tls: 'off' });
  assert.deepEqual(tlsOptions({ 'tls-cert': 'c', 'tls-key': 'k' }, {}), { tlsCert: 'c', tlsKey: 'k' });
  assert.throws(() => tlsOptions({ tls: 'yes' }, {}), /--tls \(CLOUDLET_TLS\) must be on, off or only/);
  assert.throws(() => tlsOptions({ 'tls-cert': 'c' }, {}), /go together/);
  assert.throws(() => tlsOptions({ tls: 'off', 'tls-cert': 'c', 'tls-key': 'k' }, {}), /need --tls on or only/);
});

test('a running server renews its certificate when the renewal time comes: the next connections get the new one', async (t) => {
  const { createServer } = await import('node:http');
  const { connect } = await import('node:tls');
  const data = mkdtempSync(join(tmpdir(), 'cloudlet-setup-renew-'));
  let clock = Date.now();
  const tls = await prepareTls({ dataDir: data, bindHost: '127.0.0.1', log, now: () => clock });
  const server = createServer((_q, s) => s.end('ok'));
  tls.install(server, 5000);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => {
    server.close();
    rmSync(data, { recursive: true, force: true });
  });
  const port = (server.address() as { port: number }).port;
  const served = () => new Promise<{ serial: string; validTo: string }>((ok, fail) => {
    const s = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const c = s.getPeerCertificate();
      s.end();
      ok({ serial: c.serialNumber, validTo: c.valid_to });
    });
    s.on('error', fail);
  });
  const first = await served();
  assert.equal((await served()).serial, first.serial);
  clock += (365 - 29) * 86_400_000; // inside the 30-day window
  await served(); // this one still gets the old certificate and starts the renewal
  await new Promise((r) => setTimeout(r, 300));
  const renewed = await served();
  assert.notEqual(renewed.serial, first.serial);
  assert.ok(Date.parse(renewed.validTo) > Date.parse(first.validTo));
  assert.equal(readFileSync(caPaths(join(data, 'tls')).serverCert, 'utf8').length > 0, true);
});

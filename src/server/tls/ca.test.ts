import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { regionNames } from '../../core/regions.js';
import { caPaths, ensureCa, localPair, readUserPair, serverNames, CA_DAYS, RENEW_BEFORE_DAYS, SERVER_DAYS } from './ca.js';
import { caCommand } from './ca-cli.js';
import { makeCertificate } from './x509.js';

const DAY = 86_400_000;
const tmp = (t: { after(fn: () => void): void }): string => {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-ca-test-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};
const mode = (f: string): string => (statSync(f).mode & 0o777).toString(8);
/** Does `host` verify against the certificate, as node's TLS clients check it? */
const verifies = (pem: string, host: string): boolean => {
  const x = new X509Certificate(pem);
  return checkServerIdentity(host, { subjectaltname: x.subjectAltName, subject: {} } as unknown as PeerCertificate) === undefined;
};

test('the server certificate covers loopback, *.localhost, virtual-hosted S3 and ECR registries in every region, and --allowed-hosts', async (t) => {
  const dir = tmp(t);
  const names = serverNames({ allowedHosts: ['dev.example.test', '*.apps.test', '.corp.test:8443', 'box:8080', 'fe80::1', '[fd00::5]:1'], bindHost: '192.168.7.7' });
  const pair = await localPair(dir, names);
  const san = new X509Certificate(pair.cert).subjectAltName!;
  for (const n of ['localhost', '*.localhost', 's3.localhost', '*.s3.localhost', 'dev.example.test', '*.apps.test', '*.corp.test', 'box']) {
    assert.ok(san.split(', ').includes(`DNS:${n}`), n);
  }
  for (const ip of ['127.0.0.1', '0:0:0:0:0:0:0:1', '192.168.7.7', 'FE80:0:0:0:0:0:0:1', 'FD00:0:0:0:0:0:0:5']) assert.ok(san.toUpperCase().includes(`IP ADDRESS:${ip.toUpperCase()}`), ip);
  assert.ok(regionNames().length > 20);
  for (const r of regionNames()) {
    assert.ok(verifies(pair.cert, `111111111111.dkr.ecr.${r}.localhost`), r);
    assert.ok(verifies(pair.cert, `my-bucket.s3.${r}.localhost`), r);
  }
  for (const h of ['localhost', '127.0.0.1', '::1', 'bucket.s3.localhost', 's3.localhost', 'dev.example.test', 'a.apps.test', 'x.corp.test', '192.168.7.7'])
    assert.ok(verifies(pair.cert, h), h);
  // `*.localhost` is in the certificate, but node (like OpenSSL) takes no wildcard over a one-label
  // suffix, as for `*.com`: names directly under localhost need the names above or --allowed-hosts.
  assert.equal(verifies(pair.cert, 'anything.localhost'), false);
  // A wildcard covers one label only; other names are not covered.
  for (const h of ['a.b.localhost', 'my.bucket.s3.localhost', 'x.111111111111.dkr.ecr.us-east-1.localhost', 'a.b.apps.test', 'evil.example', '10.0.0.1', 'localhost.evil.example'])
    assert.equal(verifies(pair.cert, h), false, h);
  // Issued by the CA, for the server, with the CA marked as one.
  const ca = new X509Certificate(readFileSync(caPaths(dir).caCert));
  const leaf = new X509Certificate(pair.cert);
  assert.ok(ca.ca && !leaf.ca);
  assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
  assert.match(leaf.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/); // serverAuth
  // Serials are positive (their first hex digit below 8) and 16 bytes.
  for (const x of [ca, leaf]) assert.match(x.serialNumber, /^[0-7][0-9A-F]{31}$/);
});

test('keys are 0600 in a 0700 directory; the CA certificate sits alone in its directory (a --cert-dir)', async (t) => {
  const dir = tmp(t);
  await localPair(dir, serverNames());
  const p = caPaths(dir);
  assert.equal(mode(p.caKey), '600');
  assert.equal(mode(p.serverKey), '600');
  assert.equal(mode(join(dir, 'private')), '700');
  assert.equal(mode(p.caCert), '644');
  assert.match(readFileSync(p.caKey, 'utf8'), /BEGIN PRIVATE KEY/);
  const { readdirSync } = await import('node:fs');
  assert.deepEqual(readdirSync(dir).sort(), ['ca.crt', 'private']);
});

test('stable across restarts: the same CA and certificate are read back; new names get a new certificate from the same CA', async (t) => {
  const dir = tmp(t);
  const first = await localPair(dir, serverNames());
  assert.equal(first.ca.made, true);
  const again = await localPair(dir, serverNames());
  assert.equal(again.ca.made, false);
  assert.equal(again.cert, first.cert);
  assert.equal(again.key, first.key);
  const wider = await localPair(dir, serverNames({ allowedHosts: ['new.example.test'] }));
  assert.notEqual(wider.cert, first.cert);
  assert.equal(wider.ca.pem, first.ca.pem);
  assert.ok(verifies(wider.cert, 'new.example.test'));
  assert.ok(new X509Certificate(wider.cert).checkIssued(new X509Certificate(first.ca.pem)));
});

test('renewal: a server certificate within 30 days of its end is issued again by the same CA; a CA near its end is made again', async (t) => {
  const dir = tmp(t);
  const now = Date.now();
  const first = await localPair(dir, serverNames(), now);
  const end = Date.parse(new X509Certificate(first.cert).validTo);
  assert.ok(Math.abs(end - (now + SERVER_DAYS * DAY)) < 2000);
  assert.equal(first.renewAtMs, end - RENEW_BEFORE_DAYS * DAY);
  // Still fine a day before the window.
  assert.equal((await localPair(dir, serverNames(), first.renewAtMs - DAY)).cert, first.cert);
  const later = first.renewAtMs + DAY;
  const renewed = await localPair(dir, serverNames(), later);
  assert.notEqual(renewed.cert, first.cert);
  assert.equal(renewed.ca.made, false);
  assert.ok(Date.parse(new X509Certificate(renewed.cert).validTo) > end);
  assert.ok(new X509Certificate(renewed.cert).checkIssued(new X509Certificate(first.ca.pem)));
  // The CA itself, near its own end (10 years).
  const caEnd = Date.parse(new X509Certificate(first.ca.pem).validTo);
  assert.ok(Math.abs(caEnd - (now + CA_DAYS * DAY)) < 2000);
  const ca2 = await ensureCa(dir, caEnd - DAY);
  assert.equal(ca2.made, true);
  assert.notEqual(ca2.pem, first.ca.pem);
  // A server certificate never outlives its CA.
  const p3 = await localPair(dir, serverNames(), caEnd - DAY);
  assert.ok(Date.parse(new X509Certificate(p3.cert).validTo) <= Date.parse(ca2.cert.validTo));
});

test('a CA certificate file that is not PEM stops with a message naming it', async (t) => {
  const dir = tmp(t);
  await ensureCa(dir);
  writeFileSync(caPaths(dir).caCert, 'garbage');
  await assert.rejects(ensureCa(dir), (e: Error) => e.message.includes(caPaths(dir).caCert));
});

test('--tls-cert/--tls-key: unreadable, not PEM, expired, not yet valid or mismatched pairs are refused naming the file', async (t) => {
  const dir = tmp(t);
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const cert = (from: number, to: number) => makeCertificate({
    subject: { cn: 'me' }, publicKey: keys.publicKey, issuer: { cn: 'me', ...keys },
    notBefore: new Date(from), notAfter: new Date(to), ca: false, names: ['localhost'],
  });
  const f = (name: string, data: string) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  const good = f('good.crt', cert(now - DAY, now + DAY));
  const key = f('good.key', keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const pair = readUserPair(good, key);
  assert.equal(pair.renewAtMs, Infinity);
  assert.equal(pair.certFile, good);
  const refuses = (c: string, k: string, re: RegExp, file: string) => assert.throws(() => readUserPair(c, k), (e: Error) => re.test(e.message) && e.message.includes(file));
  refuses(join(dir, 'missing.crt'), key, /cannot read --tls-cert .*ENOENT/, 'missing.crt');
  refuses(good, join(dir, 'missing.key'), /cannot read --tls-key .*ENOENT/, 'missing.key');
  refuses(f('junk.crt', 'not a certificate'), key, /not a PEM certificate/, 'junk.crt');
  refuses(f('old.crt', cert(now - 10 * DAY, now - DAY)), key, /expired on/, 'old.crt');
  refuses(f('future.crt', cert(now + DAY, now + 10 * DAY)), key, /not valid before/, 'future.crt');
  refuses(good, f('junk.key', 'nope'), /not a PEM private key/, 'junk.key');
  refuses(good, f('other.key', other.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), /is not the key of/, 'other.key');
});

test('cloudlet ca: the path and one line per client; install/uninstall put and take the CA in the system store, root only', async (t) => {
  const data = tmp(t);
  const store = tmp(t);
  const r = await caCommand(undefined, { dataDir: data, port: 4566 });
  const file = join(data, 'tls', 'ca.crt');
  assert.equal(r.code, 0);
  for (const line of [`AWS_CA_BUNDLE=${file}`, `NODE_EXTRA_CA_CERTS=${file}`, `/etc/docker/certs.d/localhost:4566/ca.crt`, `--cert-dir ${join(data, 'tls')}`, '--dest-cert-dir', 'cloudlet ca install']) {
    assert.ok(r.out.includes(line), line);
  }
  assert.match(r.out, /\(made now\)/);
  assert.doesNotMatch((await caCommand(undefined, { dataDir: data, port: 4566 })).out, /made now/);
  assert.doesNotMatch(r.out, /BEGIN/);
  const notRoot = await caCommand('install', { dataDir: data, port: 4566, isRoot: false });
  assert.equal(notRoot.code, 1);
  assert.match(notRoot.out, /as root/);
  const update = [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(join(store, 'ran.log'))}, 'x')`];
  const inst = await caCommand('install', { dataDir: data, port: 4566, isRoot: true, systemDir: store, update });
  assert.equal(inst.code, 0, inst.out);
  const { readdirSync } = await import('node:fs');
  const installed = readdirSync(store).filter((n) => n.startsWith('cloudlet-'));
  assert.equal(installed.length, 1);
  assert.equal(readFileSync(join(store, installed[0]!), 'utf8'), readFileSync(file, 'utf8'));
  const un = await caCommand('uninstall', { dataDir: data, port: 4566, isRoot: true, systemDir: store, update });
  assert.equal(un.code, 0, un.out);
  assert.deepEqual(readdirSync(store).filter((n) => n.startsWith('cloudlet-')), []);
  assert.equal(readFileSync(join(store, 'ran.log'), 'utf8'), 'xx');
  const failing = await caCommand('install', { dataDir: data, port: 4566, isRoot: true, systemDir: store, update: [process.execPath, '-e', 'process.exit(3)'] });
  assert.equal(failing.code, 1);
  assert.match(failing.out, /failed/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import { createLogger } from '../../core/log.js';
import { localPair, serverNames } from './ca.js';
import { installSniffer } from './sniff.js';

const dir = mkdtempSync(join(tmpdir(), 'cloudlet-sniff-test-'));
const pairP = localPair(dir, serverNames());
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** An echo server: answers the body's length and whether the request came over TLS. */
async function serve(t: { after(fn: () => Promise<void> | void): void }, mode: 'on' | 'only', opts: { timeoutMs?: number; lazy?: boolean } = {}) {
  const pair = await pairP;
  const context = createSecureContext({ cert: pair.cert, key: pair.key });
  const server: Server = createServer((req, res) => {
    let n = 0;
    req.on('data', (d: Buffer) => { n += d.length; });
    req.on('end', () => res.end(JSON.stringify({ bytes: n, encrypted: (req.socket as { encrypted?: boolean }).encrypted === true, port: req.socket.remotePort })));
  });
  const sniffer = installSniffer(server, {
    mode, timeoutMs: opts.timeoutMs ?? 5000, log: createLogger('silent'),
    secureContext: opts.lazy ? () => new Promise((ok) => setTimeout(() => ok(context), 20)) : () => context,
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => new Promise<void>((done) => {
    sniffer.closeAll();
    server.closeAllConnections();
    server.close(() => done());
  }));
  return { port: (server.address() as AddressInfo).port, ca: pair.ca.pem, server };
}

interface Answer { status: number; body: string }
function send(mod: 'http' | 'https', port: number, o: { ca?: string; agent?: Agent; body?: Buffer; servername?: string; host?: string } = {}): Promise<Answer> {
  return new Promise((ok, fail) => {
    const req = (mod === 'http' ? httpRequest : httpsRequest)({
      host: '127.0.0.1', port, method: 'POST', path: '/', agent: o.agent, ca: o.ca, servername: o.servername,
      headers: o.host ? { host: o.host } : {},
    } as never, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => ok({ status: res.statusCode!, body }));
    });
    req.on('error', fail);
    req.end(o.body);
  });
}

test('one port: plain HTTP served as is, TLS handed over after the handshake; bodies arrive whole on both', async (t) => {
  const { port, ca } = await serve(t, 'on');
  const big = Buffer.alloc(3_000_001, 7);
  const plain = JSON.parse((await send('http', port, { body: big })).body);
  assert.deepEqual([plain.bytes, plain.encrypted], [big.length, false]);
  const secure = JSON.parse((await send('https', port, { ca, body: big })).body);
  assert.deepEqual([secure.bytes, secure.encrypted], [big.length, true]);
  // Verified against the names: virtual-hosted S3 through SNI.
  const vh = JSON.parse((await send('https', port, { ca, servername: 'my-bucket.s3.localhost', host: 'my-bucket.s3.localhost' })).body);
  assert.equal(vh.encrypted, true);
  await assert.rejects(send('https', port, { ca, servername: 'a.b.s3.localhost' }), /altnames/);
});

test('a request line and a body sent in quick separate writes arrive in order (many times over, both protocols)', async (t) => {
  const { port, ca } = await serve(t, 'on');
  const body = 'b'.repeat(3000);
  const head = `POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
  const once = (secure: boolean) => new Promise<string>((ok) => {
    const s = secure ? tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' }) : connect(port, '127.0.0.1');
    let got = '';
    s.on(secure ? 'secureConnect' : 'connect', () => {
      s.write(head);
      s.write(body);
    });
    s.on('data', (d: Buffer) => { got += d.toString(); });
    s.on('error', () => undefined);
    s.on('close', () => ok(got));
  });
  for (let i = 0; i < 60; i++) {
    for (const secure of [false, true]) {
      const got = await once(secure);
      assert.match(got, /^HTTP\/1\.1 200 /, `round ${i} ${secure ? 'TLS' : 'plain'}: ${got.slice(0, 80)}`);
      assert.equal(JSON.parse(got.slice(got.indexOf('\r\n\r\n') + 4)).bytes, body.length);
    }
  }
});

test('keep-alive over TLS: requests reuse one connection', async (t) => {
  const { port, ca } = await serve(t, 'on');
  const agent = new Agent({ keepAlive: true, ca, maxSockets: 1 });
  t.after(() => agent.destroy());
  const ports = new Set<number>();
  for (let i = 0; i < 5; i++) ports.add(JSON.parse((await send('https', port, { agent, body: Buffer.from('x') })).body).port);
  assert.equal(ports.size, 1);
});

test('a certificate made on the first TLS connection (lazy context) serves that connection', async (t) => {
  const { port, ca } = await serve(t, 'on', { lazy: true });
  assert.equal(JSON.parse((await send('https', port, { ca })).body).encrypted, true);
});

test('--tls only: a plain request gets a 400 that says to use https; HTTPS works', async (t) => {
  const { port, ca } = await serve(t, 'only');
  const r = await send('http', port, { body: Buffer.alloc(100_000, 1), host: `localhost:${port}` });
  assert.equal(r.status, 400);
  assert.match(r.body, new RegExp(`HTTPS only.*use https://localhost:${port}/`));
  assert.equal(JSON.parse((await send('https', port, { ca })).body).encrypted, true);
});

test('a client that does not trust the CA gets a TLS error, not a hang', async (t) => {
  const { port } = await serve(t, 'on');
  const started = Date.now();
  await assert.rejects(send('https', port), (e: NodeJS.ErrnoException) => /certificate/.test(e.message) && e.code !== 'ECONNRESET');
  assert.ok(Date.now() - started < 2000);
  // The server is fine afterwards.
  assert.equal((await send('http', port)).status, 200);
});

test('a garbage first byte closes the connection without an answer; a silent client is closed after the timeout', async (t) => {
  const { port } = await serve(t, 'on', { timeoutMs: 300 });
  for (const first of [0x00, 0x80, 0x16 + 1, 0x61 /* a lower-case letter */]) {
    const got = await new Promise<string>((ok) => {
      const s = connect(port, '127.0.0.1', () => s.write(Buffer.from([first, 0x20, 0x2f, 0x0d, 0x0a])));
      let data = '';
      s.on('data', (d: Buffer) => { data += d.toString(); });
      s.on('error', () => undefined);
      s.on('close', () => ok(data));
    });
    assert.equal(got, '', `byte ${first}`);
  }
  const started = Date.now();
  await new Promise<void>((ok) => {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => ok());
  });
  const waited = Date.now() - started;
  assert.ok(waited >= 250 && waited < 2000, `closed after ${waited} ms`);
  // A handshake that stops halfway is closed too.
  await new Promise<void>((ok) => {
    const s = connect(port, '127.0.0.1', () => s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x50])));
    s.on('error', () => undefined);
    s.on('close', () => ok());
  });
});

test('a client that leaves before its first byte frees its connection at once (the server\'s sockets are half-open)', async (t) => {
  const { port, server } = await serve(t, 'on', { timeoutMs: 10_000 });
  const count = () => new Promise<number>((ok) => server.getConnections((_e, n) => ok(n)));
  const s = connect(port, '127.0.0.1');
  await new Promise((ok) => s.once('connect', ok));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await count(), 1);
  s.end();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await count(), 0);
});

test('TLS with ALPN: http/1.1 is chosen for a client offering h2 first', async (t) => {
  const { port, ca } = await serve(t, 'on');
  const proto = await new Promise<string | false>((ok, fail) => {
    const s = tlsConnect({ host: '127.0.0.1', port, ca, ALPNProtocols: ['h2', 'http/1.1'] }, () => {
      ok(s.alpnProtocol ?? false);
      s.end();
    });
    s.on('error', fail);
  });
  assert.equal(proto, 'http/1.1');
});

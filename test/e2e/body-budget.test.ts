/**
 * Hostile load against a spawned server (so its RSS is its own): 60 sockets each push 15 MiB of a
 * 16 MB body and stall. The body budget (256 MiB) takes what fits, the rest get 503 unread,
 * health answers at once, the stalled bodies time out, and RSS returns near idle.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startProcess, type Running } from '../helpers/process.js';
import { fakeSigV4, partialBody } from '../helpers/partial-body.js';
import { clientConfig } from '../helpers/server.js';

const MiB = 1024 * 1024;
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const auth = fakeSigV4;

describe('memory stays bounded under hostile request bodies', () => {
  let srv: Running;
  before(async () => {
    srv = await startProcess(['--ephemeral', '--port', '0', '--log-level', 'debug', '--body-timeout', '4']);
  });
  after(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
  });

  test('clients that hang up mid-body are logged as disconnects at debug level, never as failures', async () => {
    const gone = Array.from({ length: 5 }, () => partialBody(srv.url, { declared: 1000, send: 10, headers: `Authorization: ${auth('sts')}\r\n` }));
    await sleep(300);
    for (const g of gone) g.destroy();
    await sleep(300);
    assert.match(srv.stderr(), /DEBUG client disconnected .*"path":"\/"/);
    assert.doesNotMatch(srv.stderr(), /ERROR/);
  });

  test('60 sockets x 15 MiB partial bodies: 503 past the budget, health stays prompt, RSS returns near idle', async () => {
    const pid = srv.child.pid!;
    assert.equal((await fetch(`${srv.url}/_cloudlet/health`)).status, 200);
    await sleep(300);
    const idle = rssMb(pid);
    const held = Array.from({ length: 60 }, () => partialBody(srv.url, { declared: 16_000_000, send: 15 * MiB, headers: `Authorization: ${auth('sts')}\r\n` }));
    // Once the budget is spent (the first 503s are out), an S3 request gets S3's answer.
    await Promise.race(held.map((h) => h.answered));
    const s3 = partialBody(srv.url, { method: 'PUT', path: '/some-bucket?policy', declared: 16_000_000, send: 0, headers: `Authorization: ${auth('s3')}\r\n` });
    let peak = idle;
    const t0 = Date.now();
    const health = await fetch(`${srv.url}/_cloudlet/health`);
    const healthMs = Date.now() - t0;
    assert.equal(health.status, 200);
    assert.ok(healthMs < 1000, `health answered in ${healthMs} ms under load`);
    for (let i = 0; i < 5; i++) { peak = Math.max(peak, rssMb(pid)); await sleep(100); }
    const s3Answer = await s3.status;
    assert.match(s3Answer, /^HTTP\/1\.1 503 /);
    assert.match(s3Answer, /<Code>SlowDown<\/Code><Message>Please reduce your request rate\./);
    // Stalled bodies time out (--body-timeout 4) and their connections close.
    const answers = await Promise.all(held.map((h) => h.status));
    const refused = answers.filter((a) => /^HTTP\/1\.1 503 /.test(a));
    const timedOut = answers.filter((a) => /^HTTP\/1\.1 408 /.test(a));
    // How many are refused depends on how far each body got before the budget ran out (bytes are
    // counted as they arrive), so only 'some' is certain; the bound itself is the peak RSS below.
    assert.ok(refused.length >= 1, `${refused.length} of 60 refused with 503`);
    assert.match(refused[0]!, /<Code>ServiceUnavailable<\/Code>/);
    assert.match(refused[0]!, /limit is 256 MiB/);
    assert.equal(refused.length + timedOut.length, 60, `every socket got an answer: ${answers.map((a) => a.split('\n')[0]).join(', ')}`);
    assert.match(timedOut[0]!, /<Code>RequestTimeout<\/Code>/);
    assert.ok(peak < idle + 256 + 100, `peak RSS ${peak.toFixed(0)} MB vs idle ${idle.toFixed(0)} MB: bounded by the budget`);
    await sleep(2500);
    const afterLoad = rssMb(pid);
    console.log(`[body budget] idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, after ${afterLoad.toFixed(0)} MB; ${refused.length} refused, ${timedOut.length} timed out; health ${healthMs} ms`);
    assert.ok(afterLoad < idle + 100, `RSS after the load ${afterLoad.toFixed(0)} MB, idle ${idle.toFixed(0)} MB`);
    // Real clients are served as before.
    const sts = new STSClient(clientConfig(srv.url));
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Account, '000000000000');
  });

  test('a body without even the shape of a signature is capped at 1 MiB, refused before it is read', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => partialBody(srv.url, { declared: 16_000_000, send: 0 }).status));
    for (const a of answers) {
      assert.match(a, /^HTTP\/1\.1 413 /);
      assert.match(a, /RequestEntityTooLarge/);
      assert.match(a, /maximum allowed size of 1048576 bytes for a request without a SigV4 signature/);
    }
  });

  test('a chunked body (no Content-Length) is counted as it arrives and cut off at the cap', async () => {
    const u = new URL(srv.url);
    const s = connect(Number(u.port), u.hostname);
    const got = new Promise<string>((done) => {
      let t = '';
      s.on('data', (d: Buffer) => { t += d.toString('latin1'); });
      s.on('error', () => {});
      s.on('close', () => done(t));
    });
    s.write(`POST / HTTP/1.1\r\nHost: ${u.host}\r\nAuthorization: ${auth('sts')}\r\nTransfer-Encoding: chunked\r\n\r\n`);
    const chunk = Buffer.alloc(MiB, 0x41);
    for (let i = 0; i < 17 && !s.destroyed; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`);
    const answer = await got;
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.match(answer, /maximum allowed size of 16777216 bytes/);
  });
});

describe('connection cap and header timeout', () => {
  let srv: Running;
  before(async () => {
    srv = await startProcess(['--ephemeral', '--port', '0', '--log-level', 'warn', '--max-connections', '4', '--headers-timeout', '1']);
  });
  after(async () => {
    srv.child.kill('SIGTERM');
    await srv.exited;
  });

  test('past --max-connections a new connection is closed on arrival; a freed slot serves again', async () => {
    const u = new URL(srv.url);
    const open = await Promise.all(Array.from({ length: 4 }, () => new Promise<ReturnType<typeof connect>>((ok) => {
      const s = connect(Number(u.port), u.hostname, () => ok(s));
      s.on('error', () => {});
    })));
    await sleep(200);
    await assert.rejects(fetch(`${srv.url}/_cloudlet/health`), 'the fifth connection is refused');
    assert.match(srv.stderr(), /WARN connection refused: at the connection limit .*"maxConnections":4/);
    for (const s of open) s.destroy();
    await sleep(200);
    assert.equal((await fetch(`${srv.url}/_cloudlet/health`)).status, 200);
  });

  test('a client that never finishes its headers is cut off after --headers-timeout', async () => {
    const u = new URL(srv.url);
    const t0 = Date.now();
    const answer = await new Promise<string>((done) => {
      const s = connect(Number(u.port), u.hostname);
      let got = '';
      s.on('data', (d: Buffer) => { got += d.toString(); });
      s.on('error', () => {});
      s.on('close', () => done(got));
      s.write(`GET /_cloudlet/health HTTP/1.1\r\nHost: ${u.host}\r\nX-Slow: `);
    });
    const ms = Date.now() - t0;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.ok(ms >= 900 && ms < 4000, `cut off after ${ms} ms`);
  });
});

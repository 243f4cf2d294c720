/**
 * The foundation's state edges, driven the way the reproductions in issue 13 drove them: a
 * real server process, plain HTTP and the CLI. Clock values, hostile imports, unreferenced
 * blobs, one server per data directory, file permissions.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { startProcess, type Running } from '../helpers/process.js';
import { clientConfig } from '../helpers/server.js';

const tmp = mkdtempSync(join(tmpdir(), 'cloudlet-hardening-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const dirFor = (label: string): string => join(tmp, `${label}-${n++}`);

async function stop(p: Running): Promise<void> {
  if (p.child.exitCode !== null) return;
  p.child.kill('SIGTERM');
  await p.exited;
}

const clockOf = async (url: string): Promise<{ status: number; body: { now?: string; offsetMs?: number; error?: string; message?: string } }> => {
  const r = await fetch(`${url}/_cloudlet/clock`);
  return { status: r.status, body: await r.json() as { now?: string; offsetMs?: number } };
};

describe('clock values are checked before they change anything', () => {
  test('a huge advance is refused (text/plain 415, JSON 400); the clock, writes and a restart are unaffected', async () => {
    const dir = dirFor('clock');
    let p = await startProcess(['--port', '0', '--data-dir', dir]);
    try {
      const ok = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"advance":"2d"}' });
      assert.equal(ok.status, 200);
      const before = (await clockOf(p.url)).body.offsetMs;
      assert.equal(before, 2 * 86_400_000);

      const plain = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"advance":"99999999999d"}' });
      assert.equal(plain.status, 415);
      assert.equal((await plain.json() as { error: string }).error, 'UnsupportedMediaType');
      const form = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', body: new URLSearchParams({ advance: '99999999999d' }) });
      assert.equal(form.status, 415);

      for (const advance of ['99999999999d', '36525d1ms', 1e300, '1'.repeat(80)]) {
        const r = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance }) });
        assert.equal(r.status, 400, String(advance));
        const b = await r.json() as { error: string; message: string };
        assert.equal(b.error, 'InvalidParameterValue');
        assert.match(b.message, /100 years|not a duration/);
      }
      const cli = await runClock(p.url, ['advance', '99999999999d']);
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /100 years/);

      const now = await clockOf(p.url);
      assert.equal(now.status, 200);
      assert.equal(now.body.offsetMs, before);
      await new IAMClient(clientConfig(p.url)).send(new CreateUserCommand({ UserName: 'after-bad-clock' }));
      await stop(p);
      p = await startProcess(['--port', '0', '--data-dir', dir]);
      assert.equal((await clockOf(p.url)).body.offsetMs, before);
    } finally {
      await stop(p);
    }
  });

  test('a bad offset an older version persisted is ignored with a warning: the server starts and serves writes', async () => {
    const dir = dirFor('old-clock');
    let p = await startProcess(['--port', '0', '--data-dir', dir]);
    await stop(p);
    const db = new Database(join(dir, 'state.db'));
    db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('clock_offset_ms', ?)`).run(String(99999999999 * 86_400_000));
    db.close();
    p = await startProcess(['--port', '0', '--data-dir', dir]);
    try {
      assert.match(p.stderr() + (await sleepThen(100, () => p.stderr())), /ignoring the stored clock offset/);
      const c = await clockOf(p.url);
      assert.equal(c.status, 200);
      assert.equal(c.body.offsetMs, 0);
      await new IAMClient(clientConfig(p.url)).send(new CreateUserCommand({ UserName: 'after-old-clock' }));
    } finally {
      await stop(p);
    }
    const check = new Database(join(dir, 'state.db'), { readonly: true });
    assert.equal(check.prepare(`SELECT value FROM meta WHERE key = 'clock_offset_ms'`).pluck().get(), '0', 'the record is fixed');
    check.close();
  });
});

async function sleepThen<T>(ms: number, fn: () => T): Promise<T> {
  await new Promise((r) => setTimeout(r, ms));
  return fn();
}

async function runClock(url: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const { runCli } = await import('../helpers/process.js');
  return runCli(['clock', ...args, '--endpoint', url]);
}

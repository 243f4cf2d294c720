import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startProcess } from '../helpers/process.js';

describe('cloudlet start, the admin API and the clock command', () => {
  test('prints one ready line, serves health, keeps state on disk, stops on SIGTERM in under a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cloudlet-start-'));
    try {
      const p = await startProcess(['--port', '0', '--data-dir', dir]);
      assert.match(p.readyLine, /^cloudlet \S+ ready on http:\/\/127\.0\.0\.1:\d+ \(data .*cloudlet-start-/);
      assert.ok(existsSync(join(dir, 'state.db')));
      const health = await (await fetch(`${p.url}/_cloudlet/health`)).json() as {
        status: string; version: string; services: Record<string, { operations: number; implemented: number }>;
      };
      assert.equal(health.status, 'running');
      assert.match(health.version, /^\d+\.\d+\.\d+/);
      assert.ok(health.services.ec2!.operations > 500);
      assert.ok(health.services.ec2!.implemented >= 2);
      assert.ok(health.services.sts!.implemented >= 1);
      for (const s of ['sts', 'iam', 'ec2', 's3', 'ecr', 'cloudwatch']) assert.ok(health.services[s], s);

      const adv = await runCli(['clock', 'advance', '31d', '--endpoint', p.url]);
      assert.equal(adv.code, 0, adv.stderr);
      const clock = await (await fetch(`${p.url}/_cloudlet/clock`)).json() as { now: string; offsetMs: number };
      assert.equal(clock.offsetMs, 31 * 86_400_000);
      assert.ok(Math.abs(Date.parse(clock.now) - (Date.now() + 31 * 86_400_000)) < 60_000);

      const t0 = Date.now();
      p.child.kill('SIGTERM');
      assert.equal(await p.exited, 0);
      assert.ok(Date.now() - t0 < 1000, `stopped in ${Date.now() - t0} ms`);

      // The clock is part of the state: it survives a restart.
      const again = await startProcess(['--port', '0'], { CLOUDLET_DATA_DIR: dir });
      const c2 = await (await fetch(`${again.url}/_cloudlet/clock`)).json() as { offsetMs: number };
      assert.equal(c2.offsetMs, 31 * 86_400_000);
      again.child.kill('SIGINT');
      assert.equal(await again.exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--ephemeral keeps nothing on disk; CLOUDLET_PORT is honoured; a busy port is a clear error', async () => {
    const p = await startProcess(['--ephemeral', '--port', '0']);
    assert.match(p.readyLine, /ephemeral/);
    const port = new URL(p.url).port;
    const clash = await runCli(['start', '--ephemeral'], { CLOUDLET_PORT: port });
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /already in use/);
    p.child.kill('SIGTERM');
    await p.exited;
  });

  test('bad flags and unknown commands explain themselves', async () => {
    const r = await runCli(['start', '--port', 'nope']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad port/);
    const u = await runCli(['frobnicate']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /unknown command/);
    const c = await runCli(['clock', '--endpoint', 'http://127.0.0.1:9']);
    assert.equal(c.code, 1);
    assert.match(c.stderr, /no server answers/);
  });

  test('admin API refuses bad clock requests', async () => {
    const p = await startProcess(['--ephemeral', '--port', '0']);
    try {
      const json = { 'content-type': 'application/json' };
      const bad = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', headers: json, body: '{"advance":"soon"}' });
      assert.equal(bad.status, 400);
      const back = await fetch(`${p.url}/_cloudlet/clock`, { method: 'POST', headers: json, body: '{"advance":"-5d"}' });
      assert.equal(back.status, 400);
      const nf = await fetch(`${p.url}/_cloudlet/nothing`);
      assert.equal(nf.status, 404);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile, tightenTree } from './perms.js';

const mode = (p: string): number => statSync(p).mode & 0o777;

test('tightenTree narrows directories to 0700 and files to 0600, never widens, follows only the root link', () => {
  const base = mkdtempSync(join(tmpdir(), 'cloudlet-perms-'));
  try {
    const dir = join(base, 'data');
    mkdirSync(join(dir, 'blobs', 'ab'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, 'state.db'), 'x', { mode: 0o644 });
    writeFileSync(join(dir, 'blobs', 'ab', 'cd'), 'x', { mode: 0o666 });
    writeFileSync(join(dir, 'readonly'), 'x', { mode: 0o400 });
    const outside = join(base, 'outside');
    writeFileSync(outside, 'x', { mode: 0o644 });
    symlinkSync(outside, join(dir, 'link'));
    chmodSync(dir, 0o755);
    const viaLink = join(base, 'volume');
    symlinkSync(dir, viaLink);
    tightenTree(viaLink);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'blobs')), 0o700);
    assert.equal(mode(join(dir, 'blobs', 'ab')), 0o700);
    assert.equal(mode(join(dir, 'state.db')), 0o600);
    assert.equal(mode(join(dir, 'blobs', 'ab', 'cd')), 0o600);
    assert.equal(mode(join(dir, 'readonly')), 0o400, 'not widened');
    assert.equal(mode(outside), 0o644, 'a link inside is not followed');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('ensurePrivateDir and ensurePrivateFile create 0700 / 0600 and narrow existing ones', () => {
  const base = mkdtempSync(join(tmpdir(), 'cloudlet-perms-'));
  try {
    const dir = join(base, 'a', 'b');
    ensurePrivateDir(dir);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(base, 'a')), 0o700);
    const f = join(dir, 'lock.db');
    ensurePrivateFile(f);
    assert.equal(mode(f), 0o600);
    chmodSync(f, 0o644);
    ensurePrivateFile(f);
    assert.equal(mode(f), 0o600);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

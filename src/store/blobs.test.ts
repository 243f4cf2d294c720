import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { createTempBlobStore, openDiskBlobStore } from './blobs.js';
import type { BlobStore } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'cloudlet-blobs-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `b${n++}`, 'not', 'yet', 'there');

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

const hex = (alg: string, data: Buffer): string => createHash(alg).update(data).digest('hex');

/** Every file under dir, relative, so "nothing was left behind" is one assertion. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name).slice(dir.length + 1))
    .sort();
}

function withStore(title: string, body: (blobs: BlobStore, dir: string) => Promise<void>): void {
  test(title, async () => {
    const dir = freshDir();
    const blobs = openDiskBlobStore(dir);
    try {
      await body(blobs, dir);
    } finally {
      blobs.close();
    }
  });
}

describe('disk blob store', () => {
  withStore('write, hashes, size, read whole and by inclusive range, delete', async (blobs, dir) => {
    const data = Buffer.from('hello, blob world \u{1F600}');
    const info = await blobs.write(Readable.from([data.subarray(0, 5), data.subarray(5)]));
    assert.match(info.id, /^[0-9a-f]{32}$/);
    assert.equal(info.size, data.length);
    assert.equal(info.sha256, hex('sha256', data));
    assert.equal(info.md5, hex('md5', data));
    assert.ok(existsSync(join(dir, info.id.slice(0, 2), info.id.slice(2))));
    assert.equal(blobs.size(info.id), data.length);
    assert.deepEqual(await readAll(blobs.read(info.id)), data);
    assert.deepEqual(await readAll(blobs.read(info.id, { start: 0, end: 0 })), data.subarray(0, 1));
    assert.deepEqual(await readAll(blobs.read(info.id, { start: 7, end: 11 })), data.subarray(7, 12));
    assert.deepEqual(await readAll(blobs.read(info.id, { start: 7, end: data.length - 1 })), data.subarray(7));
    blobs.delete(info.id);
    assert.equal(blobs.size(info.id), undefined);
    blobs.delete(info.id);
    blobs.delete('../../etc/passwd');
    // The file left its place at once; its unlink (in tmp/) finishes in the background.
    for (let i = 0; i < 200 && files(dir).length > 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(files(dir), []);
  });

  withStore('empty bodies, string chunks, equal bodies get separate blobs', async (blobs) => {
    const empty = await blobs.write(Readable.from([]));
    assert.equal(empty.size, 0);
    assert.equal(empty.md5, 'd41d8cd98f00b204e9800998ecf8427e');
    assert.deepEqual(await readAll(blobs.read(empty.id)), Buffer.alloc(0));
    const one = await blobs.write(Readable.from(['same ', 'text']));
    const two = await blobs.write(Readable.from([Buffer.from('same text')]));
    assert.notEqual(one.id, two.id);
    assert.equal(one.sha256, two.sha256);
    blobs.delete(one.id);
    assert.equal((await readAll(blobs.read(two.id))).toString(), 'same text');
  });

  withStore('missing or malformed ids: size undefined, read stream errors', async (blobs) => {
    for (const id of ['0'.repeat(32), 'nope', '../x']) {
      assert.equal(blobs.size(id), undefined);
      await assert.rejects(readAll(blobs.read(id)), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
    }
  });

  withStore('a read started before a delete still returns the whole body', async (blobs) => {
    const info = await blobs.write(Readable.from([Buffer.alloc(300_000, 7)]));
    const stream = blobs.read(info.id);
    blobs.delete(info.id);
    assert.equal((await readAll(stream)).length, 300_000);
  });

  withStore('over maxBytes: EntityTooLarge, nothing left, the source is stopped', async (blobs, dir) => {
    let produced = 0;
    async function* endless(): AsyncGenerator<Buffer> {
      for (;;) { produced++; yield Buffer.alloc(64 * 1024, 1); }
    }
    const source = Readable.from(endless());
    await assert.rejects(blobs.write(source, { maxBytes: 1_000_000 }), (e: Error & { code?: string }) =>
      e.code === 'EntityTooLarge');
    assert.ok(produced < 40, `source kept producing: ${produced}`);
    assert.ok(source.destroyed);
    assert.deepEqual(files(dir), []);
    const exact = await blobs.write(Readable.from([Buffer.alloc(1000)]), { maxBytes: 1000 });
    assert.equal(exact.size, 1000);
  });

  withStore('a failing source rejects with its error and leaves nothing', async (blobs, dir) => {
    const boom = new Error('connection reset');
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(500_000, 2);
      yield Buffer.alloc(500_000, 3);
      throw boom;
    }
    await assert.rejects(blobs.write(Readable.from(failing())), (e) => e === boom);
    const destroyed = new Readable({ read() { this.destroy(new Error('aborted')); } });
    await assert.rejects(blobs.write(destroyed), /aborted/);
    assert.deepEqual(files(dir), []);
  });

  withStore('streams 50 MiB from a generator without buffering it', async (blobs) => {
    const total = 50 * 1024 * 1024;
    const chunk = 64 * 1024;
    const expect = createHash('sha256');
    async function* generate(): AsyncGenerator<Buffer> {
      for (let off = 0; off < total; off += chunk) {
        const b = Buffer.allocUnsafe(chunk).fill(off / chunk);
        expect.update(b);
        yield b;
      }
    }
    global.gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakBuffers = base.arrayBuffers;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
    }, 5);
    let info;
    try {
      info = await blobs.write(Readable.from(generate()));
    } finally {
      clearInterval(sampler);
    }
    assert.equal(info.size, total);
    assert.equal(info.sha256, expect.digest('hex'));
    assert.equal(blobs.size(info.id), total);
    // Garbage from the generator may linger until the next GC, so the bound is loose;
    // holding the body would cost 50 MiB of buffers on its own.
    const mib = (x: number): number => Math.round(x / 2 ** 20);
    assert.ok(peakBuffers - base.arrayBuffers < 40 * 2 ** 20, `buffers grew by ${mib(peakBuffers - base.arrayBuffers)} MiB`);
    assert.ok(peakRss - base.rss < 120 * 2 ** 20, `rss grew by ${mib(peakRss - base.rss)} MiB`);
    const tail = await readAll(blobs.read(info.id, { start: total - 3, end: total - 1 }));
    assert.deepEqual(tail, Buffer.alloc(3, (total - chunk) / chunk));
  });

  withStore('parallel writes, clear, and stale temp files are dropped on open', async (blobs, dir) => {
    const infos = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      blobs.write(Readable.from([Buffer.from(`body ${i}`)]))));
    for (const [i, info] of infos.entries()) {
      assert.equal((await readAll(blobs.read(info.id))).toString(), `body ${i}`);
    }
    blobs.clear();
    assert.deepEqual(files(dir), []);
    assert.equal(blobs.size(infos[0]!.id), undefined);
    const again = await blobs.write(Readable.from([Buffer.from('after clear')]));
    assert.equal(blobs.size(again.id), 11);
    writeFileSync(join(dir, 'tmp', 'half-written'), 'x');
    openDiskBlobStore(dir).close();
    assert.deepEqual(files(dir), [join(again.id.slice(0, 2), again.id.slice(2))]);
  });
});

describe('temp blob store', () => {
  test('lives in a fresh dir under os.tmpdir() that close() removes', async () => {
    const parent = mkdtempSync(join(root, 'tmpdir-'));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = parent;
    let a: BlobStore;
    let b: BlobStore;
    try {
      a = createTempBlobStore();
      b = createTempBlobStore();
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    assert.equal(readdirSync(parent).length, 2);
    const info = await a.write(Readable.from([Buffer.from('ephemeral')]));
    assert.equal(b.size(info.id), undefined);
    assert.equal((await readAll(a.read(info.id))).toString(), 'ephemeral');
    a.close();
    assert.equal(readdirSync(parent).length, 1);
    b.close();
    assert.deepEqual(readdirSync(parent), []);
    await assert.rejects(a.write(Readable.from([Buffer.from('late')])), /closed/);
  });
});

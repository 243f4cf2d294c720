import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Clock } from '../core/clock.js';
import { createLogger } from '../core/log.js';
import { createTempBlobStore, openDiskBlobStore } from '../store/blobs.js';
import { createMemoryStore } from '../store/memory.js';
import { openSqliteStore } from '../store/sqlite.js';
import { GLOBAL_ACCOUNT, type BlobStore, type Store } from '../store/types.js';
import { ARCHIVE_MAGIC, readArchive, writeArchive } from './archive.js';
import { isStateError } from './errors.js';
import { COMMIT_KEY, StateManager, type StateFaults } from './manager.js';
import { checkSnapshotName } from './names.js';
import { resetSelectors } from './reset.js';
import { fingerprint } from './testkit.js';

const root = mkdtempSync(join(tmpdir(), 'cloudlet-state-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => {
  const d = join(root, `d${n++}`);
  mkdirSync(d, { recursive: true });
  return d;
};

const A = { account: '111111111111', region: 'us-east-1' };
const B = { account: '222222222222', region: '' };
const G = { account: GLOBAL_ACCOUNT, region: '' };
const SERVICES = ['iam', 'sts', 's3', 'ec2', 'ecr'];

interface Env { dir: string; store: Store; blobs: BlobStore; clock: Clock; state: StateManager; faults: StateFaults; reopen(): Env; close(): Promise<void> }

/** A manager on a data directory (sqlite) or in memory, with a fault hook tests can arm. */
function env(kind: 'sqlite' | 'memory' = 'sqlite', dir = fresh()): Env {
  const store = kind === 'sqlite' ? openSqliteStore(join(dir, 'state.db')) : createMemoryStore();
  const blobs = kind === 'sqlite' ? openDiskBlobStore(join(dir, 'blobs')) : createTempBlobStore();
  const clock = new Clock(Number(store.getMeta('clock_offset_ms') ?? 0));
  const faults: StateFaults = {};
  const state = new StateManager({
    store, blobs, clock, log: createLogger('silent'), version: '9.9.9', root: dir, storeKind: kind, services: SERVICES,
    faults: { beforeWrite: (what, path) => faults.beforeWrite?.(what, path) },
  });
  const e: Env = {
    dir, store, blobs, clock, state, faults,
    reopen: () => env(kind, dir),
    close: async () => { await state.close(); store.close(); blobs.close(); },
  };
  return e;
}

const enospc = (): Error => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

async function populate(e: Env, tag: string, blobCount = 3): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < blobCount; i++) ids.push((await e.blobs.write(Readable.from([Buffer.from(`${tag} blob ${i} `.repeat(1000))]))).id);
  await e.store.transaction((tx) => {
    for (let i = 0; i < 10; i++) tx.put(A, 'iam:user', `${tag}-${i}`, { tag, i });
    ids.forEach((id, i) => tx.put(A, 's3:object', `${tag}/${i}`, { blobId: id }));
    tx.put(G, 'access-key', `AKIA${tag}`, { principal: { account: A.account, kind: 'user' } });
  });
  return ids;
}

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function exportBuffer(state: StateManager, snapshot?: string): Promise<Buffer> {
  const out = new PassThrough();
  const [, buf] = await Promise.all([state.exportArchive(out, { snapshot }), bytesOf(out)]);
  return buf;
}

describe('snapshot names', () => {
  test('allowed and refused names', () => {
    for (const ok of ['a', 'A-b_c.1', 'x'.repeat(64), '.hidden', '...']) assert.equal(checkSnapshotName(ok), ok);
    for (const bad of ['', '.', '..', 'a/b', '../x', 'a\\b', 'x'.repeat(65), 'sp ace', 'ü', 'a\u0000', '%2e%2e', undefined, 5]) {
      assert.throws(() => checkSnapshotName(bad), (err: unknown) => isStateError(err) && err.code === 'InvalidSnapshotName' && err.status === 400, String(bad));
    }
  });
});

describe('archive format', () => {
  const meta = { format: 1, cloudletVersion: '9.9.9', schemaVersion: 1, createdAt: '2026-01-01T00:00:00.000Z' };

  function source(): { dir: string; entries: Array<{ name: string; file: string }> } {
    const dir = fresh();
    writeFileSync(join(dir, 'db'), 'SQLite format 3\u0000 pretend');
    writeFileSync(join(dir, 'b1'), Buffer.alloc(300_000, 7));
    writeFileSync(join(dir, 'b2'), '');
    return {
      dir,
      entries: [
        { name: 'state.db', file: join(dir, 'db') },
        { name: `blobs/ab/${'c'.repeat(30)}`, file: join(dir, 'b1') },
        { name: `blobs/ff/${'0'.repeat(30)}`, file: join(dir, 'b2') },
      ],
    };
  }

  async function archiveBytes(): Promise<Buffer> {
    const out = new PassThrough();
    const [, buf] = await Promise.all([writeArchive(meta, source().entries, out), bytesOf(out)]);
    return buf;
  }

  const read = (buf: Buffer) => readArchive(Readable.from([buf]), fresh());
  const invalid = (re: RegExp) => (err: unknown) => isStateError(err) && err.code === 'InvalidArchive' && re.test(err.message);

  test('round trip: magic, metadata, every entry byte for byte', async () => {
    const buf = await archiveBytes();
    assert.deepEqual(buf.subarray(0, 2), Buffer.from([0x1f, 0x8b]));
    assert.deepEqual(gunzipSync(buf).subarray(0, 8), ARCHIVE_MAGIC);
    const dest = fresh();
    const r = await readArchive(Readable.from([buf]), dest);
    assert.deepEqual(r.meta, meta);
    assert.deepEqual(r.names, ['state.db', `blobs/ab/${'c'.repeat(30)}`, `blobs/ff/${'0'.repeat(30)}`]);
    assert.equal(readFileSync(join(dest, 'blobs', 'ab', 'c'.repeat(30))).length, 300_000);
    assert.equal(readFileSync(join(dest, 'state.db'), 'utf8'), 'SQLite format 3\u0000 pretend');
  });

  test('truncated anywhere: refused as truncated', async () => {
    const buf = await archiveBytes();
    for (const cut of [1, 10, 30, Math.floor(buf.length / 2), buf.length - 9, buf.length - 1]) {
      await assert.rejects(read(buf.subarray(0, cut)), invalid(/truncated|not a cloudlet/), `cut at ${cut}`);
    }
    // A valid gzip stream around a container cut short.
    const raw = gunzipSync(buf);
    for (const cut of [5, 20, 200, raw.length - 13, raw.length - 1]) {
      await assert.rejects(read(gzipSync(raw.subarray(0, cut))), invalid(cut < 8 ? /too short/ : /truncated/), `container cut at ${cut}`);
    }
  });

  test('corrupt data, bad magic, bad names, duplicates, trailing bytes, not gzip', async () => {
    const raw = gunzipSync(await archiveBytes());
    const flipped = Buffer.from(raw);
    const at = raw.indexOf(Buffer.alloc(64, 7));
    flipped[at + 100] = 8;
    await assert.rejects(read(gzipSync(flipped)), invalid(/corrupt \(sha256 mismatch\)/));
    const magic = Buffer.from(raw);
    magic[1] = 0x44;
    await assert.rejects(read(gzipSync(magic)), invalid(/bad magic/));
    await assert.rejects(read(Buffer.from('plain text, not an archive')), invalid(/not a cloudlet state archive/));
    await assert.rejects(read(gzipSync(Buffer.from('hi'))), invalid(/too short/));
    await assert.rejects(read(Buffer.concat([await archiveBytes(), gzipSync(Buffer.from('x'))])), invalid(/after the end/));
    for (const name of ['../../etc/passwd', 'blobs/ab/../../x', '/abs', 'state.db/x', 'blobs/AB/' + 'c'.repeat(30)]) {
      // The writer refuses such names too, so splice them into the bytes by hand.
      const nameBuf = Buffer.from(name);
      const good = Buffer.from(`blobs/ab/${'c'.repeat(30)}`);
      const i = raw.indexOf(good);
      const evil = Buffer.concat([raw.subarray(0, i - 2), Buffer.from([0, nameBuf.length]), nameBuf, raw.subarray(i + good.length)]);
      await assert.rejects(read(gzipSync(evil)), invalid(/unexpected entry/), name);
    }
    const dup = source();
    dup.entries.push(dup.entries[1]!);
    const out = new PassThrough();
    const [, dupBytes] = await Promise.all([writeArchive(meta, dup.entries, out), bytesOf(out)]);
    await assert.rejects(read(dupBytes), invalid(/duplicate entry/));
  });

  test('a newer format version is refused before anything else is read', async () => {
    const raw = gunzipSync(await archiveBytes());
    const v2 = Buffer.from(raw);
    v2.writeUInt32BE(2, 8);
    await assert.rejects(read(gzipSync(v2)), (err: unknown) =>
      isStateError(err) && err.code === 'UnsupportedVersion' && /format version 2, newer/.test(err.message));
  });

  test('a failing destination (ENOSPC) rejects the export', async () => {
    let written = 0;
    const full = new Writable({
      write(chunk: Buffer, _enc, done) {
        written += chunk.length;
        done(written > 10_000 ? enospc() : null);
      },
    });
    const big = source();
    writeFileSync(join(big.dir, 'b1'), randomBytes(400_000));
    await assert.rejects(writeArchive(meta, big.entries, full), { code: 'ENOSPC' });
  });
});

for (const kind of ['sqlite', 'memory'] as const) {
  describe(`state manager (${kind} store)`, () => {
    test('save, change, load: exactly the saved state, blobs and clock included', async () => {
      const e = env(kind);
      try {
        await populate(e, 'one');
        e.clock.advance(5000);
        e.store.setMeta('clock_offset_ms', '5000');
        const saved = await fingerprint(e.store, e.blobs);
        const info = await e.state.save('snap');
        assert.equal(info.rows, 14);
        assert.equal(info.blobs, 3);
        assert.equal(info.clockOffsetMs, 5000);
        await populate(e, 'two');
        await e.state.reset({ account: A.account, service: 's3' });
        e.clock.setOffset(0);
        assert.notEqual((await fingerprint(e.store, e.blobs)).digest, saved.digest);
        await e.state.load('snap');
        assert.equal((await fingerprint(e.store, e.blobs)).digest, saved.digest);
        assert.equal(e.clock.offset(), 5000);
        // Loading again, and saving over a name, work the same.
        await e.state.save('snap');
        await e.state.load('snap');
        assert.equal((await fingerprint(e.store, e.blobs)).digest, saved.digest);
        assert.deepEqual(e.state.list().map((s) => s.name), ['snap']);
        await assert.rejects(e.state.load('nope'), (err: unknown) => isStateError(err) && err.status === 404);
        // A snapshot written by a newer cloudlet (format 2) is refused, and left alone.
        const manifestFile = join(e.dir, 'snapshots', 'snap', 'manifest.json');
        const manifest = readFileSync(manifestFile, 'utf8');
        writeFileSync(manifestFile, manifest.replace('"format": 1', '"format": 2'));
        await assert.rejects(e.state.load('snap'), (err: unknown) => isStateError(err) && err.code === 'UnsupportedVersion' && /format 2, newer/.test(err.message));
        writeFileSync(manifestFile, manifest);
        await e.state.delete('snap');
        assert.deepEqual(e.state.list(), []);
        await assert.rejects(e.state.delete('snap'), (err: unknown) => isStateError(err) && err.code === 'NoSuchSnapshot');
      } finally {
        await e.close();
      }
    });

    test('export, import into another manager: same state; newer schema refused', async () => {
      const a = env(kind);
      const b = env(kind === 'sqlite' ? 'memory' : 'sqlite');
      try {
        await populate(a, 'exp', 4);
        const want = await fingerprint(a.store, a.blobs);
        const buf = await exportBuffer(a.state);
        await populate(b, 'other');
        const r = await b.state.importArchive(Readable.from([buf]));
        assert.equal(r.rows, want.rows);
        assert.equal((await fingerprint(b.store, b.blobs)).digest, want.digest);
        // Exporting a snapshot instead of the live state.
        await a.state.save('s1');
        await a.state.reset();
        assert.equal((await fingerprint(a.store, a.blobs)).rows, 0);
        await a.state.importArchive(Readable.from([await exportBuffer(a.state, 's1')]));
        assert.equal((await fingerprint(a.store, a.blobs)).digest, want.digest);
        // An archive of a newer schema.
        const raw = gunzipSync(buf);
        const metaLen = raw.readUInt32BE(12);
        const meta = JSON.parse(raw.subarray(16, 16 + metaLen).toString()) as Record<string, unknown>;
        const newer = Buffer.from(JSON.stringify({ ...meta, schemaVersion: 99 }));
        const lenBuf = Buffer.alloc(4);
        lenBuf.writeUInt32BE(newer.length);
        const patched = Buffer.concat([raw.subarray(0, 12), lenBuf, newer, raw.subarray(16 + metaLen)]);
        await assert.rejects(b.state.importArchive(Readable.from([gzipSync(patched)])), (err: unknown) =>
          isStateError(err) && err.code === 'UnsupportedVersion' && /schema version 99/.test(err.message));
        assert.equal((await fingerprint(b.store, b.blobs)).digest, want.digest);
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('reset: all, one account, one service; blobs of removed rows only; clock', async () => {
      const e = env(kind);
      try {
        const ids = await populate(e, 'r');
        const shared = (await e.blobs.write(Readable.from([Buffer.from('shared')]))).id;
        const orphan = (await e.blobs.write(Readable.from([Buffer.from('orphan')]))).id;
        await e.store.transaction((tx) => {
          tx.put(A, 's3:object', 'shared-a', { blobId: shared });
          tx.put(B, 'ecr:layer', 'shared-b', { blobs: [shared] });
          tx.put(B, 'iam:user', 'bob', {});
          tx.put(G, 'access-key', 'AKIABOB', { principal: { account: B.account, kind: 'user' } });
          tx.put(G, 'access-key', 'ASIAROOT', { sessionToken: 't', principal: { account: B.account, kind: 'root' } });
          tx.put(G, 's3:bucket-name', 'bkt', { account: A.account });
        });
        e.clock.advance(1000);
        let r = await e.state.reset({ service: 's3', keepClock: true });
        assert.equal(r.rows, 5);
        assert.equal(r.clockReset, false);
        assert.equal(e.clock.offset(), 1000);
        assert.deepEqual(e.blobs.ids().sort(), [shared, orphan].sort(), 'blobs only s3 rows referenced are gone; shared and unreferenced stay');
        assert.ok(ids.every((id) => e.blobs.size(id) === undefined));
        r = await e.state.reset({ service: 'iam', account: B.account });
        assert.equal(r.rows, 2, 'bob and his key; the root session is not IAM state');
        assert.equal(r.clockReset, true, 'a partial reset also returns the clock to real time');
        assert.equal(e.clock.offset(), 0);
        assert.equal(e.store.getMeta('clock_offset_ms'), '0');
        e.clock.advance(1000);
        r = await e.state.reset({ account: B.account, keepClock: true });
        assert.equal(r.rows, 2, 'the ECR row and the root session');
        assert.deepEqual(e.blobs.ids(), [orphan], 'the last reference to the shared blob went with account B');
        r = await e.state.reset({ keepClock: true });
        assert.equal(r.clockReset, false);
        assert.equal(e.clock.offset(), 1000);
        assert.equal(e.store.getMeta('clock_offset_ms'), '1000');
        r = await e.state.reset();
        assert.equal(r.clockReset, true);
        assert.equal(e.clock.offset(), 0);
        assert.deepEqual(e.blobs.ids(), []);
        assert.equal((await fingerprint(e.store, e.blobs)).rows, 0);
        await assert.rejects(e.state.reset({ service: 'nope' }), (err: unknown) => isStateError(err) && err.status === 400);
        await assert.rejects(e.state.reset({ account: '12' }), /12-digit/);
      } finally {
        await e.close();
      }
    });

    test('a full disk during save leaves no snapshot, the earlier one intact, the state untouched', async () => {
      const e = env(kind);
      try {
        await populate(e, 'disk');
        await e.state.save('keep');
        const keep = await exportBuffer(e.state, 'keep');
        await populate(e, 'more');
        const live = await fingerprint(e.store, e.blobs);
        for (const at of ['dump', 'blob', 'manifest'] as const) {
          // The second blob (so one is already linked), or the first dump / manifest.
          const nth = at === 'blob' ? 2 : 1;
          let calls = 0;
          e.faults.beforeWrite = (what) => { if (what === at && ++calls === nth) throw enospc(); };
          for (const name of ['new', 'keep']) {
            await assert.rejects(e.state.save(name), (err: unknown) =>
              isStateError(err) && err.code === 'InsufficientStorage' && err.status === 507 && /disk is full/.test(err.message), `${at} ${name}`);
            calls = 0;
          }
        }
        e.faults.beforeWrite = undefined;
        assert.deepEqual(e.state.list().map((s) => s.name), ['keep']);
        assert.deepEqual(readdirSync(join(e.dir, 'snapshots')), ['keep']);
        assert.equal(readdirSync(join(e.dir, 'snapshots', 'keep')).filter((f) => f.startsWith('d-')).length, 1);
        assert.deepEqual(await exportBuffer(e.state, 'keep').then((b) => gunzipSync(b).length), gunzipSync(keep).length);
        assert.equal((await fingerprint(e.store, e.blobs)).digest, live.digest);
      } finally {
        await e.close();
      }
    });

    test('a full disk during export, import or load changes nothing', async () => {
      const e = env(kind);
      try {
        await populate(e, 'x');
        await e.state.save('s');
        const archive = await exportBuffer(e.state);
        await populate(e, 'y');
        const live = await fingerprint(e.store, e.blobs);
        const blobsBefore = e.blobs.ids().sort();
        // Export into a stream that fills up.
        let written = 0;
        const full = new Writable({ write(c: Buffer, _e, done) { written += c.length; done(written > 100 ? enospc() : null); } });
        await assert.rejects(e.state.exportArchive(full), (err: unknown) => isStateError(err) && err.code === 'InsufficientStorage');
        // Import: the disk fills while unpacking, or while adding blobs, or at the commit.
        for (const at of ['blob', 'adopt', 'replace'] as const) {
          e.faults.beforeWrite = (what) => { if (what === at) throw enospc(); };
          await assert.rejects(e.state.importArchive(Readable.from([archive])), (err: unknown) => isStateError(err) && err.code === 'InsufficientStorage', at);
          if (at !== 'blob') await assert.rejects(e.state.load('s'), (err: unknown) => isStateError(err) && err.code === 'InsufficientStorage');
          e.faults.beforeWrite = undefined;
          assert.equal((await fingerprint(e.store, e.blobs)).digest, live.digest, at);
          assert.deepEqual(e.blobs.ids().sort(), blobsBefore, at);
        }
        assert.deepEqual(readdirSync(join(e.dir, 'state-work')), []);
        assert.ok(!existsSync(join(e.dir, 'state-journal.json')));
      } finally {
        await e.close();
      }
    });
  });
}

describe('state manager recovery (what a kill -9 leaves behind)', () => {
  test('a journal whose commit did not happen: the blobs it added go', async () => {
    const e = env();
    await populate(e, 'base');
    const before = await fingerprint(e.store, e.blobs);
    const extra = (await e.blobs.write(Readable.from([Buffer.from('added by a load that died')]))).id;
    writeFileSync(join(e.dir, 'state-journal.json'), JSON.stringify({ id: 'deadbeef', op: 'test', added: [extra], dropped: e.blobs.ids().filter((x) => x !== extra) }));
    await e.close();
    const again = e.reopen();
    try {
      assert.equal((await fingerprint(again.store, again.blobs)).digest, before.digest);
      assert.ok(!existsSync(join(e.dir, 'state-journal.json')));
    } finally {
      await again.close();
    }
  });

  test('a journal whose commit happened: the blobs it dropped go', async () => {
    const e = env();
    const ids = await populate(e, 'old');
    await e.store.exclusive((ops) => ops.deleteRows([{}], { set: { [COMMIT_KEY]: 'c0ffee' } }));
    writeFileSync(join(e.dir, 'state-journal.json'), JSON.stringify({ id: 'c0ffee', op: 'test', added: [], dropped: ids }));
    await e.close();
    const again = e.reopen();
    try {
      assert.deepEqual(again.blobs.ids(), []);
    } finally {
      await again.close();
    }
  });

  test('half-written snapshots and leftovers are swept at start; complete ones stay', async () => {
    const e = env();
    await populate(e, 'p');
    await e.state.save('good');
    mkdirSync(join(e.dir, 'snapshots', 'half', 'd-0123'), { recursive: true });
    writeFileSync(join(e.dir, 'snapshots', 'half', 'd-0123', 'state.db'), 'partial');
    mkdirSync(join(e.dir, 'snapshots', 'good', 'd-99'), { recursive: true });
    writeFileSync(join(e.dir, 'snapshots', 'good', 'manifest.json.tmp-1'), '{');
    mkdirSync(join(e.dir, 'state-work', 'import-1'), { recursive: true });
    await e.close();
    const again = e.reopen();
    try {
      assert.deepEqual(readdirSync(join(e.dir, 'snapshots')), ['good']);
      assert.equal(readdirSync(join(e.dir, 'snapshots', 'good')).length, 2);
      assert.deepEqual(readdirSync(join(e.dir, 'state-work')), []);
      await again.state.load('good');
    } finally {
      await again.close();
    }
  });

  test('reset selectors cover future services by convention', () => {
    assert.equal(resetSelectors({}), undefined);
    const sel = resetSelectors({ service: 'vpc' })!;
    assert.deepEqual(sel.map((s) => s.kindPrefix), ['vpc:']);
    const acct = resetSelectors({ account: A.account })!;
    assert.equal(acct.length, 2);
    assert.ok(acct[1]!.where!({ account: A.account }));
    assert.ok(acct[1]!.where!({ principal: { account: A.account } }));
    assert.ok(!acct[1]!.where!({ principal: { account: B.account } }));
    // IAM's access-key rows carry the user's ARN, not an account field.
    assert.ok(acct[1]!.where!({ accessKeyId: 'AKIA1', principal: { kind: 'user', arn: `arn:aws:iam::${A.account}:user/x` } }));
    assert.ok(acct[1]!.where!({ principal: { kind: 'assumed-role', arn: `arn:aws:sts::${A.account}:assumed-role/r/s` } }));
    assert.ok(!acct[1]!.where!({ principal: { arn: `arn:aws:iam::${B.account}:user/x` } }));
    assert.ok(!acct[1]!.where!({ note: 'no owner' }));
  });

  test('the archive stream of a file works with createReadStream input', async () => {
    const e = env();
    try {
      await populate(e, 'f');
      const file = join(e.dir, 'a.gz');
      writeFileSync(file, await exportBuffer(e.state));
      const want = await fingerprint(e.store, e.blobs);
      await e.state.reset();
      await e.state.importArchive(createReadStream(file));
      assert.equal((await fingerprint(e.store, e.blobs)).digest, want.digest);
      await assert.rejects(e.state.importArchive(createReadStream(join(e.dir, 'missing.gz'))), { code: 'ENOENT' });
    } finally {
      await e.close();
    }
  });
});

import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import Database from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { linkOrCopy } from '../store/blobs.js';
import { Mutex } from '../store/memory.js';
import { SCHEMA_VERSION, SchemaError, migrateDatabase, newerSchemaMessage, readSchemaVersion } from '../store/schema.js';
import { rowMatches } from '../store/state-ops.js';
import { BLOB_ID, type BlobStore, type RowSelector, type StateOps, type Store } from '../store/types.js';
import { blobEntryName, readArchive, writeArchive, type ArchiveEntry, type ArchiveMeta, ARCHIVE_FORMAT } from './archive.js';
import { StateError, diskFull } from './errors.js';
import { fsyncDir, fsyncDirSync, randomId, removeTree, writeFileAtomic } from './fsutil.js';
import { checkSnapshotName } from './names.js';
import { checkResetFilter, collectBlobRefs, resetSelectors, type ResetFilter } from './reset.js';

/**
 * Reset, snapshots, export/import: operations on the state as a whole (the store's rows and
 * meta plus every blob), never per service, so services added later are covered unchanged.
 *
 * Layout under `root` (DATA_DIR, or a temporary directory for an ephemeral server):
 *
 *   snapshots/NAME/manifest.json   the snapshot's commit record: names its data directory
 *   snapshots/NAME/d-ID/state.db   a self-contained SQLite copy of rows and meta
 *   snapshots/NAME/d-ID/blobs/…    hard links to the blob files (copies across file systems)
 *   state-work/                    staging for loads, exports and imports; emptied at start
 *   state-journal.json             present only while a load, import or reset changes blobs
 *
 * Consistency. Every capture (save, export) and every change (reset, load, import) runs in
 * Store.exclusive: no request transaction runs meanwhile, so requests see the state before
 * or after, never a mix. Blobs are immutable files with random ids, so hard links share them
 * safely between the live store and snapshots.
 *
 * Crash safety (kill -9 at any point):
 *  - save: the snapshot is written into a fresh d-ID directory; writing manifest.json
 *    (atomically: temp file, fsync, rename) commits it. Before that, NAME shows its previous
 *    snapshot (or none); leftovers are swept at start.
 *  - load / import / reset: the journal (written before any change) lists the blobs to add and
 *    those to drop. Blobs are added first (harmless: nothing references them), then one
 *    SQLite transaction replaces the rows and meta and records the journal's id in meta: that
 *    is the commit point. Then the dropped blobs are deleted and the journal removed. At
 *    start, a leftover journal is finished: committed (its id is in meta) -> drop the old
 *    blobs; not committed -> remove the added ones. Either way the state is the old one or
 *    the new one, whole.
 */

const SNAPSHOT_FORMAT = 1;
/** Meta key holding the id of the last committed journal. */
export const COMMIT_KEY = 'state_commit';

export interface SnapshotInfo {
  name: string;
  createdAt: string;
  cloudletVersion: string;
  schemaVersion: number;
  store: string;
  rows: number;
  blobs: number;
  blobBytes: number;
  clockOffsetMs: number;
}

interface Manifest extends SnapshotInfo {
  format: number;
  /** The data directory (d-ID) inside the snapshot's directory. */
  data: string;
}

interface Journal {
  id: string;
  op: string;
  added: string[];
  dropped: string[];
}

export interface ResetOptions extends ResetFilter {
  /** Keep the clock's offset; by default every reset (full or partial) returns the clock to real time. */
  keepClock?: boolean;
}

export interface ResetResult {
  scope: 'all' | { account?: string; service?: string };
  rows: number;
  blobs: number;
  clockReset: boolean;
  /** The whole reset. */
  ms: number;
  /** How long requests were held back (the store's transaction lock). */
  lockedMs: number;
}

export interface StateFaults {
  /** Called before each write a state operation makes; throw (e.g. ENOSPC) to simulate failures. */
  beforeWrite?(what: 'dump' | 'blob' | 'manifest' | 'adopt' | 'replace' | 'archive', path?: string): void;
}

export interface StateManagerOptions {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
  version: string;
  root: string;
  /** 'sqlite' or 'memory': recorded in snapshots and archives. */
  storeKind: string;
  /** Service names a reset may name. */
  services: readonly string[];
  /** Remove `root` on close (ephemeral servers). */
  removeRootOnClose?: boolean;
  faults?: StateFaults;
}

export class StateManager {
  readonly root: string;
  readonly snapshotsDir: string;
  private readonly workDir: string;
  private readonly journalFile: string;
  private readonly lock = new Mutex();
  private closed = false;

  constructor(private readonly o: StateManagerOptions) {
    this.root = o.root;
    this.snapshotsDir = join(o.root, 'snapshots');
    this.workDir = join(o.root, 'state-work');
    this.journalFile = join(o.root, 'state-journal.json');
    mkdirSync(this.snapshotsDir, { recursive: true });
    this.recoverJournal();
    rmSync(this.workDir, { recursive: true, force: true });
    mkdirSync(this.workDir, { recursive: true });
    this.sweepSnapshots();
  }

  // ------------------------------------------------------------------ recovery

  /** Finishes a load, import or reset that a crash (or an I/O error) interrupted. */
  private recoverJournal(): void {
    let journal: Journal;
    try {
      journal = JSON.parse(readFileSync(this.journalFile, 'utf8')) as Journal;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      // Written atomically, so this is not ours half-written; leave it for a human.
      throw new Error(`${this.journalFile} is unreadable (${(err as Error).message}); move it away to start`);
    }
    const committed = this.o.store.getMeta(COMMIT_KEY) === journal.id;
    const remove = committed ? journal.dropped : journal.added;
    for (const id of remove) if (BLOB_ID.test(id)) this.o.blobs.delete(id);
    rmSync(this.journalFile, { force: true });
    fsyncDirSync(this.root);
    this.o.log.warn(`finished an interrupted state ${journal.op}`, { committed, blobsRemoved: remove.length });
  }

  /** Data directories no manifest names (saves cut short, replaced snapshots). */
  private sweepSnapshots(): void {
    for (const name of readdirSync(this.snapshotsDir)) {
      const dir = join(this.snapshotsDir, name);
      if (!statSync(dir).isDirectory()) continue;
      let manifest: Manifest | undefined;
      const manifestFile = join(dir, 'manifest.json');
      if (existsSync(manifestFile)) {
        try {
          manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
        } catch {
          this.o.log.warn('snapshot manifest is unreadable; leaving the snapshot alone', { snapshot: name });
          continue;
        }
      }
      for (const entry of readdirSync(dir)) {
        if ((entry.startsWith('d-') && entry !== manifest?.data) || entry.startsWith('manifest.json.tmp-')) {
          rmSync(join(dir, entry), { recursive: true, force: true });
        }
      }
      if (!manifest && readdirSync(dir).length === 0) rmSync(dir, { recursive: true, force: true });
    }
  }

  // ------------------------------------------------------------------ plumbing

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the server is shutting down');
    await this.lock.acquire();
    try {
      if (this.closed) throw new Error('the server is shutting down');
      if (existsSync(this.journalFile)) this.recoverJournal();
      return await fn();
    } finally {
      this.lock.release();
    }
  }

  private fault(what: Parameters<NonNullable<StateFaults['beforeWrite']>>[0], path?: string): void {
    this.o.faults?.beforeWrite?.(what, path);
  }

  private async writeJournal(j: Journal): Promise<void> {
    await writeFileAtomic(this.journalFile, JSON.stringify(j));
  }

  /** Before the commit, on failure: nothing to finish. */
  private async dropJournal(): Promise<void> {
    if (!existsSync(this.journalFile)) return;
    rmSync(this.journalFile, { force: true });
    await fsyncDir(this.root);
  }

  /** After the commit: the old blobs go, then the journal. */
  private async finishJournal(dropped: string[]): Promise<void> {
    for (const id of dropped) this.o.blobs.delete(id);
    await this.dropJournal();
  }

  /** Blob files under dir/blobs/XX/YYYY… as {id, file}. */
  private async blobFiles(dir: string): Promise<Array<{ id: string; file: string }>> {
    const out: Array<{ id: string; file: string }> = [];
    const base = join(dir, 'blobs');
    if (!existsSync(base)) return out;
    for (const fan of (await readdir(base)).sort()) {
      if (!/^[0-9a-f]{2}$/.test(fan)) continue;
      for (const rest of (await readdir(join(base, fan))).sort()) {
        const id = fan + rest;
        if (BLOB_ID.test(id)) out.push({ id, file: join(base, fan, rest) });
      }
    }
    return out;
  }

  /**
   * Copies the whole state into `dest` at one point in time: the database through the
   * store's dump (SQLite online backup), every blob as a hard link. Durable on return.
   */
  private async capture(dest: string): Promise<Omit<SnapshotInfo, 'name' | 'createdAt' | 'cloudletVersion' | 'store'>> {
    const blobsDir = join(dest, 'blobs');
    await mkdir(blobsDir, { recursive: true });
    const dirs = new Set<string>();
    const info = await this.o.store.exclusive(async (ops) => {
      const db = join(dest, 'state.db');
      this.fault('dump', db);
      await ops.dump(db);
      let blobBytes = 0;
      const ids = this.o.blobs.ids();
      for (const id of ids) {
        const fan = join(blobsDir, id.slice(0, 2));
        if (!dirs.has(fan)) {
          await mkdir(fan, { recursive: true });
          dirs.add(fan);
        }
        const file = join(fan, id.slice(2));
        this.fault('blob', file);
        await this.o.blobs.linkTo(id, file);
        blobBytes += statSync(file).size;
      }
      return {
        rows: ops.count(),
        blobs: ids.length,
        blobBytes,
        schemaVersion: Number(this.o.store.getMeta('schema_version') ?? SCHEMA_VERSION),
        clockOffsetMs: Number(this.o.store.getMeta('clock_offset_ms') ?? 0) || 0,
      };
    });
    for (const d of dirs) await fsyncDir(d);
    await fsyncDir(blobsDir);
    await fsyncDir(dest);
    return info;
  }

  /**
   * A private copy of a state database, at the current schema and checked: migrated when it
   * is older, refused when it is newer or not a cloudlet database.
   */
  private prepareDatabase(work: string, label: string): void {
    let db: Database.Database;
    try {
      db = new Database(work, { fileMustExist: true });
    } catch (err) {
      throw new StateError('InvalidArchive', `${label}: cannot open the database (${(err as Error).message})`);
    }
    try {
      let v: number | undefined;
      try {
        v = readSchemaVersion(db, label);
      } catch (err) {
        throw new StateError('InvalidArchive', `${label}: ${(err as Error).message}`);
      }
      if (v === undefined) throw new StateError('InvalidArchive', `${label}: the database is empty`);
      if (v > SCHEMA_VERSION) throw new StateError('UnsupportedVersion', newerSchemaMessage(label, v, this.o.version));
      migrateDatabase(db, { label, cloudletVersion: this.o.version });
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StateError('InvalidArchive', `${label}: the database is damaged (${String(check)})`);
      db.pragma('journal_mode = DELETE');
    } catch (err) {
      if (err instanceof SchemaError) throw new StateError(err.code === 'NewerSchema' ? 'UnsupportedVersion' : 'InvalidArchive', err.message);
      if (err instanceof StateError) throw err;
      if (/not a database|malformed|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(String((err as Error).message))) {
        throw new StateError('InvalidArchive', `${label}: ${(err as Error).message}`);
      }
      throw err;
    } finally {
      db.close();
    }
  }

  /**
   * Makes the state in srcDir (state.db + blobs/) the live state, atomically (see the file
   * comment). The caller holds the manager's lock.
   */
  private async apply(srcDir: string, label: string): Promise<{ rows: number; blobs: number }> {
    const work = join(this.workDir, `apply-${randomId()}.db`);
    try {
      await copyFile(join(srcDir, 'state.db'), work);
      this.prepareDatabase(work, label);
      const incoming = await this.blobFiles(srcDir);
      const incomingIds = new Set(incoming.map((b) => b.id));
      const id = randomId();
      const done = await this.o.store.exclusive(async (ops: StateOps) => {
        const live = this.o.blobs.ids();
        const liveIds = new Set(live);
        const toAdd = incoming.filter((b) => !liveIds.has(b.id));
        const dropped = live.filter((b) => !incomingIds.has(b));
        if (toAdd.length || dropped.length) await this.writeJournal({ id, op: label, added: toAdd.map((b) => b.id), dropped });
        try {
          this.fault('adopt');
          await this.o.blobs.adopt(toAdd);
          this.fault('replace');
          ops.replace(work, { set: { [COMMIT_KEY]: id } });
        } catch (err) {
          // Committed after all (a failure after COMMIT, e.g. in DETACH): keep the new state.
          if (this.o.store.getMeta(COMMIT_KEY) !== id) {
            for (const b of toAdd) this.o.blobs.delete(b.id);
            await this.dropJournal();
            throw err;
          }
          this.o.log.warn(`${label}: a step after the commit failed`, { error: (err as Error).message });
        }
        this.o.clock.setOffset(Number(this.o.store.getMeta('clock_offset_ms') ?? 0) || 0);
        return { rows: ops.count(), blobs: incoming.length, dropped };
      });
      // Committed: the old blobs are unreachable, so requests need not wait for the deletes.
      await this.finishJournal(done.dropped);
      return { rows: done.rows, blobs: done.blobs };
    } finally {
      rmSync(work, { force: true });
      rmSync(`${work}-journal`, { force: true });
    }
  }

  // ------------------------------------------------------------------ reset

  async reset(opts: ResetOptions = {}): Promise<ResetResult> {
    const filter: ResetFilter = { account: opts.account, service: opts.service };
    checkResetFilter(filter, this.o.services);
    const selectors = resetSelectors(filter);
    const resetClock = !opts.keepClock;
    return this.withLock(async () => {
      const t0 = performance.now();
      const done = await this.o.store.exclusive((ops) => this.resetLocked(ops, selectors, resetClock));
      // Committed: the dropped blobs are unreachable now, so requests need not wait for the deletes.
      await this.finishJournal(done.dropped);
      const round = (ms: number): number => Math.round(ms * 10) / 10;
      return {
        scope: selectors ? filter : 'all',
        rows: done.rows,
        blobs: done.dropped.length,
        clockReset: resetClock,
        ms: round(performance.now() - t0),
        lockedMs: round(done.lockedMs),
      };
    });
  }

  private async resetLocked(ops: StateOps, selectors: RowSelector[] | undefined, resetClock: boolean): Promise<{ rows: number; dropped: string[]; lockedMs: number }> {
    const t0 = performance.now();
    const id = randomId();
    const live = this.o.blobs.ids();
    const set: Record<string, string> = {
      [COMMIT_KEY]: id,
      clock_offset_ms: String(resetClock ? 0 : this.o.clock.offset()),
    };
    let dropped: string[] = [];
    if (!selectors) {
      dropped = live;
    } else if (live.length > 0) {
      // Blobs referenced by removed rows and by no remaining row go with them.
      const known = new Set(live);
      const gone = new Set<string>();
      const kept = new Set<string>();
      ops.scan((row) => collectBlobRefs(row.json, known, selectors.some((s) => rowMatches(s, row)) ? gone : kept));
      dropped = [...gone].filter((b) => !kept.has(b));
    }
    if (dropped.length) await this.writeJournal({ id, op: 'reset', added: [], dropped });
    let rows: number;
    try {
      rows = selectors
        ? ops.deleteRows(selectors, { set })
        : ops.deleteRows([{}], { clearAll: true, set });
    } catch (err) {
      await this.dropJournal();
      throw err;
    }
    if (resetClock) this.o.clock.setOffset(0);
    return { rows, dropped, lockedMs: performance.now() - t0 };
  }

  // ------------------------------------------------------------------ snapshots

  private snapshotDir(name: string): string {
    return join(this.snapshotsDir, checkSnapshotName(name));
  }

  private readManifest(name: string): Manifest | undefined {
    try {
      const m = JSON.parse(readFileSync(join(this.snapshotDir(name), 'manifest.json'), 'utf8')) as Manifest;
      return m && typeof m === 'object' && typeof m.data === 'string' ? m : undefined;
    } catch (err) {
      if (err instanceof StateError) throw err;
      return undefined;
    }
  }

  private manifestOrThrow(name: string): Manifest {
    const m = this.readManifest(name);
    if (!m) throw new StateError('NoSuchSnapshot', `no snapshot named ${JSON.stringify(name)}; \`cloudlet state list\` shows the saved ones`);
    if (m.format > SNAPSHOT_FORMAT) {
      throw new StateError('UnsupportedVersion', `snapshot ${name} has format ${m.format}, newer than this cloudlet (${this.o.version}) reads (${SNAPSHOT_FORMAT})`);
    }
    if (!/^d-[0-9a-f]+$/.test(m.data)) throw new StateError('NoSuchSnapshot', `snapshot ${name} is damaged (bad data directory)`);
    return m;
  }

  private static info(m: Manifest): SnapshotInfo {
    const { name, createdAt, cloudletVersion, schemaVersion, store, rows, blobs, blobBytes, clockOffsetMs } = m;
    return { name, createdAt, cloudletVersion, schemaVersion, store, rows, blobs, blobBytes, clockOffsetMs };
  }

  list(): SnapshotInfo[] {
    const out: SnapshotInfo[] = [];
    for (const name of readdirSync(this.snapshotsDir).sort()) {
      let m: Manifest | undefined;
      try {
        m = this.readManifest(name);
      } catch {
        continue;
      }
      if (m) out.push(StateManager.info(m));
    }
    return out;
  }

  info(name: string): SnapshotInfo {
    return StateManager.info(this.manifestOrThrow(name));
  }

  async save(name: string): Promise<SnapshotInfo> {
    const dir = this.snapshotDir(name);
    return this.withLock(async () => {
      await mkdir(dir, { recursive: true });
      const dataName = `d-${randomId()}`;
      const data = join(dir, dataName);
      let manifest: Manifest;
      try {
        const captured = await this.capture(data);
        manifest = {
          format: SNAPSHOT_FORMAT, name, data: dataName, createdAt: new Date().toISOString(),
          cloudletVersion: this.o.version, store: this.o.storeKind, ...captured,
        };
        const file = join(dir, 'manifest.json');
        this.fault('manifest', file);
        await writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
      } catch (err) {
        await removeTree(data);
        await rmdir(dir).catch(() => undefined);
        throw diskFull(err, `saving snapshot ${name}`);
      }
      for (const entry of await readdir(dir)) {
        if (entry.startsWith('d-') && entry !== dataName) await removeTree(join(dir, entry));
      }
      return StateManager.info(manifest);
    });
  }

  async load(name: string): Promise<SnapshotInfo> {
    const dir = this.snapshotDir(name);
    return this.withLock(async () => {
      const m = this.manifestOrThrow(name);
      try {
        await this.apply(join(dir, m.data), `snapshot ${name}`);
      } catch (err) {
        throw diskFull(err, `loading snapshot ${name}`);
      }
      return StateManager.info(m);
    });
  }

  async delete(name: string): Promise<void> {
    const dir = this.snapshotDir(name);
    await this.withLock(async () => {
      this.manifestOrThrow(name);
      const trash = join(this.workDir, `trash-${randomId()}`);
      await rename(dir, trash);
      await fsyncDir(this.snapshotsDir);
      await removeTree(trash);
    });
  }

  // ------------------------------------------------------------------ export / import

  /**
   * Streams the current state (or a saved snapshot) as an archive into `out`. The state is
   * captured first, at one point in time, into a private staging directory (hard links), so a
   * slow reader never holds any lock.
   */
  async exportArchive(out: Writable, opts: { snapshot?: string } = {}): Promise<{ entries: number; bytes: number; meta: ArchiveMeta }> {
    if (opts.snapshot !== undefined) checkSnapshotName(opts.snapshot);
    const stage = join(this.workDir, `export-${randomId()}`);
    try {
      const meta = await this.withLock(async (): Promise<ArchiveMeta> => {
        if (opts.snapshot === undefined) {
          const c = await this.capture(stage);
          return {
            format: ARCHIVE_FORMAT, cloudletVersion: this.o.version, createdAt: new Date().toISOString(),
            store: this.o.storeKind, ...c,
          };
        }
        const m = this.manifestOrThrow(opts.snapshot);
        const src = join(this.snapshotDir(opts.snapshot), m.data);
        await mkdir(join(stage, 'blobs'), { recursive: true });
        await linkOrCopy(join(src, 'state.db'), join(stage, 'state.db'));
        for (const b of await this.blobFiles(src)) {
          const fan = join(stage, 'blobs', b.id.slice(0, 2));
          await mkdir(fan, { recursive: true });
          await linkOrCopy(b.file, join(fan, b.id.slice(2)));
        }
        return {
          format: ARCHIVE_FORMAT, cloudletVersion: m.cloudletVersion, createdAt: m.createdAt, store: m.store,
          schemaVersion: m.schemaVersion, rows: m.rows, blobs: m.blobs, blobBytes: m.blobBytes,
          clockOffsetMs: m.clockOffsetMs, snapshot: m.name, exportedBy: this.o.version,
        };
      });
      const entries: ArchiveEntry[] = [{ name: 'state.db', file: join(stage, 'state.db') }];
      for (const b of await this.blobFiles(stage)) entries.push({ name: blobEntryName(b.id), file: b.file });
      this.fault('archive');
      const r = await writeArchive(meta, entries, out);
      return { ...r, meta };
    } catch (err) {
      // A failure while streaming has destroyed `out` (stream.pipeline does); one before the
      // first byte leaves it to the caller, who can still answer with an error.
      throw diskFull(err, 'exporting the state');
    } finally {
      await removeTree(stage);
    }
  }

  /**
   * Reads an archive stream, verifies it completely into a staging directory, then makes it
   * the live state atomically. Nothing changes unless the whole archive is sound.
   */
  async importArchive(input: Readable): Promise<{ meta: ArchiveMeta; rows: number; blobs: number; bytes: number }> {
    // Listen at once: a file stream that cannot open errors on the next tick, before any await below.
    const noop = (): void => undefined;
    input.on('error', noop);
    const stage = join(this.workDir, `import-${randomId()}`);
    try {
      await mkdir(stage, { recursive: true });
      const read = await readArchive(input, stage, {
        checkMeta: (meta) => {
          if (meta.schemaVersion > SCHEMA_VERSION) {
            throw new StateError('UnsupportedVersion', newerSchemaMessage('the archive', meta.schemaVersion, this.o.version));
          }
        },
        beforeWrite: (path) => this.fault('blob', path),
      });
      const applied = await this.withLock(() => this.apply(stage, 'the archive'));
      return { meta: read.meta, bytes: read.bytes, ...applied };
    } catch (err) {
      throw diskFull(err, 'importing the archive');
    } finally {
      input.off('error', noop);
      await removeTree(stage);
    }
  }

  /** Waits (briefly) for an operation in progress, then refuses new ones. */
  async close(): Promise<void> {
    if (this.closed) return;
    const got = await Promise.race([
      this.lock.acquire().then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 500).unref()),
    ]);
    this.closed = true;
    if (got) this.lock.release();
    if (this.o.removeRootOnClose) rmSync(this.root, { recursive: true, force: true });
  }
}

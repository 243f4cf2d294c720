import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Mutex } from '../store/memory.js';
import { rowMatches } from '../store/state-ops.js';
import type { RowSelector, StateOps } from '../store/types.js';
import type { ArchiveMeta } from './archive.js';
import { randomId } from './fsutil.js';
import { DIR_MODE } from './perms.js';
import { dropJournal, finishJournal, recoverJournal, writeJournal } from './journal.js';
import { checkResetFilter, collectBlobRefs, resetSelectors, type ResetFilter } from './reset.js';
import { deleteSnapshot, listSnapshots, loadSnapshot, manifestOrThrow, saveSnapshot, snapshotDir, snapshotInfo, sweepSnapshots } from './snapshots.js';
import { exportArchive, importArchive } from './transfer.js';
import { COMMIT_KEY, JOURNAL_FILE, type ResetOptions, type ResetResult, type SnapshotInfo, type StateCtx, type StateManagerOptions } from './types.js';

// Callers import the state API from here; the types live in types.ts so the modules this
// class delegates to can share them without importing the class.
export { COMMIT_KEY } from './types.js';
export type { ResetOptions, ResetResult, SnapshotInfo, StateFaults, StateManagerOptions } from './types.js';

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

export class StateManager {
  readonly root: string;
  readonly snapshotsDir: string;
  private readonly ctx: StateCtx;
  private readonly lock = new Mutex();
  private closed = false;

  constructor(private readonly o: StateManagerOptions) {
    this.root = o.root;
    this.snapshotsDir = join(o.root, 'snapshots');
    this.ctx = {
      o,
      root: this.root,
      snapshotsDir: this.snapshotsDir,
      workDir: join(o.root, 'state-work'),
      journalFile: join(o.root, JOURNAL_FILE),
    };
    mkdirSync(this.snapshotsDir, { recursive: true, mode: DIR_MODE });
    recoverJournal(this.ctx);
    rmSync(this.ctx.workDir, { recursive: true, force: true });
    mkdirSync(this.ctx.workDir, { recursive: true, mode: DIR_MODE });
    sweepSnapshots(this.ctx);
  }

  // ------------------------------------------------------------------ plumbing

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('the server is shutting down');
    await this.lock.acquire();
    try {
      if (this.closed) throw new Error('the server is shutting down');
      if (existsSync(this.ctx.journalFile)) recoverJournal(this.ctx);
      return await fn();
    } finally {
      this.lock.release();
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
      await finishJournal(this.ctx, done.dropped);
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
    if (dropped.length) await writeJournal(this.ctx, { id, op: 'reset', added: [], dropped });
    let rows: number;
    try {
      rows = selectors
        ? ops.deleteRows(selectors, { set })
        : ops.deleteRows([{}], { clearAll: true, set });
    } catch (err) {
      await dropJournal(this.ctx);
      throw err;
    }
    if (resetClock) this.o.clock.setOffset(0);
    return { rows, dropped, lockedMs: performance.now() - t0 };
  }

  // ------------------------------------------------------------------ snapshots

  list(): SnapshotInfo[] {
    return listSnapshots(this.ctx);
  }

  info(name: string): SnapshotInfo {
    return snapshotInfo(manifestOrThrow(this.ctx, name));
  }

  async save(name: string): Promise<SnapshotInfo> {
    const dir = snapshotDir(this.ctx, name);
    return this.withLock(() => saveSnapshot(this.ctx, dir, name));
  }

  async load(name: string): Promise<SnapshotInfo> {
    const dir = snapshotDir(this.ctx, name);
    return this.withLock(() => loadSnapshot(this.ctx, dir, name));
  }

  async delete(name: string): Promise<void> {
    const dir = snapshotDir(this.ctx, name);
    await this.withLock(() => deleteSnapshot(this.ctx, dir, name));
  }

  // ------------------------------------------------------------------ export / import

  /** The state (or a saved snapshot) as an archive into `out`; see transfer.ts. */
  async exportArchive(out: Writable, opts: { snapshot?: string } = {}): Promise<{ entries: number; bytes: number; meta: ArchiveMeta }> {
    return exportArchive(this.ctx, (fn) => this.withLock(fn), out, opts);
  }

  /** An archive stream made the live state, all or nothing; see transfer.ts. */
  async importArchive(input: Readable): Promise<{ meta: ArchiveMeta; rows: number; blobs: number; blobsDropped: number; bytes: number }> {
    return importArchive(this.ctx, (fn) => this.withLock(fn), input);
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

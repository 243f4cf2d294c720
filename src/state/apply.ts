import { rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { offsetFromMeta } from '../core/clock.js';
import { SCHEMA_VERSION, SchemaError, migrateDatabase, newerSchemaMessage, readSchemaVersion } from '../store/schema.js';
import type { StateOps } from '../store/types.js';
import { blobFiles } from './capture.js';
import { checkCurrentStructure, checkLayoutObjects, checkRows, openUntrusted, referencedBlobIds } from './db-check.js';
import { StateError } from './errors.js';
import { randomId } from './fsutil.js';
import { dropJournal, finishJournal, writeJournal } from './journal.js';
import { COMMIT_KEY, fault, type StateCtx } from './types.js';

// Writing a state in: shared by snapshot load and import, so both get the same checks and
// the same crash safety.

/** A state database copied, checked and migrated, ready to become the live state. */
export interface PreparedDatabase {
  /** The private copy (in the work directory); the caller removes it (see discardPrepared). */
  work: string;
  /** Blob ids its rows mention: only those blobs come in with it. */
  referenced: Set<string>;
}

/**
 * A private copy of a state database, at the current schema and checked (db-check.ts):
 * refused unless it is a cloudlet database, with nothing in it that runs a query; migrated
 * when it is older, refused when it is newer.
 */
export async function prepareDatabase(ctx: StateCtx, file: string, label: string): Promise<PreparedDatabase> {
  const work = join(ctx.workDir, `apply-${randomId()}.db`);
  await copyFile(file, work);
  try {
    return { work, referenced: checkAndMigrate(ctx, work, label) };
  } catch (err) {
    discardPrepared(work);
    throw err;
  }
}

export function discardPrepared(work: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${work}${suffix}`, { force: true });
}

function checkAndMigrate(ctx: StateCtx, work: string, label: string): Set<string> {
  let db: Database.Database;
  try {
    db = openUntrusted(work);
  } catch (err) {
    throw new StateError('InvalidArchive', `${label}: cannot open the database (${(err as Error).message})`);
  }
  try {
    checkLayoutObjects(db, label);
    let v: number | undefined;
    try {
      v = readSchemaVersion(db, label);
    } catch (err) {
      throw new StateError('InvalidArchive', `${label}: ${(err as Error).message}`);
    }
    if (v === undefined) throw new StateError('InvalidArchive', `${label}: the database is empty`);
    if (v > SCHEMA_VERSION) throw new StateError('UnsupportedVersion', newerSchemaMessage(label, v, ctx.o.version));
    // Before migrating: the migrations must not read a damaged file.
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new StateError('InvalidArchive', `${label}: the database is damaged (${String(check)})`);
    migrateDatabase(db, { label, cloudletVersion: ctx.o.version });
    checkCurrentStructure(db, label);
    checkRows(db, label);
    const raw = db.prepare(`SELECT value FROM meta WHERE key = 'clock_offset_ms'`).pluck().get() as string | undefined;
    const offset = offsetFromMeta(raw, (m) => ctx.o.log.warn(`${label}: ${m}`));
    if (raw !== undefined && String(offset) !== raw) db.prepare(`UPDATE meta SET value = ? WHERE key = 'clock_offset_ms'`).run(String(offset));
    const referenced = referencedBlobIds(db);
    db.pragma('journal_mode = DELETE');
    return referenced;
  } catch (err) {
    if (err instanceof SchemaError) throw new StateError(err.code === 'NewerSchema' ? 'UnsupportedVersion' : 'InvalidArchive', err.message);
    if (err instanceof StateError) throw err;
    if (/not a database|malformed|SQLITE_CORRUPT|SQLITE_NOTADB|no such (table|column)|constraint failed|JSON/i.test(String((err as Error).message))) {
      throw new StateError('InvalidArchive', `${label}: ${(err as Error).message}`);
    }
    throw err;
  } finally {
    db.close();
  }
}

/**
 * Makes the state in srcDir (state.db + blobs/) the live state, atomically (see the comment
 * in manager.ts). The caller holds the manager's lock.
 */
export async function apply(ctx: StateCtx, srcDir: string, label: string, prepared?: PreparedDatabase): Promise<{ rows: number; blobs: number; blobsDropped: number }> {
  const { work, referenced } = prepared ?? await prepareDatabase(ctx, join(srcDir, 'state.db'), label);
  try {
    const all = await blobFiles(srcDir);
    // Blobs no row mentions would only take disk space until the next reset: they stay out.
    const incoming = all.filter((b) => referenced.has(b.id));
    const incomingIds = new Set(incoming.map((b) => b.id));
    const id = randomId();
    const done = await ctx.o.store.exclusive(async (ops: StateOps) => {
      const live = ctx.o.blobs.ids();
      const liveIds = new Set(live);
      const toAdd = incoming.filter((b) => !liveIds.has(b.id));
      const dropped = live.filter((b) => !incomingIds.has(b));
      if (toAdd.length || dropped.length) await writeJournal(ctx, { id, op: label, added: toAdd.map((b) => b.id), dropped });
      try {
        fault(ctx, 'adopt');
        await ctx.o.blobs.adopt(toAdd);
        fault(ctx, 'replace');
        ops.replace(work, { set: { [COMMIT_KEY]: id } });
      } catch (err) {
        // Committed after all (a failure after COMMIT, e.g. in DETACH): keep the new state.
        if (ctx.o.store.getMeta(COMMIT_KEY) !== id) {
          for (const b of toAdd) ctx.o.blobs.delete(b.id);
          await dropJournal(ctx);
          throw err;
        }
        ctx.o.log.warn(`${label}: a step after the commit failed`, { error: (err as Error).message });
      }
      ctx.o.clock.setOffset(offsetFromMeta(ctx.o.store.getMeta('clock_offset_ms'), (m) => ctx.o.log.warn(`${label}: ${m}`)));
      return { rows: ops.count(), blobs: incoming.length, dropped };
    });
    // Committed: the old blobs are unreachable, so requests need not wait for the deletes.
    await finishJournal(ctx, done.dropped);
    return { rows: done.rows, blobs: done.blobs, blobsDropped: all.length - incoming.length };
  } finally {
    discardPrepared(work);
  }
}

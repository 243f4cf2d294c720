import { rmSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { offsetFromMeta } from '../core/clock.js';
import { SCHEMA_VERSION, SchemaError, migrateDatabase, newerSchemaMessage, readSchemaVersion } from '../store/schema.js';
import type { StateOps } from '../store/types.js';
import { blobFiles } from './capture.js';
import { StateError } from './errors.js';
import { randomId } from './fsutil.js';
import { dropJournal, finishJournal, writeJournal } from './journal.js';
import { COMMIT_KEY, fault, type StateCtx } from './types.js';

// Writing a state in: shared by snapshot load and import, so both get the same checks and
// the same crash safety.

/**
 * A private copy of a state database, at the current schema and checked: migrated when it
 * is older, refused when it is newer or not a cloudlet database.
 */
function prepareDatabase(ctx: StateCtx, work: string, label: string): void {
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
    if (v > SCHEMA_VERSION) throw new StateError('UnsupportedVersion', newerSchemaMessage(label, v, ctx.o.version));
    migrateDatabase(db, { label, cloudletVersion: ctx.o.version });
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
 * Makes the state in srcDir (state.db + blobs/) the live state, atomically (see the comment
 * in manager.ts). The caller holds the manager's lock.
 */
export async function apply(ctx: StateCtx, srcDir: string, label: string): Promise<{ rows: number; blobs: number }> {
  const work = join(ctx.workDir, `apply-${randomId()}.db`);
  try {
    await copyFile(join(srcDir, 'state.db'), work);
    prepareDatabase(ctx, work, label);
    const incoming = await blobFiles(srcDir);
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
    return { rows: done.rows, blobs: done.blobs };
  } finally {
    rmSync(work, { force: true });
    rmSync(`${work}-journal`, { force: true });
  }
}

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { BLOB_ID } from '../store/types.js';
import { fsyncDir, fsyncDirSync, writeFileAtomic } from './fsutil.js';
import { COMMIT_KEY, type Journal, type StateCtx } from './types.js';

// The journal makes blob changes crash-safe around the one SQLite commit (see manager.ts).

/** Finishes a load, import or reset that a crash (or an I/O error) interrupted. */
export function recoverJournal(ctx: StateCtx): void {
  let journal: Journal;
  try {
    journal = JSON.parse(readFileSync(ctx.journalFile, 'utf8')) as Journal;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    // Written atomically, so this is not ours half-written; leave it for a human.
    throw new Error(`${ctx.journalFile} is unreadable (${(err as Error).message}); move it away to start`);
  }
  const committed = ctx.o.store.getMeta(COMMIT_KEY) === journal.id;
  const remove = committed ? journal.dropped : journal.added;
  for (const id of remove) if (BLOB_ID.test(id)) ctx.o.blobs.delete(id);
  rmSync(ctx.journalFile, { force: true });
  fsyncDirSync(ctx.root);
  ctx.o.log.warn(`finished an interrupted state ${journal.op}`, { committed, blobsRemoved: remove.length });
}

export async function writeJournal(ctx: StateCtx, j: Journal): Promise<void> {
  await writeFileAtomic(ctx.journalFile, JSON.stringify(j));
}

/** Before the commit, on failure: nothing to finish. */
export async function dropJournal(ctx: StateCtx): Promise<void> {
  if (!existsSync(ctx.journalFile)) return;
  rmSync(ctx.journalFile, { force: true });
  await fsyncDir(ctx.root);
}

/** After the commit: the old blobs go, then the journal. */
export async function finishJournal(ctx: StateCtx, dropped: string[]): Promise<void> {
  for (const id of dropped) ctx.o.blobs.delete(id);
  await dropJournal(ctx);
}

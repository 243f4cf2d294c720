import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { linkOrCopy } from '../store/blobs.js';
import { SCHEMA_VERSION, newerSchemaMessage } from '../store/schema.js';
import { apply, discardPrepared, prepareDatabase, type PreparedDatabase } from './apply.js';
import { blobEntryName, readArchive, writeArchive, type ArchiveEntry, type ArchiveMeta, ARCHIVE_FORMAT } from './archive.js';
import { blobFiles, capture } from './capture.js';
import { StateError, diskFull } from './errors.js';
import { randomId, removeTree } from './fsutil.js';
import { checkSnapshotName } from './names.js';
import { DIR_MODE } from './perms.js';
import { manifestOrThrow, snapshotDir } from './snapshots.js';
import { fault, type StateCtx } from './types.js';

// Export and import hold the manager's lock only around capture and apply, not while the
// archive streams, so the lock is passed in rather than taken for the whole call.

export type WithLock = <T>(fn: () => Promise<T>) => Promise<T>;

/**
 * Streams the current state (or a saved snapshot) as an archive into `out`. The state is
 * captured first, at one point in time, into a private staging directory (hard links), so a
 * slow reader never holds any lock.
 */
export async function exportArchive(
  ctx: StateCtx, withLock: WithLock, out: Writable, opts: { snapshot?: string },
): Promise<{ entries: number; bytes: number; meta: ArchiveMeta }> {
  if (opts.snapshot !== undefined) checkSnapshotName(opts.snapshot);
  const stage = join(ctx.workDir, `export-${randomId()}`);
  try {
    const meta = await withLock(async (): Promise<ArchiveMeta> => {
      if (opts.snapshot === undefined) {
        const c = await capture(ctx, stage);
        return {
          format: ARCHIVE_FORMAT, cloudletVersion: ctx.o.version, createdAt: new Date().toISOString(),
          store: ctx.o.storeKind, ...c,
        };
      }
      const m = manifestOrThrow(ctx, opts.snapshot);
      const src = join(snapshotDir(ctx, opts.snapshot), m.data);
      await mkdir(join(stage, 'blobs'), { recursive: true, mode: DIR_MODE });
      await linkOrCopy(join(src, 'state.db'), join(stage, 'state.db'));
      for (const b of await blobFiles(src)) {
        const fan = join(stage, 'blobs', b.id.slice(0, 2));
        await mkdir(fan, { recursive: true, mode: DIR_MODE });
        await linkOrCopy(b.file, join(fan, b.id.slice(2)));
      }
      return {
        format: ARCHIVE_FORMAT, cloudletVersion: m.cloudletVersion, createdAt: m.createdAt, store: m.store,
        schemaVersion: m.schemaVersion, rows: m.rows, blobs: m.blobs, blobBytes: m.blobBytes,
        clockOffsetMs: m.clockOffsetMs, snapshot: m.name, exportedBy: ctx.o.version,
      };
    });
    const entries: ArchiveEntry[] = [{ name: 'state.db', file: join(stage, 'state.db') }];
    for (const b of await blobFiles(stage)) entries.push({ name: blobEntryName(b.id), file: b.file });
    fault(ctx, 'archive');
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
export async function importArchive(
  ctx: StateCtx, withLock: WithLock, input: Readable,
): Promise<{ meta: ArchiveMeta; rows: number; blobs: number; blobsDropped: number; bytes: number }> {
  // Listen at once: a file stream that cannot open errors on the next tick, before any await below.
  const noop = (): void => undefined;
  input.on('error', noop);
  const stage = join(ctx.workDir, `import-${randomId()}`);
  let prepared: PreparedDatabase | undefined;
  try {
    await mkdir(stage, { recursive: true, mode: DIR_MODE });
    const read = await readArchive(input, stage, {
      checkMeta: (meta) => {
        if (meta.schemaVersion > SCHEMA_VERSION) {
          throw new StateError('UnsupportedVersion', newerSchemaMessage('the archive', meta.schemaVersion, ctx.o.version));
        }
      },
      beforeWrite: (path) => fault(ctx, 'blob', path),
      // The database comes first: a hostile or foreign one is refused before any blob is read,
      // and blobs its rows do not mention are never written.
      onDatabase: async (file) => { prepared = await prepareDatabase(ctx, file, 'the archive'); },
      keepBlob: (id) => prepared?.referenced.has(id) ?? false,
    });
    const applied = await withLock(() => apply(ctx, stage, 'the archive', prepared));
    prepared = undefined;
    return { meta: read.meta, bytes: read.bytes, rows: applied.rows, blobs: applied.blobs, blobsDropped: applied.blobsDropped + read.skipped };
  } catch (err) {
    throw diskFull(err, 'importing the archive');
  } finally {
    input.off('error', noop);
    if (prepared) discardPrepared(prepared.work);
    await removeTree(stage);
  }
}

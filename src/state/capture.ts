import { statSync, existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SCHEMA_VERSION } from '../store/schema.js';
import { BLOB_ID } from '../store/types.js';
import { fsyncDir } from './fsutil.js';
import { DIR_MODE } from './perms.js';
import { fault, type SnapshotInfo, type StateCtx } from './types.js';

// Reading the state out: shared by snapshot save and export, so both see the same layout.

/** Blob files under dir/blobs/XX/YYYY… as {id, file}. */
export async function blobFiles(dir: string): Promise<Array<{ id: string; file: string }>> {
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
export async function capture(ctx: StateCtx, dest: string): Promise<Omit<SnapshotInfo, 'name' | 'createdAt' | 'cloudletVersion' | 'store'>> {
  const blobsDir = join(dest, 'blobs');
  await mkdir(blobsDir, { recursive: true, mode: DIR_MODE });
  const dirs = new Set<string>();
  const info = await ctx.o.store.exclusive(async (ops) => {
    const db = join(dest, 'state.db');
    fault(ctx, 'dump', db);
    await ops.dump(db);
    let blobBytes = 0;
    const ids = ctx.o.blobs.ids();
    for (const id of ids) {
      const fan = join(blobsDir, id.slice(0, 2));
      if (!dirs.has(fan)) {
        await mkdir(fan, { recursive: true, mode: DIR_MODE });
        dirs.add(fan);
      }
      const file = join(fan, id.slice(2));
      fault(ctx, 'blob', file);
      await ctx.o.blobs.linkTo(id, file);
      blobBytes += statSync(file).size;
    }
    return {
      rows: ops.count(),
      blobs: ids.length,
      blobBytes,
      schemaVersion: Number(ctx.o.store.getMeta('schema_version') ?? SCHEMA_VERSION),
      clockOffsetMs: ctx.o.clock.offset(),
    };
  });
  for (const d of dirs) await fsyncDir(d);
  await fsyncDir(blobsDir);
  await fsyncDir(dest);
  return info;
}

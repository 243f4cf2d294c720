import { existsSync, readFileSync, readdirSync, statSync, rmSync } from 'node:fs';
import { mkdir, readdir, rename, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { apply } from './apply.js';
import { capture } from './capture.js';
import { StateError, diskFull } from './errors.js';
import { fsyncDir, randomId, removeTree, writeFileAtomic } from './fsutil.js';
import { DIR_MODE } from './perms.js';
import { checkSnapshotName } from './names.js';
import { SNAPSHOT_FORMAT, fault, type Manifest, type SnapshotInfo, type StateCtx } from './types.js';

// Named snapshots under snapshots/NAME (layout and crash safety: see manager.ts). The
// operations that change anything expect the caller to hold the manager's lock.

/** Data directories no manifest names (saves cut short, replaced snapshots). */
export function sweepSnapshots(ctx: StateCtx): void {
  for (const name of readdirSync(ctx.snapshotsDir)) {
    const dir = join(ctx.snapshotsDir, name);
    if (!statSync(dir).isDirectory()) continue;
    let manifest: Manifest | undefined;
    const manifestFile = join(dir, 'manifest.json');
    if (existsSync(manifestFile)) {
      try {
        manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
      } catch {
        ctx.o.log.warn('snapshot manifest is unreadable; leaving the snapshot alone', { snapshot: name });
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

export function snapshotDir(ctx: StateCtx, name: string): string {
  return join(ctx.snapshotsDir, checkSnapshotName(name));
}

function readManifest(ctx: StateCtx, name: string): Manifest | undefined {
  try {
    const m = JSON.parse(readFileSync(join(snapshotDir(ctx, name), 'manifest.json'), 'utf8')) as Manifest;
    return m && typeof m === 'object' && typeof m.data === 'string' ? m : undefined;
  } catch (err) {
    if (err instanceof StateError) throw err;
    return undefined;
  }
}

export function manifestOrThrow(ctx: StateCtx, name: string): Manifest {
  const m = readManifest(ctx, name);
  if (!m) throw new StateError('NoSuchSnapshot', `no snapshot named ${JSON.stringify(name)}; \`cloudlet state list\` shows the saved ones`);
  if (m.format > SNAPSHOT_FORMAT) {
    throw new StateError('UnsupportedVersion', `snapshot ${name} has format ${m.format}, newer than this cloudlet (${ctx.o.version}) reads (${SNAPSHOT_FORMAT})`);
  }
  if (!/^d-[0-9a-f]+$/.test(m.data)) throw new StateError('NoSuchSnapshot', `snapshot ${name} is damaged (bad data directory)`);
  return m;
}

export function snapshotInfo(m: Manifest): SnapshotInfo {
  const { name, createdAt, cloudletVersion, schemaVersion, store, rows, blobs, blobBytes, clockOffsetMs } = m;
  return { name, createdAt, cloudletVersion, schemaVersion, store, rows, blobs, blobBytes, clockOffsetMs };
}

export function listSnapshots(ctx: StateCtx): SnapshotInfo[] {
  const out: SnapshotInfo[] = [];
  for (const name of readdirSync(ctx.snapshotsDir).sort()) {
    let m: Manifest | undefined;
    try {
      m = readManifest(ctx, name);
    } catch {
      continue;
    }
    if (m) out.push(snapshotInfo(m));
  }
  return out;
}

export async function saveSnapshot(ctx: StateCtx, dir: string, name: string): Promise<SnapshotInfo> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const dataName = `d-${randomId()}`;
  const data = join(dir, dataName);
  let manifest: Manifest;
  try {
    const captured = await capture(ctx, data);
    manifest = {
      format: SNAPSHOT_FORMAT, name, data: dataName, createdAt: new Date().toISOString(),
      cloudletVersion: ctx.o.version, store: ctx.o.storeKind, ...captured,
    };
    const file = join(dir, 'manifest.json');
    fault(ctx, 'manifest', file);
    await writeFileAtomic(file, `${JSON.stringify(manifest, null, 2)}\n`);
  } catch (err) {
    await removeTree(data);
    await rmdir(dir).catch(() => undefined);
    throw diskFull(err, `saving snapshot ${name}`);
  }
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('d-') && entry !== dataName) await removeTree(join(dir, entry));
  }
  return snapshotInfo(manifest);
}

export async function loadSnapshot(ctx: StateCtx, dir: string, name: string): Promise<SnapshotInfo> {
  const m = manifestOrThrow(ctx, name);
  try {
    await apply(ctx, join(dir, m.data), `snapshot ${name}`);
  } catch (err) {
    throw diskFull(err, `loading snapshot ${name}`);
  }
  return snapshotInfo(m);
}

export async function deleteSnapshot(ctx: StateCtx, dir: string, name: string): Promise<void> {
  manifestOrThrow(ctx, name);
  const trash = join(ctx.workDir, `trash-${randomId()}`);
  await rename(dir, trash);
  await fsyncDir(ctx.snapshotsDir);
  await removeTree(trash);
}

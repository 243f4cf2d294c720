/**
 * `cloudlet reset` and `cloudlet state ...`. By default they talk to the running server
 * (--endpoint / CLOUDLET_ENDPOINT): the server does the work under its own locks, so a
 * snapshot or export is consistent even while requests arrive. With --data-dir DIR they open
 * a stopped server's directory directly (the same StateManager code, in this process), and
 * refuse when a live server owns the directory.
 */
import { createReadStream, createWriteStream, existsSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Clock, offsetFromMeta } from '../core/clock.js';
import { createLogger } from '../core/log.js';
import { VERSION } from '../core/version.js';
import { openDiskBlobStore } from '../store/blobs.js';
import { openSqliteStore } from '../store/sqlite.js';
import { claimDataDir } from './lock.js';
import { StateManager, type ResetOptions, type ResetResult, type SnapshotInfo } from './manager.js';
import { randomId } from './fsutil.js';
import { FILE_MODE } from './perms.js';

export interface Target {
  url: string;
  dataDir?: string;
}

const NO_SERVER = 'no server answers at the endpoint; start one with `cloudlet start`, pass --endpoint URL, or work on a stopped server\'s directory with --data-dir DIR';

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

interface HttpResult { status: number; body: Record<string, unknown> }

/** One admin request; `upload` streams a file as the body. */
function call(method: string, url: string, upload?: string): Promise<HttpResult> {
  return new Promise((done, fail) => {
    const req = request(url, { method, headers: upload ? { 'content-type': 'application/vnd.cloudlet.state+gzip' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown>;
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          body = { message: text.slice(0, 500) };
        }
        done({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNREFUSED' ? new Error(NO_SERVER) : err));
    if (upload) {
      pipeline(createReadStream(upload), req).catch((err: NodeJS.ErrnoException) => {
        // The server may answer (e.g. with an error) before taking the whole body.
        if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') fail(err);
      });
    } else {
      req.end();
    }
  });
}

async function admin(method: string, url: string, upload?: string): Promise<Record<string, unknown>> {
  const r = await call(method, url, upload);
  if (r.status >= 200 && r.status < 300) return r.body;
  throw new Error(String(r.body.message ?? `the server answered ${r.status}`));
}

/** Streams the server's export into FILE, via FILE.partial-ID, so FILE only ever holds a whole archive. */
function download(url: string, file: string): Promise<number> {
  const tmp = `${file}.partial-${randomId()}`;
  return new Promise<number>((done, fail) => {
    const req = request(url, { method: 'GET' }, (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let msg = `the server answered ${res.statusCode}`;
          try { msg = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { message?: string }).message ?? msg); } catch { /* keep */ }
          fail(new Error(msg));
        });
        return;
      }
      let bytes = 0;
      res.on('data', (c: Buffer) => { bytes += c.length; });
      pipeline(res, createWriteStream(tmp, { flags: 'wx', mode: FILE_MODE }))
        .then(() => {
          // A response cut short (the server failed mid-stream) ends without `complete`.
          if (!res.complete) throw new Error('the server ended the archive early; see its log');
          return rename(tmp, file);
        })
        .then(() => done(bytes), (err: Error) => fail(/aborted|premature|ECONNRESET/i.test(err.message) ? new Error('the server ended the archive early; see its log') : err));
    });
    req.on('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNREFUSED' ? new Error(NO_SERVER) : err));
    req.end();
  }).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    throw err;
  });
}

/** Opens a stopped server's directory for state commands. */
async function offline<T>(dataDir: string, create: boolean, fn: (m: StateManager) => Promise<T>): Promise<T> {
  const dir = resolve(dataDir);
  if (!create && !existsSync(join(dir, 'state.db'))) throw new Error(`${dir} holds no cloudlet state (no state.db)`);
  // Refused (naming the server) while a server or another command has the directory.
  const lock = claimDataDir(dir);
  let store;
  let blobs;
  let m: StateManager | undefined;
  try {
    store = openSqliteStore(join(dir, 'state.db'));
    blobs = openDiskBlobStore(join(dir, 'blobs'));
    const clock = new Clock(offsetFromMeta(store.getMeta('clock_offset_ms'), (msg) => process.stderr.write(`cloudlet: ${msg}\n`)));
    const { CATALOG } = await import('../services/catalog.js');
    m = new StateManager({
      store, blobs, clock, log: createLogger('warn'), version: VERSION, root: dir, storeKind: 'sqlite',
      services: CATALOG.map((e) => e.name),
    });
    return await fn(m);
  } finally {
    await m?.close();
    store?.close();
    blobs?.close();
    lock.release();
  }
}

function describeReset(r: ResetResult): string {
  const what = r.scope === 'all' ? 'all state' : [r.scope.service && `service ${r.scope.service}`, r.scope.account && `account ${r.scope.account}`].filter(Boolean).join(' in ');
  return `reset ${what}: ${r.rows} rows and ${r.blobs} blobs removed in ${r.ms} ms${r.clockReset ? '; clock back to real time' : ''}`;
}

export async function resetCommand(opts: ResetOptions, t: Target): Promise<string> {
  if (t.dataDir) return describeReset(await offline(t.dataDir, false, (m) => m.reset(opts)));
  const q = new URLSearchParams();
  if (opts.account) q.set('account', opts.account);
  if (opts.service) q.set('service', opts.service);
  if (opts.keepClock) q.set('keepClock', 'true');
  const qs = q.toString();
  return describeReset(await admin('POST', `${t.url}/_cloudlet/reset${qs ? `?${qs}` : ''}`) as unknown as ResetResult);
}

function describeSnapshot(s: SnapshotInfo): string {
  return `${s.rows} rows, ${s.blobs} blobs (${mib(s.blobBytes)}), saved ${s.createdAt} by cloudlet ${s.cloudletVersion}`;
}

function table(list: SnapshotInfo[]): string {
  if (list.length === 0) return 'no snapshots';
  const rows = [['NAME', 'SAVED', 'ROWS', 'BLOBS', 'SIZE'], ...list.map((s) => [s.name, s.createdAt, String(s.rows), String(s.blobs), mib(s.blobBytes)])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export async function stateCommand(
  sub: 'save' | 'load' | 'list' | 'delete' | 'export' | 'import', arg: string | undefined, t: Target & { snapshot?: string },
): Promise<string> {
  const name = arg ?? '';
  const enc = encodeURIComponent(name);
  if (sub === 'import' && (!existsSync(name) || !statSync(name).isFile())) throw new Error(`no archive file ${name}`);
  if (t.dataDir) {
    return offline(t.dataDir, sub === 'import', async (m) => {
      switch (sub) {
        case 'save': return `saved snapshot ${name}: ${describeSnapshot(await m.save(name))}`;
        case 'load': return `loaded snapshot ${name}: ${describeSnapshot(await m.load(name))}`;
        case 'list': return table(m.list());
        case 'delete': await m.delete(name); return `deleted snapshot ${name}`;
        case 'export': {
          const tmp = `${name}.partial-${randomId()}`;
          try {
            const r = await m.exportArchive(createWriteStream(tmp, { flags: 'wx', mode: FILE_MODE }), { snapshot: t.snapshot });
            await rename(tmp, name);
            return `exported ${t.snapshot ? `snapshot ${t.snapshot}` : 'the state'} to ${name} (${mib(r.bytes)})`;
          } finally {
            await rm(tmp, { force: true });
          }
        }
        case 'import': {
          const r = await m.importArchive(createReadStream(name));
          return `imported ${name}: ${r.rows} rows, ${r.blobs} blobs (written by cloudlet ${r.meta.cloudletVersion} at ${r.meta.createdAt})`;
        }
      }
    });
  }
  switch (sub) {
    case 'save': return `saved snapshot ${name}: ${describeSnapshot((await admin('POST', `${t.url}/_cloudlet/state/save/${enc}`)).saved as SnapshotInfo)}`;
    case 'load': return `loaded snapshot ${name}: ${describeSnapshot((await admin('POST', `${t.url}/_cloudlet/state/load/${enc}`)).loaded as SnapshotInfo)}`;
    case 'list': return table((await admin('GET', `${t.url}/_cloudlet/state/snapshots`)).snapshots as SnapshotInfo[]);
    case 'delete': await admin('DELETE', `${t.url}/_cloudlet/state/snapshots/${enc}`); return `deleted snapshot ${name}`;
    case 'export': {
      const q = t.snapshot ? `?snapshot=${encodeURIComponent(t.snapshot)}` : '';
      const bytes = await download(`${t.url}/_cloudlet/state/export${q}`, name);
      return `exported ${t.snapshot ? `snapshot ${t.snapshot}` : 'the state'} to ${name} (${mib(bytes)})`;
    }
    case 'import': {
      const r = (await admin('POST', `${t.url}/_cloudlet/state/import`, name)).imported as { rowsLoaded: number; blobsLoaded: number; cloudletVersion: string; createdAt: string };
      return `imported ${name}: ${r.rowsLoaded} rows, ${r.blobsLoaded} blobs (written by cloudlet ${r.cloudletVersion} at ${r.createdAt})`;
    }
  }
}

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StateError } from './errors.js';
import { writeFileAtomicSync } from './fsutil.js';
import { ensurePrivateDir, ensurePrivateFile, tightenTree } from './perms.js';

/**
 * One process per data directory: a server, or an offline `cloudlet reset|state --data-dir`
 * command, holds an exclusive lock on DATA_DIR/lock.db for as long as it uses the directory.
 * The lock is SQLite's own file lock (an OS byte-range lock on the file, taken by
 * `BEGIN EXCLUSIVE` in exclusive locking mode and never committed): the OS drops it when the
 * process exits in any way, kill -9 included, so there is nothing stale to clean up, and no
 * native addon beyond the SQLite binding the store already loads. SQLite also refuses a
 * second connection in the same process, so two in-process servers are refused too.
 */
export interface DataDirLock {
  release(): void;
}

const lockFileOf = (dataDir: string): string => join(dataDir, 'lock.db');

/**
 * What a process does before it touches a data directory: creates it 0700, takes its lock,
 * and narrows what an older cloudlet left readable by others (files 0600, directories 0700).
 */
export function claimDataDir(dataDir: string): DataDirLock {
  ensurePrivateDir(dataDir);
  const lock = acquireDataDirLock(dataDir);
  try {
    tightenTree(dataDir);
  } catch (err) {
    lock.release();
    throw err;
  }
  return lock;
}

/**
 * Takes the directory's lock, or throws ServerRunning naming the process that holds it (from
 * server.json, which a server writes once it listens). The directory must exist.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  const file = lockFileOf(dataDir);
  ensurePrivateFile(file);
  // timeout 0: a held lock is an answer, not something to wait for.
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
    throw heldBy(dataDir);
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      db.close();
    },
  };
}

function heldBy(dataDir: string): StateError {
  const live = runningServer(dataDir);
  if (live) {
    return new StateError('ServerRunning', `a cloudlet server (pid ${live.pid}) is using ${dataDir} (listening on ${live.url}); ` +
      `run the command against it (--endpoint ${live.url}) or stop it first`);
  }
  return new StateError('ServerRunning', `another cloudlet process is using ${dataDir} (a server starting up, or a ` +
    '`cloudlet reset|state --data-dir` command); try again once it has finished');
}

/**
 * DATA_DIR/server.json while a server runs on the directory: where it listens and its pid,
 * for the message a second process gets when the lock above refuses it.
 */
export interface ServerLock {
  pid: number;
  url: string;
  startedAt: string;
}

const fileOf = (dataDir: string): string => join(dataDir, 'server.json');

export function writeServerLock(dataDir: string, url: string): void {
  const lock: ServerLock = { pid: process.pid, url, startedAt: new Date().toISOString() };
  writeFileAtomicSync(fileOf(dataDir), `${JSON.stringify(lock)}\n`);
}

export function removeServerLock(dataDir: string): void {
  const lock = readLock(dataDir);
  if (lock?.pid === process.pid) rmSync(fileOf(dataDir), { force: true });
}

function readLock(dataDir: string): ServerLock | undefined {
  try {
    const v = JSON.parse(readFileSync(fileOf(dataDir), 'utf8')) as ServerLock;
    return Number.isInteger(v?.pid) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The server that server.json names, if that process lives (a file left by a killed server is ignored). */
export function runningServer(dataDir: string): ServerLock | undefined {
  const lock = readLock(dataDir);
  if (!lock || lock.pid === process.pid) return undefined;
  try {
    process.kill(lock.pid, 0);
    return lock;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? lock : undefined;
  }
}

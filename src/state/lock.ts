import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from './fsutil.js';

/**
 * DATA_DIR/server.json while a server runs on the directory: lets `cloudlet state ...
 * --data-dir DIR` (which works on the files directly) refuse to touch a directory a live
 * server owns, and tell the user where that server listens.
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

/** The server that runs on dataDir, if one does (a lock left by a killed server is ignored). */
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

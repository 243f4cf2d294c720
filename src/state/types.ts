import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { BlobStore, Store } from '../store/types.js';
import type { ResetFilter } from './reset.js';

// The shapes shared by the state manager and the modules it delegates to (snapshots,
// journal, capture/apply, export/import); manager.ts re-exports the public ones.

export const SNAPSHOT_FORMAT = 1;
/** Present in the state root only while a load, import or reset changes blobs (journal.ts). */
export const JOURNAL_FILE = 'state-journal.json';
/** Meta key holding the id of the last committed journal. */
export const COMMIT_KEY = 'state_commit';

export interface SnapshotInfo {
  name: string;
  createdAt: string;
  cloudletVersion: string;
  schemaVersion: number;
  store: string;
  rows: number;
  blobs: number;
  blobBytes: number;
  clockOffsetMs: number;
}

export interface Manifest extends SnapshotInfo {
  format: number;
  /** The data directory (d-ID) inside the snapshot's directory. */
  data: string;
}

export interface Journal {
  id: string;
  op: string;
  added: string[];
  dropped: string[];
}

export interface ResetOptions extends ResetFilter {
  /** Keep the clock's offset; by default every reset (full or partial) returns the clock to real time. */
  keepClock?: boolean;
}

export interface ResetResult {
  scope: 'all' | { account?: string; service?: string };
  rows: number;
  blobs: number;
  clockReset: boolean;
  /** The whole reset. */
  ms: number;
  /** How long requests were held back (the store's transaction lock). */
  lockedMs: number;
}

export interface StateFaults {
  /** Called before each write a state operation makes; throw (e.g. ENOSPC) to simulate failures. */
  beforeWrite?(what: 'dump' | 'blob' | 'manifest' | 'adopt' | 'replace' | 'archive', path?: string): void;
}

export interface StateManagerOptions {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
  version: string;
  root: string;
  /** 'sqlite' or 'memory': recorded in snapshots and archives. */
  storeKind: string;
  /** Service names a reset may name. */
  services: readonly string[];
  /** Remove `root` on close (ephemeral servers). */
  removeRootOnClose?: boolean;
  faults?: StateFaults;
}

/** What the delegated operations need from a StateManager: its options and its paths. */
export interface StateCtx {
  readonly o: StateManagerOptions;
  readonly root: string;
  readonly snapshotsDir: string;
  readonly workDir: string;
  readonly journalFile: string;
}

export function fault(ctx: StateCtx, what: Parameters<NonNullable<StateFaults['beforeWrite']>>[0], path?: string): void {
  ctx.o.faults?.beforeWrite?.(what, path);
}

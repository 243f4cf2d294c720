import type { Readable } from 'node:stream';
import type { RangeOptions } from './range.js';

export type { RangeOptions } from './range.js';

/**
 * Where every resource lives. `region` is '' for global services (IAM) and for
 * account-wide records. Cross-account indexes (e.g. access key -> principal) use
 * account GLOBAL_ACCOUNT.
 */
export interface Scope {
  account: string;
  region: string;
}

export const GLOBAL_ACCOUNT = '*';

/** Ids in a range: `prefix`, `gt`/`gte`, `lt`/`lte` all apply (code point order). */
export interface ListOptions extends RangeOptions {
  /** Only ids strictly greater than this one (for pagination markers); the same as `gt`. */
  after?: string;
  /** At most this many rows. */
  limit?: number;
}

/**
 * A secondary-index query (Tx.findBy): index keys equal to `key`, or in a range. The indexes
 * a kind has are declared in schema.ts (INDEXES), the one source of truth for both stores.
 */
export interface IndexQuery extends RangeOptions {
  /** Exactly this key. */
  key?: string;
  /** At most this many hits. */
  limit?: number;
}

/** One row found through an index, with the index key that matched. */
export interface IndexHit<T = unknown> extends Row<T> {
  key: string;
}

/** One index entry: the key and the row it points at. */
export interface IndexKey {
  key: string;
  id: string;
}

export interface Row<T = unknown> {
  id: string;
  value: T;
}

/**
 * A transaction: every read sees the writes made before it in the same transaction;
 * nothing is visible to others until commit. Values are JSON-serialisable.
 * Synchronous on purpose: handlers touch the store only between awaits of their own.
 */
export interface Tx {
  get<T = unknown>(scope: Scope, kind: string, id: string): T | undefined;
  put(scope: Scope, kind: string, id: string, value: unknown): void;
  /** Returns whether a row was removed. */
  delete(scope: Scope, kind: string, id: string): boolean;
  /**
   * Rows of one kind in one scope, ordered by id in binary order: UTF-8 bytes, i.e.
   * Unicode code points (not JS `<`, which orders UTF-16 units). Ids must be
   * well-formed strings (no lone surrogates).
   */
  list<T = unknown>(scope: Scope, kind: string, opts?: ListOptions): Row<T>[];
  count(scope: Scope, kind: string, opts?: RangeOptions): number;
  /**
   * Rows of one kind found through one of its declared indexes, ordered by (key, id); a row
   * with several matching keys appears once per key. Throws for an undeclared index.
   */
  findBy<T = unknown>(scope: Scope, kind: string, index: string, query: IndexQuery): IndexHit<T>[];
  /** How many (key, row) pairs findBy would return without a limit, without reading values. */
  countBy(scope: Scope, kind: string, index: string, query: IndexQuery): number;
  /** The (key, id) pairs findBy would return, in the same order, without reading or parsing values. */
  keysBy(scope: Scope, kind: string, index: string, query: IndexQuery): IndexKey[];
  /** Every (scope, kind) with rows for an account, for admin/reset/export. */
  scopes(account?: string): Array<Scope & { kind: string }>;
}

export interface Store {
  /**
   * Runs fn in one transaction: committed when fn resolves, rolled back when it throws.
   * Transactions are serialised, so fn should not await slow I/O while holding it.
   * Not reentrant: calling transaction() from inside fn waits for itself forever.
   */
  transaction<T>(fn: (tx: Tx) => Promise<T> | T): Promise<T>;
  /** Small settings that belong to the state (clock offset, schema version). */
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  /**
   * Removes rows: all of them, one account's, or one account's kinds with a prefix
   * (kindPrefix alone: those kinds in every account). Like setMeta, not part of any
   * transaction: applies at once, also to a transaction in flight, and survives its rollback.
   */
  clear(filter?: { account?: string; kindPrefix?: string }): void;
  /**
   * Runs fn holding the transaction lock with no transaction open: no request transaction
   * runs until fn settles, so what fn reads and replaces is one point in time for every
   * request (it sees the state before fn or after it, never a mix). For reset, snapshots,
   * load and import (src/state/); fn may await file I/O. Not reentrant, like transaction().
   */
  exclusive<T>(fn: (ops: StateOps) => Promise<T> | T): Promise<T>;
  close(): void;
}

/** A stored row as the state operations see it: the value still as JSON text. */
export interface RawRow {
  account: string;
  region: string;
  kind: string;
  id: string;
  json: string;
}

/**
 * Which rows a reset removes. Every given field must match; `where` sees the parsed value.
 * `{}` matches every row.
 */
export interface RowSelector {
  account?: string;
  /** kind starts with this (e.g. 's3:'). */
  kindPrefix?: string;
  kind?: string;
  where?: (value: unknown) => boolean;
}

/** Meta changes made in the same atomic step as a row change. */
export interface MetaChange {
  /** Remove every meta key except schema_version first. */
  clearAll?: boolean;
  set?: Record<string, string>;
}

/** Whole-state operations, valid only inside Store.exclusive. */
export interface StateOps {
  /**
   * Writes every row and meta key, consistently, to `file` (which must not exist) as a
   * self-contained SQLite database of the current schema (rollback journal, no WAL), the
   * portable form of state for both stores.
   */
  dump(file: string): Promise<void>;
  /**
   * Replaces every row and meta key with those of `file` (a database of the current schema,
   * e.g. a dump), then applies `meta`: one atomic, durable step (an SQLite transaction).
   */
  replace(file: string, meta?: MetaChange): void;
  /** Deletes the rows matching any selector and applies `meta`, atomically. Returns how many. */
  deleteRows(selectors: RowSelector[], meta?: MetaChange): number;
  /** Every row, in no particular order. */
  scan(fn: (row: RawRow) => void): void;
  count(): number;
}

export interface BlobInfo {
  id: string;
  size: number;
  sha256: string;
  md5: string;
}

/**
 * Large bodies (S3 objects, registry layers): streamed to disk, never held whole in memory.
 * A blob is visible only once write() has resolved; a failed or aborted write leaves nothing.
 */
export interface BlobStore {
  /**
   * Beyond maxBytes: rejects with AwsError 'EntityTooLarge' and destroys `body`. `sha256: false` /
   * `md5: false` skip that digest (its BlobInfo field is then ''), for callers that hash already.
   */
  write(body: Readable, opts?: { maxBytes?: number; sha256?: boolean; md5?: boolean }): Promise<BlobInfo>;
  /**
   * `end` is inclusive. The file is opened before this returns, so a later delete does not
   * cut the stream short; a missing id gives a stream that errors with code 'ENOENT'.
   */
  read(id: string, range?: { start: number; end: number }): Readable;
  /**
   * Several blobs' ranges (`end` inclusive; whole blobs when absent) as one stream, in order:
   * the first opened before this returns, the others when their turn comes.
   */
  readParts(parts: Array<{ id: string; start?: number; end?: number }>): Readable;
  size(id: string): number | undefined;
  delete(id: string): void;
  /** Removes every blob. */
  clear(): void;
  /** Every stored blob's id (uploads in flight are not blobs yet). For state operations. */
  ids(): string[];
  /**
   * Makes `dest` (in an existing directory) a file with blob `id`'s bytes: a hard link when
   * the file system allows it (blobs are immutable: written once, then only deleted), else a
   * copy, fsynced. Nothing is visible at `dest` unless this succeeds. The caller fsyncs
   * dest's directory. For snapshots and exports.
   */
  linkTo(id: string, dest: string): Promise<void>;
  /**
   * Adds files as blobs under the given ids (hard links, else copies), durably. Ids already
   * present are left as they are (ids are random, so an equal id is the same blob). Returns
   * the ids that were added. For loading snapshots and imports.
   */
  adopt(files: Array<{ id: string; file: string }>): Promise<string[]>;
  close(): void;
}

/** Blob ids: 32 lowercase hex characters (128 random bits). */
export const BLOB_ID = /^[0-9a-f]{32}$/;

/**
 * cloudlet state archives: one file holding a whole state (the database and every blob),
 * written and read as streams, so neither a blob nor the database is ever held in memory.
 *
 * Why our own container and not tar: Node has no tar, and the archive needs only a flat list
 * of files, each with a checksum, plus a version header that an older cloudlet can read
 * before anything else to refuse a newer format clearly. That is ~200 lines here; a tar
 * dependency would still need a metadata entry, checksums and a trailer on top of it.
 *
 * Format (version 1). The file is gzip (RFC 1952) over this byte stream; integers are
 * unsigned big-endian:
 *
 *   magic      8 bytes  89 43 4C 53 54 0D 0A 1A   ("\x89CLST\r\n\x1a", like PNG's: catches
 *                                                   text-mode mangling and non-archives)
 *   format     u32      1                          (fixed position in every future format)
 *   metaLen    u32      length of the metadata, at most 1 MiB
 *   meta       metaLen  UTF-8 JSON: {format, cloudletVersion, schemaVersion, createdAt, ...}
 *   entry*     u8 1 | u16 nameLen | name (UTF-8) | u64 size | size bytes | sha256 (32 bytes)
 *   end        u8 0 | u32 entryCount | u64 totalEntryBytes
 *
 * Entry names: "state.db" (a SQLite database; exactly once, first) and "blobs/XX/YYYY…"
 * (a blob: its 32-hex id split after two characters). Readers refuse any other name, so an
 * archive can never write outside the directory it is unpacked into. The sha256 follows the
 * data because the writer learns it while streaming. A missing end record, a short entry or
 * a gzip stream cut short is "truncated"; a checksum mismatch is "corrupt".
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGzip, createGunzip } from 'node:zlib';
import { StateError } from './errors.js';
import { DIR_MODE, FILE_MODE } from './perms.js';

export const ARCHIVE_MAGIC = Buffer.from([0x89, 0x43, 0x4c, 0x53, 0x54, 0x0d, 0x0a, 0x1a]);
export const ARCHIVE_FORMAT = 1;
const MAX_META_BYTES = 1024 * 1024;
const MAX_NAME_BYTES = 255;
const ENTRY = 1;
const END = 0;

export interface ArchiveMeta {
  format: number;
  cloudletVersion: string;
  schemaVersion: number;
  createdAt: string;
  /** Which store wrote it: 'sqlite' or 'memory' (both dump the same database format). */
  store?: string;
  rows?: number;
  blobs?: number;
  blobBytes?: number;
  [k: string]: unknown;
}

export interface ArchiveEntry {
  name: string;
  file: string;
}

const ENTRY_NAME = /^(?:state\.db|blobs\/[0-9a-f]{2}\/[0-9a-f]{30})$/;

export function isEntryName(name: string): boolean {
  return ENTRY_NAME.test(name);
}

/** The entry name of a blob id, and back. */
export const blobEntryName = (id: string): string => `blobs/${id.slice(0, 2)}/${id.slice(2)}`;
export const blobIdOfEntry = (name: string): string => name.slice(6, 8) + name.slice(9);

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

async function* containerBytes(meta: ArchiveMeta, entries: ArchiveEntry[]): AsyncGenerator<Buffer> {
  const metaBytes = Buffer.from(JSON.stringify(meta), 'utf8');
  if (metaBytes.length > MAX_META_BYTES) throw new Error('archive metadata is too large');
  yield Buffer.concat([ARCHIVE_MAGIC, u32(ARCHIVE_FORMAT), u32(metaBytes.length), metaBytes]);
  let total = 0;
  for (const e of entries) {
    if (!isEntryName(e.name)) throw new Error(`not an archive entry name: ${e.name}`);
    const name = Buffer.from(e.name, 'utf8');
    const { size } = await stat(e.file);
    const head = Buffer.alloc(1 + 2);
    head.writeUInt8(ENTRY, 0);
    head.writeUInt16BE(name.length, 1);
    yield Buffer.concat([head, name, u64(size)]);
    const hash = createHash('sha256');
    let seen = 0;
    for await (const chunk of createReadStream(e.file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > size) break;
      hash.update(chunk);
      yield chunk;
    }
    // The files are private copies or hard links of immutable blobs, so this means a bug or
    // tampering; a wrong length would make the archive unreadable, so stop here.
    if (seen !== size) throw new Error(`${e.file} changed size while being archived (${size} -> ${seen} bytes)`);
    yield hash.digest();
    total += size;
  }
  const end = Buffer.alloc(1);
  end.writeUInt8(END, 0);
  yield Buffer.concat([end, u32(entries.length), u64(total)]);
}

/**
 * Streams an archive of `entries` into `out` with backpressure; rejects (and destroys `out`)
 * on any read or write failure, e.g. ENOSPC from a file stream.
 */
export async function writeArchive(meta: ArchiveMeta, entries: ArchiveEntry[], out: Writable): Promise<{ entries: number; bytes: number }> {
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  // Blobs are often compressed already (images, layers): the fastest level costs little.
  const gzip = createGzip({ level: zlibConstants.Z_BEST_SPEED });
  await pipeline(Readable.from(containerBytes(meta, entries)), gzip, count, out);
  return { entries: entries.length, bytes };
}

function invalid(msg: string): StateError {
  return new StateError('InvalidArchive', msg);
}

/** Reads exact byte counts from a stream of chunks; running out early is truncation. */
class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;

  constructor(private readonly it: AsyncIterator<Buffer>) {}

  private async fill(): Promise<boolean> {
    if (this.ended) return false;
    const r = await this.it.next();
    if (r.done) {
      this.ended = true;
      return false;
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, r.value]) : r.value;
    return true;
  }

  async exact(n: number, what: string): Promise<Buffer> {
    while (this.buf.length < n) {
      if (!(await this.fill())) throw invalid(`the archive is truncated (it ends inside ${what})`);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  async *chunks(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.buf.length === 0 && !(await this.fill())) throw invalid(`the archive is truncated (it ends inside ${what})`);
      const take = Math.min(left, this.buf.length);
      const out = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      left -= take;
      yield out;
    }
  }

  async atEnd(): Promise<boolean> {
    while (this.buf.length === 0) if (!(await this.fill())) return true;
    return false;
  }
}

export interface ReadArchiveOptions {
  /** Checks the metadata before any entry is read: throw to refuse (e.g. a newer schema). */
  checkMeta?: (meta: ArchiveMeta) => void;
  /** Fault injection: called before each chunk written to disk. */
  beforeWrite?: (path: string, bytes: number) => void;
  /** Called once state.db (always the first entry) is unpacked and verified, before any blob is read: throw to refuse. */
  onDatabase?: (file: string) => Promise<void>;
  /** Blobs for which this says false are verified (size, sha256) but not written to disk. */
  keepBlob?: (id: string) => boolean;
}

export interface ReadArchiveResult {
  meta: ArchiveMeta;
  /** Names of the entries, as unpacked under destDir (without those keepBlob turned away). */
  names: string[];
  /** Entries verified but not written (keepBlob said no). */
  skipped: number;
  bytes: number;
}

function zlibError(err: unknown): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'Z_DATA_ERROR' || e?.code === 'Z_BUF_ERROR' || e?.code === 'ERR_INVALID_ARG_TYPE') {
    return /unexpected end/i.test(e.message)
      ? invalid('the archive is truncated (the compressed stream ends early)')
      : invalid(`not a cloudlet state archive, or a corrupt one (${e.message})`);
  }
  return err;
}

/**
 * Unpacks an archive stream into destDir (which must exist and be empty), verifying the
 * magic, the format version, every entry's size and sha256, and the end record. Every
 * file is fsynced. On failure destDir may hold partial files: the caller removes it.
 * `input` is neither consumed to its end nor destroyed on failure: the caller decides
 * (an HTTP server drains it to answer).
 */
export async function readArchive(input: Readable, destDir: string, opts: ReadArchiveOptions = {}): Promise<ReadArchiveResult> {
  if (input.errored) throw input.errored;
  const gunzip = createGunzip();
  const onInputError = (err: Error): void => { gunzip.destroy(err); };
  input.on('error', onInputError);
  input.pipe(gunzip);
  const r = new ByteReader(gunzip[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
  try {
    return await unpack(r, destDir, opts);
  } catch (err) {
    throw zlibError(err);
  } finally {
    input.unpipe(gunzip);
    input.off('error', onInputError);
    gunzip.destroy();
  }
}

async function unpack(r: ByteReader, destDir: string, opts: ReadArchiveOptions): Promise<ReadArchiveResult> {
  let magic: Buffer;
  try {
    magic = await r.exact(ARCHIVE_MAGIC.length, 'the header');
  } catch (err) {
    if (err instanceof StateError) throw invalid('not a cloudlet state archive (too short)');
    throw err;
  }
  if (!magic.equals(ARCHIVE_MAGIC)) throw invalid('not a cloudlet state archive (bad magic number)');
  const format = (await r.exact(4, 'the header')).readUInt32BE();
  if (format > ARCHIVE_FORMAT) {
    throw new StateError('UnsupportedVersion', `the archive has format version ${format}, newer than this cloudlet reads (${ARCHIVE_FORMAT}); upgrade cloudlet to import it`);
  }
  if (format < 1) throw invalid(`bad archive format version ${format}`);
  const metaLen = (await r.exact(4, 'the header')).readUInt32BE();
  if (metaLen > MAX_META_BYTES) throw invalid(`archive metadata of ${metaLen} bytes is larger than allowed`);
  let meta: ArchiveMeta;
  try {
    meta = JSON.parse((await r.exact(metaLen, 'the metadata')).toString('utf8')) as ArchiveMeta;
  } catch (err) {
    if (err instanceof StateError) throw err;
    throw invalid('the archive metadata is not valid JSON');
  }
  if (!meta || typeof meta !== 'object' || typeof meta.schemaVersion !== 'number' || !Number.isInteger(meta.schemaVersion)) {
    throw invalid('the archive metadata lacks a schemaVersion');
  }
  opts.checkMeta?.(meta);
  const names: string[] = [];
  const seen = new Set<string>();
  let total = 0;
  let skipped = 0;
  for (;;) {
    const type = (await r.exact(1, 'an entry header')).readUInt8();
    if (type === END) break;
    if (type !== ENTRY) throw invalid(`unknown record type ${type} after ${names.length} entries`);
    const nameLen = (await r.exact(2, 'an entry header')).readUInt16BE();
    if (nameLen === 0 || nameLen > MAX_NAME_BYTES) throw invalid(`bad entry name length ${nameLen}`);
    const name = (await r.exact(nameLen, 'an entry name')).toString('utf8');
    if (!isEntryName(name)) throw invalid(`unexpected entry ${JSON.stringify(name)} (only state.db and blobs/XX/… are allowed)`);
    if (seen.has(name)) throw invalid(`duplicate entry ${name}`);
    if (seen.size === 0 && name !== 'state.db') throw invalid('the first entry must be state.db');
    seen.add(name);
    const bigSize = (await r.exact(8, `the header of ${name}`)).readBigUInt64BE();
    if (bigSize > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`entry ${name} claims ${bigSize} bytes`);
    const size = Number(bigSize);
    const path = join(destDir, name);
    const hash = createHash('sha256');
    const keep = name === 'state.db' || !opts.keepBlob || opts.keepBlob(blobIdOfEntry(name));
    if (keep) {
      await mkdir(dirname(path), { recursive: true, mode: DIR_MODE });
      const fh = await open(path, 'wx', FILE_MODE);
      try {
        for await (const chunk of r.chunks(size, name)) {
          hash.update(chunk);
          opts.beforeWrite?.(path, chunk.length);
          let off = 0;
          while (off < chunk.length) off += (await fh.write(chunk, off)).bytesWritten;
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
    } else {
      for await (const chunk of r.chunks(size, name)) hash.update(chunk);
    }
    const sum = await r.exact(32, `the checksum of ${name}`);
    if (!sum.equals(hash.digest())) throw invalid(`entry ${name} is corrupt (sha256 mismatch)`);
    if (keep) names.push(name);
    else skipped++;
    total += size;
    if (name === 'state.db') await opts.onDatabase?.(path);
  }
  const count = (await r.exact(4, 'the end record')).readUInt32BE();
  const bytes = Number((await r.exact(8, 'the end record')).readBigUInt64BE());
  if (count !== names.length + skipped || bytes !== total) {
    throw invalid(`the end record says ${count} entries / ${bytes} bytes, the archive had ${names.length + skipped} / ${total}`);
  }
  if (!(await r.atEnd())) throw invalid('unexpected data after the end of the archive');
  if (!seen.has('state.db')) throw invalid('the archive has no state.db');
  return { meta, names, skipped, bytes: total };
}

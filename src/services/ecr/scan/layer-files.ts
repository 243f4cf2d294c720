/**
 * The few files a scan needs from an image's layers, read as streams: each layer (a tar, plain,
 * gzip'd or zstd'd — told apart by its first bytes, not its media type) is walked once, every
 * entry but the interesting ones is skipped unread, and only those are kept in memory (each at
 * most MAX_FILE_BYTES). Layers apply in order as an overlay: a later layer's file replaces an
 * earlier one, and OCI whiteouts (`.wh.NAME` removes NAME, `.wh..wh..opq` empties the directory
 * of what lower layers put there) remove them.
 */
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import tar from 'tar-stream';

export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** A kept file: its bytes, or where a symbolic link points. */
export type KeptFile = { data: Buffer } | { link: string };

export interface LayerSource {
  digest: string;
  open(): Readable;
}

/** Why a layer could not be read (the scan says so rather than guess). */
export class UnsupportedLayer extends Error {}

const EXACT = new Set([
  'etc/os-release', 'usr/lib/os-release',
  'var/lib/dpkg/status',
  'lib/apk/db/installed',
  'var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite',
  'var/lib/rpm/Packages', 'var/lib/rpm/Packages.db', 'usr/lib/sysimage/rpm/Packages.db',
]);

/** Whether a path (no leading slash) is one the scan reads. */
export function isInteresting(path: string): boolean {
  if (EXACT.has(path)) return true;
  if (path.startsWith('var/lib/dpkg/status.d/') && !path.slice('var/lib/dpkg/status.d/'.length).includes('/')) return !path.endsWith('.md5sums');
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'requirements.txt') return true;
  // The project's lockfile, not one of a dependency's (those are not installed by it).
  if (base === 'package-lock.json') return !path.includes('node_modules/');
  return false;
}

export function normalise(name: string): string {
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
}

/** The layer's bytes, decompressed according to its magic number. */
async function decoded(src: Readable): Promise<Readable> {
  const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let have = 0;
  while (have < 4) {
    const r = await it.next();
    if (r.done) break;
    head.push(r.value);
    have += r.value.length;
  }
  const first = Buffer.concat(head);
  const rest = Readable.from((async function* () {
    if (first.length) yield first;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })());
  if (first[0] === 0x1f && first[1] === 0x8b) return rest.pipe(zlib.createGunzip());
  if (first.length >= 4 && first.readUInt32LE(0) === 0xfd2fb528) {
    const z = (zlib as unknown as { createZstdDecompress?: () => NodeJS.ReadWriteStream }).createZstdDecompress;
    if (!z) {
      rest.destroy();
      throw new UnsupportedLayer(`zstd-compressed layers need Node.js 22.15 or later (this is ${process.version})`);
    }
    return rest.pipe(z() as unknown as PassThrough);
  }
  return rest;
}

interface LayerChanges {
  files: Map<string, KeptFile>;
  /** Paths this layer removes or replaces with something not kept. */
  removed: string[];
  /** Directories whose lower-layer contents this layer hides. */
  opaque: string[];
}

async function readLayer(layer: LayerSource): Promise<LayerChanges> {
  const out: LayerChanges = { files: new Map(), removed: [], opaque: [] };
  const extract = tar.extract();
  const src = layer.open();
  const feeding = decoded(src).then((s) => pipeline(s, extract));
  // A decode failure ends the extract, so the loop below ends too; its error is reported from `feeding`.
  feeding.catch((e: unknown) => extract.destroy(e as Error));
  try {
    await readEntries(extract, out);
  } catch (e) {
    src.destroy();
    await feeding.catch(() => undefined);
    throw e;
  }
  await feeding;
  return out;
}

async function readEntries(extract: tar.Extract, out: LayerChanges): Promise<void> {
  for await (const entry of extract) {
    const h = entry.header;
    const path = normalise(h.name);
    const slash = path.lastIndexOf('/');
    const dir = slash >= 0 ? path.slice(0, slash) : '';
    const base = path.slice(slash + 1);
    if (base === '.wh..wh..opq') out.opaque.push(dir);
    else if (base.startsWith('.wh.')) out.removed.push(dir ? `${dir}/${base.slice(4)}` : base.slice(4));
    else if (isInteresting(path)) {
      if (h.type === 'file' || h.type === 'contiguous-file') {
        if ((h.size ?? 0) > MAX_FILE_BYTES) out.removed.push(path);
        else {
          const chunks: Buffer[] = [];
          for await (const c of entry) chunks.push(c as Buffer);
          out.files.set(path, { data: Buffer.concat(chunks) });
          continue;
        }
      } else if (h.type === 'symlink' && h.linkname) {
        out.files.set(path, { link: h.linkname });
      } else if (h.type === 'link' && h.linkname) {
        const target = out.files.get(normalise(h.linkname));
        if (target) out.files.set(path, target);
        else out.removed.push(path);
      } else {
        out.removed.push(path);
      }
    } else if (h.type !== 'directory') {
      // Something other than a directory where a directory was hides what lower layers put under it.
      out.removed.push(`${path}/`);
    }
    entry.resume();
  }
}

/** Applies the layers in order; the result holds only the interesting paths of the final filesystem. */
export async function collectFiles(layers: LayerSource[]): Promise<Map<string, KeptFile>> {
  const fs = new Map<string, KeptFile>();
  for (const layer of layers) {
    const ch = await readLayer(layer);
    const drop = (prefix: string) => {
      for (const k of [...fs.keys()]) if (k.startsWith(prefix)) fs.delete(k);
    };
    for (const d of ch.opaque) drop(d ? `${d}/` : '');
    for (const r of ch.removed) {
      if (r.endsWith('/')) {
        drop(r);
        continue;
      }
      fs.delete(r);
      drop(`${r}/`);
    }
    for (const [k, v] of ch.files) fs.set(k, v);
  }
  return fs;
}

/** A kept file's bytes, following symbolic links among kept files (a few hops). */
export function fileData(fs: Map<string, KeptFile>, path: string): Buffer | undefined {
  let p = path;
  for (let hops = 0; hops < 8; hops++) {
    const f = fs.get(p);
    if (!f) return undefined;
    if ('data' in f) return f.data;
    const dir = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
    p = normalise(f.link.startsWith('/') ? f.link : `${dir}/${f.link}`);
  }
  return undefined;
}

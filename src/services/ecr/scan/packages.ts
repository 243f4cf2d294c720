/**
 * What is installed, from the files layer-files.ts kept: the OS (/etc/os-release, named as OSV
 * names the ecosystem: 'Debian:12', 'Ubuntu:22.04:LTS', 'Alpine:v3.19', 'Rocky Linux:9'...), its
 * packages (dpkg status and status.d, apk's installed database, the rpm SQLite database) and the
 * language lockfiles (package-lock.json v1-v3, requirements.txt pins).
 *
 * Distribution advisories name source packages (Debian's glibc, not libc6; Alpine's origin
 * openssl, not libssl3), so OS packages are reported by source name and source version.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileData, type KeptFile } from './layer-files.js';
import type { InstalledPackage } from './osv.js';

export interface OsInfo { id: string; versionId?: string; prettyName?: string; ecosystem?: string }

export function parseOsRelease(text: string): OsInfo {
  const kv: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) kv[m[1]!] = m[2]!.replace(/^(["'])(.*)\1$/, '$2');
  }
  const id = (kv.ID ?? '').toLowerCase();
  const v = kv.VERSION_ID;
  const major = v?.split('.')[0];
  const minor = v?.split('.').slice(0, 2).join('.');
  let ecosystem: string | undefined;
  if (id === 'debian' && major) ecosystem = `Debian:${major}`;
  else if (id === 'ubuntu' && v) ecosystem = `Ubuntu:${v}${/LTS/.test(kv.VERSION ?? '') ? ':LTS' : ''}`;
  else if (id === 'alpine' && minor) ecosystem = `Alpine:v${minor}`;
  else if (id === 'rocky' && major) ecosystem = `Rocky Linux:${major}`;
  else if (id === 'almalinux' && major) ecosystem = `AlmaLinux:${major}`;
  else if (id === 'wolfi') ecosystem = 'Wolfi';
  else if (id === 'chainguard') ecosystem = 'Chainguard';
  return { id, versionId: v, prettyName: kv.PRETTY_NAME, ecosystem };
}

/** RFC 822-style paragraphs (dpkg status, apk installed uses its own `K:value` lines). */
function paragraphs(text: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  for (const block of text.split(/\n\s*\n/)) {
    const p: Record<string, string> = {};
    let last: string | undefined;
    for (const line of block.split('\n')) {
      if (/^\s/.test(line) && last) { p[last] += `\n${line.trim()}`; continue; }
      const i = line.indexOf(':');
      if (i <= 0) continue;
      last = line.slice(0, i).trim();
      p[last] = line.slice(i + 1).trim();
    }
    if (Object.keys(p).length) out.push(p);
  }
  return out;
}

/** Installed packages of a dpkg status file (or a distroless status.d file, which has no Status). */
export function parseDpkgStatus(text: string, ecosystem: string, path?: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const p of paragraphs(text)) {
    if (!p.Package || !p.Version) continue;
    if (p.Status !== undefined && !/\binstalled$/.test(p.Status)) continue;
    const src = /^(\S+)(?:\s+\((\S+)\))?/.exec(p.Source ?? '');
    out.push({ ecosystem, name: src?.[1] ?? p.Package, version: src?.[2] ?? p.Version, path, binary: p.Package });
  }
  return out;
}

export function parseApkInstalled(text: string, ecosystem: string, path?: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const f: Record<string, string> = {};
    for (const line of block.split('\n')) if (line[1] === ':') f[line[0]!] = line.slice(2);
    if (f.P && f.V) out.push({ ecosystem, name: f.o || f.P, version: f.V, path, binary: f.P });
  }
  return out;
}

/** NAME, VERSION, RELEASE, EPOCH of an rpm header blob as rpmdb.sqlite stores it (no lead, no magic). */
export function parseRpmHeader(blob: Buffer): { name: string; version: string; release: string; epoch?: number } | undefined {
  if (blob.length < 8) return undefined;
  const il = blob.readUInt32BE(0);
  const dl = blob.readUInt32BE(4);
  const dataStart = 8 + il * 16;
  if (il > 100000 || dataStart + dl > blob.length) return undefined;
  const tags = new Map<number, string | number>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * 16;
    const tag = blob.readUInt32BE(at);
    const type = blob.readUInt32BE(at + 4);
    const offset = blob.readUInt32BE(at + 8);
    if (tag < 1000 || tag > 1003 || offset >= dl) continue;
    const pos = dataStart + offset;
    if (type === 6) {
      const end = blob.indexOf(0, pos);
      tags.set(tag, blob.subarray(pos, end < 0 ? dataStart + dl : end).toString('utf8'));
    } else if (type === 4 && pos + 4 <= blob.length) tags.set(tag, blob.readUInt32BE(pos));
  }
  const name = tags.get(1000);
  const version = tags.get(1001);
  const release = tags.get(1002);
  if (typeof name !== 'string' || typeof version !== 'string' || typeof release !== 'string') return undefined;
  const epoch = tags.get(1003);
  return { name, version, release, epoch: typeof epoch === 'number' ? epoch : undefined };
}

/** The rpm SQLite database's packages: the file goes to a temporary directory for SQLite to open. */
export async function parseRpmSqlite(data: Buffer, ecosystem: string, path?: string): Promise<InstalledPackage[]> {
  const { default: Database } = await import('better-sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-rpmdb-'));
  try {
    const file = join(dir, 'rpmdb.sqlite');
    writeFileSync(file, data);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const out: InstalledPackage[] = [];
      for (const row of db.prepare('SELECT blob FROM Packages').iterate() as Iterable<{ blob: Buffer }>) {
        const h = parseRpmHeader(row.blob);
        if (!h || h.name === 'gpg-pubkey') continue;
        out.push({ ecosystem, name: h.name, version: `${h.epoch ? `${h.epoch}:` : ''}${h.version}-${h.release}`, path });
      }
      return out;
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** package-lock.json: v2/v3 `packages` (keyed by install path), v1 `dependencies` (nested). */
export function parsePackageLock(text: string, path?: string): InstalledPackage[] {
  const lock = JSON.parse(text) as {
    packages?: Record<string, { name?: string; version?: string; link?: boolean }>;
    dependencies?: Record<string, { version?: string; dependencies?: unknown }>;
  };
  const out: InstalledPackage[] = [];
  if (lock.packages && typeof lock.packages === 'object') {
    for (const [key, p] of Object.entries(lock.packages)) {
      if (!key || p.link || !p.version) continue;
      const i = key.lastIndexOf('node_modules/');
      const name = p.name ?? (i >= 0 ? key.slice(i + 'node_modules/'.length) : undefined);
      if (name) out.push({ ecosystem: 'npm', name, version: p.version, path });
    }
    return out;
  }
  const walk = (deps: Record<string, { version?: string; dependencies?: unknown }> | undefined) => {
    for (const [name, d] of Object.entries(deps ?? {})) {
      if (d.version && !/^(file|link|git|http)/.test(d.version)) out.push({ ecosystem: 'npm', name, version: d.version, path });
      walk(d.dependencies as typeof deps);
    }
  };
  walk(lock.dependencies);
  return out;
}

/** requirements.txt: only exact pins (`name==1.2`, `name[extra]===1.2`) say what is installed. */
export function parseRequirements(text: string, path?: string): InstalledPackage[] {
  const out: InstalledPackage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').split(';')[0]!.trim();
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([A-Za-z0-9.!+_-]+)\s*$/.exec(line);
    if (m && !m[2]!.includes('*')) out.push({ ecosystem: 'PyPI', name: m[1]!, version: m[2]!, path });
  }
  return out;
}

export interface Inventory {
  os?: OsInfo;
  packages: InstalledPackage[];
  /** Package databases found but not read, and other things the scan could not look at. */
  notes: string[];
  /** Whether an OS package database was found. */
  osPackages: boolean;
}

export async function inventory(fs: Map<string, KeptFile>): Promise<Inventory> {
  const osText = fileData(fs, 'etc/os-release') ?? fileData(fs, 'usr/lib/os-release');
  const os = osText ? parseOsRelease(osText.toString('utf8')) : undefined;
  const eco = os?.ecosystem ?? (os ? `${os.id}:${os.versionId ?? ''}` : 'unknown');
  const packages: InstalledPackage[] = [];
  const notes: string[] = [];
  let osPackages = false;
  const dpkg = fileData(fs, 'var/lib/dpkg/status');
  if (dpkg) { osPackages = true; packages.push(...parseDpkgStatus(dpkg.toString('utf8'), eco, '/var/lib/dpkg/status')); }
  for (const k of [...fs.keys()].filter((k) => k.startsWith('var/lib/dpkg/status.d/')).sort()) {
    const d = fileData(fs, k);
    if (d) { osPackages = true; packages.push(...parseDpkgStatus(d.toString('utf8'), eco, `/${k}`)); }
  }
  const apk = fileData(fs, 'lib/apk/db/installed');
  if (apk) { osPackages = true; packages.push(...parseApkInstalled(apk.toString('utf8'), eco, '/lib/apk/db/installed')); }
  const rpmPath = ['var/lib/rpm/rpmdb.sqlite', 'usr/lib/sysimage/rpm/rpmdb.sqlite'].find((p) => fileData(fs, p));
  if (rpmPath) {
    osPackages = true;
    try {
      packages.push(...await parseRpmSqlite(fileData(fs, rpmPath)!, eco, `/${rpmPath}`));
    } catch (e) {
      notes.push(`the rpm database /${rpmPath} could not be read (${(e as Error).message})`);
    }
  } else if (['var/lib/rpm/Packages', 'var/lib/rpm/Packages.db', 'usr/lib/sysimage/rpm/Packages.db'].some((p) => fileData(fs, p))) {
    osPackages = true;
    notes.push('the rpm database is in Berkeley DB or ndb format, which cloudlet does not read (only rpmdb.sqlite)');
  }
  for (const k of [...fs.keys()].sort()) {
    const base = k.slice(k.lastIndexOf('/') + 1);
    const d = base === 'package-lock.json' || base === 'requirements.txt' ? fileData(fs, k) : undefined;
    if (!d) continue;
    try {
      packages.push(...(base === 'package-lock.json' ? parsePackageLock(d.toString('utf8'), `/${k}`) : parseRequirements(d.toString('utf8'), `/${k}`)));
    } catch (e) {
      notes.push(`/${k} could not be read (${(e as Error).message})`);
    }
  }
  return { os, packages, notes, osPackages };
}

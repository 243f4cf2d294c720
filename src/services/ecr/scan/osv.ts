/**
 * The vulnerability database: OSV records (https://ossf.github.io/osv-schema/), read from the file
 * shipped in data/vulns/osv.json or from what `--vuln-db` names (a JSON array of records, one
 * record, `{ vulns: [...] }`, or a directory of such .json files, e.g. an unzipped OSV.dev
 * ecosystem export). Loaded when the first scan needs it, indexed by (ecosystem, package name).
 *
 * Matching (the OSV schema's evaluation): an installed package is affected by an `affected[]`
 * entry of the same ecosystem and name when its version is listed in `versions`, or when one of
 * the ECOSYSTEM/SEMVER `ranges` covers it (events in version order: introduced opens, fixed and
 * limit close at that version, last_affected closes after it). GIT ranges are not evaluated.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { severityOf, type Severity } from './severity.js';
import { comparatorFor, compareSemver, type Compare } from './versions.js';

export interface OsvEvent { introduced?: string; fixed?: string; last_affected?: string; limit?: string }
export interface OsvAffected {
  package?: { ecosystem: string; name: string; purl?: string };
  ranges?: Array<{ type: string; events: OsvEvent[] }>;
  versions?: string[];
  severity?: Array<{ type: string; score: string }>;
  database_specific?: Record<string, unknown>;
  ecosystem_specific?: Record<string, unknown>;
}
export interface OsvRecord {
  id: string;
  modified?: string;
  published?: string;
  withdrawn?: string;
  aliases?: string[];
  upstream?: string[];
  summary?: string;
  details?: string;
  severity?: Array<{ type: string; score: string }>;
  affected?: OsvAffected[];
  references?: Array<{ type: string; url: string }>;
  database_specific?: Record<string, unknown>;
}

export interface VulnDb {
  /** Where it came from and how current it is: kept with every scan (ScanRecord.database). */
  source: string;
  /** When the data was last updated (ECR's vulnerabilitySourceUpdatedAt). */
  updatedAtMs?: number;
  count: number;
  /** Records affecting (ecosystem, name); the key is `${ecosystem}\0${name}`. */
  byPackage: Map<string, Array<{ record: OsvRecord; affected: OsvAffected }>>;
}

/** An installed package as the scan found it. */
export interface InstalledPackage {
  ecosystem: string;
  name: string;
  version: string;
  /** Where it was found (the file in the image). */
  path?: string;
  /** OS packages are named by source package; this is the installed (binary) package that gave it. */
  binary?: string;
}

export interface Finding {
  name: string;
  id: string;
  severity: Severity;
  description?: string;
  uri: string;
  package: string;
  version: string;
  fixedVersion?: string;
  ecosystem: string;
  vector?: string;
  score?: number;
}

/** PyPI names compare normalised (PEP 503); other ecosystems as written. */
export function packageKey(ecosystem: string, name: string): string {
  const n = ecosystem === 'PyPI' ? name.toLowerCase().replace(/[-_.]+/g, '-') : name;
  return `${ecosystem}\u0000${n}`;
}

export function buildDb(records: OsvRecord[], source: string, updatedAtMs?: number): VulnDb {
  const byPackage = new Map<string, Array<{ record: OsvRecord; affected: OsvAffected }>>();
  let latest = 0;
  for (const record of records) {
    if (!record || typeof record.id !== 'string' || record.withdrawn) continue;
    const m = Date.parse(record.modified ?? '');
    if (m > latest) latest = m;
    for (const affected of record.affected ?? []) {
      if (!affected.package?.ecosystem || !affected.package.name) continue;
      const key = packageKey(affected.package.ecosystem, affected.package.name);
      const list = byPackage.get(key) ?? [];
      list.push({ record, affected });
      byPackage.set(key, list);
    }
  }
  return { source, updatedAtMs: updatedAtMs ?? (latest || undefined), count: records.length, byPackage };
}

function recordsOf(json: unknown): OsvRecord[] {
  if (Array.isArray(json)) return json as OsvRecord[];
  if (json && typeof json === 'object') {
    const o = json as { vulns?: unknown; id?: unknown };
    if (Array.isArray(o.vulns)) return o.vulns as OsvRecord[];
    if (typeof o.id === 'string') return [o as OsvRecord];
  }
  throw new Error('not OSV data: expected a record, an array of records or { vulns: [...] }');
}

/** The shipped file, found by walking up from here (src/, dist/src/ and dist/bundle alike). */
export function bundledDbPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 7; i++) {
    const candidate = join(dir, 'data', 'vulns', 'osv.json');
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch { /* keep walking up */ }
    dir = dirname(dir);
  }
  throw new Error('data/vulns/osv.json not found: the shipped vulnerability database is missing');
}

function fromFile(path: string, text: string): VulnDb {
  const json = JSON.parse(text) as unknown;
  const meta = json && typeof json === 'object' && !Array.isArray(json) ? (json as { meta?: { source?: string; date?: string; version?: string } }).meta : undefined;
  const records = recordsOf(json);
  const source = meta?.source ? `${meta.source}${meta.version ? ` v${meta.version}` : ''}${meta.date ? ` (${meta.date})` : ''}` : `OSV records in ${path} (${records.length})`;
  const date = meta?.date ? Date.parse(meta.date) : NaN;
  return buildDb(records, source, Number.isNaN(date) ? undefined : date);
}

function fileRecords(p: string, text: string): OsvRecord[] {
  try {
    return recordsOf(JSON.parse(text));
  } catch (e) {
    throw new Error(`${p}: ${(e as Error).message}`);
  }
}

/** Reads a database file or directory synchronously (tests, tools). */
export function loadDb(path: string): VulnDb {
  if (!statSync(path).isDirectory()) return fromFile(path, readFileSync(path, 'utf8'));
  const records: OsvRecord[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, name.name);
      if (name.isDirectory()) walk(p);
      else if (name.name.endsWith('.json')) records.push(...fileRecords(p, readFileSync(p, 'utf8')));
    }
  };
  walk(path);
  return buildDb(records, `OSV records in ${path} (${records.length})`);
}

/** The same, without holding the event loop: an OSV export of a whole ecosystem is tens of thousands of files. */
export async function loadDbAsync(path: string): Promise<VulnDb> {
  if (!(await stat(path)).isDirectory()) return fromFile(path, await readFile(path, 'utf8'));
  const records: OsvRecord[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, name.name);
      if (name.isDirectory()) await walk(p);
      else if (name.name.endsWith('.json')) records.push(...fileRecords(p, await readFile(p, 'utf8')));
    }
  };
  await walk(path);
  return buildDb(records, `OSV records in ${path} (${records.length})`);
}

/**
 * The database for a path (undefined: the shipped one), read once per file version: a cache of
 * file contents keyed by path, size and mtime, so a replaced file is read again. Scans that start
 * while it loads wait for the same load; a failed load is not kept.
 */
export async function dbFor(path: string | undefined, cache: Map<string, Promise<VulnDb>>): Promise<VulnDb> {
  const p = path ?? bundledDbPath();
  const st = await stat(p);
  const key = `${p}\u0000${st.size}\u0000${st.mtimeMs}`;
  let db = cache.get(key);
  if (!db) {
    for (const k of cache.keys()) if (k.startsWith(`${p}\u0000`)) cache.delete(k);
    db = loadDbAsync(p);
    cache.set(key, db);
    db.catch(() => { if (cache.get(key) === db) cache.delete(key); });
  }
  return db;
}

/** Whether `version` is in the range, and the version that fixes it (the closing event above it). */
function inRange(events: OsvEvent[], version: string, cmp: Compare): { hit: boolean; fixed?: string } {
  const at = (e: OsvEvent) => e.introduced ?? e.fixed ?? e.last_affected ?? e.limit ?? '0';
  const order = (a: string, b: string) => (a === '0' ? (b === '0' ? 0 : -1) : b === '0' ? 1 : cmp(a, b));
  const sorted = [...events].sort((a, b) => order(at(a), at(b)));
  let hit = false;
  for (const e of sorted) {
    if (e.introduced !== undefined && order(e.introduced, version) <= 0) hit = true;
    else if (e.fixed !== undefined && order(e.fixed, version) <= 0) hit = false;
    else if (e.limit !== undefined && order(e.limit, version) <= 0) hit = false;
    else if (e.last_affected !== undefined && order(e.last_affected, version) < 0) hit = false;
  }
  if (!hit) return { hit };
  const fixed = sorted.find((e) => e.fixed !== undefined && order(e.fixed, version) > 0)?.fixed;
  return { hit, fixed };
}

function affects(a: OsvAffected, ecosystem: string, version: string): { hit: boolean; fixed?: string } {
  if (a.versions?.includes(version)) {
    return { hit: true, fixed: a.ranges?.flatMap((r) => r.events).find((e) => e.fixed !== undefined)?.fixed };
  }
  for (const r of a.ranges ?? []) {
    const cmp = r.type === 'SEMVER' ? compareSemver : r.type === 'ECOSYSTEM' ? comparatorFor(ecosystem) : undefined;
    if (!cmp) continue;
    const m = inRange(r.events ?? [], version, cmp);
    if (m.hit) return m;
  }
  return { hit: false };
}

/** The CVE id ECR names a finding by: the record's own id, an alias or an upstream id. */
function cveOf(r: OsvRecord): string | undefined {
  return [r.id, ...(r.aliases ?? []), ...(r.upstream ?? [])].find((x) => /^CVE-\d{4}-\d+$/.test(x));
}

function uriOf(r: OsvRecord, name: string): string {
  const advisory = r.references?.find((x) => x.type === 'ADVISORY')?.url;
  if (advisory) return advisory;
  return /^CVE-/.test(name) ? `https://nvd.nist.gov/vuln/detail/${name}` : `https://osv.dev/vulnerability/${r.id}`;
}

/** Every finding for the packages, one per (vulnerability, package, version), in a stable order. */
export function matchPackages(db: VulnDb, packages: InstalledPackage[]): Finding[] {
  const out = new Map<string, Finding>();
  for (const p of packages) {
    for (const { record, affected } of db.byPackage.get(packageKey(p.ecosystem, p.name)) ?? []) {
      const m = affects(affected, p.ecosystem, p.version);
      if (!m.hit) continue;
      const name = cveOf(record) ?? record.id;
      const key = `${name}\u0000${p.name}\u0000${p.version}`;
      if (out.has(key)) continue;
      const sev = severityOf(record, affected);
      out.set(key, {
        name, id: record.id, severity: sev.severity,
        description: record.summary ?? record.details?.slice(0, 1000),
        uri: uriOf(record, name), package: p.name, version: p.version, fixedVersion: m.fixed, ecosystem: p.ecosystem,
        vector: sev.vector, score: sev.score,
      });
    }
  }
  const rank = (s: Severity) => ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'].indexOf(s);
  return [...out.values()].sort((a, b) => rank(a.severity) - rank(b.severity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.package < b.package ? -1 : 1));
}

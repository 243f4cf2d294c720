/**
 * The admin API as a fuzz target: clock values, snapshot names, and import archives that are
 * truncated, oversized, corrupted (gzip, container, checksums) or carry hostile SQLite files
 * (views over endless recursive CTEs, triggers, virtual tables, foreign schemas, damaged pages
 * with a correct checksum). Each request is sent alone while /_cloudlet/health is polled; each
 * must get a 2xx or 4xx JSON answer (never a 5xx) within a second, health must keep answering
 * within a second, and the clock must stay readable after every clock request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { ARCHIVE_FORMAT, ARCHIVE_MAGIC, blobEntryName, writeArchive, type ArchiveEntry } from '../../src/state/archive.js';
import { CURRENT_DDL, SCHEMA_VERSION } from '../../src/store/schema.js';
import { measure, rng, type Answer } from './fuzz-hostile.js';

export interface AdminStats {
  cases: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  failures: Array<{ name: string; detail: string }>;
  slowestMs: number;
  slowestHealthMs: number;
  ms: number;
}

type R = (n: number) => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[r(xs.length)]!;

const ENDLESS = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)';
const RESOURCES_DDL = 'CREATE TABLE resources (account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (account, region, kind, id)) WITHOUT ROWID;';
const META_DDL = 'CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;';

/** SQLite files an attacker could put in an archive: each must be refused (or, the last ones, accepted) quickly. */
const HOSTILE_DBS: Record<string, string> = {
  'resources-view-cte': `${META_DDL} CREATE VIEW resources AS ${ENDLESS} SELECT 'a' AS account, '' AS region, 'k' AS kind, CAST(x AS TEXT) AS id, '{}' AS value FROM c;`,
  'meta-view-cte': `CREATE VIEW meta AS ${ENDLESS} SELECT 'schema_version' AS key, CAST(x AS TEXT) AS value FROM c; ${RESOURCES_DDL}`,
  trigger: `${CURRENT_DDL} CREATE TRIGGER t BEFORE DELETE ON resources BEGIN SELECT count(*) FROM (${ENDLESS} SELECT x FROM c); END;`,
  'extra-view': `${CURRENT_DDL} CREATE VIEW v AS ${ENDLESS} SELECT x FROM c;`,
  virtual: `${CURRENT_DDL} CREATE VIRTUAL TABLE fts USING fts5(body);`,
  'virtual-resources': `${META_DDL} CREATE VIRTUAL TABLE resources USING fts5(account, region, kind, id, value);`,
  'extra-table': `${CURRENT_DDL} CREATE TABLE evil (x);`,
  'extra-index': `${CURRENT_DDL} CREATE INDEX evil ON resources (value);`,
  'no-rowid-missing': `${META_DDL} CREATE TABLE resources (account TEXT, region TEXT, kind TEXT, id TEXT, value TEXT);`,
  'not-json': `${CURRENT_DDL} INSERT INTO resources VALUES ('000000000000', '', 'iam:user', 'x', 'not json');`,
  'blob-keys': `${CURRENT_DDL} INSERT INTO resources VALUES (x'00', '', 'iam:user', 'x', '{}');`,
  'empty-current': CURRENT_DDL,
  'orphan-blob': CURRENT_DDL,
};

/** `sql`, plus schema_version when meta is a table. */
function makeDb(file: string, sql: string, version = SCHEMA_VERSION): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = DELETE');
    db.exec(sql);
    if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get()) {
      db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(version));
    }
  } finally {
    db.close();
  }
}

async function archiveBytes(entries: ArchiveEntry[], meta: Record<string, unknown> = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({ write(c: Buffer, _e, done) { chunks.push(c); done(); } });
  await writeArchive({ format: ARCHIVE_FORMAT, cloudletVersion: 'fuzz', schemaVersion: SCHEMA_VERSION, createdAt: new Date(0).toISOString(), ...meta }, entries, sink);
  return Buffer.concat(chunks);
}

interface Corpus { dir: string; good: Buffer; goodDb: Buffer; hostile: Array<[string, Buffer]> }

async function buildCorpus(url: string): Promise<Corpus> {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-fuzz-admin-'));
  const res = await fetch(`${url}/_cloudlet/state/export`);
  if (res.status !== 200) throw new Error(`export answered ${res.status}`);
  const good = Buffer.from(await res.arrayBuffer());
  const goodDbFile = join(dir, 'good.db');
  makeDb(goodDbFile, `${CURRENT_DDL} INSERT INTO resources VALUES ('000000000000', '', 'fuzz:thing', 'a', '{"blob":"${'ab'.repeat(16)}"}');`);
  const goodDb = (await import('node:fs')).readFileSync(goodDbFile);
  const hostile: Array<[string, Buffer]> = [];
  const blobFile = join(dir, 'blob');
  writeFileSync(blobFile, Buffer.alloc(256 * 1024, 1));
  for (const [name, sql] of Object.entries(HOSTILE_DBS)) {
    const file = join(dir, `${name}.db`);
    makeDb(file, sql);
    const blobs = name === 'orphan-blob' ? [{ name: blobEntryName('cd'.repeat(16)), file: blobFile }] : [];
    hostile.push([name, await archiveBytes([{ name: 'state.db', file }, ...blobs])]);
  }
  const newer = join(dir, 'newer.db');
  makeDb(newer, CURRENT_DDL, SCHEMA_VERSION + 1);
  hostile.push(['newer-schema', await archiveBytes([{ name: 'state.db', file: newer }])]);
  return { dir, good, goodDb, hostile };
}

interface AdminCase { kind: string; name: string; method: string; path: string; headers?: Record<string, string>; body?: Buffer | string; ok: readonly number[] }

const DURATIONS = ['31d', '12h', '90m', '45', '1h30m', '500ms', '0', '1w', '36524d', '36525d', '36526d', '99999999999d', '1e9', '-5d', '5 d', 'soon', '', '1.5h', '9'.repeat(30) + 'd', '½d', '١d', '31D', 'd', '3d3', '0.0000001ms'];

function randomDuration(r: R): unknown {
  switch (r(6)) {
    case 0: return pick(r, DURATIONS);
    case 1: return `${r(10 ** (1 + r(15)))}${pick(r, ['ms', 's', 'm', 'h', 'd', 'w', '', 'y', 'dd'])}`;
    case 2: return Array.from({ length: 1 + r(6) }, () => `${r(1000)}${pick(r, ['ms', 's', 'm', 'h', 'd', 'w'])}`).join('');
    case 3: return pick(r, [1e308, -1, 0, 1.5, Number.MAX_SAFE_INTEGER, 3155760000, 3155760001]);
    case 4: return pick(r, [null, true, [], {}, ['31d'], { d: 1 }]);
    default: return 'x'.repeat(r(200_000));
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function clockCase(r: R): AdminCase {
  const ok = [200, 400, 413, 415] as const;
  switch (r(5)) {
    case 0: return { kind: 'clock', name: 'clock reset', method: 'POST', path: '/_cloudlet/clock', headers: JSON_HEADERS, body: '{"reset":true}', ok };
    case 1: {
      const type = pick(r, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-8', 'APPLICATION/JSON', '']);
      return { kind: 'clock', name: `clock as ${type || 'no type'}`, method: 'POST', path: '/_cloudlet/clock', headers: type ? { 'content-type': type } : {}, body: JSON.stringify({ advance: randomDuration(r) }), ok };
    }
    case 2: {
      const body = pick(r, ['', '{', 'null', '[]', '"31d"', '{"advance":"31d","reset":true}', '{"reset":false}', '{"reset":"true"}', '{"__proto__":{"advance":"1d"}}', '\u0000']);
      return { kind: 'clock', name: `clock body ${JSON.stringify(body)}`, method: 'POST', path: '/_cloudlet/clock', headers: JSON_HEADERS, body, ok };
    }
    default: {
      const advance = randomDuration(r);
      const body = JSON.stringify({ advance });
      return { kind: 'clock', name: `clock advance ${body.slice(0, 60)}`, method: 'POST', path: '/_cloudlet/clock', headers: JSON_HEADERS, body, ok: [200, 400, 413] };
    }
  }
}

const NAME_CHARS = 'abcXYZ019._-%/\\ \u00e9\u0000?#&;:\'"<>*';

function randomName(r: R): string {
  switch (r(5)) {
    case 0: return pick(r, ['.', '..', '...', '%2e%2e', '%2E%2E%2F', 'a%2Fb', '%', '%zz', '%00', 'con', 'a'.repeat(64), 'a'.repeat(65), 'state.db', '../../etc']);
    case 1: return 'x'.repeat(r(5000));
    default: return Array.from({ length: r(80) }, () => NAME_CHARS[r(NAME_CHARS.length)]!).join('');
  }
}

function nameCase(r: R): AdminCase {
  const name = randomName(r);
  const enc = r(3) === 0 ? name : encodeURIComponent(name);
  const ok = [200, 400, 404, 409, 413] as const;
  switch (r(5)) {
    case 0: return { kind: 'names', name: `save ${enc.slice(0, 40)}`, method: 'POST', path: `/_cloudlet/state/save/${enc}`, ok };
    case 1: return { kind: 'names', name: `load ${enc.slice(0, 40)}`, method: 'POST', path: `/_cloudlet/state/load/${enc}`, ok };
    case 2: return { kind: 'names', name: `info ${enc.slice(0, 40)}`, method: 'GET', path: `/_cloudlet/state/snapshots/${enc}`, ok };
    case 3: return { kind: 'names', name: `delete ${enc.slice(0, 40)}`, method: 'DELETE', path: `/_cloudlet/state/snapshots/${enc}`, ok };
    default: return { kind: 'names', name: `save body ${name.slice(0, 40)}`, method: 'POST', path: '/_cloudlet/state/save', headers: JSON_HEADERS, body: JSON.stringify({ name: r(4) ? name : randomDuration(r) }), ok };
  }
}

function flip(r: R, b: Buffer, n: number): Buffer {
  const out = Buffer.from(b);
  for (let i = 0; i < n; i++) out[r(out.length)] ^= 1 + r(255);
  return out;
}

/** Rewrites the container (after gunzip) so the checksums still match: mutations reach SQLite. */
async function withDb(db: Buffer, dir: string, r: R): Promise<Buffer> {
  const file = join(dir, `m-${r(1e9)}.db`);
  writeFileSync(file, db);
  try {
    return await archiveBytes([{ name: 'state.db', file }]);
  } finally {
    rmSync(file, { force: true });
  }
}

async function archiveCase(r: R, c: Corpus): Promise<AdminCase> {
  const ok = [200, 400, 409, 413] as const;
  const imp = (name: string, body: Buffer): AdminCase => ({ kind: 'import', name, method: 'POST', path: '/_cloudlet/state/import', headers: { 'content-type': 'application/vnd.cloudlet.state+gzip' }, body, ok });
  const raw = gunzipSync(c.good);
  switch (r(9)) {
    case 0: { const [name, bytes] = pick(r, c.hostile); return imp(`hostile ${name}`, bytes); }
    case 1: return imp('truncated gzip', c.good.subarray(0, r(c.good.length)));
    case 2: return imp('corrupted gzip', flip(r, c.good, 1 + r(8)));
    case 3: return imp('truncated container', gzipSync(raw.subarray(0, r(raw.length))));
    case 4: return imp('corrupted container', gzipSync(flip(r, raw, 1 + r(8))));
    case 5: {
      // A header claiming huge sizes: meta length, entry size.
      const big = Buffer.from(raw);
      if (r(2)) big.writeUInt32BE(0xffffffff - r(1000), ARCHIVE_MAGIC.length + 4);
      else big.writeUInt32BE(1 + r(2 ** 31), ARCHIVE_MAGIC.length + 4);
      return imp('oversized header', gzipSync(big));
    }
    case 6: return imp('damaged SQLite, good checksum', await withDb(flip(r, c.goodDb, 1 + r(40)), c.dir, r));
    case 7: return imp('random bytes', Buffer.from(Array.from({ length: r(4096) }, () => r(256))));
    default: return imp('valid archive', r(2) ? c.good : await withDb(c.goodDb, c.dir, r));
  }
}

function send(url: string, c: AdminCase): () => Promise<Answer> {
  return () => fetch(`${url}${c.path}`, { method: c.method, headers: c.headers, body: c.body === undefined ? undefined : typeof c.body === 'string' ? c.body : new Uint8Array(c.body) });
}

function judge(c: AdminCase, status: number, text: string, ms: number, healthMs: number, limitMs: number): string | undefined {
  if (status >= 500) return `answered ${status}: ${text.slice(0, 300)}`;
  if (!c.ok.includes(status)) return `answered ${status} (expected one of ${c.ok.join(', ')}): ${text.slice(0, 300)}`;
  if (status >= 400) {
    let body: { error?: unknown; message?: unknown };
    try { body = JSON.parse(text) as typeof body; } catch { return `a ${status} without a JSON body: ${text.slice(0, 200)}`; }
    if (typeof body.error !== 'string' || typeof body.message !== 'string' || /\[object Object\]/.test(body.message)) return `a ${status} without error and message: ${text.slice(0, 200)}`;
  }
  if (ms > limitMs) return `took ${ms.toFixed(0)} ms`;
  if (healthMs > limitMs) return `health took ${healthMs.toFixed(0)} ms meanwhile`;
  return undefined;
}

/** Sends `cases` admin requests one at a time against a live (ephemeral) server. */
export async function fuzzAdmin(o: { url: string; seed: number; cases: number; timeLimitMs: number; limitMs?: number }): Promise<AdminStats> {
  const r = rng(o.seed);
  const limitMs = o.limitMs ?? 1000;
  const stats: AdminStats = { cases: 0, byKind: {}, byStatus: {}, failures: [], slowestMs: 0, slowestHealthMs: 0, ms: 0 };
  const start = Date.now();
  const corpus = await buildCorpus(o.url);
  try {
    while (stats.cases < o.cases && Date.now() - start < o.timeLimitMs) {
      const which = r(10);
      const c = which < 4 ? clockCase(r) : which < 6 ? nameCase(r) : await archiveCase(r, corpus);
      let detail: string | undefined;
      try {
        const m = await measure(o.url, send(o.url, c));
        stats.slowestMs = Math.max(stats.slowestMs, m.ms);
        stats.slowestHealthMs = Math.max(stats.slowestHealthMs, m.healthMs);
        stats.byStatus[m.status] = (stats.byStatus[m.status] ?? 0) + 1;
        detail = judge(c, m.status, m.text, m.ms, m.healthMs, limitMs);
        if (!detail && c.kind === 'clock') {
          const clock = await fetch(`${o.url}/_cloudlet/clock`);
          const body = await clock.json() as { now?: string };
          if (clock.status !== 200 || Number.isNaN(Date.parse(body.now ?? ''))) detail = `GET /_cloudlet/clock then answered ${clock.status} ${JSON.stringify(body)}`;
        }
      } catch (e) {
        detail = `request failed: ${(e as Error).message}`;
      }
      if (detail) stats.failures.push({ name: `${c.kind}: ${c.name}`, detail });
      stats.byKind[c.kind] = (stats.byKind[c.kind] ?? 0) + 1;
      stats.cases++;
    }
  } finally {
    rmSync(corpus.dir, { recursive: true, force: true });
  }
  stats.ms = Date.now() - start;
  return stats;
}

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type Database from 'better-sqlite3';

/**
 * The layout of the state database, and how older layouts become the current one.
 *
 * Versions:
 *   0  the predecessor layout, defined by the fixture in test/fixtures/state-v0 (cloudlet's
 *      first release already wrote version 1; version 0 exists so that the migration path is
 *      real and tested before a second layout is ever needed):
 *        settings(name PRIMARY KEY, value)        'format' = '0', 'clock_offset_s' = seconds
 *        objects(scope, kind, name, body)         scope = 'ACCOUNT/REGION', kind = 'svc.thing'
 *   1  meta(key PRIMARY KEY, value)               'schema_version' = '1', 'clock_offset_ms', ...
 *      resources(account, region, kind, id, value) kind = 'svc:thing'
 *   2  adds idx(account, region, kind, name, key, id): the secondary indexes declared in
 *      INDEXES below, derived from resources (rebuilt whenever INDEXES changes, see
 *      INDEX_FINGERPRINT, and on every whole-state replace).
 *
 * To change the layout: bump SCHEMA_VERSION, write the new CURRENT_DDL, and append a
 * migration {from: N, to: N + 1}. Migrations run at open, all in one transaction, after
 * the file has been copied to a backup that is removed once the transaction commits.
 */
export const SCHEMA_VERSION = 2;

export const CURRENT_DDL = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS resources (
    account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS idx (
    account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, key TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, name, key, id)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS idx_by_row ON idx (account, region, kind, id);
`;

/**
 * A secondary index over one kind: `path` is a dotted path into the stored value; arrays met
 * on the way are flattened, so 'associations.subnetId' indexes every association's subnet.
 * Strings are keys; form 'tags' takes a list of {Key, Value} and indexes `Key\0Value`
 * (exact tag by key, every value of a key by the prefix `Key\0`).
 */
export interface IndexDef {
  kind: string;
  name: string;
  path: string;
  form?: 'value' | 'tags';
}

/** Every secondary index. Changing this list rebuilds the idx table at the next open. */
export const INDEXES: readonly IndexDef[] = [
  { kind: 'ec2:tags', name: 'tag', path: 'tags', form: 'tags' },
  { kind: 'ec2:tags', name: 'type', path: 'type' },
  { kind: 'ec2:vpc', name: 'cidr-assoc', path: 'cidrs.associationId' },
  { kind: 'ec2:vpc', name: 'ipv6-assoc', path: 'ipv6.associationId' },
  { kind: 'ec2:subnet', name: 'vpc', path: 'vpcId' },
  { kind: 'ec2:subnet', name: 'ipv6-assoc', path: 'ipv6.associationId' },
  { kind: 'ec2:subnet', name: 'cidr', path: 'cidrKey' },
  { kind: 'ec2:subnet', name: 'ipv6-cidr', path: 'ipv6.cidr' },
  { kind: 'ec2:subnet', name: 'acl', path: 'networkAcl.aclId' },
  { kind: 'ec2:subnet', name: 'acl-assoc', path: 'networkAcl.associationId' },
  { kind: 'ec2:route-table', name: 'vpc', path: 'vpcId' },
  { kind: 'ec2:route-table', name: 'subnet', path: 'associations.subnetId' },
  { kind: 'ec2:route-table', name: 'gateway', path: 'associations.gatewayId' },
  { kind: 'ec2:route-table', name: 'assoc', path: 'associations.id' },
  { kind: 'ec2:route-table', name: 'target', path: 'routes.target' },
  { kind: 'ec2:internet-gateway', name: 'vpc', path: 'attachments.vpcId' },
  { kind: 'ec2:security-group', name: 'vpc', path: 'vpcId' },
  { kind: 'ec2:security-group', name: 'refs', path: 'rules.referencedGroupId' },
  { kind: 'ec2:security-group', name: 'rule', path: 'rules.id' },
  { kind: 'ec2:security-group', name: 'name', path: 'name' },
  { kind: 'ec2:network-acl', name: 'vpc', path: 'vpcId' },
  { kind: 'ec2:network-interface', name: 'vpc', path: 'vpcId' },
  { kind: 'ec2:network-interface', name: 'subnet', path: 'subnetId' },
  { kind: 'ec2:network-interface', name: 'ip', path: 'privateIps.address' },
  { kind: 'ec2:network-interface', name: 'group', path: 'groups' },
  { kind: 'ec2:network-interface', name: 'instance', path: 'attachment.instanceId' },
  { kind: 'ec2:network-interface', name: 'attach', path: 'attachment.id' },
  { kind: 'ec2:network-interface', name: 'ipv6', path: 'ipv6' },
  { kind: 'ec2:elastic-ip', name: 'ip', path: 'publicIp' },
  { kind: 'ec2:elastic-ip', name: 'eni', path: 'association.networkInterfaceId' },
  { kind: 'ec2:elastic-ip', name: 'assoc', path: 'association.id' },
  { kind: 'ec2:elastic-ip', name: 'instance', path: 'association.instanceId' },
  // Not named 'vpc'/'subnet': a deleted NAT gateway stays visible for an hour and must not hold up DeleteVpc/DeleteSubnet.
  { kind: 'ec2:natgateway', name: 'in-vpc', path: 'vpcId' },
  { kind: 'ec2:natgateway', name: 'in-subnet', path: 'subnetId' },
  { kind: 'ec2:natgateway', name: 'allocation', path: 'addresses.allocationId' },
  { kind: 'ec2:egress-only-internet-gateway', name: 'vpc', path: 'attachments.vpcId' },
  { kind: 'ec2:network-insights-analysis', name: 'path', path: 'pathId' },
  { kind: 'ec2:route-table', name: 'prefix-list', path: 'routes.destinationPrefixListId' },
  { kind: 'ec2:security-group', name: 'prefix-list', path: 'rules.prefixListId' },
  { kind: 'ec2:vpc-endpoint', name: 'vpc', path: 'vpcId' },
  { kind: 'ec2:vpc-endpoint', name: 'rtb', path: 'routeTableIds' },
  { kind: 'ec2:vpc-endpoint', name: 'subnet', path: 'subnetIds' },
  { kind: 'ec2:vpc-endpoint', name: 'group', path: 'groups' },
  // Not 'vpc': a peering connection does not hold up DeleteVpc (routes to it become blackholes).
  { kind: 'ec2:vpc-peering-connection', name: 'requester-vpc', path: 'requester.vpcId' },
  { kind: 'ec2:vpc-peering-connection', name: 'accepter-vpc', path: 'accepter.vpcId' },
  // Compute (src/services/ec2/compute/records.ts). 'due' keys are zero-padded ms (dueKey) of a record's next clock event.
  { kind: 'ec2:instance', name: 'subnet', path: 'subnetId' },
  { kind: 'ec2:instance', name: 'vpc', path: 'vpcId' },
  { kind: 'ec2:instance', name: 'type', path: 'instanceType' },
  { kind: 'ec2:instance', name: 'image', path: 'imageId' },
  { kind: 'ec2:instance', name: 'profile', path: 'iamInstanceProfile.arn' },
  { kind: 'ec2:instance', name: 'placement-group', path: 'placement.groupName' },
  { kind: 'ec2:instance', name: 'reservation', path: 'reservationId' },
  { kind: 'ec2:instance', name: 'phase', path: 'phase' },
  { kind: 'ec2:instance', name: 'due', path: 'due' },
  { kind: 'ec2:volume', name: 'instance', path: 'attachments.instanceId' },
  { kind: 'ec2:volume', name: 'snapshot', path: 'snapshotId' },
  { kind: 'ec2:volume', name: 'due', path: 'due' },
  { kind: 'ec2:snapshot', name: 'volume', path: 'volumeId' },
  { kind: 'ec2:image', name: 'snapshot', path: 'snapshotIds' },
  { kind: 'ec2:image', name: 'name', path: 'name' },
  { kind: 'ec2:launch-template', name: 'name', path: 'name' },
  { kind: 'ec2:spot-instances-request', name: 'instance', path: 'instanceId' },
  // Key pair rows are keyed by name; their key-... ID (which keys their tags) is found here.
  { kind: 'ec2:key-pair', name: 'id', path: 'id' },
];

const BY_KIND = new Map<string, IndexDef[]>();
for (const d of INDEXES) BY_KIND.set(d.kind, [...(BY_KIND.get(d.kind) ?? []), d]);

/** The indexes of a kind (undefined: none, the common case, which costs nothing). */
export const indexesOf = (kind: string): readonly IndexDef[] | undefined => BY_KIND.get(kind);

export function indexDef(kind: string, name: string): IndexDef {
  const d = BY_KIND.get(kind)?.find((x) => x.name === name);
  if (!d) throw new Error(`no index '${name}' is declared for kind '${kind}' (src/store/schema.ts INDEXES)`);
  return d;
}

/** The distinct keys a value has in one index. */
export function indexKeys(def: IndexDef, value: unknown): string[] {
  let level: unknown[] = [value];
  for (const step of def.path.split('.')) {
    const next: unknown[] = [];
    for (const v of level) {
      const got = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[step] : undefined;
      if (Array.isArray(got)) next.push(...got);
      else if (got !== undefined && got !== null) next.push(got);
    }
    level = next;
  }
  const out = new Set<string>();
  for (const v of level) {
    if (def.form === 'tags') {
      const t = v as { Key?: unknown; Value?: unknown };
      if (typeof t?.Key === 'string') out.add(`${t.Key}\u0000${typeof t.Value === 'string' ? t.Value : ''}`);
    } else if (typeof v === 'string') {
      out.add(v);
    }
  }
  return [...out];
}

/** Meta key holding the fingerprint of the INDEXES the idx table was built from. */
export const INDEX_META = 'index_defs';
export const INDEX_FINGERPRINT = createHash('sha256').update(JSON.stringify(INDEXES)).digest('hex').slice(0, 16);

/** Rebuilds the idx table from resources (inside the caller's transaction, if any). */
export function rebuildIndexes(db: Database.Database): void {
  db.exec('DELETE FROM idx');
  const insert = db.prepare('INSERT OR IGNORE INTO idx (account, region, kind, name, key, id) VALUES (?, ?, ?, ?, ?, ?)');
  const read = db.prepare('SELECT account, region, id, value FROM resources WHERE kind = ?').raw();
  for (const [kind, defs] of BY_KIND) {
    for (const [account, region, id, json] of read.all(kind) as string[][]) {
      const value = JSON.parse(json!) as unknown;
      for (const d of defs) for (const k of indexKeys(d, value)) insert.run(account, region, kind, d.name, k, id);
    }
  }
  db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(INDEX_META, INDEX_FINGERPRINT);
}

/** Builds the idx table again when the INDEXES it was built from have changed. */
export function ensureIndexes(db: Database.Database): void {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('resources', 'idx')`).pluck().all();
  if (tables.length !== 2) {
    throw new SchemaError(`the database says schema version ${SCHEMA_VERSION} but lacks its tables (has ${tables.join(', ') || 'neither resources nor idx'}); it is not a cloudlet state database`, 'UnknownLayout');
  }
  const have = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(INDEX_META) as string | undefined;
  if (have !== INDEX_FINGERPRINT) db.transaction(() => rebuildIndexes(db)).immediate();
}

export interface Migration {
  from: number;
  to: number;
  summary: string;
  /** Runs inside the migration transaction; must not change journal mode or ATTACH. */
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 0,
    to: 1,
    summary: 'split objects.scope into account and region, kinds svc.thing -> svc:thing, settings -> meta (clock in ms)',
    up(db) {
      db.exec(CURRENT_DDL);
      const insert = db.prepare('INSERT OR REPLACE INTO resources (account, region, kind, id, value) VALUES (?, ?, ?, ?, ?)');
      const rows = db.prepare('SELECT scope, kind, name, body FROM objects').raw().all() as Array<[string, string, string, string]>;
      for (const [scope, kind, name, body] of rows) {
        const slash = scope.indexOf('/');
        if (slash < 0) throw new Error(`schema 0 row has a scope without '/': ${JSON.stringify(scope)}`);
        const dot = kind.indexOf('.');
        insert.run(scope.slice(0, slash), scope.slice(slash + 1), dot < 0 ? kind : `${kind.slice(0, dot)}:${kind.slice(dot + 1)}`, name, body);
      }
      const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      const settings = db.prepare('SELECT name, value FROM settings').raw().all() as Array<[string, string]>;
      for (const [name, value] of settings) {
        if (name === 'format') continue;
        if (name === 'clock_offset_s') setMeta.run('clock_offset_ms', String(Math.round(Number(value) * 1000) || 0));
        else setMeta.run(name, value);
      }
      db.exec('DROP TABLE objects; DROP TABLE settings;');
    },
  },
  {
    from: 1,
    to: 2,
    summary: 'add the idx table of secondary indexes, built from the rows',
    up(db) {
      db.exec(CURRENT_DDL);
      rebuildIndexes(db);
    },
  },
];

/** The oldest layout this cloudlet can migrate from. */
export const OLDEST_SCHEMA = Math.min(SCHEMA_VERSION, ...MIGRATIONS.map((m) => m.from));

export class SchemaError extends Error {
  constructor(message: string, readonly code: 'NewerSchema' | 'UnknownLayout' | 'NoMigration') {
    super(message);
    this.name = 'SchemaError';
  }
}

/**
 * Which layout a database has; undefined for an empty database (no tables at all).
 * Reads only: a database this cloudlet cannot use is left exactly as it was.
 */
export function readSchemaVersion(db: Database.Database, label: string): number | undefined {
  const tables = new Set(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[]);
  if (tables.has('meta')) {
    const v = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get() as string | undefined;
    if (v === undefined || !/^\d+$/.test(v)) {
      throw new SchemaError(`${label} has a meta table without a schema_version; it is not a cloudlet state database`, 'UnknownLayout');
    }
    return Number(v);
  }
  if (tables.has('settings') && tables.has('objects')) {
    const v = db.prepare(`SELECT value FROM settings WHERE name = 'format'`).pluck().get() as string | undefined;
    if (v === '0') return 0;
  }
  if (tables.size === 0) return undefined;
  throw new SchemaError(`${label} is not a cloudlet state database (tables: ${[...tables].sort().join(', ')})`, 'UnknownLayout');
}

export function newerSchemaMessage(label: string, version: number, cloudletVersion: string): string {
  return `${label} has schema version ${version}, written by a newer cloudlet; this cloudlet (${cloudletVersion}) ` +
    `understands schema versions up to ${SCHEMA_VERSION}. Upgrade cloudlet to use it (the file was left untouched).`;
}

/** The chain of migrations from `from` to SCHEMA_VERSION. */
export function migrationPath(from: number): Migration[] {
  const path: Migration[] = [];
  let v = from;
  while (v < SCHEMA_VERSION) {
    const step = MIGRATIONS.find((m) => m.from === v);
    if (!step) throw new SchemaError(`no migration from schema version ${v} (this cloudlet migrates from ${OLDEST_SCHEMA} up)`, 'NoMigration');
    path.push(step);
    v = step.to;
  }
  return path;
}

export interface MigrateOptions {
  /** Shown in messages: usually the file name. */
  label: string;
  cloudletVersion: string;
  /**
   * The database file, when it is live state: it is copied to migrationBackupName(file, from)
   * before migrating, and the copy is removed once the migration commits. Omitted for scratch
   * copies (snapshots being loaded), whose original stays untouched anyway.
   */
  file?: string;
  /** Test hook: runs inside the migration transaction, after the steps, before commit. */
  beforeCommit?: () => void;
}

/**
 * Brings a database to SCHEMA_VERSION: creates the tables in an empty one, migrates an older
 * one in a single transaction, refuses a newer one without writing to it.
 */
export function migrateDatabase(db: Database.Database, opts: MigrateOptions): { from: number | undefined; to: number } {
  const from = readSchemaVersion(db, opts.label);
  if (from === undefined) {
    db.transaction(() => {
      db.exec(CURRENT_DDL);
      db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run(INDEX_META, INDEX_FINGERPRINT);
    }).immediate();
    return { from, to: SCHEMA_VERSION };
  }
  if (from > SCHEMA_VERSION) throw new SchemaError(newerSchemaMessage(opts.label, from, opts.cloudletVersion), 'NewerSchema');
  if (from === SCHEMA_VERSION) {
    if (opts.file) removeStaleBackups(opts.file);
    return { from, to: from };
  }
  const steps = migrationPath(from);
  const backup = opts.file ? migrationBackupName(opts.file, from) : undefined;
  if (backup) {
    rmSync(backup, { force: true });
    // A consistent copy even if the file has a WAL; the original is not written to.
    db.prepare('VACUUM INTO ?').run(backup);
  }
  db.transaction(() => {
    for (const step of steps) step.up(db);
    db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)`).run(String(SCHEMA_VERSION));
    opts.beforeCommit?.();
  }).immediate();
  if (backup) rmSync(backup, { force: true });
  return { from, to: SCHEMA_VERSION };
}

/** `state.db.pre-migration-v0.bak` for state.db migrating from 0. */
export function migrationBackupName(file: string, from: number | string): string {
  return `${file}.pre-migration-v${from}.bak`;
}

/** Backups of migrations that committed before a crash could remove them. */
function removeStaleBackups(file: string): void {
  const dir = dirname(file);
  const stem = basename(file);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`${stem}.pre-migration-v`) && name.endsWith('.bak')) rmSync(join(dir, name), { force: true });
  }
}

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { GetRoleCommand, GetUserCommand, IAMClient, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { runCli, startProcess } from '../helpers/process.js';
import { clientConfig } from '../helpers/server.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/state-v0/', import.meta.url));
const facts = JSON.parse(readFileSync(join(FIXTURE, 'fixture.json'), 'utf8')) as {
  rows: number; clockOffsetMs: number; accessKeyId: string; secretAccessKey: string;
  user: string; role: string; bucket: string; repository: string; blobId: string; blobText: string;
};

const tmp = mkdtempSync(join(tmpdir(), 'cloudlet-migrate-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
function copyFixture(): string {
  const dir = join(tmp, `d${n++}`);
  cpSync(join(FIXTURE, 'data'), dir, { recursive: true });
  return dir;
}

describe('upgrading state written by an older schema', () => {
  test('a schema 0 data directory starts migrated: clients see its users, keys, roles, buckets, repositories, blobs, clock', async () => {
    const dir = copyFixture();
    const p = await startProcess(['--port', '0', '--data-dir', dir]);
    try {
      const key = { accessKeyId: facts.accessKeyId, secretAccessKey: facts.secretAccessKey };
      const who = await new STSClient(clientConfig(p.url, 'us-east-1', key)).send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:iam::000000000000:user/v0/${facts.user}`);
      const iam = new IAMClient(clientConfig(p.url));
      assert.deepEqual((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName), [facts.user]);
      assert.equal((await iam.send(new GetUserCommand({ UserName: facts.user }))).User!.Path, '/v0/');
      assert.ok((await iam.send(new ListRolesCommand({}))).Roles!.some((r) => r.RoleName === facts.role));
      assert.equal((await iam.send(new GetRoleCommand({ RoleName: facts.role }))).Role!.RoleName, facts.role);
      // The migrated user's own key works for IAM as well (its inline policy survived).
      const asUser = new IAMClient(clientConfig(p.url, 'us-east-1', key));
      assert.equal((await asUser.send(new GetUserCommand({}))).User!.UserName, facts.user);
      const buckets = await new S3Client({ ...clientConfig(p.url), forcePathStyle: true }).send(new ListBucketsCommand({}));
      assert.deepEqual(buckets.Buckets!.map((b) => [b.Name, b.BucketRegion]), [[facts.bucket, 'eu-west-1']]);
      const repos = await new ECRClient(clientConfig(p.url)).send(new DescribeRepositoriesCommand({}));
      assert.deepEqual(repos.repositories!.map((r) => r.repositoryName), [facts.repository]);
      const clock = await (await fetch(`${p.url}/_cloudlet/clock`)).json() as { offsetMs: number };
      assert.equal(clock.offsetMs, facts.clockOffsetMs);
      // The blob, and a snapshot/export of the migrated state, carry over too.
      const ex = await runCli(['state', 'export', join(tmp, 'migrated.gz'), '--endpoint', p.url]);
      assert.equal(ex.code, 0, ex.stderr);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    assert.equal(readFileSync(join(dir, 'blobs', facts.blobId.slice(0, 2), facts.blobId.slice(2)), 'utf8'), facts.blobText);
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes('pre-migration')), [], 'the backup is removed once the migration commits');
    const db = new Database(join(dir, 'state.db'), { readonly: true });
    try {
      assert.equal(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).pluck().get(), String(SCHEMA_VERSION));
      assert.equal(db.prepare('SELECT count(*) FROM resources').pluck().get(), facts.rows);
      assert.equal(db.prepare(`SELECT count(*) FROM resources WHERE kind LIKE '%.%'`).pluck().get(), 0);
    } finally {
      db.close();
    }
  });

  test('a schema 0 archive imports into a current server (its database migrated on the way in)', async () => {
    // Build an archive whose state.db is the schema 0 fixture, by exporting a snapshot taken
    // by copying the fixture into a snapshot directory, the way an older cloudlet would have.
    const src = copyFixture();
    const p = await startProcess(['--port', '0', '--data-dir', join(tmp, `fresh${n++}`)]);
    try {
      const r = await fetch(`${p.url}/_cloudlet/state/import`, { method: 'POST', body: new Uint8Array(await v0Archive(src)) });
      const body = await r.json() as { imported?: { schemaVersion: number; rowsLoaded: number }; message?: string };
      assert.equal(r.status, 200, body.message);
      assert.equal(body.imported!.schemaVersion, 0);
      assert.equal(body.imported!.rowsLoaded, facts.rows);
      const who = await new STSClient(clientConfig(p.url, 'us-east-1', { accessKeyId: facts.accessKeyId, secretAccessKey: facts.secretAccessKey }))
        .send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:iam::000000000000:user/v0/${facts.user}`);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });

  test('a newer schema is refused at start with a clear message; the file is left untouched', async () => {
    const dir = copyFixture();
    const file = join(dir, 'state.db');
    const db = new Database(file);
    db.exec(`CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION + 1}');`);
    db.close();
    const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
    const r = await runCli(['start', '--port', '0', '--data-dir', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`has schema version ${SCHEMA_VERSION + 1}, written by a newer cloudlet; this cloudlet \\(\\S+\\) understands schema versions up to ${SCHEMA_VERSION}\\. Upgrade cloudlet`));
    assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), hash);
    assert.ok(!existsSync(join(dir, 'snapshots')), 'nothing else was created either');
  });
});

/** A format-1 archive around the fixture's schema 0 database and blob (what an older cloudlet exported). */
async function v0Archive(dir: string): Promise<Buffer> {
  const { writeArchive } = await import('../../src/state/archive.js');
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const fan = facts.blobId.slice(0, 2);
  await writeArchive(
    { format: 1, cloudletVersion: '0.0.1', schemaVersion: 0, createdAt: '2025-01-02T03:04:05.000Z', store: 'sqlite' },
    [
      { name: 'state.db', file: join(dir, 'state.db') },
      { name: `blobs/${fan}/${facts.blobId.slice(2)}`, file: join(dir, 'blobs', fan, facts.blobId.slice(2)) },
    ],
    out,
  );
  return Buffer.concat(chunks);
}

/**
 * Scan on push and StartImageScan: the SCAN row (records.ts ScanRecord) is written IN_PROGRESS in
 * the request's transaction; after the commit the scan runs on its own (the request does not wait
 * for it): one short transaction finds the image's layer blobs, the layers are streamed from the
 * blob store outside any transaction (scan-image.ts), and a second short transaction commits the
 * outcome — COMPLETE with findings, UNSUPPORTED_IMAGE or FAILED with a description — unless the
 * image went away or a newer scan replaced this one meanwhile.
 */
import { randomUUID } from 'node:crypto';
import type { BlobStore, Scope, Tx } from '../../../store/types.js';
import type { Clock } from '../../../core/clock.js';
import type { Logger } from '../../../core/log.js';
import type { RequestContext } from '../../types.js';
import { findImage } from '../images.js';
import { blobOf, readBlob } from '../layers.js';
import { repoKey, SCAN, type BlobRecord, type ImageRecord, type RepositoryRecord, type ScanRecord } from '../records.js';
import { registryScanning, scanningRulesFor } from '../settings.js';
import type { LayerSource } from './layer-files.js';
import { dbFor, type VulnDb } from './osv.js';
import { scanImage, type ScanOutcome } from './scan-image.js';

export { scanImage } from './scan-image.js';

/** StartImageScan: one basic scan per image per 24 hours (by the cloudlet clock), the push's included. */
export const SCAN_INTERVAL_MS = 24 * 3600_000;

/** Whether a push to this repository is scanned: its own scanOnPush, or a registry scanning rule for it. */
export function shouldScanOnPush(tx: Tx, scope: Scope, repo: RepositoryRecord): boolean {
  if (repo.scanOnPush) return true;
  const cfg = registryScanning(tx, scope);
  return scanningRulesFor(cfg, repo.name).some((r) => r.scanFrequency === 'SCAN_ON_PUSH' || (cfg.scanType === 'ENHANCED' && r.scanFrequency === 'CONTINUOUS_SCAN'));
}

export function getScan(tx: Tx, scope: Scope, repo: string, digest: string): ScanRecord | undefined {
  return tx.get<ScanRecord>(scope, SCAN, repoKey(repo, digest));
}

/** This process, on the IN_PROGRESS rows of the scans it runs (a constant, not state). */
const RUNNER = randomUUID();

/**
 * An IN_PROGRESS scan no running scan will finish: cloudlet stopped (or crashed) after the push
 * committed and before the scan did. DescribeImageScanFindings starts it again; StartImageScan may.
 */
export function interrupted(scan: ScanRecord): boolean {
  return scan.status === 'IN_PROGRESS' && scan.runner !== RUNNER;
}

/** What a scan needs once the request is over. */
interface ScanEnv {
  transact: RequestContext['transact'];
  blobs: BlobStore;
  clock: Clock;
  log: Logger;
  vulnDb?: string;
}

/**
 * Loaded databases by file version (path, size, mtime): file contents, read once, so a scan
 * does not parse the same file again; a replaced file is read anew.
 */
const DB_CACHE = new Map<string, Promise<VulnDb>>();

export function databaseFor(path: string | undefined): Promise<VulnDb> {
  return dbFor(path, DB_CACHE);
}

/** Records the scan IN_PROGRESS in ctx.tx and starts it after the commit, without waiting for it. */
export function startScan(ctx: RequestContext, scope: Scope, repo: string, digest: string): void {
  const startedAtMs = ctx.clock.nowMs();
  const row: ScanRecord = { status: 'IN_PROGRESS', startedAtMs, runner: RUNNER, findings: [] };
  ctx.tx.put(scope, SCAN, repoKey(repo, digest), row);
  const env: ScanEnv = { transact: ctx.transact, blobs: ctx.blobs, clock: ctx.clock, log: ctx.log, vulnDb: ctx.vulnDb };
  ctx.afterCommit(() => {
    void runScan(env, scope, repo, digest, startedAtMs);
  });
}

const IMAGE_CONFIGS = new Set(['application/vnd.oci.image.config.v1+json', 'application/vnd.docker.container.image.v1+json']);
const FOREIGN = /foreign|nondistributable/;

interface Plan { layers: Array<{ digest: string; rec: BlobRecord }>; unsupported?: string }

/** The image's layers in order, with their blob rows, or why it cannot be scanned. */
export function planScan(tx: Tx, image: ImageRecord): Plan {
  let m: { mediaType?: string; config?: { mediaType?: string }; layers?: Array<{ mediaType?: string; digest?: string }>; manifests?: unknown };
  try {
    m = JSON.parse(image.manifest) as typeof m;
  } catch {
    return { layers: [], unsupported: 'the manifest is not JSON' };
  }
  if (m.manifests !== undefined || !Array.isArray(m.layers)) return { layers: [], unsupported: 'an image index or manifest list is not scanned; scan its images' };
  if (m.config?.mediaType && !IMAGE_CONFIGS.has(m.config.mediaType)) return { layers: [], unsupported: `an artifact (config ${m.config.mediaType}) is not a container image` };
  const layers: Plan['layers'] = [];
  for (const l of m.layers) {
    if (!l.digest || FOREIGN.test(l.mediaType ?? '')) continue;
    const rec = blobOf(tx, l.digest);
    if (!rec) throw new Error(`layer ${l.digest} is missing from the blob store`);
    layers.push({ digest: l.digest, rec });
  }
  return { layers };
}

/** The database string kept with a scan: its source and when it was updated (image-shapes.ts reads the date). */
function databaseLabel(db: VulnDb): string {
  return db.updatedAtMs !== undefined ? `${db.source}, updated ${new Date(db.updatedAtMs).toISOString()}` : db.source;
}

async function runScan(env: ScanEnv, scope: Scope, repo: string, digest: string, startedAtMs: number): Promise<void> {
  const id = repoKey(repo, digest);
  let outcome: ScanOutcome | { status: 'FAILED'; description: string };
  let database: string | undefined;
  try {
    const plan = await env.transact((tx) => {
      const image = findImage(tx, scope, repo, { digest });
      return image ? planScan(tx, image) : undefined;
    });
    if (!plan) return;
    if (plan.unsupported) {
      outcome = { status: 'UNSUPPORTED_IMAGE', description: `UnsupportedImageError: ${plan.unsupported}.`, packages: [], findings: [] };
    } else {
      const db = await databaseFor(env.vulnDb);
      database = databaseLabel(db);
      const sources: LayerSource[] = plan.layers.map((l) => ({ digest: l.digest, open: () => readBlob(env.blobs, l.rec) }));
      outcome = await scanImage(sources, db);
    }
  } catch (e) {
    env.log.warn('image scan failed', { repository: repo, digest, error: (e as Error)?.message ?? String(e) });
    outcome = { status: 'FAILED', description: `The scan failed: ${(e as Error)?.message ?? String(e)}` };
  }
  const done = outcome;
  await env.transact((tx) => {
    const current = tx.get<ScanRecord>(scope, SCAN, id);
    // The image was deleted, or a newer scan took over: this one's result is not wanted.
    if (!current || current.startedAtMs !== startedAtMs || current.status !== 'IN_PROGRESS') return;
    if (!findImage(tx, scope, repo, { digest })) return;
    const row: ScanRecord = {
      status: done.status,
      description: done.description,
      startedAtMs,
      completedAtMs: env.clock.nowMs(),
      database,
      findings: 'findings' in done ? done.findings.map((f) => ({
        name: f.name, severity: f.severity, uri: f.uri, description: f.description, package: f.package, version: f.version,
        fixedVersion: f.fixedVersion, ecosystem: f.ecosystem, vector: f.vector, score: f.score,
      })) : [],
    };
    tx.put(scope, SCAN, id, row);
  }).catch((e: unknown) => env.log.warn('image scan result not stored', { repository: repo, digest, error: String(e) }));
}

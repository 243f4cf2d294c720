/**
 * Applying lifecycle policies. ECR applies a policy asynchronously ("within 24 hours"); cloudlet
 * applies it by its clock:
 *   1. at every clock move (POST /_cloudlet/clock: applyAllEcrLifecycles, every repository with a
 *      policy), and
 *   2. before an ECR API call or registry request on a repository whose policy is due
 *      (catchUpRepository): due at most 24 clock hours after it last ran, and at once when an
 *      image ages past a sinceImage* rule's limit (the evaluation says when that happens next).
 * So the lag is at most one clock day after a push makes an image surplus (as ECR's), and none
 * for age rules as soon as a request or a clock move comes. Between those times a repository's
 * check costs one row read and a comparison.
 *
 * Expired images go through images.ts deleteImage; the layers no image refers to any more are
 * unlinked (layers.ts sweepLayers) and the blob-store ids that leaves unreferenced are returned,
 * for the caller to delete after its transaction commits. Transition actions move the image to
 * the archive storage class (images.ts setStorageClass). An image that an index (manifest list)
 * of the repository still lists is not expired unless the index goes in the same run.
 */
import { isAwsError } from '../../../core/errors.js';
import type { Clock } from '../../../core/clock.js';
import type { BlobStore, Scope, Store, Tx } from '../../../store/types.js';
import type { Handler, RequestContext, ServiceDefinition } from '../../types.js';
import { deleteImage, imagesOf, setStorageClass } from '../images.js';
import { sweepLayers } from '../layers.js';
import { REPOSITORY, registryScope, type ImageRecord, type RepositoryRecord } from '../records.js';
import { DAY_MS, evaluateLifecycle, type Evaluation, type LifecycleImage } from './evaluate.js';
import { parseLifecyclePolicy } from './rules.js';

/** A policy runs again at most this long after it last ran, even when nothing it knows of changes. */
export const MAX_LAG_MS = DAY_MS;

export interface ApplyResult {
  /** Digests of the images expired. */
  expired: string[];
  /** Blob-store ids no longer referenced: delete them after the commit. */
  blobs: string[];
}

export function toLifecycleImage(img: ImageRecord): LifecycleImage {
  const out: LifecycleImage = { digest: img.digest, tags: img.tags, pushedAtMs: img.pushedAtMs };
  if (img.lastPullMs !== undefined) out.lastPullMs = img.lastPullMs;
  if (img.storageClass !== undefined) out.storageClass = img.storageClass;
  if (img.storageClass === 'ARCHIVE' && img.archivedAtMs !== undefined) out.transitionedAtMs = img.archivedAtMs;
  return out;
}

/** The lifecycle evaluation of a repository's current images under `text` (the preview's and apply's). */
export function evaluateRepository(tx: Tx, scope: Scope, repo: string, text: string, nowMs: number): { evaluation: Evaluation; images: ImageRecord[] } {
  const rules = parseLifecyclePolicy(text);
  const images = imagesOf(tx, scope, repo);
  return { evaluation: evaluateLifecycle(rules, images.map(toLifecycleImage), nowMs), images };
}

/** When a policy last evaluated at `nowMs` is next due. */
export function nextDue(nowMs: number, evaluation?: Evaluation): number {
  const limit = nowMs + MAX_LAG_MS;
  return evaluation?.nextChangeMs !== undefined && evaluation.nextChangeMs < limit ? evaluation.nextChangeMs : limit;
}

/** Brings one repository up to date with its lifecycle policy now (whether due or not). */
export function applyLifecycle(tx: Tx, scope: Scope, repo: string, nowMs: number): ApplyResult {
  const rec = tx.get<RepositoryRecord>(scope, REPOSITORY, repo);
  if (!rec?.lifecycle) return { expired: [], blobs: [] };
  let evaluation: Evaluation | undefined;
  let images: ImageRecord[] = [];
  const expired: string[] = [];
  try {
    ({ evaluation, images } = evaluateRepository(tx, scope, repo, rec.lifecycle.text, nowMs));
  } catch (err) {
    // Stored text was checked when it was put; a policy the grammar no longer accepts does nothing.
    if (!isAwsError(err)) throw err;
  }
  const actions = evaluation?.actions ?? [];
  const going = new Set(actions.filter((a) => a.type === 'expire').map((a) => a.digest));
  const listed = new Set<string>();
  for (const img of images) {
    if (img.children && !going.has(img.digest)) for (const c of img.children) listed.add(c.digest);
  }
  for (const a of actions) {
    if (listed.has(a.digest)) continue;
    try {
      if (a.type === 'transition') {
        setStorageClass(tx, scope, repo, a.digest, 'ARCHIVE', nowMs);
        continue;
      }
      deleteImage(tx, scope, repo, a.digest);
      expired.push(a.digest);
    } catch (err) {
      // An image images.ts refuses to change stays as it is.
      if (!isAwsError(err)) throw err;
    }
  }
  const blobs = expired.length ? sweepLayers(tx, scope, repo, nowMs) : [];
  const cur = tx.get<RepositoryRecord>(scope, REPOSITORY, repo) ?? rec;
  if (cur.lifecycle) {
    tx.put(scope, REPOSITORY, repo, { ...cur, lifecycle: { text: cur.lifecycle.text, lastEvaluatedAtMs: nowMs, dueAtMs: nextDue(nowMs, evaluation) } });
  }
  return { expired, blobs };
}

/**
 * Applies the repository's policy if it is due (the cheap check before a request). Returns the
 * blob-store ids to delete after the commit.
 */
export function catchUpRepository(tx: Tx, scope: Scope, repo: string, nowMs: number): string[] {
  const rec = tx.get<RepositoryRecord>(scope, REPOSITORY, repo);
  if (!rec?.lifecycle || (rec.lifecycle.dueAtMs ?? 0) > nowMs) return [];
  return applyLifecycle(tx, scope, repo, nowMs).blobs;
}

/** Every repository with a lifecycle policy, in every registry, brought up to date (the clock hook). */
export async function applyAllEcrLifecycles(store: Store, clock: Clock, blobs: BlobStore): Promise<number> {
  const nowMs = clock.nowMs();
  const orphans = await store.transaction((tx) => {
    const out: string[] = [];
    for (const s of tx.scopes()) {
      if (s.kind !== REPOSITORY) continue;
      const scope = { account: s.account, region: s.region };
      for (const row of tx.list<RepositoryRecord>(scope, REPOSITORY)) {
        if (row.value.lifecycle) out.push(...applyLifecycle(tx, scope, row.id, nowMs).blobs);
      }
    }
    return out;
  });
  for (const b of orphans) await blobs.delete(b);
  return orphans.length;
}

/**
 * Wraps ECR's handlers so that a call naming a repository first applies the repository's policy
 * when it is due. Handlers that run outside the store lock (`outside`) are left as they are: the
 * next ordinary call and the clock hook catch the repository up.
 */
export function withEcrLifecycle(service: ServiceDefinition): ServiceDefinition {
  return { ...service, handlers: wrapHandlers(service.handlers, service.outside ?? new Set()) };
}

function wrapHandlers(handlers: Record<string, Handler>, outside: ReadonlySet<string>): Record<string, Handler> {
  const out: Record<string, Handler> = {};
  for (const [op, handler] of Object.entries(handlers)) {
    if (outside.has(op)) {
      out[op] = handler;
      continue;
    }
    out[op] = (input: { repositoryName?: unknown; registryId?: unknown } | undefined, ctx: RequestContext) => {
      const name = input?.repositoryName;
      if (typeof name === 'string' && name !== '') {
        const registryId = typeof input?.registryId === 'string' ? input.registryId : ctx.account;
        const orphans = catchUpRepository(ctx.tx, registryScope(registryId, ctx.region), name, ctx.clock.nowMs());
        if (orphans.length) ctx.afterCommit(async () => { for (const b of orphans) await ctx.blobs.delete(b); });
      }
      return handler(input, ctx);
    };
  }
  return out;
}

/**
 * One registry request's frame: a short transaction that authenticates the caller, finds the
 * registry, authorizes the ECR action the request stands for, finds the repository and
 * collects its registry's stale uploads; then the endpoint's own work in the same transaction.
 * Work scheduled with ctx.afterCommit (blob deletes, scans) runs only once the commit is done.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { WireRequest } from '../../../protocol/codec.js';
import type { ServerDeps } from '../../../server/context.js';
import type { Tx } from '../../../store/types.js';
import type { RequestContext } from '../../types.js';
import { expireUploads, hasStaleUploads } from '../layers.js';
import { catchUpRepository } from '../lifecycle/apply.js';
import type { RepositoryRecord } from '../records.js';
import { findRepository } from '../repositories.js';
import { authenticate, authorizeAs, contextFor, targetOf, verifyDownload, type Caller, type Target } from './access.js';
import { RegistryError } from './errors.js';
import { REPOSITORY_NAME } from './names.js';

export interface Call {
  deps: ServerDeps;
  wire: WireRequest;
  req: IncomingMessage;
  requestId: string;
  sourceIp: string;
  query: URLSearchParams;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | Readable;
}

export interface Session {
  caller: Caller;
  target: Target;
  ctx: RequestContext;
  repo: RepositoryRecord;
  name: string;
  nowMs: number;
}

export interface Named {
  name: string;
  registry?: { registryId: string; region: string };
}

export function nameUnknown(name: string, registryId: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`);
}

/** Runs fn in one transaction; afterCommit work runs once it committed (and never after a rollback). */
export async function transaction<T>(call: Call, fn: (tx: Tx, after: (f: () => void | Promise<void>) => void) => T | Promise<T>): Promise<T> {
  const later: Array<() => void | Promise<void>> = [];
  const out = await call.deps.store.transaction((tx) => fn(tx, (f) => later.push(f)));
  for (const f of later) {
    void Promise.resolve().then(f).catch((e: unknown) => call.deps.log.warn('after-commit step failed', { requestId: call.requestId, error: String(e) }));
  }
  return out;
}

/** Deletes blob-store blobs once the transaction committed. */
export function dropBlobs(call: Call, after: (f: () => void) => void, ids: string[]): void {
  if (ids.length) after(() => { for (const id of ids) call.deps.blobs.delete(id); });
}

export interface OpenOptions {
  /** For blob GETs: a download URL's signed query value stands for the credentials. */
  download?: { value: string; digest: string };
}

/**
 * The frame: caller, registry, authorization as `operation` (input: the ECR API input, without
 * registryId/repositoryName, which are added), repository; then fn.
 */
export function open<T>(call: Call, named: Named, operation: string, input: Record<string, unknown>,
  fn: (s: Session, tx: Tx, after: (f: () => void | Promise<void>) => void) => T | Promise<T>, opts: OpenOptions = {}): Promise<T> {
  // Stale uploads seen on the way are collected in a transaction of their own, so a request
  // that fails (an expired upload's own status, say) still collects them.
  let stale: Target | undefined;
  const collect = async () => {
    if (!stale) return;
    const scope = stale.scope;
    await transaction(call, (tx, after) => dropBlobs(call, after, expireUploads(tx, scope, call.deps.clock.nowMs())));
  };
  const main = transaction(call, async (tx, after) => {
    const nowMs = call.deps.clock.nowMs();
    let caller: Caller;
    let target: Target;
    if (opts.download) {
      const pre = { principal: { account: '', arn: '', userId: '', kind: 'anonymous' } as Caller['principal'], region: '' };
      target = targetOf(call.wire, named.registry, pre);
      caller = verifyDownload(tx, call.wire, opts.download.value, target, named.name, opts.download.digest, nowMs);
    } else {
      caller = authenticate(tx, call.wire, nowMs);
      target = targetOf(call.wire, named.registry, caller);
    }
    if (named.name.length < 2 || named.name.length > 256 || !REPOSITORY_NAME.test(named.name)) {
      throw new RegistryError('NAME_INVALID', `Invalid repository name '${named.name}': it must match ${REPOSITORY_NAME.source}`);
    }
    const ctx = contextFor(call.deps, call.wire, call.requestId, call.sourceIp, tx, caller, target, operation);
    ctx.afterCommit = after;
    await authorizeAs(call.deps, ctx, operation, { registryId: target.registryId, repositoryName: named.name, ...input });
    const repo = findRepository(tx, target.scope, named.name);
    if (!repo) throw nameUnknown(named.name, target.registryId);
    if (hasStaleUploads(tx, target.scope, nowMs)) stale = target;
    dropBlobs(call, after, catchUpRepository(tx, target.scope, named.name, nowMs)); // its lifecycle policy, when due
    return fn({ caller, target, ctx, repo, name: named.name, nowMs }, tx, after);
  });
  return main.finally(collect);
}

/** `scheme://host/v2/[prefix]NAME` as the client addressed it (the registry path form is kept). */
export function repoUrl(call: Call, base: string, named: Named): string {
  const prefix = named.registry ? `${named.registry.registryId}.dkr.ecr.${named.registry.region}/` : '';
  return `${base}/v2/${prefix}${named.name}`;
}

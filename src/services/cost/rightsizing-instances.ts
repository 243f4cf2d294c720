/**
 * The instances right-sizing looks at, and what it knows of each: the running instances of an
 * account's Regions (stopped and terminated ones are not considered, as AWS removes them), with
 * their Name tag, tags, priced type and utilization over the lookback. A Region's fleet is
 * settled to the request's clock first, so the metrics of the minutes just past are there.
 */
import type { Scope, Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { tagsOf, type Tag } from '../ec2/tags.js';
import { isDue, settleScope } from '../fleet/engine.js';
import { FLEET_STEPS } from '../fleet/steps.js';
import { analyze, type Analysis, type AnalysisOptions, type TypeSpec, type Utilization } from './rightsizing.js';
import { candidatePool, typeSpec, type Platform } from './rightsizing-catalog.js';
import { utilizationOf } from './rightsizing-metrics.js';

const DAY = 86_400_000;

export interface InstanceFacts {
  scope: Scope;
  instance: InstanceRecord;
  name: string;
  tags: Tag[];
  platform: Platform;
  spec: TypeSpec;
  util: Utilization;
  lookbackDays: number;
}

/** Settles a Region's fleet to the request's clock inside the request's transaction (as withFleet does for its own scope). */
export function settleRegion(ctx: RequestContext, scope: Scope): void {
  const now = ctx.clock.nowMs();
  if (!isDue(ctx.tx, scope, now)) return;
  settleScope(ctx.tx, scope, now, { blobs: ctx.blobs, log: ctx.log, afterCommit: ctx.afterCommit, transact: ctx.transact }, FLEET_STEPS);
}

/** The Regions where an account has instance records. */
export function instanceRegions(tx: Tx, account: string): string[] {
  const out = new Set<string>();
  for (const s of tx.scopes(account)) if (s.kind === COMPUTE_KIND.instance && s.region) out.add(s.region);
  return [...out].sort();
}

/** Instances running (booted) at nowMs, in id order. */
export function runningInstances(tx: Tx, scope: Scope, nowMs: number): InstanceRecord[] {
  return tx.findBy<InstanceRecord>(scope, COMPUTE_KIND.instance, 'phase', { key: 'start' })
    .map((r) => r.value).filter((i) => i.doneMs <= nowMs).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export const platformOf = (i: Pick<InstanceRecord, 'platform'>): Platform => (i.platform === 'windows' ? 'Windows' : 'Linux/UNIX');

/** What the analysis needs of one instance over the lookback ending at nowMs (undefined for a type the catalog lacks). */
export function instanceFacts(tx: Tx, scope: Scope, i: InstanceRecord, lookbackDays: number, nowMs: number): InstanceFacts | undefined {
  const platform = platformOf(i);
  const spec = typeSpec(i.instanceType, platform, scope.region);
  if (!spec) return undefined;
  const tags = tagsOf(tx, scope, i.id);
  return {
    scope, instance: i, name: tags.find((t) => t.Key === 'Name')?.Value ?? '', tags, platform, spec,
    util: utilizationOf(tx, scope, i, nowMs - lookbackDays * DAY, nowMs, nowMs), lookbackDays,
  };
}

/** The analysis of one instance against the types of its Region (of its architecture, or another one asked for). */
export function analyzeInstance(f: InstanceFacts, opts: AnalysisOptions, arch = f.spec.arch): Analysis {
  return analyze(f.spec, f.util, candidatePool(f.scope.region, f.platform, arch), opts);
}

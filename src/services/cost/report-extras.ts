/**
 * Two parts of `cloudlet cost` beside the rates (report.ts): where each instance's traffic to
 * the internet (the workload model's --egress) goes and what it costs per GB — or which rule
 * drops it — and a new account's Free Tier credits (account-plan.ts, credits.ts).
 */
import type { Scope, Tx } from '../../store/types.js';
import { instancePublicIp } from '../ec2/compute/instances-core.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { groupsByInstance, HealthCache, listSettings, LoadModel } from '../fleet/load.js';
import { planOf } from './account-plan.js';
import { creditsState } from './commitments.js';
import { egressPath } from './egress.js';
import { prices, regional } from './prices.js';

export interface EgressItem {
  instanceId: string; region: string; bytesPerSecond: number;
  /** 'internet gateway', 'NAT gateway nat-...', or 'dropped'. */
  via: string;
  /** USD per GB sent (NAT processing plus data transfer out, before the free 100 GB). */
  perGb: number;
  why?: string;
}

export interface CreditsView { plan: 'FREE' | 'PAID'; status: 'ACTIVE' | 'EXPIRED'; remaining: number; granted: number; ends: string }

/** Instances sending to the internet now, and where it goes. */
export function egressItems(tx: Tx, scope: Scope, nowMs: number): EgressItem[] {
  const settings = listSettings(tx, scope);
  if (!settings.some((s) => s.egress)) return [];
  const model = new LoadModel(tx, scope, nowMs - 60_000, nowMs, new HealthCache(tx, scope, nowMs), settings, groupsByInstance(tx, scope));
  const out: EgressItem[] = [];
  for (const [id, rate] of model.egress) {
    const i = tx.get<InstanceRecord>(scope, COMPUTE_KIND.instance, id);
    if (!i || i.phase !== 'start' || rate <= 0) continue;
    const path = egressPath(tx, scope, i, instancePublicIp({ tx, scope }, i) !== undefined, nowMs);
    const dto = regional(prices().dataTransfer.outGb, scope.region);
    const base = { instanceId: id, region: scope.region, bytesPerSecond: rate };
    if (path.via === 'internet-gateway') out.push({ ...base, via: 'internet gateway', perGb: dto });
    else if (path.via === 'nat-gateway') out.push({ ...base, via: `NAT gateway ${path.nat.id}`, perGb: regional(prices().vpc.natGatewayGb, scope.region) + (path.natToInternet ? dto : 0) });
    else out.push({ ...base, via: 'dropped', perGb: 0, why: path.why });
  }
  return out.sort((a, b) => b.bytesPerSecond - a.bytesPerSecond);
}

/** A signed-up account's credits now; undefined for an established account. */
export function creditsView(tx: Tx, account: string, nowMs: number): CreditsView | undefined {
  const p = planOf(tx, account);
  if (!p) return undefined;
  const c = creditsState(tx, account, p, nowMs);
  return { plan: p.type, status: c.expired ? 'EXPIRED' : 'ACTIVE', remaining: c.remaining, granted: c.granted, ends: new Date(c.endMs).toISOString() };
}

/**
 * The workload model: simulated load, since nothing real runs on cloudlet's instances. A load
 * setting names a target — an instance (i-...), an Auto Scaling group (asg:NAME) or a load
 * balancer (its ARN, or lb:NAME) — and a curve (load-curves.ts) for its CPU (%) or its request
 * rate (/s). Settings are rows in the target's {account, region} (kind fleet:load); setting one
 * pokes the fleet engine so the metrics step (emit.ts) runs.
 *
 * What an instance does in a period (a documented simple model):
 *   requests/s = its own --requests + its share of each load balancer's rate (split evenly over
 *                the target groups its listeners forward to, then evenly over each group's
 *                healthy targets; with none healthy, over all registered ones, as an ALB fails
 *                open) + its share of its group's --requests (evenly over InService instances)
 *   CPU %      = its own --cpu, else its group's --cpu (InService instances), else
 *                idle + requests/s x COST_PER_REQUEST / vCPUs, at most 100
 *   idle       = 2..5 %, fixed per instance (from its id)
 *   egress     = bytes/s it sends to the internet: its own --egress + its share of its group's
 *                (evenly over InService instances); where they go is the subnet's route to
 *                0.0.0.0/0 (cost/traffic.ts), and they add to its NetworkOut
 * Burstable types then spend CPU credits (credits.ts): in standard mode an instance out of
 * credits gets its baseline, not the demand.
 */
import { AwsError } from '../../core/errors.js';
import type { Scope, Tx } from '../../store/types.js';
import { K as ASG_K, type GroupRecord } from '../autoscaling/records.js';
import { vcpusOf } from '../ec2/compute/catalog.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { KIND as ELB_K, type LoadBalancerRecord } from '../elbv2/records.js';
import { targetHealthOf } from '../elbv2/targets.js';
import { targetGroupsOfLoadBalancer } from '../elbv2/usage.js';
import { advanceCredits, creditSpecOf, defaultCreditMode, type CreditMode } from './credits.js';
import { metricsState } from './emit-records.js';
import { curveMean, describeCurve, type Curve } from './load-curves.js';

export const LOAD_KIND = 'fleet:load';

/** CPU % one request per second costs on one vCPU: a vCPU is saturated at 250 requests/s (4 ms of CPU each). */
export const COST_PER_REQUEST = 0.4;

export type LoadTarget =
  | { type: 'instance'; id: string }
  | { type: 'group'; name: string }
  | { type: 'lb'; arn: string; name: string };

export interface LoadSetting {
  target: LoadTarget;
  cpu?: Curve;
  requests?: Curve;
  /** Bytes per second sent to the internet (an instance or a group). */
  egress?: Curve;
  setMs: number;
}

export const settingId = (t: LoadTarget): string =>
  t.type === 'instance' ? `instance:${t.id}` : t.type === 'group' ? `asg:${t.name}` : `lb:${t.arn}`;

/** The target as the user names it back (`cloudlet load list`). */
export const targetName = (t: LoadTarget): string =>
  t.type === 'instance' ? t.id : t.type === 'group' ? `asg:${t.name}` : `lb:${t.name}`;

export class LoadTargetError extends AwsError {}

/** Reads TARGET (i-..., asg:NAME, an Auto Scaling group ARN, lb:NAME or a load balancer ARN) against what exists in scope. */
export function resolveTarget(tx: Tx, scope: Scope, text: string): LoadTarget {
  const t = text.trim();
  if (/^i-[0-9a-f]{8,17}$/.test(t)) {
    if (!tx.get(scope, COMPUTE_KIND.instance, t)) throw new LoadTargetError('NotFound', `no instance ${t} in ${scope.account}/${scope.region}`, 404);
    return { type: 'instance', id: t };
  }
  const asg = /^asg:(.+)$/.exec(t)?.[1] ?? /^arn:aws:autoscaling:[^:]+:\d{12}:autoScalingGroup:[^:]+:autoScalingGroupName\/(.+)$/.exec(t)?.[1];
  if (asg !== undefined) {
    if (!tx.get(scope, ASG_K.group, asg)) throw new LoadTargetError('NotFound', `no Auto Scaling group ${asg} in ${scope.account}/${scope.region}`, 404);
    return { type: 'group', name: asg };
  }
  if (t.startsWith('arn:aws:elasticloadbalancing:')) {
    const lb = tx.get<LoadBalancerRecord>(scope, ELB_K.lb, t);
    if (!lb) throw new LoadTargetError('NotFound', `no load balancer ${t} in ${scope.account}/${scope.region}`, 404);
    return { type: 'lb', arn: lb.arn, name: lb.name };
  }
  const lbName = /^lb:(.+)$/.exec(t)?.[1];
  if (lbName !== undefined) {
    const lb = tx.list<LoadBalancerRecord>(scope, ELB_K.lb).map((r) => r.value).find((l) => l.name === lbName);
    if (!lb) throw new LoadTargetError('NotFound', `no load balancer named ${lbName} in ${scope.account}/${scope.region}`, 404);
    return { type: 'lb', arn: lb.arn, name: lb.name };
  }
  throw new LoadTargetError('InvalidTarget', `name the target as an instance id (i-...), asg:GROUP, lb:NAME or a load balancer ARN, got ${JSON.stringify(text)}`, 400);
}

export const listSettings = (tx: Tx, scope: Scope): LoadSetting[] => tx.list<LoadSetting>(scope, LOAD_KIND).map((r) => r.value);

export function putSetting(tx: Tx, scope: Scope, s: LoadSetting): void {
  if (s.target.type === 'lb' && (s.cpu || s.egress)) {
    throw new LoadTargetError('InvalidParameterCombination', `a load balancer takes --requests; --${s.cpu ? 'cpu' : 'egress'} applies to an instance or a group`, 400);
  }
  if (!s.cpu && !s.requests && !s.egress) throw new LoadTargetError('MissingParameter', 'give --cpu, --requests or --egress (or several)', 400);
  tx.put(scope, LOAD_KIND, settingId(s.target), s);
}

export const deleteSetting = (tx: Tx, scope: Scope, t: LoadTarget): boolean => tx.delete(scope, LOAD_KIND, settingId(t));

/** A setting as JSON for the admin endpoint and the CLI. */
export function settingView(s: LoadSetting): Record<string, unknown> {
  return {
    target: targetName(s.target), type: s.target.type, ...(s.target.type === 'lb' ? { arn: s.target.arn } : {}),
    ...(s.cpu ? { cpu: s.cpu, cpuText: describeCurve(s.cpu, '%') } : {}),
    ...(s.requests ? { requests: s.requests, requestsText: describeCurve(s.requests, '/s') } : {}),
    ...(s.egress ? { egress: s.egress, egressText: describeCurve(s.egress, 'B/s') } : {}),
    set: new Date(s.setMs).toISOString(),
  };
}

/** A stable small hash of a string. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The CPU an instance idles at with no load: 2..5 %, fixed per instance. */
export const idleCpu = (instanceId: string): number => 2 + (hash(instanceId) % 301) / 100;

/** InService members of the scope's groups: instance id -> group name. */
export function groupsByInstance(tx: Tx, scope: Scope): { groups: GroupRecord[]; of: Map<string, string> } {
  const groups = tx.list<GroupRecord>(scope, ASG_K.group).map((r) => r.value);
  const of = new Map<string, string>();
  for (const g of groups) for (const m of g.members) if (m.state === 'InService') of.set(m.id, g.name);
  return { groups, of };
}

/** Target health per target group, computed once per instant and shared (load spreading, HealthyHostCount). */
export class HealthCache {
  private readonly m = new Map<string, ReturnType<typeof targetHealthOf>>();
  constructor(private readonly tx: Tx, private readonly scope: Scope, private readonly atMs: number) {}
  of(tgArn: string): ReturnType<typeof targetHealthOf> {
    let h = this.m.get(tgArn);
    if (!h) { h = targetHealthOf(this.tx, this.scope, tgArn, this.atMs); this.m.set(tgArn, h); }
    return h;
  }
}

/** How a load balancer's requests went in a period: per target group, its rate and the targets that took it. */
export interface LbSplit { arn: string; rate: number; groups: Array<{ arn: string; rate: number; targets: string[] }> }

/** The load in one period [fromMs, toMs): request rates and demanded CPU per instance. */
export class LoadModel {
  readonly requests = new Map<string, number>();
  /** Bytes per second each instance sends to the internet, over the period. */
  readonly egress = new Map<string, number>();
  /** CPU settings in force: the value and the fraction of the period they held. */
  readonly cpuSet = new Map<string, { v: number; f: number }>();
  readonly lbs: LbSplit[] = [];

  constructor(tx: Tx, scope: Scope, fromMs: number, toMs: number, health: HealthCache, settings = listSettings(tx, scope), members = groupsByInstance(tx, scope)) {
    const add = (id: string, r: number) => this.requests.set(id, (this.requests.get(id) ?? 0) + r);
    const addOut = (id: string, b: number) => this.egress.set(id, (this.egress.get(id) ?? 0) + b);
    const groupCpu = new Map<string, { v: number; f: number }>();
    for (const s of settings) {
      // A setting made within the period counts for the part of it after it was made.
      const from = Math.max(fromMs, s.setMs);
      if (from >= toMs) continue;
      const f = (toMs - from) / (toMs - fromMs);
      const cpu = s.cpu ? { v: curveMean(s.cpu, from, toMs), f } : undefined;
      const rate = s.requests ? curveMean(s.requests, from, toMs) * f : undefined;
      const out = s.egress ? curveMean(s.egress, from, toMs) * f : undefined;
      const t = s.target;
      if (t.type === 'instance') {
        if (cpu !== undefined) this.cpuSet.set(t.id, cpu);
        if (rate !== undefined) add(t.id, rate);
        if (out !== undefined) addOut(t.id, out);
      } else if (t.type === 'group') {
        if (cpu !== undefined) groupCpu.set(t.name, cpu);
        if (rate !== undefined || out !== undefined) {
          const g = members.groups.find((x) => x.name === t.name);
          const ins = g ? g.members.filter((m) => m.state === 'InService') : [];
          for (const m of ins) {
            if (rate !== undefined) add(m.id, rate / ins.length);
            if (out !== undefined) addOut(m.id, out / ins.length);
          }
        }
      } else if (rate !== undefined) {
        const split: LbSplit = { arn: t.arn, rate, groups: [] };
        const tgs = targetGroupsOfLoadBalancer(tx, scope, t.arn);
        for (const tg of tgs) {
          const h = health.of(tg);
          const healthy = h.filter((x) => x.state === 'healthy').map((x) => x.id);
          const open = healthy.length ? healthy : h.filter((x) => x.state === 'unhealthy').map((x) => x.id);
          split.groups.push({ arn: tg, rate: rate / tgs.length, targets: open });
          for (const id of open) add(id, rate / tgs.length / open.length);
        }
        this.lbs.push(split);
      }
    }
    for (const [id, name] of members.of) if (!this.cpuSet.has(id) && groupCpu.has(name)) this.cpuSet.set(id, groupCpu.get(name)!);
  }

  requestsOf(id: string): number { return this.requests.get(id) ?? 0; }

  egressOf(id: string): number { return this.egress.get(id) ?? 0; }

  /** The CPU an instance is asked for (before credits). */
  demandOf(id: string, type: string): number {
    const base = Math.min(100, idleCpu(id) + (this.requestsOf(id) * COST_PER_REQUEST) / Math.max(1, vcpusOf(type)));
    const set = this.cpuSet.get(id);
    if (set === undefined) return base;
    return Math.min(100, set.f * set.v + (1 - set.f) * base);
  }
}

/**
 * The simulated CPU % of an instance at atMs (for Auto Scaling's warm-up and instance refresh
 * checks): 0 when it is not running; its demand over the minute before atMs otherwise, held at
 * the baseline when it is a standard-mode burstable instance out of credits.
 */
export function cpuOf(tx: Tx, scope: Scope, instanceId: string, atMs: number): number {
  const i = tx.get<InstanceRecord>(scope, COMPUTE_KIND.instance, instanceId);
  if (!i || i.phase !== 'start' || atMs < i.doneMs) return 0;
  const model = new LoadModel(tx, scope, atMs - 60_000, atMs, new HealthCache(tx, scope, atMs));
  const demand = model.demandOf(instanceId, i.instanceType);
  const spec = creditSpecOf(i.instanceType);
  if (!spec) return demand;
  const mode: CreditMode = i.creditSpecification ?? defaultCreditMode(i.instanceType);
  const st = metricsState(tx, scope)?.inst[instanceId]?.credits;
  if (!st) return demand;
  return advanceCredits({ ...st }, spec, mode, demand, 1).cpu;
}

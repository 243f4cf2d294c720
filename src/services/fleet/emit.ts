/**
 * The "metrics" fleet step: the metrics cloudlet emits itself for its own resources, on the
 * clock, with AWS's namespaces, names and dimensions (emit-ec2.ts: AWS/EC2 and AWS/EBS;
 * emit-elb.ts: AWS/ApplicationELB; emit-asg.ts: AWS/AutoScaling), the load coming from the
 * workload model (load.ts). It runs first at each instant, so alarms evaluating at that instant
 * see the period that just ended.
 *
 * It runs every clock minute while anything in the scope emits (a live instance, an active
 * application load balancer, a group collecting metrics); each run writes what is due at that
 * minute: 1-minute metrics, and at 5-minute boundaries the basic-monitoring ones. Its progress
 * is one state row (emit-records.ts); nextDue reads it. With the row absent or the step asleep
 * (nothing emitted), nextDue looks for one live instance (one index read, limit 1), so an
 * instance launched while nothing pokes the scope is picked up from its launch minute as soon
 * as the scope is settled; a load setting pokes the engine (wakeMetrics).
 */
import type { Scope, Tx } from '../../store/types.js';
import type { RequestContext } from '../types.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { instancePublicIp } from '../ec2/compute/instances-core.js';
import { meterInstanceEgress } from '../cost/egress.js';
import { poke, type FleetStep } from './engine.js';
import { emitGroups, groupsCollecting } from './emit-asg.js';
import { emitInstances, instancesToFollow } from './emit-ec2.js';
import { activeAlbs, emitElb } from './emit-elb.js';
import { metricsDue, metricsState, putMetricsState, type MetricsState } from './emit-records.js';
import { Writer, type Dims } from './emit-put.js';
import { groupsByInstance, HealthCache, listSettings, LoadModel } from './load.js';

const MIN = 60_000;
const ceilMinute = (ms: number): number => Math.ceil(ms / MIN) * MIN;

/** The first minute after `afterMs` with a live instance to emit for, from one index read. */
function firstLive(tx: Tx, scope: Scope, afterMs: number): number | undefined {
  const hit = tx.findBy<InstanceRecord>(scope, COMPUTE_KIND.instance, 'phase', { key: 'start', limit: 1 })[0];
  if (!hit) return undefined;
  return ceilMinute(Math.max(hit.value.sinceMs, afterMs) + 1);
}

/** Makes the step run from the minute after nowMs (a load setting changed). */
export function wakeMetrics(tx: Tx, scope: Scope, nowMs: number): void {
  const st = metricsState(tx, scope) ?? { lastMs: -Infinity, inst: {}, stopped: {} };
  const next = ceilMinute(Math.max(nowMs, st.lastMs) + 1);
  if (st.nextMs !== undefined && st.nextMs <= next) return;
  st.nextMs = next;
  putMetricsState(tx, scope, st);
  poke(tx, scope, next);
}

/** The most minutes one run covers (a 31-day clock move is written in 6-hour batches). */
export const MAX_BATCH_MINUTES = 360;

/**
 * Emits what is due at atMs and, when the engine allows (untilMs: no other step is due before
 * and the settle goes no further), at every minute after it up to untilMs, writing the batch
 * once at the end. Nothing that emission reads changes within a batch (no other step and no
 * request runs in between); what depends on the clock (boot, health, curves) is computed per minute.
 */
export function runMetrics(sys: RequestContext, atMs: number, untilMs = atMs): void {
  const { tx, scope } = sys;
  const st: MetricsState = metricsState(tx, scope) ?? { lastMs: atMs - MIN, inst: {}, stopped: {} };
  const instances = instancesToFollow(tx, scope, st);
  const members = groupsByInstance(tx, scope);
  const allMembers = new Map<string, string>();
  for (const g of members.groups) for (const m of g.members) allMembers.set(m.id, g.name);
  const settings = listSettings(tx, scope);
  const collecting = groupsCollecting(tx, scope, members.groups);
  const out = new Writer();
  const dims = new Map<string, { id: Dims; agg: Dims[] }>();
  const egress = (i: InstanceRecord, bytes: number, at: number): void => {
    meterInstanceEgress(tx, scope, i, instancePublicIp(sys, i) !== undefined, bytes, at);
  };
  const last = Math.min(untilMs, atMs + (MAX_BATCH_MINUTES - 1) * MIN);
  let done = atMs;
  let busy = false;
  for (let t = atMs; t <= last; t += MIN) {
    done = t;
    const health = new HealthCache(tx, scope, t);
    const models = new Map<number, LoadModel>();
    const model = (p: number): LoadModel => {
      let m = models.get(p);
      if (!m) { m = new LoadModel(tx, scope, t - p, t, health, settings, members); models.set(p, m); }
      return m;
    };
    const following = instances.filter((i) => st.inst[i.id] || i.phase === 'start');
    emitInstances({ out, atMs: t, st, model, groupOf: allMembers, dims, egress }, following);
    const lbs = activeAlbs(tx, scope, t);
    if (lbs.length) emitElb(tx, scope, out, t, lbs, model(MIN), health, st);
    if (collecting.length) emitGroups(out, t, collecting);
    busy = following.some((i) => i.phase === 'start') || Object.keys(st.inst).length > 0 || lbs.length > 0 || collecting.length > 0;
    if (!busy) break;
  }
  out.flush(tx, scope);
  st.lastMs = done;
  if (busy) st.nextMs = st.lastMs + MIN; else delete st.nextMs;
  putMetricsState(tx, scope, st);
}

export const metricsStep: FleetStep = {
  name: 'metrics',
  nextDue(tx, scope) {
    const st = metricsDue(tx, scope);
    if (st?.nextMs !== undefined) return ceilMinute(st.nextMs);
    return firstLive(tx, scope, st ? st.lastMs : -Infinity);
  },
  run: runMetrics,
  batches: true,
};

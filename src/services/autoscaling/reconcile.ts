/**
 * What a group does by itself at its due instants: members whose instance came up go
 * InService (and into the target groups), unhealthy ones (EC2: not running; ELB: the target
 * group says unhealthy after the grace period, only with HealthCheckType ELB) are replaced,
 * lifecycle hooks time out to their default result, the capacity follows the desired capacity
 * (launches balanced over zones, failed launches recorded and retried with backoff;
 * terminations by the termination policies), each with an activity in AWS's words.
 */
import type { RequestContext } from '../types.js';
import { notify, recordActivity } from './activities.js';
import { ec2Instance, ec2State, launchOne, terminateEc2, zonesOfGroup } from './launch.js';
import { chooseTermination, zonesForLaunch, type Candidate } from './math.js';
import { elb, safely, sns } from './peers.js';
import { capacityOf, groupPrefix, isoSec, K, MEMBER_COUNTED, type GroupRecord, type HookRecord, type Member } from './records.js';
import { randomUUID } from 'node:crypto';

export const HEALTH_CHECK_MS = 60_000;
const BACKOFF_MIN_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;

export const suspended = (g: GroupRecord, p: string): boolean => g.suspended.some((s) => s.ProcessName === p);

const hooksOf = (ctx: RequestContext, g: GroupRecord, transition: string): HookRecord[] =>
  ctx.tx.list<HookRecord>(ctx.scope, K.hook, { prefix: groupPrefix(g.name) }).map((r) => r.value).filter((h) => h.transition === transition);

function register(ctx: RequestContext, g: GroupRecord, m: Member, on: boolean): void {
  if (!elb) return;
  for (const tg of g.targetGroups) {
    safely(ctx, on ? 'register target' : 'deregister target', () => {
      if (on) elb!.registerFromService(ctx, tg, [{ id: m.id }]);
      else elb!.deregisterFromService(ctx, tg, [{ id: m.id }]);
    });
  }
}

function startHook(ctx: RequestContext, g: GroupRecord, m: Member, h: HookRecord, kind: 'launch' | 'terminate', cause: string): void {
  const now = ctx.clock.nowMs();
  m.hook = { name: h.name, token: randomUUID(), deadlineMs: now + h.heartbeat * 1000, result: h.defaultResult, globalDeadlineMs: now + Math.min(172_800, 100 * h.heartbeat) * 1000, kind, cause };
  m.state = kind === 'launch' ? 'Pending:Wait' : 'Terminating:Wait';
  if (h.targetArn?.startsWith('arn:aws:sns:') && sns) {
    const body = {
      Origin: kind === 'launch' ? 'EC2' : 'AutoScalingGroup', Destination: kind === 'launch' ? 'AutoScalingGroup' : 'EC2',
      LifecycleHookName: h.name, AccountId: ctx.account, RequestId: randomUUID(), LifecycleTransition: h.transition,
      AutoScalingGroupName: g.name, Service: 'AWS Auto Scaling', Time: new Date(now).toISOString(), EC2InstanceId: m.id,
      LifecycleActionToken: m.hook.token, ...(h.metadata ? { NotificationMetadata: h.metadata } : {}),
    };
    safely(ctx, 'lifecycle notification', () => { sns!.publishFromService(ctx, h.targetArn!, { message: JSON.stringify(body) }); });
  }
}

/** Removes a member at once: out of the target groups, its instance terminated, the activity recorded. */
function finishTerminate(ctx: RequestContext, g: GroupRecord, m: Member, cause: string): void {
  register(ctx, g, m, false);
  terminateEc2(ctx, m.id);
  g.members = g.members.filter((x) => x.id !== m.id);
  const a = recordActivity(ctx, g, { description: `Terminating EC2 instance: ${m.id}`, cause, status: 'Successful', details: { Subnet: m.subnetId ?? '', 'Availability Zone': m.zone } });
  notify(ctx, g, 'EC2_INSTANCE_TERMINATE', a, m.id);
}

/** Starts taking a member out: through a termination hook when the group has one. */
export function beginTerminate(ctx: RequestContext, g: GroupRecord, m: Member, cause: string): void {
  if (m.state.startsWith('Terminating')) return;
  const hook = hooksOf(ctx, g, 'autoscaling:EC2_INSTANCE_TERMINATING')[0];
  m.termCause = cause;
  if (hook && ec2State(ctx, m.id) !== 'terminated') { startHook(ctx, g, m, hook, 'terminate', cause); return; }
  m.state = 'Terminating';
  finishTerminate(ctx, g, m, cause);
}

/** Ends a lifecycle action with CONTINUE or ABANDON (CompleteLifecycleAction or the heartbeat timeout). */
export function endHook(ctx: RequestContext, g: GroupRecord, m: Member, result: string): void {
  const h = m.hook!;
  delete m.hook;
  if (h.kind === 'terminate') { m.state = 'Terminating:Proceed'; finishTerminate(ctx, g, m, m.termCause ?? h.cause); return; }
  if (result === 'ABANDON') {
    m.state = 'Terminating';
    finishTerminate(ctx, g, m, `At ${isoSec(ctx.clock.nowMs())} an instance was taken out of service in response to a launch lifecycle action that was abandoned.`);
    return;
  }
  m.state = 'Pending:Proceed';
}

function checkHealth(ctx: RequestContext, g: GroupRecord, now: number): void {
  if (suspended(g, 'HealthCheck')) return;
  let tgHealth: Map<string, string> | undefined;
  for (const m of g.members) {
    if (m.health === 'Unhealthy' || m.state.startsWith('Terminating') || m.state === 'Detaching') continue;
    const st = ec2State(ctx, m.id);
    if (st !== 'pending' && st !== 'running') {
      m.health = 'Unhealthy';
      m.unhealthyWhy = st === 'terminated' || st === 'shutting-down'
        ? (ec2Instance(ctx, m.id)?.stateReason?.code === 'Server.SpotInstanceTermination' ? 'spot' : 'ec2') : 'ec2';
      continue;
    }
    if (g.healthCheckType === 'ELB' && m.state === 'InService' && elb && g.targetGroups.length && now >= (m.inServiceMs ?? m.launchedMs) + g.grace * 1000) {
      if (!tgHealth) {
        tgHealth = new Map();
        for (const tg of g.targetGroups) {
          let rows: Array<{ id: string; state: string }> = [];
          safely(ctx, 'target health', () => { rows = elb!.targetHealthOf(ctx.tx, ctx.scope, tg, now); });
          for (const r of rows) if (r.state === 'unhealthy' || !tgHealth.has(r.id)) tgHealth.set(r.id, r.state);
        }
      }
      if (tgHealth.get(m.id) === 'unhealthy') { m.health = 'Unhealthy'; m.unhealthyWhy = 'elb'; }
    }
  }
}

const WHY: Record<string, string> = {
  ec2: 'an EC2 health check indicating it has been terminated or stopped',
  spot: 'an EC2 health check indicating it has been terminated or stopped',
  elb: 'an ELB system health check failure',
  user: 'a user health-check',
};

function launchMissing(ctx: RequestContext, g: GroupRecord, now: number): void {
  const cap = capacityOf(g);
  if (cap >= g.desired || suspended(g, 'Launch') || g.deleting || (g.retryMs !== undefined && now < g.retryMs)) return;
  const zones = zonesOfGroup(ctx, g);
  if (!zones.length) return;
  const counts: Record<string, number> = {};
  for (const m of g.members.filter(MEMBER_COUNTED)) counts[m.zone] = (counts[m.zone] ?? 0) + 1;
  const cause = `${g.cause ? `${g.cause}  ` : ''}At ${isoSec(now)} an instance was started in response to a difference between desired and actual capacity, increasing the capacity from ${cap} to ${g.desired}.`;
  const plan = zonesForLaunch(zones, counts, g.desired - cap);
  const hook = hooksOf(ctx, g, 'autoscaling:EC2_INSTANCE_LAUNCHING')[0];
  for (const zone of plan) {
    if (capacityOf(g) >= g.desired) break;
    let m: Member;
    try {
      m = launchOne(ctx, g, zone);
    } catch (e) {
      const msg = `${(e as Error).message}${/[.!]$/.test((e as Error).message) ? '' : '.'} Launching EC2 instance failed.`;
      const a = recordActivity(ctx, g, { description: `Launching a new EC2 instance.  Status Reason: ${msg}`, cause, status: 'Failed', statusMessage: msg, details: { 'Availability Zone': zone } });
      notify(ctx, g, 'EC2_INSTANCE_LAUNCH_ERROR', a);
      g.backoffMs = Math.min(BACKOFF_MAX_MS, g.backoffMs ? g.backoffMs * 2 : BACKOFF_MIN_MS);
      g.retryMs = now + g.backoffMs;
      return;
    }
    delete g.retryMs; delete g.backoffMs;
    g.members.push(m);
    const a = recordActivity(ctx, g, { description: `Launching a new EC2 instance: ${m.id}`, cause, status: 'Successful', details: { Subnet: m.subnetId ?? '', 'Availability Zone': m.zone } });
    notify(ctx, g, 'EC2_INSTANCE_LAUNCH', a, m.id);
    if (hook) startHook(ctx, g, m, hook, 'launch', cause);
  }
}

export const candidateOf = (g: GroupRecord) => (m: Member): Candidate => ({
  id: m.id, zone: m.zone, launchedMs: m.launchedMs, protected: m.protected, spot: m.spot, instanceType: m.instanceType,
  current: g.launchTemplate ? m.launchTemplate?.id === g.launchTemplate.id && m.launchTemplate?.version === g.launchTemplate.version
    : g.launchConfigurationName ? m.launchConfig === g.launchConfigurationName : true,
  configAge: Number(m.launchTemplate?.version) || 0,
});

function terminateExtra(ctx: RequestContext, g: GroupRecord, now: number): void {
  const cap = capacityOf(g);
  if (cap <= g.desired || suspended(g, 'Terminate')) return;
  const live = g.members.filter((m) => MEMBER_COUNTED(m));
  const picks = chooseTermination(live.map(candidateOf(g)), g.terminationPolicies, live.length, now);
  let left = cap;
  for (const id of picks) {
    const m = g.members.find((x) => x.id === id)!;
    if (left <= g.desired) break;
    left -= m.weight ?? 1;
    const cause = `${g.cause ? `${g.cause}  ` : ''}At ${isoSec(now)} an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from ${cap} to ${g.desired}.  At ${isoSec(now)} instance ${id} was selected for termination.`;
    beginTerminate(ctx, g, m, cause);
  }
}

/**
 * AZRebalance: with the capacity met, zones more than one instance apart (a subnet added, a
 * zone's instances gone by hand) get an instance launched in the emptiest zone first, then one
 * taken out of the fullest (launch before terminate, as AWS does, so capacity never dips).
 */
function rebalance(ctx: RequestContext, g: GroupRecord, now: number): void {
  if (['AZRebalance', 'Launch', 'Terminate'].some((p) => suspended(g, p)) || g.deleting || capacityOf(g) !== g.desired) return;
  const zones = zonesOfGroup(ctx, g);
  const live = g.members.filter((m) => MEMBER_COUNTED(m) && m.state === 'InService');
  if (zones.length < 2 || live.length !== g.members.filter(MEMBER_COUNTED).length) return;
  const outside = live.filter((m) => !zones.includes(m.zone));
  const counts = new Map(zones.map((z) => [z, 0]));
  for (const m of live) if (counts.has(m.zone)) counts.set(m.zone, counts.get(m.zone)! + 1);
  const sorted = [...counts].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  const [minZ, minN] = sorted[0]!; const [maxZ, maxN] = sorted[sorted.length - 1]!;
  if (!outside.length && maxN - minN <= 1) return;
  let m: Member;
  try { m = launchOne(ctx, g, minZ); } catch { return; }
  g.members.push(m);
  const a = recordActivity(ctx, g, { description: `Launching a new EC2 instance: ${m.id}`, cause: `At ${isoSec(now)} an instance was launched to aid in balancing the group's zones.`, status: 'Successful', details: { Subnet: m.subnetId ?? '', 'Availability Zone': m.zone } });
  notify(ctx, g, 'EC2_INSTANCE_LAUNCH', a, m.id);
  const pool = outside.length ? outside : live.filter((x) => x.zone === maxZ);
  const victim = chooseTermination(pool.map(candidateOf(g)), g.terminationPolicies, 1, now)[0];
  const v = g.members.find((x) => x.id === victim);
  if (v) beginTerminate(ctx, g, v, `At ${isoSec(now)} an instance was taken out of service in response to Availability Zone rebalancing.  At ${isoSec(now)} instance ${v.id} was selected for termination.`);
}

/** One pass over a group at `now`; returns its next due time. */
export function reconcileGroup(ctx: RequestContext, g: GroupRecord): number | undefined {
  const now = ctx.clock.nowMs();
  // Pending instances that came up go InService (Pending:Wait waits for its hook).
  for (const m of g.members) {
    if ((m.state === 'Pending' || m.state === 'Pending:Proceed') && ec2State(ctx, m.id) === 'running') {
      m.state = 'InService';
      m.inServiceMs = now;
      if (!suspended(g, 'AddToLoadBalancer')) register(ctx, g, m, true);
    }
  }
  // Lifecycle actions that timed out take their default result.
  for (const m of [...g.members]) {
    if (m.hook && now >= Math.min(m.hook.deadlineMs, m.hook.globalDeadlineMs)) endHook(ctx, g, m, m.hook.result);
  }
  checkHealth(ctx, g, now);
  if (!suspended(g, 'ReplaceUnhealthy')) {
    for (const m of [...g.members]) {
      if (m.health !== 'Unhealthy' || !MEMBER_COUNTED(m)) continue;
      beginTerminate(ctx, g, m, `At ${isoSec(now)} an instance was taken out of service in response to ${WHY[m.unhealthyWhy ?? 'ec2']}.`);
    }
  }
  launchMissing(ctx, g, now);
  rebalance(ctx, g, now);
  terminateExtra(ctx, g, now);
  if (capacityOf(g) === g.desired && !g.members.some((m) => m.state.endsWith(':Wait'))) delete g.cause;
  return nextDueOf(ctx, g, now);
}

export function nextDueOf(ctx: RequestContext, g: GroupRecord, now: number): number | undefined {
  const times: number[] = [];
  const cap = capacityOf(g);
  if ((cap < g.desired && !suspended(g, 'Launch')) || (cap > g.desired && !suspended(g, 'Terminate'))) times.push(g.retryMs ?? now);
  for (const m of g.members) {
    if (m.hook) times.push(Math.min(m.hook.deadlineMs, m.hook.globalDeadlineMs));
    if (m.state === 'Pending' || m.state === 'Pending:Proceed') {
      const i = ec2Instance(ctx, m.id);
      times.push(i && i.phase === 'start' ? i.doneMs : now);
    }
  }
  if (g.members.length) times.push(now + HEALTH_CHECK_MS);
  if (g.nextHealthMs) times.push(g.nextHealthMs);
  for (const r of ctx.tx.list<{ nextMs?: number }>(ctx.scope, K.scheduled, { prefix: groupPrefix(g.name) })) if (r.value.nextMs !== undefined) times.push(r.value.nextMs);
  for (const r of ctx.tx.list<{ nextMs?: number; status: string }>(ctx.scope, K.refresh, { prefix: groupPrefix(g.name) })) {
    if (r.value.nextMs !== undefined && (r.value.status === 'Pending' || r.value.status === 'InProgress' || r.value.status === 'Cancelling')) times.push(r.value.nextMs);
  }
  if (!times.length) return undefined;
  const t = Math.min(...times);
  return t <= now ? now + 1000 : t;
}

/**
 * Targets: RegisterTargets / DeregisterTargets (deregistration delay on the clock: `draining`
 * until then; the "elb" fleet step removes the row when it ends), DescribeTargetHealth, and
 * the module API other engineers call (Auto Scaling registers and deregisters its instances;
 * the load model asks which targets are healthy):
 *   registerFromService, deregisterFromService, targetHealthOf,
 *   loadBalancersOfTargetGroup, targetGroupsOfLoadBalancer.
 */
import type {
  DeregisterTargetsInput, DeregisterTargetsOutput, DescribeTargetHealthInput, DescribeTargetHealthOutput, RegisterTargetsInput,
  RegisterTargetsOutput, TargetDescription, TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../core/errors.js';
import { containsValue, mustCidr, parseIpv4 } from '../../network/cidr.js';
import type { Scope, Tx } from '../../store/types.js';
import type { Handler, RequestContext } from '../types.js';
import { instanceState } from '../ec2/compute/lifecycle.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { RESOURCE_TYPES } from '../ec2/ids.js';
import type { NetworkInterfaceRecord } from '../ec2/vpc/records-eni.js';
import type { VpcRecord } from '../ec2/vpc/records.js';
import type { FleetStep } from '../fleet/engine.js';
import { poke } from '../fleet/engine.js';
import { decideHealth, observe, ReachCache, type HealthState } from './health.js';
import { getTg, KIND, targetRowId, validation, type DueRecord, type LoadBalancerRecord, type TargetGroupRecord, type TargetRecord } from './records.js';
import { loadBalancersOfTargetGroup, targetGroupsOfLoadBalancer } from './usage.js';

export { loadBalancersOfTargetGroup, targetGroupsOfLoadBalancer };

/** AWS's default quota of targets per target group (application load balancers: 1000). */
export const MAX_TARGETS = 1000;
const DUE_ID = 'due';

type Ctx = Pick<RequestContext, 'tx' | 'scope' | 'clock'>;
type TargetAsk = { id: string; port?: number; availabilityZone?: string };

const targetsOf = (tx: Tx, scope: Scope, tgArn: string): TargetRecord[] =>
  tx.list<TargetRecord>(scope, KIND.target, { prefix: `${tgArn}|` }).map((r) => r.value);

function addDue(ctx: Ctx, atMs: number): void {
  const d = ctx.tx.get<DueRecord>(ctx.scope, KIND.due, DUE_ID) ?? { times: [] };
  d.times = [...d.times, atMs].sort((a, b) => a - b);
  ctx.tx.put(ctx.scope, KIND.due, DUE_ID, d);
  poke(ctx.tx, ctx.scope, atMs);
}

/** The zone an IP target lies in (the subnet of the VPC whose block holds it), or undefined. */
function zoneOfIp(ctx: Ctx, vpcId: string, ip: string): string | undefined {
  const v = parseIpv4(ip);
  if (v === undefined) return undefined;
  for (const { value: s } of ctx.tx.findBy<{ cidrBlock: string; zoneName: string }>(ctx.scope, RESOURCE_TYPES.subnet.kind, 'vpc', { key: vpcId })) {
    if (containsValue(mustCidr(s.cidrBlock), 4, v)) return s.zoneName;
  }
  return undefined;
}

function checkTarget(ctx: Ctx, tg: TargetGroupRecord, t: TargetAsk): { port: number; zone?: string } {
  const port = t.port ?? tg.port;
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) throw validation(`Port '${String(port)}' must be between 1 and 65535`);
  if (tg.targetType === 'instance') {
    const i = /^i-[0-9a-f]{8,17}$/.test(t.id) ? ctx.tx.get<InstanceRecord>(ctx.scope, COMPUTE_KIND.instance, t.id) : undefined;
    if (!i) throw new AwsError('InvalidTarget', `The following targets are not valid instances: '${t.id}'`);
    const state = instanceState(i, ctx.clock.nowMs());
    if (state !== 'running' && state !== 'pending') {
      throw new AwsError('InvalidTarget', `The following targets are not in a running state and cannot be registered: '${t.id}'`);
    }
    if (i.vpcId !== tg.vpcId) throw new AwsError('InvalidTarget', `The following targets are not in the target group VPC '${tg.vpcId}': '${t.id}'`);
    return { port, zone: i.zoneName };
  }
  if (tg.targetType === 'ip') {
    if (parseIpv4(t.id) === undefined) throw new AwsError('InvalidTarget', `The IP address '${t.id}' is not a valid IPv4 address`);
    const vpc = ctx.tx.get<VpcRecord>(ctx.scope, RESOURCE_TYPES.vpc.kind, tg.vpcId ?? '');
    const inVpc = vpc?.cidrs.some((c) => c.state === 'associated' && containsValue(mustCidr(c.cidr), 4, parseIpv4(t.id)!));
    if (!inVpc && t.availabilityZone !== 'all') {
      throw new AwsError('InvalidTarget', `The IP address '${t.id}' is not within the CIDR blocks of the target group VPC '${tg.vpcId}'; register addresses outside it with AvailabilityZone 'all'`);
    }
    const zone = t.availabilityZone ?? zoneOfIp(ctx, tg.vpcId!, t.id);
    return { port, ...(zone ? { zone } : {}) };
  }
  const lb = ctx.tx.get<LoadBalancerRecord>(ctx.scope, KIND.lb, t.id);
  if (!lb || lb.type !== 'application') throw new AwsError('InvalidTarget', `The target '${t.id}' is not an Application Load Balancer ARN`);
  return { port };
}

function register(ctx: Ctx, tg: TargetGroupRecord, targets: TargetAsk[]): void {
  if (!targets.length) throw validation('At least one target must be specified');
  const now = ctx.clock.nowMs();
  const current = targetsOf(ctx.tx, ctx.scope, tg.arn);
  let count = current.filter((t) => t.drainEndMs === undefined).length;
  for (const t of targets) {
    const { port, zone } = checkTarget(ctx, tg, t);
    const rowId = targetRowId(tg.arn, t.id, port);
    const prev = ctx.tx.get<TargetRecord>(ctx.scope, KIND.target, rowId);
    if (prev && prev.drainEndMs === undefined) continue;
    if (++count > MAX_TARGETS) throw new AwsError('TooManyTargets', `You've reached the limit on the number of targets per target group`);
    const row: TargetRecord = { tgArn: tg.arn, id: t.id, port, registeredMs: now, ...(zone ? { availabilityZone: zone } : {}) };
    ctx.tx.put(ctx.scope, KIND.target, rowId, row);
  }
}

function deregister(ctx: Ctx, tg: TargetGroupRecord, targets: TargetAsk[], lenient = false): void {
  if (!targets.length) throw validation('At least one target must be specified');
  const now = ctx.clock.nowMs();
  const delayMs = Number(tg.attributes['deregistration_delay.timeout_seconds'] ?? '300') * 1000;
  const inUse = loadBalancersOfTargetGroup(ctx.tx, ctx.scope, tg.arn).length > 0;
  const all = targetsOf(ctx.tx, ctx.scope, tg.arn);
  for (const t of targets) {
    const rows = all.filter((r) => r.id === t.id && (t.port === undefined || r.port === t.port));
    if (!rows.length && lenient) continue;
    if (!rows.length) throw new AwsError('InvalidTarget', `The following targets are not registered in target group '${tg.arn}': '${t.id}'`);
    for (const r of rows) {
      const rowId = targetRowId(tg.arn, r.id, r.port);
      if (r.drainEndMs !== undefined) continue;
      if (!inUse || delayMs === 0) { ctx.tx.delete(ctx.scope, KIND.target, rowId); continue; }
      ctx.tx.put(ctx.scope, KIND.target, rowId, { ...r, drainEndMs: now + delayMs });
      addDue(ctx, now + delayMs);
    }
  }
}

export function registerFromService(sys: RequestContext, targetGroupArn: string, targets: Array<{ id: string; port?: number }>): void {
  register(sys, getTg(sys, targetGroupArn), targets);
}

export function deregisterFromService(sys: RequestContext, targetGroupArn: string, targets: Array<{ id: string; port?: number }>): void {
  // A service deregisters what it may have registered: targets that are not there are skipped.
  deregister(sys, getTg(sys, targetGroupArn), targets, true);
}

export interface TargetHealth {
  id: string;
  port: number;
  availabilityZone?: string;
  healthCheckPort: number;
  state: HealthState;
  reason?: string;
  description?: string;
  /** When the reported state began (clock ms): e.g. when a target turned unhealthy, for Auto Scaling's replacement. */
  since: number;
}

function healthOf(tx: Tx, scope: Scope, tg: TargetGroupRecord, rows: TargetRecord[], nowMs: number, cache: ReachCache): TargetHealth[] {
  const lbs = loadBalancersOfTargetGroup(tx, scope, tg.arn).map((a) => tx.get<LoadBalancerRecord>(scope, KIND.lb, a)).filter((l): l is LoadBalancerRecord => !!l);
  lbs.sort((a, b) => a.createdMs - b.createdMs);
  const lb = lbs[0];
  const hc = tg.healthCheck;
  const protocol = tg.protocol === 'UDP' && hc.protocol === 'UDP' ? 'udp' : 'tcp';
  return rows.filter((r) => r.drainEndMs === undefined || r.drainEndMs > nowMs).map((r): TargetHealth => {
    const hcPort = hc.port === 'traffic-port' ? r.port : Number(hc.port);
    const inst = tg.targetType === 'instance' ? tx.get<InstanceRecord>(scope, COMPUTE_KIND.instance, r.id) : undefined;
    const zone = inst?.zoneName ?? r.availabilityZone;
    const lbZone = lb?.zones.find((z) => z.zoneName === zone);
    const crossZone = lb?.type === 'application' || lb?.attributes['load_balancing.cross_zone.enabled'] === 'true';
    const from = lbZone ?? (crossZone || zone === 'all' ? lb?.zones[0] : undefined);
    // Checks start over when the instance starts again (a stopped target went unused).
    const runningSince = inst?.phase === 'start' ? inst.doneMs : 0;
    const timing = { checksFromMs: Math.max(r.registeredMs, lb?.activeMs ?? 0, runningSince), healthyThreshold: hc.healthyThreshold, intervalSeconds: hc.intervalSeconds };
    const fresh = decideHealth({
      nowMs, ...(r.drainEndMs !== undefined ? { drainEndMs: r.drainEndMs } : {}),
      inUse: !!lb, ...(tg.targetType === 'instance' ? { instanceState: inst ? instanceState(inst, nowMs) : 'missing' } : {}),
      zoneEnabled: !!lbZone || zone === 'all', healthCheckEnabled: hc.enabled, healthCheckProtocol: hc.protocol, ...timing,
      reach: () => (from && lb ? cache.reach(lb.vpcId, from.networkInterfaceId, r.id, protocol, hcPort) : { ok: false, why: 'no load balancer interface' }),
    });
    const { answer, observed } = observe(r.observed, fresh, nowMs, { ...timing, unhealthyThreshold: hc.unhealthyThreshold });
    if (JSON.stringify(observed) !== JSON.stringify(r.observed)) tx.put(scope, KIND.target, targetRowId(tg.arn, r.id, r.port), { ...r, observed });
    return { id: r.id, port: r.port, healthCheckPort: hcPort, ...(zone ? { availabilityZone: zone } : {}), ...answer, since: observed.sinceMs };
  });
}

/** The health of every registered (or draining) target of a group at nowMs. */
export function targetHealthOf(tx: Tx, scope: Scope, targetGroupArn: string, nowMs: number): TargetHealth[] {
  const tg = tx.get<TargetGroupRecord>(scope, KIND.tg, targetGroupArn);
  if (!tg) return [];
  return healthOf(tx, scope, tg, targetsOf(tx, scope, tg.arn), nowMs, new ReachCache(tx, scope, nowMs));
}

const asks = (ts: TargetDescription[] | undefined): TargetAsk[] => (ts ?? []).map((t) => {
  if (!t.Id) throw validation('A target ID must be specified');
  return { id: t.Id, ...(t.Port !== undefined ? { port: t.Port } : {}), ...(t.AvailabilityZone ? { availabilityZone: t.AvailabilityZone } : {}) };
});

export const registerTargets: Handler<RegisterTargetsInput, RegisterTargetsOutput> = (input, ctx) => {
  register(ctx, getTg(ctx, input.TargetGroupArn), asks(input.Targets));
  return {};
};

export const deregisterTargets: Handler<DeregisterTargetsInput, DeregisterTargetsOutput> = (input, ctx) => {
  deregister(ctx, getTg(ctx, input.TargetGroupArn), asks(input.Targets));
  return {};
};

const describeOne = (h: TargetHealth): TargetHealthDescription => ({
  Target: { Id: h.id, Port: h.port, ...(h.availabilityZone ? { AvailabilityZone: h.availabilityZone } : {}) },
  HealthCheckPort: String(h.healthCheckPort),
  TargetHealth: { State: h.state, ...(h.reason ? { Reason: h.reason as never, Description: h.description } : {}) },
});

export const describeTargetHealth: Handler<DescribeTargetHealthInput, DescribeTargetHealthOutput> = (input, ctx) => {
  const tg = getTg(ctx, input.TargetGroupArn);
  const now = ctx.clock.nowMs();
  const all = targetsOf(ctx.tx, ctx.scope, tg.arn);
  const cache = new ReachCache(ctx.tx, ctx.scope, now);
  if (!input.Targets?.length) return { TargetHealthDescriptions: healthOf(ctx.tx, ctx.scope, tg, all, now, cache).map(describeOne) };
  const out: TargetHealthDescription[] = [];
  for (const t of asks(input.Targets)) {
    const rows = all.filter((r) => r.id === t.id && (t.port === undefined || r.port === t.port) && (r.drainEndMs === undefined || r.drainEndMs > now));
    if (!rows.length) {
      if (tg.targetType === 'instance' && !ctx.tx.get(ctx.scope, COMPUTE_KIND.instance, t.id)) {
        throw new AwsError('InvalidTarget', `The following targets are not valid instances: '${t.id}'`);
      }
      out.push({ Target: { Id: t.id, Port: t.port ?? tg.port }, HealthCheckPort: tg.healthCheck.port === 'traffic-port' ? String(t.port ?? tg.port) : tg.healthCheck.port,
        TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' } });
      continue;
    }
    out.push(...healthOf(ctx.tx, ctx.scope, tg, rows, now, cache).map(describeOne));
  }
  return { TargetHealthDescriptions: out };
};

/** The "elb" fleet step: ends deregistration delays (the draining rows go). */
export const ELB_STEP: FleetStep = {
  name: 'elb',
  nextDue(tx, scope) { return tx.get<DueRecord>(scope, KIND.due, DUE_ID)?.times[0]; },
  run(sys, atMs) {
    const d = sys.tx.get<DueRecord>(sys.scope, KIND.due, DUE_ID) ?? { times: [] };
    for (const { id, value } of sys.tx.list<TargetRecord>(sys.scope, KIND.target)) {
      if (value.drainEndMs !== undefined && value.drainEndMs <= atMs) sys.tx.delete(sys.scope, KIND.target, id);
    }
    const rest = d.times.filter((t) => t > atMs);
    if (rest.length) sys.tx.put(sys.scope, KIND.due, DUE_ID, { times: rest } satisfies DueRecord);
    else sys.tx.delete(sys.scope, KIND.due, DUE_ID);
  },
};

/** Network interfaces of the load balancers (for tests and the load model). */
export const interfacesOf = (tx: Tx, scope: Scope, lb: LoadBalancerRecord): NetworkInterfaceRecord[] =>
  lb.zones.map((z) => tx.get<NetworkInterfaceRecord>(scope, RESOURCE_TYPES['network-interface'].kind, z.networkInterfaceId)).filter((e): e is NetworkInterfaceRecord => !!e);

/** CloudWatch's dimension values: LoadBalancer `app/NAME/ID` (net/...), TargetGroup `targetgroup/NAME/ID`. */
export const loadBalancerDimension = (lbArn: string): string => lbArn.slice(lbArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
export const targetGroupDimension = (tgArn: string): string => tgArn.slice(tgArn.lastIndexOf(':') + 1);

/** The scope's load balancers (for the load model's metrics): ARN, type, enabled zones, state by the clock. */
export function loadBalancersIn(tx: Tx, scope: Scope, nowMs: number): Array<{ arn: string; type: string; zones: string[]; active: boolean }> {
  return tx.list<LoadBalancerRecord>(scope, KIND.lb).map(({ value: lb }) => ({
    arn: lb.arn, type: lb.type, zones: lb.zones.map((z) => z.zoneName), active: nowMs >= lb.activeMs,
  }));
}

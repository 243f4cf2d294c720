/**
 * Target health, decided on read from the records and the clock (no per-second ticking):
 * decideHealth is the pure rule, in the order AWS reports reasons; reachability asks the
 * network engine (src/network/) whether the load balancer's interface reaches the target on the
 * health check port and back, through the load balancer's and the target's security groups,
 * the subnets' network ACLs and routes.
 *
 * Simplifications (documented): a target turns healthy HealthyThresholdCount x interval after
 * it was registered (or the load balancer became active); a healthy target whose path closes
 * turns unhealthy UnhealthyThresholdCount x interval after the last read that saw it healthy
 * (observe()), and healthy again as soon as the path opens. The check itself is a reachability question, not an HTTP request: the matcher and path
 * are not exercised.
 */
import { Clock } from '../../core/clock.js';
import { analyze, describeExplanation, NetworkQuestionError, prepare, type Net } from '../../network/index.js';
import type { Scope, Tx } from '../../store/types.js';
import { buildSnapshot } from '../ec2/vpc/net-snapshot.js';

export type HealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

export interface HealthInputs {
  nowMs: number;
  drainEndMs?: number;
  /** A listener or rule of some load balancer forwards to the group. */
  inUse: boolean;
  /** Instance targets: the instance's state; undefined for IP targets; 'missing' when gone. */
  instanceState?: string;
  zoneEnabled: boolean;
  healthCheckEnabled: boolean;
  /** When checks started: the later of registration and the load balancer turning active. */
  checksFromMs: number;
  healthyThreshold: number;
  intervalSeconds: number;
  /** The health check's protocol: a blocked HTTP(S) check times out, a blocked TCP check fails. */
  healthCheckProtocol?: string;
  /** Asked last, only when everything else allows a healthy answer. */
  reach: () => { ok: boolean; why?: string };
}

export interface HealthAnswer { state: HealthState; reason?: string; description?: string }

export function decideHealth(h: HealthInputs): HealthAnswer {
  if (h.drainEndMs !== undefined && h.nowMs < h.drainEndMs) {
    return { state: 'draining', reason: 'Target.DeregistrationInProgress', description: 'Target deregistration is in progress' };
  }
  if (!h.inUse) return { state: 'unused', reason: 'Target.NotInUse', description: 'Target group is not configured to receive traffic from the load balancer' };
  if (h.instanceState !== undefined && h.instanceState !== 'running') {
    const s = h.instanceState === 'missing' ? 'terminated' : h.instanceState;
    return { state: 'unused', reason: 'Target.InvalidState', description: `Target is in the ${s} state` };
  }
  if (!h.zoneEnabled) {
    return { state: 'unused', reason: 'Target.NotInUse', description: 'Target is in an Availability Zone that is not enabled for the load balancer' };
  }
  if (!h.healthCheckEnabled) return { state: 'unavailable', reason: 'Target.HealthCheckDisabled', description: 'Health checks are disabled' };
  if (h.nowMs < h.checksFromMs + h.healthyThreshold * h.intervalSeconds * 1000) {
    return { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' };
  }
  const r = h.reach();
  if (r.ok) return { state: 'healthy' };
  const why = r.why ? ` (${r.why})` : '';
  if (h.healthCheckProtocol === 'TCP') return { state: 'unhealthy', reason: 'Target.FailedHealthChecks', description: `Health checks failed${why}` };
  return { state: 'unhealthy', reason: 'Target.Timeout', description: `Request timed out${why}` };
}

export interface Observed { state: string; sinceMs: number; seenMs?: number; failingSinceMs?: number }

/**
 * Folds one fresh answer into what was last reported. A healthy target that starts failing is
 * still reported healthy until UnhealthyThresholdCount x interval have passed since its checks
 * began failing, taken as the last read that saw it healthy (the path closed after that; the
 * earliest it can have): reads are what notice network changes, and the fleet's metrics and
 * Auto Scaling read every period, so with them this is within a period of AWS's count.
 * `since` is when the reported state began (the boundary when it is known).
 */
export function observe(prev: Observed | undefined, fresh: HealthAnswer, nowMs: number, h: Pick<HealthInputs, 'checksFromMs' | 'healthyThreshold' | 'intervalSeconds'> & { unhealthyThreshold: number }): { answer: HealthAnswer; observed: Observed } {
  const intervalMs = h.intervalSeconds * 1000;
  if (fresh.state === 'unhealthy' && prev?.state === 'healthy') {
    const failingSinceMs = prev.failingSinceMs ?? prev.seenMs ?? prev.sinceMs;
    const turnsAt = failingSinceMs + h.unhealthyThreshold * intervalMs;
    if (nowMs < turnsAt) return { answer: { state: 'healthy' }, observed: { ...prev, failingSinceMs } };
    return { answer: fresh, observed: { state: 'unhealthy', sinceMs: turnsAt } };
  }
  const seen = fresh.state === 'healthy' ? { seenMs: nowMs } : {};
  if (prev?.state === fresh.state) return { answer: fresh, observed: { state: prev.state, sinceMs: prev.sinceMs, ...seen } };
  const sinceMs = fresh.state === 'healthy' && (prev === undefined || prev.state === 'initial')
    ? Math.min(nowMs, h.checksFromMs + h.healthyThreshold * intervalMs)
    : fresh.state === 'initial' ? Math.min(nowMs, h.checksFromMs) : nowMs;
  return { answer: fresh, observed: { state: fresh.state, sinceMs, ...seen } };
}

/** One engine input per VPC, shared by all the checks of one read. */
export class ReachCache {
  private readonly nets = new Map<string, Net>();
  private readonly answers = new Map<string, { ok: boolean; why?: string }>();
  constructor(private readonly tx: Tx, private readonly scope: Scope, private readonly nowMs: number) {}

  private net(vpcId: string): Net {
    let n = this.nets.get(vpcId);
    if (!n) {
      const ctx = { tx: this.tx, scope: this.scope, account: this.scope.account, region: this.scope.region, clock: new Clock(0, () => this.nowMs) };
      n = prepare(buildSnapshot(ctx, [vpcId]));
      this.nets.set(vpcId, n);
    }
    return n;
  }

  /** Whether the interface `fromEni` reaches `target` (an instance ID or an address) on tcp/udp `port` and the replies return. */
  reach(vpcId: string, fromEni: string, target: string, protocol: 'tcp' | 'udp', port: number): { ok: boolean; why?: string } {
    const key = `${fromEni}|${target}|${protocol}|${port}`;
    const hit = this.answers.get(key);
    if (hit) return hit;
    let out: { ok: boolean; why?: string };
    try {
      const a = analyze(this.net(vpcId), { source: fromEni, destination: target, protocol, destinationPort: port });
      out = a.NetworkPathFound ? { ok: true } : { ok: false, why: a.Explanations.map(describeExplanation).join('; ') || 'no path' };
    } catch (err) {
      if (!(err instanceof NetworkQuestionError)) throw err;
      out = { ok: false, why: err.message };
    }
    this.answers.set(key, out);
    return out;
  }
}

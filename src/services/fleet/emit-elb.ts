/**
 * AWS/ApplicationELB metrics, every minute, per active application load balancer, with AWS's
 * dimension values (LoadBalancer = app/NAME/ID, TargetGroup = targetgroup/NAME/ID):
 *   HealthyHostCount, UnHealthyHostCount   (TargetGroup, LoadBalancer) and (TargetGroup, AvailabilityZone, LoadBalancer), always
 *   RequestCount                           (LoadBalancer), (AvailabilityZone, LoadBalancer), (TargetGroup, LoadBalancer),
 *                                          (TargetGroup, AvailabilityZone, LoadBalancer) — when there were requests
 *   RequestCountPerTarget                  (TargetGroup, LoadBalancer) and (TargetGroup), always (0 without requests)
 *   TargetResponseTime                     the same dimensions as RequestCount
 *   HTTPCode_Target_2XX_Count; HTTPCode_ELB_5XX_Count and HTTPCode_ELB_503_Count when a target group has no targets
 * Requests come from the workload model (load.ts). The response time is a simulation: 5 ms at
 * an idle target, growing as 1 / (1 - CPU) towards saturation and with the square of the demand
 * a target could not serve (a standard burstable instance out of credits).
 */
import type { Scope, Tx } from '../../store/types.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { KIND as ELB_K, type LoadBalancerRecord } from '../elbv2/records.js';
import { targetGroupsOfLoadBalancer } from '../elbv2/usage.js';
import type { MetricsState } from './emit-records.js';
import type { Dims, Writer } from './emit-put.js';
import type { HealthCache, LoadModel } from './load.js';
import { meterLoadBalancerMinute } from '../cost/traffic.js';

const MIN = 60_000;

export const lbDimension = (arn: string): string => arn.slice(arn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
export const tgDimension = (arn: string): string => arn.slice(arn.lastIndexOf(':') + 1);

/** Seconds a target answers in, at the CPU it got and the CPU asked of it. */
export function responseTime(cpu: number, demand: number): number {
  const load = Math.min(0.95, Math.max(0, cpu) / 100);
  const starved = cpu > 0 && demand > cpu ? (demand / cpu) ** 2 : 1;
  return (0.005 / (1 - load)) * starved;
}

/** The active application load balancers of the scope at atMs. */
export const activeAlbs = (tx: Tx, scope: Scope, atMs: number): LoadBalancerRecord[] =>
  tx.list<LoadBalancerRecord>(scope, ELB_K.lb).map((r) => r.value).filter((l) => l.type === 'application' && l.activeMs < atMs);

export function emitElb(tx: Tx, scope: Scope, out: Writer, atMs: number, lbs: LoadBalancerRecord[], model: LoadModel, health: HealthCache, st: MetricsState): void {
  const at = atMs - MIN;
  const NS = 'AWS/ApplicationELB';
  const zoneOf = new Map<string, string>();
  const zoneOfTarget = (id: string, given?: string): string | undefined => {
    if (given) return given;
    if (!zoneOf.has(id)) { const i = tx.get<InstanceRecord>(scope, COMPUTE_KIND.instance, id); zoneOf.set(id, i?.zoneName ?? ''); }
    return zoneOf.get(id) || undefined;
  };
  const typeOf = (id: string): string => tx.get<InstanceRecord>(scope, COMPUTE_KIND.instance, id)?.instanceType ?? 't3.micro';
  for (const lb of lbs) {
    const LB = { Name: 'LoadBalancer', Value: lbDimension(lb.arn) };
    const zones = lb.zones.map((z) => z.zoneName);
    const split = model.lbs.find((s) => s.arn === lb.arn);
    const lbCount = new Map<string, number>(); // zone -> requests
    let lbTotal = 0; let lbRt = 0; let lbRefused = 0;
    for (const tg of targetGroupsOfLoadBalancer(tx, scope, lb.arn)) {
      const TG = { Name: 'TargetGroup', Value: tgDimension(tg) };
      const h = health.of(tg);
      const healthy = new Map<string, number>(zones.map((z) => [z, 0]));
      const unhealthy = new Map<string, number>(zones.map((z) => [z, 0]));
      for (const t of h) {
        const z = zoneOfTarget(t.id, (t as { availabilityZone?: string }).availabilityZone);
        if (!z) continue;
        if (t.state === 'healthy') healthy.set(z, (healthy.get(z) ?? 0) + 1);
        else if (t.state === 'unhealthy') unhealthy.set(z, (unhealthy.get(z) ?? 0) + 1);
      }
      const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
      out.add(NS, 'HealthyHostCount', [TG, LB], 'Count', at, sum(healthy));
      out.add(NS, 'UnHealthyHostCount', [TG, LB], 'Count', at, sum(unhealthy));
      for (const z of zones) {
        const AZ = { Name: 'AvailabilityZone', Value: z };
        out.add(NS, 'HealthyHostCount', [TG, AZ, LB], 'Count', at, healthy.get(z) ?? 0);
        out.add(NS, 'UnHealthyHostCount', [TG, AZ, LB], 'Count', at, unhealthy.get(z) ?? 0);
      }
      const g = split?.groups.find((x) => x.arn === tg);
      const count = g ? Math.round(g.rate * 60) : 0;
      const per = g?.targets.length ? count / g.targets.length : 0;
      // Always reported (0 without requests), per target group and per target group and load balancer.
      out.add(NS, 'RequestCountPerTarget', [TG, LB], 'Count', at, per);
      out.add(NS, 'RequestCountPerTarget', [TG], 'Count', at, per);
      if (count <= 0) continue;
      lbTotal += count;
      if (!g!.targets.length) {
        lbRefused += count;
        continue;
      }
      const byZone = new Map<string, { n: number; rt: number }>();
      let rtSum = 0;
      for (const id of g!.targets) {
        const demand = model.demandOf(id, typeOf(id));
        const rt = responseTime(st.inst[id]?.cpu || demand, demand);
        rtSum += rt * per;
        const z = zoneOfTarget(id) ?? zones[0] ?? '';
        const b = byZone.get(z) ?? { n: 0, rt: 0 };
        b.n += per; b.rt += rt * per; byZone.set(z, b);
      }
      lbRt += rtSum;
      out.add(NS, 'RequestCount', [TG, LB], 'Count', at, count);
      out.add(NS, 'HTTPCode_Target_2XX_Count', [TG, LB], 'Count', at, count);
      out.add(NS, 'TargetResponseTime', [TG, LB], 'Seconds', at, rtSum / count);
      for (const [z, b] of byZone) {
        if (!z) continue;
        const AZ = { Name: 'AvailabilityZone', Value: z };
        const n = Math.round(b.n);
        lbCount.set(z, (lbCount.get(z) ?? 0) + n);
        out.add(NS, 'RequestCount', [TG, AZ, LB], 'Count', at, n);
        out.add(NS, 'TargetResponseTime', [TG, AZ, LB], 'Seconds', at, b.rt / b.n);
      }
    }
    if (lbTotal > 0) {
      const dims: Dims = [LB];
      out.add(NS, 'RequestCount', dims, 'Count', at, lbTotal);
      if (lbTotal > lbRefused) out.add(NS, 'HTTPCode_Target_2XX_Count', dims, 'Count', at, lbTotal - lbRefused);
      if (lbRefused) for (const name of ['HTTPCode_ELB_5XX_Count', 'HTTPCode_ELB_503_Count']) out.add(NS, name, dims, 'Count', at, lbRefused);
      if (lbRt > 0) out.add(NS, 'TargetResponseTime', dims, 'Seconds', at, lbRt / (lbTotal - lbRefused));
      for (const [z, n] of lbCount) out.add(NS, 'RequestCount', [{ Name: 'AvailabilityZone', Value: z }, LB], 'Count', at, n);
      // What the minute's requests cost: capacity units, and data sent back to the internet.
      meterLoadBalancerMinute(tx, scope, lb, lbTotal, at);
    }
  }
}

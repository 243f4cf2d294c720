/**
 * AWS/EC2 and AWS/EBS metrics of the scope's instances, at one instant of the metrics step.
 *
 * As EC2 publishes them: per instance (dimension InstanceId) every 5 minutes with basic
 * monitoring, every minute when detailed monitoring is enabled (the instance's Monitoring
 * state), each datapoint stamped with the start of its period; status checks every minute
 * either way; CPU credit metrics of burstable types every 5 minutes. Aggregates: per Auto
 * Scaling group (AutoScalingGroupName) for the group's instances, and per InstanceType, per
 * ImageId and across all instances (no dimension) for instances with detailed monitoring.
 * An instance emits for a period only when it was running in it.
 *
 * Network traffic follows the request rate: per request 1 KB in and 5 KB out (4 and 6 packets),
 * plus a trickle at idle, plus what the instance sends to the internet (--egress) in NetworkOut.
 * EBS: attached volumes of running instances, small constants every 5 minutes
 * (VolumeReadOps/WriteOps/ReadBytes/WriteBytes/IdleTime/QueueLength).
 */
import type { Scope, Tx } from '../../store/types.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { advanceCredits, balanceOf, creditSpecOf, defaultCreditMode, initialCredits, STOPPED_BALANCE_KEPT_MS, stopCredits } from './credits.js';
import type { InstanceTrack, MetricsState } from './emit-records.js';
import { Aggregates, type Dims, type Writer } from './emit-put.js';
import type { LoadModel } from './load.js';

const MIN = 60_000;
const FIVE = 300_000;

/** Milliseconds the instance was running within [fromMs, toMs). */
export function runningMs(i: Pick<InstanceRecord, 'runs' | 'phase' | 'doneMs'>, fromMs: number, toMs: number): number {
  let total = 0;
  const n = i.runs.length;
  for (let k = Math.max(0, n - 3); k < n; k++) {
    const [s, e] = i.runs[k]!;
    // The open run of a starting instance runs once it has booted.
    const from = k === n - 1 && i.phase === 'start' ? i.doneMs : s;
    const to = e ?? Infinity;
    total += Math.max(0, Math.min(to, toMs) - Math.max(from, fromMs));
  }
  return total;
}

const lastRunEnd = (i: InstanceRecord): number | undefined => (i.phase === 'start' ? undefined : i.runs[i.runs.length - 1]?.[1] ?? i.sinceMs);

export interface Ec2Emit {
  out: Writer;
  atMs: number;
  st: MetricsState;
  /** The load over the period of a given length ending at atMs. */
  model(periodMs: number): LoadModel;
  /** Instance id -> its Auto Scaling group. */
  groupOf: Map<string, string>;
  /** Dimension arrays made once per batch (the writer keys metrics by them). */
  dims: Map<string, { id: Dims; agg: Dims[] }>;
  /** Bills what an instance sent to the internet in the period starting at atMs. */
  egress?: (i: InstanceRecord, bytes: number, atMs: number) => void;
}

/** The emitted network traffic per second at a request rate. */
export const networkOf = (rps: number) => ({
  inBytes: 300 + rps * 1000, outBytes: 500 + rps * 5000, inPackets: 3 + rps * 4, outPackets: 4 + rps * 6,
});

function track(st: MetricsState, i: InstanceRecord, atMs: number): InstanceTrack {
  let t = st.inst[i.id];
  const spec = creditSpecOf(i.instanceType);
  const mode = spec ? i.creditSpecification ?? defaultCreditMode(i.instanceType) : undefined;
  if (!t || t.runs !== i.runs.length) {
    // A new run: T2 starts afresh (launch credits); T3/T3a/T4g keep their balance (seven days after a stop).
    const kept = st.stopped[i.id];
    delete st.stopped[i.id];
    let credits = t?.credits;
    if (spec && mode) {
      if (i.instanceType.startsWith('t2.') || !credits) credits = initialCredits(spec, mode);
      if (!i.instanceType.startsWith('t2.') && kept && atMs - kept.stoppedMs <= STOPPED_BALANCE_KEPT_MS && !t) credits = { ...kept.credits };
    }
    t = { type: i.instanceType, runs: i.runs.length, usage: 0, charged: 0, cpu: 0, ...(mode ? { mode } : {}), ...(credits ? { credits } : {}) };
    st.inst[i.id] = t;
  }
  if (mode) t.mode = mode;
  return t;
}

/** Emits what is due at e.atMs for the given instances (live ones and those followed until their last period). */
export function emitInstances(e: Ec2Emit, instances: InstanceRecord[]): void {
  const { out, atMs, st } = e;
  const agg = new Aggregates();
  for (const i of instances) {
    const detailed = i.monitoring === 'enabled';
    const P = detailed ? MIN : FIVE;
    const t = track(st, i, atMs);
    let d = e.dims.get(i.id);
    if (!d) {
      const group = e.groupOf.get(i.id);
      d = {
        id: [{ Name: 'InstanceId', Value: i.id }],
        agg: [
          ...(group ? [[{ Name: 'AutoScalingGroupName', Value: group }]] : []),
          ...(detailed ? [[{ Name: 'InstanceType', Value: i.instanceType }], [{ Name: 'ImageId', Value: i.imageId }], []] : []),
        ],
      };
      e.dims.set(i.id, d);
    }
    const { id, agg: aggDims } = d;
    // Status checks: every minute the instance ran, 0 (the simulated hardware never fails).
    if (runningMs(i, atMs - MIN, atMs) > 0) {
      for (const name of ['StatusCheckFailed', 'StatusCheckFailed_Instance', 'StatusCheckFailed_System']) out.add('AWS/EC2', name, id, 'Count', atMs - MIN, 0);
    }
    const spec = creditSpecOf(i.instanceType);
    if (atMs % P === 0) {
      const ran = runningMs(i, atMs - P, atMs);
      if (ran > 0) {
        const model = e.model(P);
        const demand = model.demandOf(i.id, i.instanceType);
        let cpu = demand;
        if (spec && t.credits && t.mode) {
          const r = advanceCredits(t.credits, spec, t.mode, demand, ran / MIN);
          cpu = r.cpu; t.usage += r.usage; t.charged += r.charged;
        }
        t.cpu = cpu;
        const sec = ran / 1000;
        const net = networkOf(model.requestsOf(i.id));
        const at = atMs - P;
        const egress = model.egressOf(i.id) * sec;
        if (egress > 0) e.egress?.(i, egress, at);
        const vals: Array<[string, string, number]> = [
          ['CPUUtilization', 'Percent', cpu],
          ['NetworkIn', 'Bytes', net.inBytes * sec], ['NetworkOut', 'Bytes', net.outBytes * sec + egress],
          ['NetworkPacketsIn', 'Count', net.inPackets * sec], ['NetworkPacketsOut', 'Count', net.outPackets * sec],
        ];
        for (const [name, unit, v] of vals) {
          out.add('AWS/EC2', name, id, unit, at, v);
          for (const d of aggDims) agg.add('AWS/EC2', name, d, unit, at, v);
        }
      }
    }
    if (atMs % FIVE === 0) {
      const ran5 = runningMs(i, atMs - FIVE, atMs);
      const end = lastRunEnd(i);
      if (spec && t.credits && ran5 > 0) {
        if (end !== undefined && end <= atMs) {
          // Stopped or terminated: outstanding surplus is charged.
          const s = stopCredits(t.credits, i.instanceType);
          t.charged += s.charged;
          t.credits.surplus = 0;
        }
        const at = atMs - FIVE;
        out.add('AWS/EC2', 'CPUCreditUsage', id, 'Count', at, t.usage);
        out.add('AWS/EC2', 'CPUCreditBalance', id, 'Count', at, balanceOf(t.credits));
        out.add('AWS/EC2', 'CPUSurplusCreditBalance', id, 'Count', at, t.credits.surplus);
        out.add('AWS/EC2', 'CPUSurplusCreditsCharged', id, 'Count', at, t.charged);
        t.usage = 0; t.charged = 0;
      }
      if (ran5 > 0) emitVolumes(out, i, atMs - FIVE, ran5 / 1000);
      // Followed past its last period: let it go (T3/T3a/T4g balances kept seven days).
      if (end !== undefined && end <= atMs - FIVE + 0 && ran5 === 0) {
        if (t.credits && !i.instanceType.startsWith('t2.') && i.phase === 'stop') st.stopped[i.id] = { credits: { ...t.credits, launch: 0, surplus: 0 }, stoppedMs: end };
        delete st.inst[i.id];
      }
    }
  }
  for (const [sid, s] of Object.entries(st.stopped)) if (atMs - s.stoppedMs > STOPPED_BALANCE_KEPT_MS) delete st.stopped[sid];
  agg.flush(out);
}

function emitVolumes(out: Writer, i: InstanceRecord, atMs: number, sec: number): void {
  for (const b of i.blockDevices) {
    const dims: Dims = [{ Name: 'VolumeId', Value: b.volumeId }];
    const vals: Array<[string, string, number]> = [
      ['VolumeReadOps', 'Count', 0.5 * sec], ['VolumeWriteOps', 'Count', 2 * sec],
      ['VolumeReadBytes', 'Bytes', 0.5 * sec * 16_384], ['VolumeWriteBytes', 'Bytes', 2 * sec * 16_384],
      ['VolumeIdleTime', 'Seconds', 0.98 * sec], ['VolumeQueueLength', 'Count', 0.01],
    ];
    for (const [name, unit, v] of vals) out.add('AWS/EBS', name, dims, unit, atMs, v);
  }
}

/** The instances the step follows at atMs: the live ones (one index read) and the ones stopped since. */
export function instancesToFollow(tx: Tx, scope: Scope, st: MetricsState): InstanceRecord[] {
  const live = tx.findBy<InstanceRecord>(scope, COMPUTE_KIND.instance, 'phase', { key: 'start' }).map((r) => r.value);
  const seen = new Set(live.map((i) => i.id));
  const out = [...live];
  for (const id of Object.keys(st.inst)) {
    if (seen.has(id)) continue;
    const i = tx.get<InstanceRecord>(scope, COMPUTE_KIND.instance, id);
    if (i) out.push(i); else delete st.inst[id];
  }
  return out;
}

/**
 * AWS/AutoScaling group metrics (dimension AutoScalingGroupName, 1-minute granularity), for
 * groups with metrics collection enabled (EnableMetricsCollection; an empty list: all of them),
 * as Auto Scaling documents them: sizes, instances by life-cycle state, and the same counted in
 * capacity units (instance weights).
 */
import type { Scope, Tx } from '../../store/types.js';
import { groupsCollectingMetrics } from '../autoscaling/api.js';
import type { GroupRecord, Member } from '../autoscaling/records.js';
import type { Writer } from './emit-put.js';

const MIN = 60_000;

export const GROUP_METRICS = [
  'GroupMinSize', 'GroupMaxSize', 'GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupPendingInstances',
  'GroupStandbyInstances', 'GroupTerminatingInstances', 'GroupTotalInstances', 'GroupInServiceCapacity',
  'GroupPendingCapacity', 'GroupStandbyCapacity', 'GroupTerminatingCapacity', 'GroupTotalCapacity',
] as const;

const isPending = (m: Member) => m.state.startsWith('Pending');
const isTerminating = (m: Member) => m.state.startsWith('Terminating');
const isStandby = (m: Member) => m.state === 'Standby' || m.state === 'EnteringStandby';
const isInService = (m: Member) => m.state === 'InService';

export function groupMetricValues(g: GroupRecord): Record<(typeof GROUP_METRICS)[number], number> {
  const count = (f: (m: Member) => boolean) => g.members.filter(f).length;
  const cap = (f: (m: Member) => boolean) => g.members.filter(f).reduce((s, m) => s + (m.weight ?? 1), 0);
  const total = (m: Member) => isInService(m) || isPending(m) || isTerminating(m);
  return {
    GroupMinSize: g.min, GroupMaxSize: g.max, GroupDesiredCapacity: g.desired,
    GroupInServiceInstances: count(isInService), GroupPendingInstances: count(isPending), GroupStandbyInstances: count(isStandby),
    GroupTerminatingInstances: count(isTerminating), GroupTotalInstances: count(total),
    GroupInServiceCapacity: cap(isInService), GroupPendingCapacity: cap(isPending), GroupStandbyCapacity: cap(isStandby),
    GroupTerminatingCapacity: cap(isTerminating), GroupTotalCapacity: cap(total),
  };
}

/**
 * Groups collecting metrics, as Auto Scaling says (groupsCollectingMetrics: the group and the
 * metrics enabled for it), with their records for the members' weights.
 */
export function groupsCollecting(tx: Tx, scope: Scope, records: GroupRecord[]): Array<{ group: GroupRecord; metrics: string[] }> {
  const byName = new Map(records.map((g) => [g.name, g]));
  return groupsCollectingMetrics(tx, scope).flatMap((c) => {
    const g = byName.get(c.name);
    return g && !g.deleting ? [{ group: g, metrics: c.metrics }] : [];
  });
}

export function emitGroups(out: Writer, atMs: number, groups: Array<{ group: GroupRecord; metrics: string[] }>): void {
  for (const { group: g, metrics } of groups) {
    const wanted = new Set(metrics.length ? metrics : GROUP_METRICS);
    const vals = groupMetricValues(g);
    const dims = [{ Name: 'AutoScalingGroupName', Value: g.name }];
    for (const name of GROUP_METRICS) if (wanted.has(name)) out.add('AWS/AutoScaling', name, dims, 'None', atMs - MIN, vals[name]);
  }
}

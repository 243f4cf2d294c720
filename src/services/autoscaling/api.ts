/**
 * What the other fleet services ask Auto Scaling (the shared brief's module API): a group's
 * members, the groups of an instance, the groups collecting metrics (for AWS/AutoScaling).
 */
import type { Scope, Tx } from '../../store/types.js';
import { K, type GroupRecord } from './records.js';

export interface GroupMember { instanceId: string; zone: string; lifecycleState: string; healthStatus: string }

const members = (g: GroupRecord): GroupMember[] =>
  g.members.map((m) => ({ instanceId: m.id, zone: m.zone, lifecycleState: m.state, healthStatus: m.health }));

export function instancesOfGroup(tx: Tx, scope: Scope, groupName: string): GroupMember[] {
  const g = tx.get<GroupRecord>(scope, K.group, groupName);
  return g ? members(g) : [];
}

/** The groups (normally one) an instance belongs to. */
export function groupsOfInstance(tx: Tx, scope: Scope, instanceId: string): string[] {
  return tx.list<GroupRecord>(scope, K.group).map((r) => r.value).filter((g) => g.members.some((m) => m.id === instanceId)).map((g) => g.name);
}

export interface CollectingGroup {
  name: string; metrics: string[]; min: number; max: number; desired: number; members: GroupMember[];
}

/** Groups with EnableMetricsCollection on: what the metrics step emits as AWS/AutoScaling. */
export function groupsCollectingMetrics(tx: Tx, scope: Scope): CollectingGroup[] {
  return tx.list<GroupRecord>(scope, K.group).map((r) => r.value).filter((g) => g.metrics?.metrics.length)
    .map((g) => ({ name: g.name, metrics: g.metrics!.metrics, min: g.min, max: g.max, desired: g.desired, members: members(g) }));
}

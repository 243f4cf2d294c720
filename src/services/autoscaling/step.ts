/**
 * The "autoscaling" fleet step: at each due instant, every group due then runs its scheduled
 * actions, its instance refresh and one reconcile pass (reconcile.ts); a group being deleted
 * goes once its instances are gone. The per-scope summary row (records.ts DUE) keeps nextDue
 * to one row read.
 */
import type { FleetStep } from '../fleet/engine.js';
import type { RequestContext } from '../types.js';
import { settle as settleSpot } from '../ec2/compute/spot.js';
import { recordActivity } from './activities.js';
import { nextCron } from './math.js';
import { reconcileGroup } from './reconcile.js';
import { refreshStep } from './refresh.js';
import { dropGroup } from './tracking-alarms.js';
import { dueOf, groupPrefix, isoSec, K, putGroup, setDue, type GroupRecord, type ScheduledRecord } from './records.js';

function runScheduled(ctx: RequestContext, g: GroupRecord, now: number): void {
  if (g.suspended.some((s) => s.ProcessName === 'ScheduledActions')) {
    // Suspended: due actions are skipped (AWS runs none while suspended), recurrences move on.
  }
  for (const { id, value: a } of ctx.tx.list<ScheduledRecord>(ctx.scope, K.scheduled, { prefix: groupPrefix(g.name) })) {
    if (a.nextMs === undefined || a.nextMs > now) continue;
    if (!g.suspended.some((s) => s.ProcessName === 'ScheduledActions')) applyScheduled(ctx, g, a, now);
    a.nextMs = a.recurrence ? nextCron(a.recurrence, now, a.timeZone ?? 'UTC') : undefined;
    if (a.nextMs !== undefined && a.endMs !== undefined && a.nextMs > a.endMs) a.nextMs = undefined;
    if (a.nextMs === undefined && !a.recurrence) ctx.tx.delete(ctx.scope, K.scheduled, id);
    else ctx.tx.put(ctx.scope, K.scheduled, id, a);
  }
}

export function applyScheduled(ctx: RequestContext, g: GroupRecord, a: ScheduledRecord, now: number): void {
  const before = g.desired;
  if (a.min !== undefined) g.min = a.min;
  if (a.max !== undefined) g.max = a.max;
  if (a.desired !== undefined) g.desired = a.desired;
  g.desired = Math.max(g.min, Math.min(g.max, g.desired));
  const parts = [a.min !== undefined ? `min: ${a.min}` : '', a.max !== undefined ? `max: ${a.max}` : '', a.desired !== undefined ? `desired: ${a.desired}` : ''].filter(Boolean).join(', ');
  const cause = `At ${isoSec(now)} a scheduled action update of AutoScalingGroup constraints to ${parts} changing the desired capacity from ${before} to ${g.desired}.`;
  if (g.desired !== before) g.cause = cause;
  else recordActivity(ctx, g, { description: `Executing scheduled action ${a.name}`, cause, status: 'Successful' });
}

export const autoscalingStep: FleetStep = {
  name: 'autoscaling',
  nextDue(tx, scope) {
    let min: number | undefined;
    for (const t of Object.values(dueOf(tx, scope))) if (min === undefined || t < min) min = t;
    return min;
  },
  run(sys, atMs) {
    settleSpot(sys);
    for (const [name, due] of Object.entries(dueOf(sys.tx, sys.scope))) {
      if (due > atMs) continue;
      const g = sys.tx.get<GroupRecord>(sys.scope, K.group, name);
      if (!g) { setDue(sys.tx, sys.scope, name, undefined); continue; }
      runScheduled(sys, g, atMs);
      refreshStep(sys, g, atMs);
      const next = reconcileGroup(sys, g);
      if (g.deleting && g.members.length === 0) { dropGroup(sys, name); continue; }
      putGroup(sys.tx, sys.scope, g, next);
    }
  },
};

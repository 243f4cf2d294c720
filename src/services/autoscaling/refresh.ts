/**
 * Instance refresh: the group's instances replaced in batches, each batch no larger than keeps
 * MinHealthyPercentage of the desired capacity InService, the next batch after the new ones
 * are in service and warmed up (InstanceWarmup). Instances already on the group's launch
 * template version are skipped with SkipMatching.
 */
import { randomUUID } from 'node:crypto';
import type {
  CancelInstanceRefreshAnswer, CancelInstanceRefreshType, DescribeInstanceRefreshesAnswer, DescribeInstanceRefreshesType,
  StartInstanceRefreshAnswer, StartInstanceRefreshType,
} from '@aws-sdk/client-auto-scaling';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { beginTerminate, candidateOf, nextDueOf } from './reconcile.js';
import { groupPrefix, isoSec, K, MEMBER_COUNTED, putGroup, sub, type GroupRecord, type RefreshRecord } from './records.js';
import { mustGroup } from './validate.js';

const ACTIVE = ['Pending', 'InProgress', 'Cancelling', 'RollbackInProgress'];
const INV = 9_999_999_999_999;

function active(ctx: RequestContext, group: string): { id: string; value: RefreshRecord } | undefined {
  return ctx.tx.list<RefreshRecord>(ctx.scope, K.refresh, { prefix: groupPrefix(group) }).find((r) => ACTIVE.includes(r.value.status));
}

export function refreshStep(ctx: RequestContext, g: GroupRecord, now: number): void {
  const row = active(ctx, g.name);
  if (!row || row.value.nextMs === undefined || row.value.nextMs > now) return;
  const r = row.value;
  if (r.status === 'Cancelling') { r.status = 'Cancelled'; r.endMs = now; delete r.nextMs; ctx.tx.put(ctx.scope, K.refresh, row.id, r); return; }
  r.status = 'InProgress';
  const ids = new Set(g.members.map((m) => m.id));
  r.toReplace = r.toReplace.filter((id) => ids.has(id));
  if (!r.toReplace.length) {
    r.status = 'Successful'; r.endMs = now; delete r.nextMs; r.statusReason = undefined;
    ctx.tx.put(ctx.scope, K.refresh, row.id, r);
    return;
  }
  const healthy = g.members.filter((m) => MEMBER_COUNTED(m) && m.state === 'InService' && m.health === 'Healthy' && (now - (m.inServiceMs ?? 0)) >= r.warmup * 1000 * (r.toReplace.includes(m.id) ? 0 : 1)).length;
  const floor = Math.ceil((g.desired * r.minHealthy) / 100);
  const batch = Math.min(r.toReplace.length, Math.max(0, healthy - floor), g.members.length);
  const room = batch > 0 ? batch : (healthy >= g.desired && floor >= g.desired ? 1 : 0);
  if (room > 0) {
    const olds = g.members.filter((m) => r.toReplace.includes(m.id));
    const pick = olds.map(candidateOf(g)).sort((a, b) => a.launchedMs - b.launchedMs).slice(0, room);
    for (const c of pick) {
      const m = g.members.find((x) => x.id === c.id)!;
      beginTerminate(ctx, g, m, `At ${isoSec(now)} an instance was taken out of service in response to an instance refresh.  At ${isoSec(now)} instance ${m.id} was selected for termination.`);
      r.toReplace = r.toReplace.filter((id) => id !== m.id);
    }
  }
  r.nextMs = now + Math.max(r.warmup, 10) * 1000;
  ctx.tx.put(ctx.scope, K.refresh, row.id, r);
}

const shape = (r: RefreshRecord, g?: GroupRecord) => ({
  InstanceRefreshId: r.id, AutoScalingGroupName: r.group, Status: r.status as 'Pending', ...(r.statusReason ? { StatusReason: r.statusReason } : {}),
  StartTime: new Date(r.startMs), ...(r.endMs ? { EndTime: new Date(r.endMs) } : {}),
  PercentageComplete: r.total ? Math.round(((r.total - r.toReplace.length) / r.total) * 100) : 100,
  InstancesToUpdate: r.toReplace.length, Preferences: r.preferences as never,
  ...(g ? {} : {}),
});

export const startInstanceRefresh: Handler<StartInstanceRefreshType, StartInstanceRefreshAnswer> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  if (active(ctx, g.name)) throw new AwsError('InstanceRefreshInProgress', `An Instance Refresh is already in progress and blocks the execution of this Instance Refresh.`);
  const p = input.Preferences ?? {};
  const minHealthy = p.MinHealthyPercentage ?? 90;
  if (minHealthy < 0 || minHealthy > 100) throw new AwsError('ValidationError', 'MinHealthyPercentage must be between 0 and 100.');
  const now = ctx.clock.nowMs();
  if (input.DesiredConfiguration?.LaunchTemplate) {
    const lt = input.DesiredConfiguration.LaunchTemplate;
    g.launchTemplate = { id: lt.LaunchTemplateId ?? g.launchTemplate?.id ?? '', name: lt.LaunchTemplateName ?? g.launchTemplate?.name ?? '', version: lt.Version ?? '$Default' };
  }
  const cur = candidateOf(g);
  const members = g.members.filter(MEMBER_COUNTED).filter((m) => !(p.SkipMatching && cur(m).current));
  const id = randomUUID();
  const rec: RefreshRecord = {
    id, group: g.name, status: 'Pending', startMs: now, minHealthy, warmup: p.InstanceWarmup ?? g.warmup ?? g.grace ?? 300,
    toReplace: members.map((m) => m.id), total: members.length, nextMs: now,
    preferences: { MinHealthyPercentage: minHealthy, InstanceWarmup: p.InstanceWarmup ?? g.warmup ?? g.grace, SkipMatching: p.SkipMatching ?? false, ...p },
  };
  ctx.tx.put(ctx.scope, K.refresh, sub(g.name, `${String(INV - now).padStart(13, '0')}${id}`), rec);
  putGroup(ctx.tx, ctx.scope, g, Math.min(nextDueOf(ctx, g, now) ?? now, now));
  return { InstanceRefreshId: id };
};

export const describeInstanceRefreshes: Handler<DescribeInstanceRefreshesType, DescribeInstanceRefreshesAnswer> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  let rows = ctx.tx.list<RefreshRecord>(ctx.scope, K.refresh, { prefix: groupPrefix(g.name) }).map((r) => r.value);
  if (input.InstanceRefreshIds?.length) rows = rows.filter((r) => input.InstanceRefreshIds!.includes(r.id));
  return { InstanceRefreshes: rows.map((r) => shape(r, g)) };
};

export const cancelInstanceRefresh: Handler<CancelInstanceRefreshType, CancelInstanceRefreshAnswer> = (input, ctx) => {
  const g = mustGroup(ctx, input.AutoScalingGroupName);
  const row = active(ctx, g.name);
  if (!row) throw new AwsError('ActiveInstanceRefreshNotFound', `No in progress or pending Instance Refresh found for Auto Scaling group ${g.name}`);
  row.value.status = 'Cancelled';
  row.value.endMs = ctx.clock.nowMs();
  delete row.value.nextMs;
  ctx.tx.put(ctx.scope, K.refresh, row.id, row.value);
  return { InstanceRefreshId: row.value.id };
};

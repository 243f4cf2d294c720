/**
 * Placement groups: cluster (every instance in one zone), partition (up to 7 partitions per
 * zone; each instance gets a partition number) and spread (at most 7 running instances per
 * zone per group). Row id = the group name (unique per region); `id` is pg-....
 */
import type {
  CreatePlacementGroupRequest, CreatePlacementGroupResult, DeletePlacementGroupRequest, DescribePlacementGroupsRequest,
  DescribePlacementGroupsResult, Placement, PlacementGroup,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { applyFilters, withTagKeyFields } from '../filters.js';
import { arnOf, newId } from '../ids.js';
import { dropTags, setTags, tagList, tagsOf, tagSpecTags } from '../tags.js';
import { INSTANCE_KIND } from './instances-core.js';
import { instanceState, isLive } from './lifecycle.js';
import { COMPUTE_KIND, type InstanceRecord, type PlacementGroupRecord } from './records.js';

const KIND = COMPUTE_KIND.placementGroup;
export const MAX_PARTITIONS = 7;
export const SPREAD_PER_ZONE = 7;

function groupByName(ctx: RequestContext, name: string): PlacementGroupRecord {
  const g = ctx.tx.get<PlacementGroupRecord>(ctx.scope, KIND, name);
  if (!g) throw new AwsError('InvalidPlacementGroup.Unknown', `The Placement Group '${name}' is unknown.`);
  return g;
}

function groupById(ctx: RequestContext, id: string): PlacementGroupRecord {
  const g = ctx.tx.list<PlacementGroupRecord>(ctx.scope, KIND).map((r) => r.value).find((x) => x.id === id);
  if (!g) throw new AwsError('InvalidPlacementGroupId.NotFound', `The Placement Group ID '${id}' does not exist.`);
  return g;
}

const members = (ctx: RequestContext, name: string): InstanceRecord[] =>
  ctx.tx.findBy<InstanceRecord>(ctx.scope, INSTANCE_KIND, 'placement-group', { key: name }).map((h) => h.value);

/**
 * Where a launch of `count` instances goes in the request's placement group, after AWS's
 * checks; `forInstance(n)` gives the n-th instance's placement fields.
 */
export function placementFor(ctx: RequestContext, p: Placement | undefined, zone: string, count: number): { forInstance(n: number): { groupName?: string; groupId?: string; partitionNumber?: number } } {
  const name = p?.GroupName ?? (p?.GroupId ? groupById(ctx, p.GroupId).name : undefined);
  if (!name) {
    if (p?.PartitionNumber !== undefined) throw new AwsError('InvalidParameterCombination', 'A partition number requires a partition placement group');
    return { forInstance: () => ({}) };
  }
  const g = groupByName(ctx, name);
  const now = ctx.clock.nowMs();
  const live = members(ctx, name).filter((i) => isLive(instanceState(i, now)) || instanceState(i, now) === 'stopped');
  if (g.strategy === 'cluster') {
    const other = live.find((i) => i.zoneName !== zone);
    if (other) {
      throw new AwsError('InvalidParameterValue', `The placement group '${name}' has instances in ${other.zoneName}; a cluster placement group is in one Availability Zone.`);
    }
  }
  if (g.strategy === 'spread') {
    const inZone = live.filter((i) => i.zoneName === zone && isLive(instanceState(i, now))).length;
    if (inZone + count > SPREAD_PER_ZONE) {
      throw new AwsError('InsufficientInstanceCapacity', `You have reached the limit of ${SPREAD_PER_ZONE} running instances per Availability Zone for spread placement group '${name}'.`);
    }
  }
  let next = 0;
  const parts = g.partitionCount ?? 0;
  if (g.strategy !== 'partition' && p?.PartitionNumber !== undefined) {
    throw new AwsError('InvalidParameterCombination', `Partition number is only valid for partition placement groups; '${name}' is ${g.strategy}`);
  }
  if (p?.PartitionNumber !== undefined && (p.PartitionNumber < 1 || p.PartitionNumber > parts)) {
    throw new AwsError('InvalidParameterValue', `Partition number ${p.PartitionNumber} is invalid for placement group '${name}' with ${parts} partitions.`);
  }
  if (g.strategy === 'partition') {
    // Fill the least-used partition first, as AWS spreads instances when none is named.
    const used = new Array<number>(parts).fill(0);
    for (const i of live) if (i.zoneName === zone && i.placement.partitionNumber) used[i.placement.partitionNumber - 1]!++;
    next = used.indexOf(Math.min(...used));
  }
  return {
    forInstance: (n) => ({
      groupName: g.name, groupId: g.id,
      ...(g.strategy === 'partition' ? { partitionNumber: p?.PartitionNumber ?? ((next + n) % parts) + 1 } : {}),
    }),
  };
}

function shape(ctx: RequestContext, g: PlacementGroupRecord): PlacementGroup {
  return {
    GroupName: g.name, GroupId: g.id, State: g.state, Strategy: g.strategy,
    ...(g.partitionCount ? { PartitionCount: g.partitionCount } : {}),
    ...(g.spreadLevel ? { SpreadLevel: g.spreadLevel } : {}),
    GroupArn: arnOf('placement-group', ctx.region, ctx.account, g.name),
    Tags: tagList(tagsOf(ctx.tx, ctx.scope, g.id)) ?? [],
  };
}

export const createPlacementGroup: Handler<CreatePlacementGroupRequest, CreatePlacementGroupResult> = (input, ctx) => {
  const name = input.GroupName ?? '';
  if (!name) throw new AwsError('MissingParameter', 'The request must contain the parameter groupName');
  if (name.length > 255) throw new AwsError('InvalidParameterValue', 'The placement group name is at most 255 characters');
  const strategy = input.Strategy;
  if (strategy !== 'cluster' && strategy !== 'partition' && strategy !== 'spread') {
    throw new AwsError('InvalidParameterValue', `Value (${String(strategy)}) for parameter strategy is invalid. Valid values: cluster, partition, spread`);
  }
  if (ctx.tx.get(ctx.scope, KIND, name)) throw new AwsError('InvalidPlacementGroup.Duplicate', `The Placement Group '${name}' already exists.`);
  let partitionCount: number | undefined;
  if (strategy === 'partition') {
    partitionCount = input.PartitionCount ?? 2;
    if (!Number.isInteger(partitionCount) || partitionCount < 1 || partitionCount > MAX_PARTITIONS) {
      throw new AwsError('InvalidParameterValue', `Value (${partitionCount}) for parameter partitionCount is invalid. Partition count must be between 1 and ${MAX_PARTITIONS}.`);
    }
  } else if (input.PartitionCount !== undefined) {
    throw new AwsError('InvalidParameterCombination', 'PartitionCount is only valid for the partition strategy');
  }
  if (input.SpreadLevel && strategy !== 'spread') throw new AwsError('InvalidParameterCombination', 'SpreadLevel is only valid for the spread strategy');
  const tags = tagSpecTags(input.TagSpecifications, 'placement-group');
  const g: PlacementGroupRecord = {
    id: newId('placement-group'), name, strategy, state: 'available',
    ...(partitionCount ? { partitionCount } : {}),
    ...(strategy === 'spread' ? { spreadLevel: (input.SpreadLevel ?? 'rack') as 'rack' } : {}),
  };
  ctx.tx.put(ctx.scope, KIND, name, g);
  setTags(ctx.tx, ctx.scope, 'placement-group', g.id, tags);
  return { PlacementGroup: shape(ctx, g) };
};

export const deletePlacementGroup: Handler<DeletePlacementGroupRequest, object> = (input, ctx) => {
  const g = groupByName(ctx, input.GroupName ?? '');
  const now = ctx.clock.nowMs();
  if (members(ctx, g.name).some((i) => instanceState(i, now) !== 'terminated')) {
    throw new AwsError('InvalidPlacementGroup.InUse', `The placement group '${g.name}' is in use and may not be deleted.`);
  }
  ctx.tx.delete(ctx.scope, KIND, g.name);
  dropTags(ctx.tx, ctx.scope, g.id);
  return {};
};

export const describePlacementGroups: Handler<DescribePlacementGroupsRequest, DescribePlacementGroupsResult> = (input, ctx) => {
  const all = ctx.tx.list<PlacementGroupRecord>(ctx.scope, KIND).map((r) => r.value);
  for (const n of input.GroupNames ?? []) if (!all.some((g) => g.name === n)) groupByName(ctx, n);
  for (const id of input.GroupIds ?? []) if (!all.some((g) => g.id === id)) groupById(ctx, id);
  const picked = all.filter((g) => (!input.GroupNames?.length || input.GroupNames.includes(g.name)) && (!input.GroupIds?.length || input.GroupIds.includes(g.id)));
  const shapes = picked.map((g) => shape(ctx, g));
  const tagFilters: Record<string, (g: PlacementGroup) => string | string[] | undefined> = {
    'group-name': (g) => g.GroupName, 'group-arn': (g) => g.GroupArn, state: (g) => g.State, strategy: (g) => g.Strategy,
    'spread-level': (g) => g.SpreadLevel, 'tag-key': (g) => (g.Tags ?? []).map((t) => t.Key!),
  };
  return { PlacementGroups: applyFilters(shapes, input.Filters, withTagKeyFields(tagFilters, input.Filters, (g) => g.Tags ?? [])) };
};

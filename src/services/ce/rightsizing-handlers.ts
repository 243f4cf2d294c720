/**
 * Cost Explorer GetRightsizingRecommendation: for each running instance of the account, in
 * every Region, its CloudWatch utilization over the last 14 days (the lookback Cost Explorer
 * documents) judged by the shared analysis (cost/rightsizing.ts): maximum CPU at or below 1%
 * and no traffic -> TERMINATE with the whole monthly cost saved; otherwise, when a cheaper type
 * of the same family (or of any family with CROSS_INSTANCE_FAMILY) keeps the projected maximum
 * CPU under 20% headroom -> MODIFY, up to three targets, the greatest saving the default. No
 * recommendation for an instance that is neither, or has fewer than 30 hours of data.
 *
 * Money: On-Demand rates from the price table x 730 hours. BenefitsConsidered (the default)
 * counts only the part of an instance's lookback hours that Reserved Instances and Savings
 * Plans did not cover as saved: covered hours are paid for by the commitment either way.
 * Results are ordered by account, Region and instance id, and paged by PageSize.
 */
import type {
  CurrentInstance, EC2ResourceDetails, EC2ResourceUtilization, GetRightsizingRecommendationRequest,
  GetRightsizingRecommendationResponse, RightsizingRecommendation, TargetInstance,
} from '@aws-sdk/client-cost-explorer';
import { createHash } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, queryOf } from '../../core/page-token.js';
import type { Handler, RequestContext } from '../types.js';
import { forEachCostedUsage } from '../cost/commitments.js';
import { type Analysis, type TargetOption, type TypeSpec, type Utilization } from '../cost/rightsizing.js';
import { evaluateFilter, validateFilter, type Expression } from '../cost/rightsizing-filter.js';
import { analyzeInstance, instanceFacts, instanceRegions, runningInstances, settleRegion, type InstanceFacts } from '../cost/rightsizing-instances.js';

export const CE_LOOKBACK_DAYS = 14;
const CE_HEADROOM = 20;
const MAX_TARGETS = 3;
const DAY = 86_400_000;

const num = (n: number, places = 6): string => String(Math.round(n * 10 ** places) / 10 ** places);
const memory = (mib: number): string => `${num(mib / 1024, 3)} GiB`;

function details(spec: TypeSpec, platform: string, region: string): EC2ResourceDetails {
  return {
    HourlyOnDemandRate: num(spec.rate), InstanceType: spec.type, Platform: platform, Region: region,
    Memory: memory(spec.memoryMiB), ...(spec.networkPerformance ? { NetworkPerformance: spec.networkPerformance } : {}),
    Storage: spec.storage, Vcpu: String(spec.vcpus),
  };
}

function utilization(u: Utilization): EC2ResourceUtilization {
  return {
    MaxCpuUtilizationPercentage: num(u.maxCpu, 4),
    EBSResourceUtilization: {
      EbsReadOpsPerSecond: num(u.ebs.readOps.max, 4), EbsWriteOpsPerSecond: num(u.ebs.writeOps.max, 4),
      EbsReadBytesPerSecond: num(u.ebs.readBytes.max, 4), EbsWriteBytesPerSecond: num(u.ebs.writeBytes.max, 4),
    },
    NetworkResourceUtilization: {
      NetworkInBytesPerSecond: num(u.network.inBytes.max, 4), NetworkOutBytesPerSecond: num(u.network.outBytes.max, 4),
      NetworkPacketsInPerSecond: num(u.network.inPackets.max, 4), NetworkPacketsOutPerSecond: num(u.network.outPackets.max, 4),
    },
  };
}

const CE_DIFFERENCE: Record<string, string> = {
  Hypervisor: 'HYPERVISOR', NetworkInterface: 'NETWORK_INTERFACE', StorageInterface: 'STORAGE_INTERFACE',
  InstanceStoreAvailability: 'INSTANCE_STORE_AVAILABILITY', VirtualizationType: 'VIRTUALIZATION_TYPE',
};

/** Hours of each instance in the window and how many of them commitments covered. */
interface Hours { total: number; ri: number; sp: number }
function hoursByInstance(ctx: RequestContext, fromMs: number, toMs: number): Map<string, Hours> {
  const out = new Map<string, Hours>();
  forEachCostedUsage(ctx.tx, ctx.account, { startMs: fromMs, endMs: toMs }, 'NONE', toMs, (item) => {
    if (!('instance' in item.line) || !item.line.instance || item.hours <= 0) return;
    let h = out.get(item.line.resourceId);
    if (!h) out.set(item.line.resourceId, (h = { total: 0, ri: 0, sp: 0 }));
    h.total += item.hours;
    if (item.coveredBy?.type === 'ReservedInstances') h.ri += item.hours;
    else if (item.coveredBy?.type === 'SavingsPlan') h.sp += item.hours;
  });
  return out;
}

interface Candidate { f: InstanceFacts; a: Analysis; type: 'TERMINATE' | 'MODIFY' }

function subjectOf(c: Candidate) {
  const i = c.f.instance;
  return {
    dims: {
      LINKED_ACCOUNT: c.f.scope.account, REGION: c.f.scope.region, AZ: i.zoneName, INSTANCE_TYPE: i.instanceType,
      INSTANCE_TYPE_FAMILY: c.f.spec.family, PLATFORM: c.f.platform, TENANCY: i.placement.tenancy === 'default' ? 'Shared' : 'Dedicated',
      RESOURCE_ID: i.id, RIGHTSIZING_TYPE: c.type,
    },
    tags: Object.fromEntries(c.f.tags.map((t) => [t.Key, t.Value])),
  };
}

function target(o: TargetOption, isDefault: boolean, platform: string, region: string, saved: number): TargetInstance {
  return {
    EstimatedMonthlyCost: num(o.monthlyCost), EstimatedMonthlySavings: num(o.monthlySavings * saved), CurrencyCode: 'USD',
    DefaultTargetInstance: isDefault, ResourceDetails: { EC2ResourceDetails: details(o.spec, platform, region) },
    ExpectedResourceUtilization: { EC2ResourceUtilization: { MaxCpuUtilizationPercentage: num(o.projectedMaxCpu, 4) } },
    PlatformDifferences: o.platformDifferences.map((d) => CE_DIFFERENCE[d]).filter((d): d is string => d !== undefined) as TargetInstance['PlatformDifferences'],
  };
}

/** One recommendation as Cost Explorer words it, with the saving it counts. */
function recommendation(c: Candidate, hours: Hours | undefined, benefits: boolean): { rec: RightsizingRecommendation; savings: number; cost: number } {
  const { f, a } = c;
  const h = hours ?? { total: 0, ri: 0, sp: 0 };
  // The share of hours a downsizing or termination would stop paying for.
  const saved = benefits && h.total > 0 ? Math.max(0, 1 - (h.ri + h.sp) / h.total) : 1;
  const current: CurrentInstance = {
    ResourceId: f.instance.id, InstanceName: f.name, Tags: f.tags.map((t) => ({ Key: t.Key, Values: [t.Value] })),
    ResourceDetails: { EC2ResourceDetails: details(f.spec, f.platform, f.scope.region) },
    ResourceUtilization: { EC2ResourceUtilization: utilization(f.util) },
    ReservationCoveredHoursInLookbackPeriod: num(h.ri, 4), SavingsPlansCoveredHoursInLookbackPeriod: num(h.sp, 4),
    OnDemandHoursInLookbackPeriod: num(h.total - h.ri - h.sp, 4), TotalRunningHoursInLookbackPeriod: num(h.total, 4),
    MonthlyCost: num(a.monthlyCost), CurrencyCode: 'USD',
  };
  const rec: RightsizingRecommendation = { AccountId: f.scope.account, CurrentInstance: current, RightsizingType: c.type, FindingReasonCodes: ['CPU_OVER_PROVISIONED'] };
  if (c.type === 'TERMINATE') {
    const savings = a.monthlyCost * saved;
    rec.TerminateRecommendationDetail = { EstimatedMonthlySavings: num(savings), CurrencyCode: 'USD' };
    return { rec, savings, cost: a.monthlyCost };
  }
  rec.ModifyRecommendationDetail = { TargetInstances: a.options.map((o, i) => target(o, i === 0, f.platform, f.scope.region, saved)) };
  return { rec, savings: a.options[0]!.monthlySavings * saved, cost: a.monthlyCost };
}

const PAGING = ['PageSize', 'NextPageToken'];

export const getRightsizingRecommendation: Handler<GetRightsizingRecommendationRequest, GetRightsizingRecommendationResponse> = (input, ctx) => {
  if (input.Service !== 'AmazonEC2') {
    throw new AwsError('ValidationException', `Service ${JSON.stringify(input.Service ?? '')} is not supported for rightsizing recommendations. The only valid value is AmazonEC2.`);
  }
  if (input.Filter) validateFilter(input.Filter as Expression);
  const config = {
    RecommendationTarget: input.Configuration?.RecommendationTarget ?? 'SAME_INSTANCE_FAMILY',
    BenefitsConsidered: input.Configuration?.BenefitsConsidered ?? true,
  };
  const binding = { service: 'ce', operation: 'GetRightsizingRecommendation', query: queryOf(input, PAGING) };
  let after: string | undefined;
  if (input.NextPageToken) {
    after = decodePageToken(binding, input.NextPageToken);
    if (after === undefined) throw new AwsError('InvalidNextTokenException', 'The NextPageToken is invalid.');
  }
  const now = ctx.clock.nowMs();
  const opts = { statistic: 'max' as const, headroom: CE_HEADROOM, crossFamily: config.RecommendationTarget === 'CROSS_INSTANCE_FAMILY', maxOptions: MAX_TARGETS };
  const found: Candidate[] = [];
  for (const region of instanceRegions(ctx.tx, ctx.account)) {
    const scope = { account: ctx.account, region };
    settleRegion(ctx, scope);
    for (const i of runningInstances(ctx.tx, scope, now)) {
      const f = instanceFacts(ctx.tx, scope, i, CE_LOOKBACK_DAYS, now);
      if (!f) continue;
      const a = analyzeInstance(f, opts);
      const type = a.finding === 'idle' ? 'TERMINATE' : a.finding === 'over' ? 'MODIFY' : undefined;
      if (!type) continue;
      const c: Candidate = { f, a, type };
      if (input.Filter && !evaluateFilter(input.Filter as Expression, subjectOf(c))) continue;
      found.push(c);
    }
  }
  const hours = found.length ? hoursByInstance(ctx, now - CE_LOOKBACK_DAYS * DAY, now) : new Map<string, Hours>();
  const all = found.map((c) => ({ key: `${c.f.scope.account}/${c.f.scope.region}/${c.f.instance.id}`, ...recommendation(c, hours.get(c.f.instance.id), config.BenefitsConsidered) }));
  let savings = 0; let cost = 0;
  for (const r of all) { savings += r.savings; cost += r.cost; }
  const start = after === undefined ? 0 : all.findIndex((r) => r.key > after!);
  const rest = start < 0 ? [] : all.slice(start);
  const size = input.PageSize ? input.PageSize : rest.length;
  const page = rest.slice(0, size);
  const generated = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return {
    Metadata: {
      RecommendationId: uuidOf(`${ctx.account}/${generated}/${JSON.stringify(binding.query)}`),
      GenerationTimestamp: generated,
    },
    Summary: {
      TotalRecommendationCount: String(all.length), EstimatedTotalMonthlySavingsAmount: num(savings), SavingsCurrencyCode: 'USD',
      SavingsPercentage: cost > 0 ? num((savings / cost) * 100, 2) : '0',
    },
    RightsizingRecommendations: page.map((r) => r.rec),
    ...(page.length < rest.length ? { NextPageToken: encodePageToken(binding, page[page.length - 1]!.key) } : {}),
    Configuration: config,
  };
};

/** A UUID-shaped id derived from a string (the same recommendation set, the same id). */
function uuidOf(s: string): string {
  const h = createHash('sha256').update(s).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export const rightsizingHandlers: Record<string, Handler> = {
  GetRightsizingRecommendation: getRightsizingRecommendation,
};

/**
 * Compute Optimizer's EC2 instance recommendations, from the analysis Cost Explorer's
 * right-sizing uses (cost/rightsizing.ts) with Compute Optimizer's rules: the lookback of the
 * instance's preferences (14 days by default, 93 with enhanced infrastructure metrics), the
 * P99.5 of the 5-minute CPU maxima (or the threshold set) with 20% headroom (or the one set),
 * candidates of every family of the instance's architecture (or Graviton with AWS_ARM64).
 *
 *   Overprovisioned (CPUOverprovisioned)   a cheaper type fits; options best saving first
 *   Underprovisioned (CPUUnderprovisioned) the current type does not fit; larger types that do
 *   Optimized                              neither; the current type is the one option
 * An idle instance (maximum CPU at most 1%, no traffic) is also flagged idle: True. Instances
 * with fewer than 30 hours of CPU data in the lookback get no recommendation, as on AWS.
 */
import type {
  GetEC2InstanceRecommendationsRequest, GetEC2InstanceRecommendationsResponse, GetEC2RecommendationProjectedMetricsRequest,
  GetEC2RecommendationProjectedMetricsResponse, GetRecommendationSummariesRequest, GetRecommendationSummariesResponse,
  InstanceRecommendation, InstanceRecommendationOption, UtilizationMetric,
} from '@aws-sdk/client-compute-optimizer';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, queryOf } from '../../core/page-token.js';
import type { Handler, RequestContext } from '../types.js';
import { COMPUTE_KIND, type InstanceRecord } from '../ec2/compute/records.js';
import { analyze, projectCpu, type Analysis, type TargetOption, type TypeSpec } from '../cost/rightsizing.js';
import { candidatePool } from '../cost/rightsizing-catalog.js';
import { cpuSeries } from '../cost/rightsizing-metrics.js';
import { instanceFacts, runningInstances, settleRegion, type InstanceFacts } from '../cost/rightsizing-instances.js';
import { requireOptIn } from './enrollment.js';
import { effectivePreferences, INSTANCE_ARN, preferenceDetails, typeAllowed, type Effective } from './preferences.js';

const MAX_OPTIONS = 3;
const invalid = (m: string) => new AwsError('InvalidParameterValueException', m);
const round = (n: number, p = 4) => Math.round(n * 10 ** p) / 10 ** p;

export const instanceArn = (region: string, account: string, id: string) => `arn:aws:ec2:${region}:${account}:instance/${id}`;

const STATISTIC = { P90: 'p90', P95: 'p95', P99_5: 'p99.5' } as const;

interface Evaluated { f: InstanceFacts; arn: string; prefs: Effective; a: Analysis; archs: string[] }

/** One instance through the analysis with its effective preferences (undefined: not enough data or an unknown type). */
function evaluate(ctx: RequestContext, i: InstanceRecord, archs: string[]): Evaluated | undefined {
  const arn = instanceArn(ctx.region, ctx.account, i.id);
  const prefs = effectivePreferences(ctx, arn);
  const f = instanceFacts(ctx.tx, ctx.scope, i, prefs.lookBackDays, ctx.clock.nowMs());
  if (!f) return undefined;
  const want = archs.map((a) => (a === 'AWS_ARM64' ? 'arm64' : f.spec.arch));
  const pool: TypeSpec[] = [];
  for (const arch of [...new Set(want)]) for (const s of candidatePool(ctx.region, f.platform, arch)) if (typeAllowed(prefs, s.type)) pool.push(s);
  const a = analyze(f.spec, f.util, pool, { statistic: STATISTIC[prefs.threshold], headroom: prefs.headroom, crossFamily: true, maxOptions: MAX_OPTIONS });
  if (a.finding === 'insufficient') return undefined;
  return { f, arn, prefs, a, archs };
}

const findingOf = (a: Analysis): 'Overprovisioned' | 'Underprovisioned' | 'Optimized' =>
  a.finding === 'under' ? 'Underprovisioned' : a.options.length && (a.finding === 'over' || a.finding === 'idle') ? 'Overprovisioned' : 'Optimized';

const reasonsOf = (finding: string) =>
  finding === 'Overprovisioned' ? ['CPUOverprovisioned' as const] : finding === 'Underprovisioned' ? ['CPUUnderprovisioned' as const] : [];

/** 0 (always enough) to 4, as the projected statistic approaches a full instance. */
const performanceRisk = (projected: number): number => Math.min(4, round(projected / 25, 2));
const riskRating = (cpu: number): 'VeryLow' | 'Low' | 'Medium' | 'High' => (cpu < 25 ? 'VeryLow' : cpu < 50 ? 'Low' : cpu < 75 ? 'Medium' : 'High');

function migrationEffort(o: TargetOption): 'VeryLow' | 'Low' | 'Medium' {
  if (o.platformDifferences.includes('Architecture')) return 'Medium';
  return o.sameFamily ? 'VeryLow' : 'Low';
}

function savings(value: number, current: number) {
  const v = Math.max(0, round(value, 6));
  return { savingsOpportunityPercentage: current > 0 ? round((v / current) * 100) : 0, estimatedMonthlySavings: { currency: 'USD' as const, value: v } };
}

function optionOf(o: TargetOption, rank: number, current: number): InstanceRecommendationOption {
  const s = savings(o.monthlySavings, current);
  return {
    instanceType: o.spec.type, rank,
    projectedUtilizationMetrics: [{ name: 'Cpu', statistic: 'Maximum', value: round(o.projectedMaxCpu) }],
    platformDifferences: o.platformDifferences, performanceRisk: performanceRisk(o.projectedCpu), migrationEffort: migrationEffort(o),
    savingsOpportunity: s, savingsOpportunityAfterDiscounts: s,
  };
}

/** The options to show: the analysis's, or for an Optimized instance the current type itself. */
function options(e: Evaluated): InstanceRecommendationOption[] {
  const { a, f } = e;
  if (findingOf(a) !== 'Optimized') return a.options.map((o, k) => optionOf(o, k + 1, a.monthlyCost));
  const same: TargetOption = {
    spec: f.spec, projectedCpu: a.observedCpu, projectedMaxCpu: f.util.maxCpu, projectedAvgCpu: f.util.avgCpu,
    monthlyCost: a.monthlyCost, monthlySavings: 0, savingsPercent: 0, platformDifferences: [], sameFamily: true,
  };
  return [optionOf(same, 1, a.monthlyCost)];
}

function utilizationMetrics(f: InstanceFacts): UtilizationMetric[] {
  const u = f.util;
  const m = (name: UtilizationMetric['name'], statistic: 'Maximum' | 'Average', value: number): UtilizationMetric => ({ name, statistic, value: round(value) });
  return [
    m('Cpu', 'Maximum', u.maxCpu), m('Cpu', 'Average', u.avgCpu),
    m('EBS_READ_OPS_PER_SECOND', 'Maximum', u.ebs.readOps.max), m('EBS_WRITE_OPS_PER_SECOND', 'Maximum', u.ebs.writeOps.max),
    m('EBS_READ_BYTES_PER_SECOND', 'Maximum', u.ebs.readBytes.max), m('EBS_WRITE_BYTES_PER_SECOND', 'Maximum', u.ebs.writeBytes.max),
    m('NETWORK_IN_BYTES_PER_SECOND', 'Maximum', u.network.inBytes.max), m('NETWORK_OUT_BYTES_PER_SECOND', 'Maximum', u.network.outBytes.max),
    m('NETWORK_PACKETS_IN_PER_SECOND', 'Maximum', u.network.inPackets.max), m('NETWORK_PACKETS_OUT_PER_SECOND', 'Maximum', u.network.outPackets.max),
  ];
}

function recommendationOf(e: Evaluated, nowMs: number): InstanceRecommendation {
  const { f, a, prefs } = e;
  const finding = findingOf(a);
  return {
    instanceArn: e.arn, accountId: f.scope.account, instanceName: f.name, currentInstanceType: f.spec.type,
    finding, findingReasonCodes: reasonsOf(finding), utilizationMetrics: utilizationMetrics(f), lookBackPeriodInDays: prefs.lookBackDays,
    recommendationOptions: options(e),
    recommendationSources: [{ recommendationSourceArn: e.arn, recommendationSourceType: 'Ec2Instance' }],
    lastRefreshTimestamp: new Date(nowMs), currentPerformanceRisk: riskRating(a.observedCpu),
    effectiveRecommendationPreferences: {
      cpuVendorArchitectures: e.archs as Array<'AWS_ARM64' | 'CURRENT'>, ...preferenceDetails(prefs),
      savingsEstimationMode: { source: 'PublicPricing' },
    },
    instanceState: 'running', tags: f.tags.map((t) => ({ key: t.Key, value: t.Value })),
    externalMetricStatus: { statusCode: 'NO_EXTERNAL_METRIC_SET' }, idle: a.finding === 'idle' ? 'True' : 'False',
  };
}

function checkAccounts(ctx: RequestContext, ids: string[] | undefined): void {
  if (!ids?.length) return;
  if (ids.length > 1) throw invalid('Only one account ID can be specified per request.');
  if (ids[0] !== ctx.account) throw new AwsError('AccessDeniedException', `The account ${ctx.account} is not the management account of an organization that includes ${ids[0]}.`, 403);
}

const FILTER_VALUES: Record<string, readonly string[]> = {
  Finding: ['Underprovisioned', 'Overprovisioned', 'Optimized', 'NotOptimized'],
  RecommendationSourceType: ['Ec2Instance', 'AutoScalingGroup'],
};

function filterMatch(filters: GetEC2InstanceRecommendationsRequest['filters'], r: InstanceRecommendation): boolean {
  for (const f of filters ?? []) {
    const values = f.values ?? [];
    const allowed = f.name ? FILTER_VALUES[f.name] : undefined;
    for (const v of allowed ? values : []) if (!allowed!.includes(v)) throw invalid(`The value ${v} is not valid for the filter ${f.name}.`);
    if (!values.length) continue;
    const has = (x: string | undefined) => x !== undefined && values.includes(x);
    // NotOptimized is Underprovisioned or Overprovisioned.
    if (f.name === 'Finding' && !(has(r.finding) || (values.includes('NotOptimized') && r.finding !== 'Optimized'))) return false;
    if (f.name === 'FindingReasonCodes' && !r.findingReasonCodes?.some((c) => values.includes(c))) return false;
    if (f.name === 'RecommendationSourceType' && !has('Ec2Instance')) return false;
    if (f.name === 'InferredWorkloadTypes') return false;
  }
  return true;
}

/** The instances asked for: ARNs of this account and Region, or every running one. */
function instancesAsked(ctx: RequestContext, arns: string[] | undefined): InstanceRecord[] {
  const now = ctx.clock.nowMs();
  if (!arns?.length) return runningInstances(ctx.tx, ctx.scope, now);
  const out: InstanceRecord[] = [];
  for (const arn of arns) {
    const m = INSTANCE_ARN.exec(arn);
    if (!m) throw invalid(`${arn} is not an EC2 instance ARN (arn:aws:ec2:REGION:ACCOUNT:instance/INSTANCE_ID).`);
    if (m[1] !== ctx.region || m[2] !== ctx.account) continue;
    const i = ctx.tx.get<InstanceRecord>(ctx.scope, COMPUTE_KIND.instance, m[3]!);
    if (i && i.phase === 'start' && i.doneMs <= now && !out.includes(i)) out.push(i);
  }
  return out;
}

function evaluateAll(ctx: RequestContext, arns: string[] | undefined, archs: string[]): Evaluated[] {
  settleRegion(ctx, ctx.scope);
  const out: Evaluated[] = [];
  for (const i of instancesAsked(ctx, arns)) { const e = evaluate(ctx, i, archs); if (e) out.push(e); }
  return out;
}

function page<T>(ctx: RequestContext, op: string, input: { nextToken?: string; maxResults?: number }, items: Array<{ key: string; v: T }>): { items: T[]; nextToken?: string } {
  const binding = { service: 'compute-optimizer', operation: op, query: queryOf(input, ['nextToken', 'maxResults']) };
  let rest = items;
  if (input.nextToken) {
    const after = decodePageToken(binding, input.nextToken);
    if (after === undefined) throw invalid('The nextToken is not valid.');
    rest = items.filter((x) => x.key > after);
  }
  const n = input.maxResults || rest.length;
  const got = rest.slice(0, n);
  return { items: got.map((x) => x.v), ...(got.length < rest.length ? { nextToken: encodePageToken(binding, got[got.length - 1]!.key) } : {}) };
}

export const getEC2InstanceRecommendations: Handler<GetEC2InstanceRecommendationsRequest, GetEC2InstanceRecommendationsResponse> = (input, ctx) => {
  requireOptIn(ctx);
  checkAccounts(ctx, input.accountIds);
  const archs = input.recommendationPreferences?.cpuVendorArchitectures?.length ? [...new Set(input.recommendationPreferences.cpuVendorArchitectures)] : ['CURRENT'];
  const now = ctx.clock.nowMs();
  const recs = evaluateAll(ctx, input.instanceArns, archs).map((e) => recommendationOf(e, now)).filter((r) => filterMatch(input.filters, r));
  const p = page(ctx, 'GetEC2InstanceRecommendations', input, recs.map((r) => ({ key: r.instanceArn!, v: r })));
  return { instanceRecommendations: p.items, errors: [], ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
};

export const getRecommendationSummaries: Handler<GetRecommendationSummariesRequest, GetRecommendationSummariesResponse> = (input, ctx) => {
  requireOptIn(ctx);
  checkAccounts(ctx, input.accountIds);
  const evaluated = evaluateAll(ctx, undefined, ['CURRENT']);
  const counts = { Overprovisioned: 0, Underprovisioned: 0, Optimized: 0 };
  const risk = { high: 0, medium: 0, low: 0, veryLow: 0 };
  let saved = 0; let idleSaved = 0; let cost = 0; let idle = 0;
  for (const e of evaluated) {
    const finding = findingOf(e.a);
    counts[finding]++;
    const r = riskRating(e.a.observedCpu);
    risk[r === 'VeryLow' ? 'veryLow' : r === 'Low' ? 'low' : r === 'Medium' ? 'medium' : 'high']++;
    cost += e.a.monthlyCost;
    if (finding === 'Overprovisioned') saved += e.a.options[0]!.monthlySavings;
    if (e.a.finding === 'idle') { idle++; idleSaved += e.a.monthlyCost; }
  }
  const summary = {
    recommendationResourceType: 'Ec2Instance' as const, accountId: ctx.account,
    summaries: (['Overprovisioned', 'Underprovisioned', 'Optimized'] as const).map((name) => ({ name, value: counts[name] })),
    idleSummaries: [{ name: 'Idle' as const, value: idle }],
    savingsOpportunity: savings(saved, cost), idleSavingsOpportunity: savings(idleSaved, cost), aggregatedSavingsOpportunity: savings(saved, cost),
    currentPerformanceRiskRatings: risk,
  };
  const p = page(ctx, 'GetRecommendationSummaries', input, [{ key: 'Ec2Instance', v: summary }]);
  return { recommendationSummaries: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
};

export const getEC2RecommendationProjectedMetrics: Handler<GetEC2RecommendationProjectedMetricsRequest, GetEC2RecommendationProjectedMetricsResponse> = (input, ctx) => {
  requireOptIn(ctx);
  const m = INSTANCE_ARN.exec(input.instanceArn ?? '');
  if (!m) throw invalid(`${input.instanceArn} is not an EC2 instance ARN (arn:aws:ec2:REGION:ACCOUNT:instance/INSTANCE_ID).`);
  const start = input.startTime!.getTime(); const end = input.endTime!.getTime();
  if (!(input.period! > 0) || input.period! % 60 !== 0) throw invalid('The period must be a positive multiple of 60 seconds.');
  if (start >= end) throw invalid('The startTime must be earlier than the endTime.');
  const archs = input.recommendationPreferences?.cpuVendorArchitectures?.length ? [...new Set(input.recommendationPreferences.cpuVendorArchitectures)] : ['CURRENT'];
  const e = m[1] === ctx.region && m[2] === ctx.account ? evaluateAll(ctx, [input.instanceArn!], archs)[0] : undefined;
  if (!e) throw new AwsError('ResourceNotFoundException', `No recommendation exists for ${input.instanceArn}.`, 404);
  const points = cpuSeries(ctx.tx, ctx.scope, e.f.instance.id, start, end, input.period!, ctx.clock.nowMs());
  const opts = options(e);
  const specOf = (type: string) => e.a.options.find((o) => o.spec.type === type)?.spec ?? e.f.spec;
  return {
    recommendedOptionProjectedMetrics: opts.map((o) => {
      const to = specOf(o.instanceType!);
      return {
        recommendedInstanceType: o.instanceType, rank: o.rank,
        projectedMetrics: [{
          name: 'Cpu', timestamps: points.map((p) => new Date(p.atMs)),
          values: points.map((p) => round(projectCpu(input.stat === 'Average' ? p.avg : p.max, e.f.spec.vcpus, to.vcpus))),
        }],
      };
    }),
  };
};


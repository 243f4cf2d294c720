/**
 * Compute Optimizer's recommendation preferences for EC2 instances, per Region: set for the
 * account (scope AccountId, or no scope) or for one instance (scope ResourceArn; it wins over
 * the account's). What they change here: the lookback (DAYS_14 by default; DAYS_32, DAYS_93;
 * enhanced infrastructure metrics Active means 93 days), the CPU threshold and headroom (P99_5
 * and PERCENT_20 by default) and the instance types recommended (includeList / excludeList,
 * `*` wildcards). Other preferences are kept and echoed. Organization scope needs an
 * organization, which cloudlet accounts are not part of.
 */
import type {
  DeleteRecommendationPreferencesRequest, GetEffectiveRecommendationPreferencesRequest, GetEffectiveRecommendationPreferencesResponse,
  GetRecommendationPreferencesRequest, GetRecommendationPreferencesResponse, PutRecommendationPreferencesRequest,
  RecommendationPreferencesDetail, UtilizationPreference,
} from '@aws-sdk/client-compute-optimizer';
import { AwsError } from '../../core/errors.js';
import { decodePageToken, encodePageToken, queryOf } from '../../core/page-token.js';
import type { Handler, RequestContext } from '../types.js';
import { requireOptIn } from './enrollment.js';

export const PREFERENCES_KIND = 'compute-optimizer:preferences';

type Scope = { name: 'AccountId' | 'ResourceArn'; value: string };
interface PreferencesRecord extends Omit<RecommendationPreferencesDetail, 'scope' | 'resourceType'> { scope: Scope }

const invalid = (m: string) => new AwsError('InvalidParameterValueException', m);

export const INSTANCE_ARN = /^arn:aws:ec2:([a-z0-9-]+):(\d{12}):instance\/(i-[0-9a-f]{8,17})$/;

/** The scope a request names, checked against the caller's account and Region. */
function scopeOf(ctx: RequestContext, s: { name?: string; value?: string } | undefined): Scope {
  if (!s || (!s.name && !s.value)) return { name: 'AccountId', value: ctx.account };
  if (s.name === 'Organization') throw invalid('The Organization scope is only available to the management account of an organization.');
  if (!s.name || !s.value) throw invalid('A scope needs both a name and a value.');
  if (s.name === 'AccountId') {
    if (s.value !== ctx.account) throw invalid(`The account ID ${s.value} is not the account making the request.`);
    return { name: 'AccountId', value: s.value };
  }
  const m = INSTANCE_ARN.exec(s.value);
  if (!m) throw invalid(`${s.value} is not an EC2 instance ARN (arn:aws:ec2:REGION:ACCOUNT:instance/INSTANCE_ID).`);
  if (m[2] !== ctx.account || m[1] !== ctx.region) throw invalid(`The instance ARN ${s.value} is not of this account and Region.`);
  return { name: 'ResourceArn', value: s.value };
}

const rowId = (s: Scope) => `${s.name}/${s.value}`;

function checkResourceType(t: string | undefined): void {
  if (t !== 'Ec2Instance') throw invalid(`Recommendation preferences for ${t} are not available here; only Ec2Instance.`);
}

function checkUtilization(prefs: UtilizationPreference[] | undefined): void {
  for (const p of prefs ?? []) {
    const h = p.metricParameters?.headroom;
    if (p.metricName === 'CpuUtilization' && h === 'PERCENT_10') throw invalid('The headroom PERCENT_10 is not valid for CpuUtilization (PERCENT_30, PERCENT_20 or PERCENT_0).');
    if (p.metricName === 'MemoryUtilization') {
      if (p.metricParameters?.threshold) throw invalid('A threshold can only be set for CpuUtilization.');
      if (h === 'PERCENT_0') throw invalid('The headroom PERCENT_0 is not valid for MemoryUtilization (PERCENT_30, PERCENT_20 or PERCENT_10).');
    }
  }
}

export const putRecommendationPreferences: Handler<PutRecommendationPreferencesRequest, object> = (input, ctx) => {
  requireOptIn(ctx);
  checkResourceType(input.resourceType);
  const scope = scopeOf(ctx, input.scope);
  checkUtilization(input.utilizationPreferences);
  const prev = ctx.tx.get<PreferencesRecord>(ctx.scope, PREFERENCES_KIND, rowId(scope));
  const next: PreferencesRecord = { ...prev, scope };
  if (input.enhancedInfrastructureMetrics) next.enhancedInfrastructureMetrics = input.enhancedInfrastructureMetrics;
  if (input.inferredWorkloadTypes) next.inferredWorkloadTypes = input.inferredWorkloadTypes;
  if (input.externalMetricsPreference) next.externalMetricsPreference = input.externalMetricsPreference;
  if (input.lookBackPeriod) next.lookBackPeriod = input.lookBackPeriod;
  if (input.utilizationPreferences) next.utilizationPreferences = input.utilizationPreferences;
  if (input.preferredResources) next.preferredResources = input.preferredResources.map((p) => ({ ...p }));
  if (input.savingsEstimationMode) next.savingsEstimationMode = input.savingsEstimationMode;
  ctx.tx.put(ctx.scope, PREFERENCES_KIND, rowId(scope), next);
  return {};
};

const NAME_FIELD: Record<string, keyof PreferencesRecord> = {
  EnhancedInfrastructureMetrics: 'enhancedInfrastructureMetrics', InferredWorkloadTypes: 'inferredWorkloadTypes',
  ExternalMetricsPreference: 'externalMetricsPreference', LookBackPeriodPreference: 'lookBackPeriod',
  PreferredResources: 'preferredResources', UtilizationPreferences: 'utilizationPreferences',
};

export const deleteRecommendationPreferences: Handler<DeleteRecommendationPreferencesRequest, object> = (input, ctx) => {
  requireOptIn(ctx);
  checkResourceType(input.resourceType);
  const scope = scopeOf(ctx, input.scope);
  const prev = ctx.tx.get<PreferencesRecord>(ctx.scope, PREFERENCES_KIND, rowId(scope));
  if (!prev) return {};
  const next: PreferencesRecord = { ...prev };
  for (const n of input.recommendationPreferenceNames ?? []) delete next[NAME_FIELD[n]!];
  if (Object.keys(next).length <= 1) ctx.tx.delete(ctx.scope, PREFERENCES_KIND, rowId(scope));
  else ctx.tx.put(ctx.scope, PREFERENCES_KIND, rowId(scope), next);
  return {};
};

export const getRecommendationPreferences: Handler<GetRecommendationPreferencesRequest, GetRecommendationPreferencesResponse> = (input, ctx) => {
  requireOptIn(ctx);
  checkResourceType(input.resourceType);
  const only = input.scope ? scopeOf(ctx, input.scope) : undefined;
  const binding = { service: 'compute-optimizer', operation: 'GetRecommendationPreferences', query: queryOf(input, ['nextToken', 'maxResults']) };
  let after = '';
  if (input.nextToken) {
    const p = decodePageToken(binding, input.nextToken);
    if (p === undefined) throw invalid('The nextToken is not valid.');
    after = p;
  }
  const rows = ctx.tx.list<PreferencesRecord>(ctx.scope, PREFERENCES_KIND, after ? { after } : {})
    .filter((r) => !only || r.id === rowId(only));
  const max = input.maxResults || rows.length;
  const page = rows.slice(0, max);
  return {
    recommendationPreferencesDetails: page.map((r) => ({ ...r.value, resourceType: 'Ec2Instance' })),
    ...(page.length < rows.length ? { nextToken: encodePageToken(binding, page[page.length - 1]!.id) } : {}),
  };
};

/** What applies to one instance: its own preferences over the account's, over the defaults. */
export interface Effective {
  lookBackDays: number;
  lookBackPeriod: 'DAYS_14' | 'DAYS_32' | 'DAYS_93';
  enhanced: 'Active' | 'Inactive';
  threshold: 'P90' | 'P95' | 'P99_5';
  headroom: number;
  headroomName: 'PERCENT_30' | 'PERCENT_20' | 'PERCENT_10' | 'PERCENT_0';
  include?: string[];
  exclude?: string[];
  inferredWorkloadTypes: 'Active' | 'Inactive';
}

export function effectivePreferences(ctx: RequestContext, instanceArn: string): Effective {
  const account = ctx.tx.get<PreferencesRecord>(ctx.scope, PREFERENCES_KIND, rowId({ name: 'AccountId', value: ctx.account }));
  const own = ctx.tx.get<PreferencesRecord>(ctx.scope, PREFERENCES_KIND, rowId({ name: 'ResourceArn', value: instanceArn }));
  const pick = <K extends keyof PreferencesRecord>(k: K): PreferencesRecord[K] | undefined => own?.[k] ?? account?.[k];
  const enhanced = (pick('enhancedInfrastructureMetrics') ?? 'Inactive') as Effective['enhanced'];
  const lookBackPeriod = (pick('lookBackPeriod') ?? (enhanced === 'Active' ? 'DAYS_93' : 'DAYS_14')) as Effective['lookBackPeriod'];
  const cpu = pick('utilizationPreferences')?.find((p) => p.metricName === 'CpuUtilization')?.metricParameters;
  const headroomName = (cpu?.headroom ?? 'PERCENT_20') as Effective['headroomName'];
  const preferred = pick('preferredResources')?.find((p) => p.name === 'Ec2InstanceTypes');
  return {
    lookBackDays: Number(lookBackPeriod.slice(5)), lookBackPeriod, enhanced,
    threshold: (cpu?.threshold ?? 'P99_5') as Effective['threshold'], headroom: Number(headroomName.slice(8)), headroomName,
    ...(preferred?.includeList?.length ? { include: preferred.includeList } : {}),
    ...(preferred?.excludeList?.length ? { exclude: preferred.excludeList } : {}),
    inferredWorkloadTypes: (pick('inferredWorkloadTypes') ?? 'Inactive') as Effective['inferredWorkloadTypes'],
  };
}

const glob = (pattern: string): RegExp => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

/** Whether the preferred-resource lists let a type be recommended. */
export function typeAllowed(e: Effective, type: string): boolean {
  if (e.include && !e.include.some((p) => glob(p).test(type))) return false;
  if (e.exclude && e.exclude.some((p) => glob(p).test(type))) return false;
  return true;
}

export function preferenceDetails(e: Effective) {
  return {
    enhancedInfrastructureMetrics: e.enhanced, inferredWorkloadTypes: e.inferredWorkloadTypes, lookBackPeriod: e.lookBackPeriod,
    utilizationPreferences: [{ metricName: 'CpuUtilization' as const, metricParameters: { threshold: e.threshold, headroom: e.headroomName } }],
    ...(e.include || e.exclude ? { preferredResources: [{ name: 'Ec2InstanceTypes' as const, ...(e.include ? { includeList: e.include, effectiveIncludeList: e.include } : {}), ...(e.exclude ? { excludeList: e.exclude } : {}) }] } : {}),
  };
}

export const getEffectiveRecommendationPreferences: Handler<GetEffectiveRecommendationPreferencesRequest, GetEffectiveRecommendationPreferencesResponse> = (input, ctx) => {
  requireOptIn(ctx);
  const arn = scopeOf(ctx, { name: 'ResourceArn', value: input.resourceArn }).value;
  const { inferredWorkloadTypes: _i, ...d } = preferenceDetails(effectivePreferences(ctx, arn));
  return d;
};

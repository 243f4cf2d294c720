// Right-sizing end to end: instances run under the workload model for 30 days of clock, their
// CloudWatch CPU history is what Cost Explorer's GetRightsizingRecommendation and Compute
// Optimizer's GetEC2InstanceRecommendations judge. An m5.xlarge at 8% average CPU is told to
// become an m5.large with the saving from the price table; an idle m5.large is flagged for
// termination; a busy one gets nothing from Cost Explorer and Optimized from Compute Optimizer;
// a saturated one Underprovisioned; one launched a day ago (under 30 hours of data) nothing.
// JS SDK v3 (Compute Optimizer over JSON 1.0 and RPC v2 CBOR) and AWS CLI v1 (JSON 1.0, and
// RPC v2 CBOR when its model offers only that).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import {
  ComputeOptimizerClient, GetEC2InstanceRecommendationsCommand, GetEC2RecommendationProjectedMetricsCommand, GetEnrollmentStatusCommand,
  GetRecommendationSummariesCommand, PutRecommendationPreferencesCommand, UpdateEnrollmentStatusCommand, type InstanceRecommendation,
} from '@aws-sdk/client-compute-optimizer';
import { CostExplorerClient, GetRightsizingRecommendationCommand, type GetRightsizingRecommendationCommandInput } from '@aws-sdk/client-cost-explorer';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand, type _InstanceType } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { instanceRate } from '../../src/services/cost/prices.js';
import { awsClis, runAws } from '../helpers/cli.js';
import { cborOnlyModelDir } from '../helpers/cbor-model.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { needTool } from '../helpers/tools.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const month = (type: string) => Math.round(instanceRate(type, 'Linux/UNIX', 'us-east-1') * 730 * 1e6) / 1e6;
type Failure = { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
async function failure(p: Promise<unknown>): Promise<Failure> {
  try { await p; } catch (e) { return e as Failure; }
  throw new Error('the call succeeded');
}

describe('right-sizing from the CloudWatch CPU history of 30 days under load', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let ce: CostExplorerClient;
  let co: ComputeOptimizerClient;
  let coCbor: ComputeOptimizerClient;
  let account = '';
  let ami = '';
  const ids: Record<'web' | 'idle' | 'busy' | 'hot' | 'late', string> = { web: '', idle: '', busy: '', hot: '', late: '' };
  const arn = (id: string) => `arn:aws:ec2:us-east-1:${account}:instance/${id}`;
  const post = (path: string, body: unknown) => fetch(`${cl.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const rightsizing = (extra: Partial<GetRightsizingRecommendationCommandInput> = {}) => ce.send(new GetRightsizingRecommendationCommand({ Service: 'AmazonEC2', ...extra }));

  before(async () => {
    cl = await startTestServer();
    const c = clientConfig(cl.url);
    ec2 = new EC2Client(c); ce = new CostExplorerClient(c); co = new ComputeOptimizerClient(c);
    coCbor = new ComputeOptimizerClient({ ...c, protocol: AwsSmithyRpcV2CborProtocol });
    const imgs = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-kernel-6.1-x86_64'] }] }))).Images!;
    ami = imgs.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0]!.ImageId!;
    const run = async (type: _InstanceType, name: string) => {
      const r = await ec2.send(new RunInstancesCommand({
        ImageId: ami, InstanceType: type, MinCount: 1, MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: [{ Key: 'Name', Value: name }, { Key: 'team', Value: name === 'web' ? 'web' : 'ops' }] }],
      }));
      account = r.OwnerId!;
      return r.Instances![0]!.InstanceId!;
    };
    ids.web = await run('m5.xlarge', 'web');
    ids.idle = await run('m5.large', 'idle');
    ids.busy = await run('m5.xlarge', 'busy');
    ids.hot = await run('m5.large', 'hot');
    // 8% on average over each day (4% at night, 12% at the 14:00 UTC peak), as the seeds' server.
    for (const [id, cpu] of [[ids.web, { daily: { peak: '12%', trough: '4%', peakHour: 14 } }], [ids.idle, '0.5%'], [ids.busy, '60%'], [ids.hot, '90%']] as const) {
      const r = await post('/_cloudlet/load', { account, region: 'us-east-1', target: id, cpu });
      assert.equal(r.status, 200, await r.text());
    }
  });
  after(async () => { ec2.destroy(); ce.destroy(); co.destroy(); coCbor.destroy(); await cl.close(); });

  test('Compute Optimizer before opt-in: Inactive, and recommendations are OptInRequiredException (403)', async () => {
    assert.equal((await co.send(new GetEnrollmentStatusCommand({}))).status, 'Inactive');
    const e = await failure(co.send(new GetEC2InstanceRecommendationsCommand({})));
    assert.deepEqual([e.name, e.$metadata?.httpStatusCode], ['OptInRequiredException', 403]);
  });

  test('30 days of clock under load (metrics emitted every 5 minutes for each instance) take little time', async (t) => {
    const t0 = performance.now();
    assert.equal((await post('/_cloudlet/clock', { advance: '29d' })).status, 200);
    ids.late = (await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 'm5.xlarge', MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    assert.equal((await post('/_cloudlet/clock', { advance: '1d' })).status, 200);
    const ms = performance.now() - t0;
    t.diagnostic(`30 days of metrics for 5 instances: ${ms.toFixed(0)} ms`);
    assert.ok(ms < 20_000, `${ms} ms`);
  });

  test('Cost Explorer: the 8% m5.xlarge -> m5.large saving the price difference x 730 h; the idle m5.large -> TERMINATE; nothing for the busy, saturated or new ones', async () => {
    const got = await rightsizing();
    const recs = got.RightsizingRecommendations ?? [];
    assert.deepEqual(recs.map((r) => [r.CurrentInstance?.ResourceId, r.RightsizingType]).sort(), [[ids.web, 'MODIFY'], [ids.idle, 'TERMINATE']].sort());
    const web = recs.find((r) => r.CurrentInstance?.ResourceId === ids.web)!;
    const saving = Math.round((month('m5.xlarge') - month('m5.large')) * 1e6) / 1e6;
    assert.equal(saving, 70.08, 'the price table: 0.192 - 0.096 USD/h');
    assert.equal(web.AccountId, account);
    assert.deepEqual(web.FindingReasonCodes, ['CPU_OVER_PROVISIONED']);
    const cur = web.CurrentInstance!;
    assert.equal(cur.InstanceName, 'web');
    assert.deepEqual(cur.Tags?.find((t) => t.Key === 'team'), { Key: 'team', Values: ['web'] });
    assert.equal(cur.MonthlyCost, String(month('m5.xlarge')));
    assert.equal(cur.TotalRunningHoursInLookbackPeriod, '336', '14 days');
    assert.equal(cur.OnDemandHoursInLookbackPeriod, '336');
    assert.deepEqual(cur.ResourceDetails?.EC2ResourceDetails && { ...cur.ResourceDetails.EC2ResourceDetails }, {
      HourlyOnDemandRate: '0.192', InstanceType: 'm5.xlarge', Platform: 'Linux/UNIX', Region: 'us-east-1', Memory: '16 GiB',
      NetworkPerformance: 'Up to 10 Gigabit', Storage: 'EBS only', Vcpu: '4',
    });
    const maxCpu = Number(cur.ResourceUtilization!.EC2ResourceUtilization!.MaxCpuUtilizationPercentage);
    assert.ok(maxCpu > 11.5 && maxCpu <= 12, `peak of the daily curve: ${maxCpu}`);
    assert.equal(cur.ResourceUtilization!.EC2ResourceUtilization!.MaxMemoryUtilizationPercentage, undefined, 'memory needs the CloudWatch agent');
    const targets = web.ModifyRecommendationDetail!.TargetInstances!;
    assert.equal(targets.length, 1);
    assert.equal(targets[0]!.DefaultTargetInstance, true);
    assert.equal(targets[0]!.ResourceDetails?.EC2ResourceDetails?.InstanceType, 'm5.large');
    assert.equal(targets[0]!.EstimatedMonthlySavings, String(saving));
    assert.equal(targets[0]!.EstimatedMonthlyCost, String(month('m5.large')));
    assert.equal(Number(targets[0]!.ExpectedResourceUtilization!.EC2ResourceUtilization!.MaxCpuUtilizationPercentage), Math.round(maxCpu * 2 * 1e4) / 1e4, 'the same work on half the vCPUs');
    const idle = recs.find((r) => r.CurrentInstance?.ResourceId === ids.idle)!;
    assert.equal(idle.TerminateRecommendationDetail?.EstimatedMonthlySavings, String(month('m5.large')));
    assert.equal(Number(idle.CurrentInstance!.ResourceUtilization!.EC2ResourceUtilization!.MaxCpuUtilizationPercentage), 0.5);
    assert.deepEqual({ ...got.Summary }, {
      TotalRecommendationCount: '2', EstimatedTotalMonthlySavingsAmount: String(Math.round((saving + month('m5.large')) * 1e6) / 1e6), SavingsCurrencyCode: 'USD',
      SavingsPercentage: String(Math.round(((saving + month('m5.large')) / (month('m5.xlarge') + month('m5.large'))) * 1e4) / 100),
    });
    assert.deepEqual({ ...got.Configuration }, { RecommendationTarget: 'SAME_INSTANCE_FAMILY', BenefitsConsidered: true });
    assert.match(got.Metadata?.GenerationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test('Cost Explorer: other families with CROSS_INSTANCE_FAMILY, filters, paging, and what it refuses', async () => {
    const cross = await rightsizing({ Configuration: { RecommendationTarget: 'CROSS_INSTANCE_FAMILY', BenefitsConsidered: false } });
    const targets = cross.RightsizingRecommendations!.find((r) => r.CurrentInstance?.ResourceId === ids.web)!.ModifyRecommendationDetail!.TargetInstances!;
    assert.ok(targets.length >= 2 && targets.length <= 3);
    const savings = targets.map((x) => Number(x.EstimatedMonthlySavings));
    assert.deepEqual(savings, [...savings].sort((a, b) => b - a), 'the greatest saving first');
    assert.ok(savings[0]! >= 70.08);
    for (const x of targets) {
      const d = x.ResourceDetails!.EC2ResourceDetails!;
      assert.ok(Number(d.Memory!.split(' ')[0]) / Number(d.Vcpu) >= 4, `${d.InstanceType} keeps 4 GiB per vCPU`);
      assert.equal(Number(x.EstimatedMonthlySavings), Math.round((month('m5.xlarge') - month(d.InstanceType!)) * 1e6) / 1e6, d.InstanceType);
    }
    const only = async (Filter: GetRightsizingRecommendationCommandInput['Filter']) => ((await rightsizing({ Filter })).RightsizingRecommendations ?? []).map((r) => r.CurrentInstance?.ResourceId);
    assert.deepEqual(await only({ Dimensions: { Key: 'RIGHTSIZING_TYPE', Values: ['TERMINATE'] } }), [ids.idle]);
    assert.deepEqual(await only({ Tags: { Key: 'team', Values: ['web'] } }), [ids.web]);
    assert.deepEqual(await only({ And: [{ Dimensions: { Key: 'REGION', Values: ['us-east-1'] } }, { Not: { Dimensions: { Key: 'INSTANCE_TYPE', Values: ['m5.large'] } } }] }), [ids.web]);
    const p1 = await rightsizing({ PageSize: 1 });
    assert.equal(p1.RightsizingRecommendations!.length, 1);
    assert.equal(p1.Summary?.TotalRecommendationCount, '2');
    const p2 = await rightsizing({ PageSize: 1, NextPageToken: p1.NextPageToken! });
    assert.equal(p2.NextPageToken, undefined);
    assert.deepEqual([...p1.RightsizingRecommendations!, ...p2.RightsizingRecommendations!].map((r) => r.CurrentInstance?.ResourceId).sort(), [ids.web, ids.idle].sort());
    const [svc, bad, many, token] = await Promise.all([
      failure(ce.send(new GetRightsizingRecommendationCommand({ Service: 'AmazonRDS' }))),
      failure(rightsizing({ Filter: { Dimensions: { Key: 'USAGE_TYPE', Values: ['BoxUsage:m5.large'] } } })),
      failure(rightsizing({ Filter: { Dimensions: { Key: 'REGION', Values: ['us-east-1'] }, Tags: { Key: 'team', Values: ['web'] } } })),
      failure(rightsizing({ NextPageToken: 'not-a-token' })),
    ]);
    assert.equal(svc.name, 'ValidationException');
    assert.match(svc.message!, /AmazonEC2/);
    assert.equal(bad.name, 'ValidationException');
    assert.match(many.message!, /Expression has more than one roots/);
    assert.equal(token.name, 'InvalidNextTokenException');
  });

  test('Compute Optimizer after opt-in: Overprovisioned (options across families, best saving first), idle True, Optimized, Underprovisioned; the new instance absent', async () => {
    assert.equal((await co.send(new UpdateEnrollmentStatusCommand({ status: 'Active' }))).status, 'Active');
    assert.equal((await co.send(new GetEnrollmentStatusCommand({}))).status, 'Active');
    const refused = await failure(co.send(new UpdateEnrollmentStatusCommand({ status: 'Pending' })));
    assert.equal(refused.name, 'InvalidParameterValueException');
    const got = await co.send(new GetEC2InstanceRecommendationsCommand({}));
    const by = new Map((got.instanceRecommendations ?? []).map((r) => [r.instanceArn, r] as [string, InstanceRecommendation]));
    assert.deepEqual([...by.keys()].sort(), [ids.web, ids.idle, ids.busy, ids.hot].map(arn).sort(), 'under 30 hours of data: no recommendation');
    const web = by.get(arn(ids.web))!;
    assert.deepEqual([web.finding, web.findingReasonCodes, web.currentInstanceType, web.lookBackPeriodInDays, web.idle, web.instanceName], ['Overprovisioned', ['CPUOverprovisioned'], 'm5.xlarge', 14, 'False', 'web']);
    const cpuMax = web.utilizationMetrics!.find((m) => m.name === 'Cpu' && m.statistic === 'Maximum')!.value!;
    assert.ok(cpuMax > 11.5 && cpuMax <= 12);
    assert.ok(Math.abs(web.utilizationMetrics!.find((m) => m.name === 'Cpu' && m.statistic === 'Average')!.value! - 8) < 0.05, 'the daily curve averages 8%');
    // Every family of the architecture is a candidate, at no less memory per vCPU; the greatest saving ranks first.
    const opts = web.recommendationOptions!;
    assert.ok(opts.length >= 1 && opts.length <= 3);
    const saved = opts.map((o) => o.savingsOpportunity!.estimatedMonthlySavings!.value!);
    assert.deepEqual(saved, [...saved].sort((a, b) => b - a));
    for (const o of opts) {
      assert.equal(o.savingsOpportunity!.estimatedMonthlySavings!.value, Math.round((month('m5.xlarge') - month(o.instanceType!)) * 1e6) / 1e6, o.instanceType);
      assert.ok(saved[0]! >= 70.08 && o.projectedUtilizationMetrics![0]!.value! <= 100 / 1.2, o.instanceType);
    }
    assert.deepEqual(web.recommendationOptions!.map((o) => o.rank), web.recommendationOptions!.map((_, i) => i + 1));
    assert.equal(web.effectiveRecommendationPreferences?.lookBackPeriod, 'DAYS_14');
    assert.deepEqual(web.effectiveRecommendationPreferences?.utilizationPreferences, [{ metricName: 'CpuUtilization', metricParameters: { threshold: 'P99_5', headroom: 'PERCENT_20' } }]);
    const idle = by.get(arn(ids.idle))!;
    assert.deepEqual([idle.finding, idle.idle], ['Overprovisioned', 'True']);
    const busy = by.get(arn(ids.busy))!;
    assert.deepEqual([busy.finding, busy.findingReasonCodes, busy.recommendationOptions!.map((o) => [o.instanceType, o.savingsOpportunity?.estimatedMonthlySavings?.value])], ['Optimized', [], [['m5.xlarge', 0]]]);
    const hot = by.get(arn(ids.hot))!;
    assert.deepEqual([hot.finding, hot.findingReasonCodes, hot.currentPerformanceRisk], ['Underprovisioned', ['CPUUnderprovisioned'], 'High']);
    for (const o of hot.recommendationOptions!) {
      const projected = o.projectedUtilizationMetrics![0]!.value!;
      assert.ok(projected <= 100 / 1.2 && projected >= 40, `${o.instanceType}: ${projected}% keeps 20% headroom`);
    }
    // The same answer over RPC v2 CBOR.
    const viaCbor = await coCbor.send(new GetEC2InstanceRecommendationsCommand({ instanceArns: [arn(ids.web)] }));
    assert.deepEqual(viaCbor.instanceRecommendations!.map(({ lastRefreshTimestamp: _t, ...r }) => r), [web].map(({ lastRefreshTimestamp: _t, ...r }) => r));
    const under = await co.send(new GetEC2InstanceRecommendationsCommand({ filters: [{ name: 'Finding', values: ['Underprovisioned'] }] }));
    assert.deepEqual(under.instanceRecommendations!.map((r) => r.instanceArn), [arn(ids.hot)]);
    const p1 = await co.send(new GetEC2InstanceRecommendationsCommand({ maxResults: 3 }));
    const p2 = await co.send(new GetEC2InstanceRecommendationsCommand({ maxResults: 3, nextToken: p1.nextToken! }));
    assert.deepEqual([p1.instanceRecommendations!.length, p2.instanceRecommendations!.length, p2.nextToken], [3, 1, undefined]);
    const badArn = await failure(co.send(new GetEC2InstanceRecommendationsCommand({ instanceArns: ['i-123'] })));
    assert.equal(badArn.name, 'InvalidParameterValueException');
  });

  test('Compute Optimizer: summaries; preferences for one instance (m5 only: the m5.large saving 70.08); projected metrics; enhanced infrastructure metrics look back 93 days', async () => {
    const sums = (await co.send(new GetRecommendationSummariesCommand({}))).recommendationSummaries!;
    assert.equal(sums.length, 1);
    assert.equal(sums[0]!.recommendationResourceType, 'Ec2Instance');
    assert.deepEqual(sums[0]!.summaries!.map((s) => [s.name, s.value]), [['Overprovisioned', 2], ['Underprovisioned', 1], ['Optimized', 1]]);
    assert.deepEqual(sums[0]!.idleSummaries, [{ name: 'Idle', value: 1 }]);
    // Preferences for the one instance: m5 sizes only -> the m5.large, the price table's 70.08 a month.
    await co.send(new PutRecommendationPreferencesCommand({ resourceType: 'Ec2Instance', scope: { name: 'ResourceArn', value: arn(ids.web) }, preferredResources: [{ name: 'Ec2InstanceTypes', includeList: ['m5.*'] }] }));
    const only = (await co.send(new GetEC2InstanceRecommendationsCommand({ instanceArns: [arn(ids.web), arn(ids.busy)] }))).instanceRecommendations!;
    const web = only.find((r) => r.instanceArn === arn(ids.web))!;
    assert.deepEqual(web.recommendationOptions!.map((o) => [o.rank, o.instanceType, o.migrationEffort, o.savingsOpportunity]), [
      [1, 'm5.large', 'VeryLow', { savingsOpportunityPercentage: 50, estimatedMonthlySavings: { currency: 'USD', value: 70.08 } }],
    ]);
    assert.equal(only.find((r) => r.instanceArn === arn(ids.busy))!.effectiveRecommendationPreferences?.preferredResources, undefined, 'set for the web instance only');
    const now = Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
    const proj = await co.send(new GetEC2RecommendationProjectedMetricsCommand({
      instanceArn: arn(ids.web), stat: 'Maximum', period: 3600, startTime: new Date(now - 2 * 86_400_000), endTime: new Date(now),
    }));
    assert.deepEqual(proj.recommendedOptionProjectedMetrics!.map((o) => [o.rank, o.recommendedInstanceType]), [[1, 'm5.large']]);
    const values = proj.recommendedOptionProjectedMetrics![0]!.projectedMetrics![0]!.values!;
    assert.ok(values.length >= 47, `${values.length} hours`);
    assert.ok(Math.max(...values) > 23 && Math.max(...values) <= 24 && Math.min(...values) >= 8, `twice the m5.xlarge's 4..12%: ${Math.min(...values)}..${Math.max(...values)}`);
    await co.send(new PutRecommendationPreferencesCommand({ resourceType: 'Ec2Instance', enhancedInfrastructureMetrics: 'Active' }));
    const later = (await co.send(new GetEC2InstanceRecommendationsCommand({ instanceArns: [arn(ids.web)] }))).instanceRecommendations![0]!;
    assert.deepEqual([later.lookBackPeriodInDays, later.effectiveRecommendationPreferences?.enhancedInfrastructureMetrics, later.effectiveRecommendationPreferences?.lookBackPeriod], [93, 'Active', 'DAYS_93']);
  });

  const v1 = awsClis().find((c) => c.name === 'aws-cli v1')!;
  test('aws-cli v1: get-ec2-instance-recommendations over JSON 1.0, and over RPC v2 CBOR when its model offers only that', { skip: v1.skip ?? needTool('botocore') }, async () => {
    const args = ['compute-optimizer', 'get-ec2-instance-recommendations', '--instance-arns', arn(ids.web)];
    const json = await runAws(v1.bin, cl.url, args);
    assert.equal(json.status, 0, json.stderr);
    const { lastRefreshTimestamp: _t, ...viaJson } = JSON.parse(json.stdout).instanceRecommendations[0];
    assert.equal(viaJson.finding, 'Overprovisioned');
    const { dataPath, remove } = await cborOnlyModelDir('compute-optimizer');
    try {
      const cbor = await runAws(v1.bin, cl.url, args, { AWS_DATA_PATH: dataPath });
      assert.equal(cbor.status, 0, cbor.stderr);
      const { lastRefreshTimestamp: _c, ...viaCbor } = JSON.parse(cbor.stdout).instanceRecommendations[0];
      assert.deepEqual(viaCbor, viaJson);
    } finally {
      remove();
    }
  });
});

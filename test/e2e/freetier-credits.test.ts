import { strict as assert } from 'node:assert';
import { after, before, describe, test } from 'node:test';
import { BudgetsClient, CreateBudgetCommand, DescribeBudgetCommand } from '@aws-sdk/client-budgets';
import { CostExplorerClient, GetCostAndUsageCommand } from '@aws-sdk/client-cost-explorer';
import { DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import type { Cloudlet } from '../../src/server/server.js';
import { awsJson, runAws } from '../helpers/cli.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { clockAdvance, clockNow, day, intoNextMonth } from '../helpers/clock.js';
import { needTool, toolPath } from '../helpers/tools.js';

/**
 * A new account on the Free plan: `cloudlet account-plan free` signs it up with $100 of
 * credits; launching an instance and creating a cost budget are two of the five sign-up
 * activities ($20 each). The credits pay the bill day by day (Cost Explorer's Credit record
 * type), a budget sees spend net of them unless its CostTypes leave credits out, and when they
 * run out the Free plan is EXPIRED until UpgradeAccountPlan moves it to the Paid plan.
 */

const D = 86_400_000;

describe('Free Tier credits of a new account', { skip: needTool('aws1') }, () => {
  let cl: Cloudlet;
  const aws1 = toolPath('aws1') ?? 'aws';
  let month: number;
  const now = () => clockNow(cl.url);
  const advance = (ms: number) => clockAdvance(cl.url, ms);
  const cloudlet = (...args: string[]) => runCli([...args, '--endpoint', cl.url]);
  const plan = () => awsJson(aws1, cl.url, ['freetier', 'get-account-plan-state']);
  const byRecordType = async (endMs: number) => {
    const ce = new CostExplorerClient(clientConfig(cl.url));
    const r = await ce.send(new GetCostAndUsageCommand({
      TimePeriod: { Start: day(month), End: day(endMs) }, Granularity: 'DAILY', Metrics: ['UnblendedCost'], GroupBy: [{ Type: 'DIMENSION', Key: 'RECORD_TYPE' }],
    }));
    ce.destroy();
    const sums: Record<string, number> = {};
    for (const t of r.ResultsByTime!) for (const g of t.Groups ?? []) sums[g.Keys![0]!] = (sums[g.Keys![0]!] ?? 0) + Number(g.Metrics!.UnblendedCost!.Amount);
    return sums;
  };

  before(async () => {
    cl = await startTestServer();
    month = await intoNextMonth(cl.url);
  });
  after(async () => { await cl?.close(); });

  test('sign-up: the Free plan, $100 of credits for six months, five activities to do', async () => {
    const r = await cloudlet('account-plan', 'free');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /FREE plan, ACTIVE.*credits \$100 of \$100 left/);
    const p = await plan();
    assert.equal(p.accountPlanType, 'FREE');
    assert.equal(p.accountPlanStatus, 'ACTIVE');
    assert.deepEqual(p.accountPlanRemainingCredits, { amount: 100, unit: 'USD' });
    const signedUp = await now();
    const end = new Date(signedUp); end.setUTCMonth(end.getUTCMonth() + 6);
    assert.ok(Math.abs(Date.parse(p.accountPlanExpirationDate) - end.getTime()) < 5_000, `ends six months on: ${p.accountPlanExpirationDate}`);
    const acts = (await awsJson(aws1, cl.url, ['freetier', 'list-account-activities'])).activities as any[];
    assert.equal(acts.length, 5);
    assert.ok(acts.every((a) => a.status === 'NOT_STARTED' && a.reward.credit.amount === 20));
  });

  test('launching an instance and creating a cost budget earn $20 each', async () => {
    const ec2 = new EC2Client(clientConfig(cl.url));
    const ami = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }))).Images![0]!.ImageId!;
    await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 'm5.large', MinCount: 1, MaxCount: 1 }));
    ec2.destroy();
    const budgets = new BudgetsClient(clientConfig(cl.url));
    const limit = { Amount: '1000', Unit: 'USD' };
    await budgets.send(new CreateBudgetCommand({ AccountId: '000000000000', Budget: { BudgetName: 'net', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: limit } }));
    await budgets.send(new CreateBudgetCommand({
      AccountId: '000000000000', Budget: { BudgetName: 'gross', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: limit, CostTypes: { IncludeCredit: false } },
    }));
    budgets.destroy();
    const acts = (await awsJson(aws1, cl.url, ['freetier', 'list-account-activities', '--filter-activity-statuses', 'COMPLETED'])).activities as any[];
    assert.deepEqual(acts.map((a) => a.title).sort(), ['Launch an instance using Amazon EC2', 'Set up a cost budget using AWS Budgets']);
    const one = await awsJson(aws1, cl.url, ['freetier', 'get-account-activity', '--activity-id', acts[0].activityId]);
    assert.equal(one.status, 'COMPLETED');
    assert.ok(one.completedAt);
    assert.deepEqual((await plan()).accountPlanRemainingCredits, { amount: 140, unit: 'USD' });
  });

  test('ten days on: the credits paid the whole bill, record type Credit; a budget sees it net unless it leaves credits out', async () => {
    await advance(10 * D);
    const end = await now();
    const sums = await byRecordType(end + D);
    assert.ok(sums.Usage! > 20, `ten days of an m5.large: ${sums.Usage}`);
    assert.ok(Math.abs(sums.Usage! + sums.Credit!) < 0.01, `credits ${sums.Credit} pay usage ${sums.Usage}`);
    const left = (await plan()).accountPlanRemainingCredits.amount;
    assert.ok(Math.abs(left - (140 - sums.Usage!)) < 0.02, `remaining ${left}`);
    const budgets = new BudgetsClient(clientConfig(cl.url));
    const spend = async (name: string) => Number((await budgets.send(new DescribeBudgetCommand({ AccountId: '000000000000', BudgetName: name }))).Budget!.CalculatedSpend!.ActualSpend!.Amount);
    assert.ok(Math.abs(await spend('net')) < 0.01, 'net of credits: nothing');
    assert.ok((await spend('gross')) > 18, 'without credits: what was used');
    budgets.destroy();
  });

  test('when the credits run out the Free plan expires; usage then bills; upgrading makes it Paid', async () => {
    await advance(70 * D);
    const sums = await byRecordType(await now());
    assert.ok(Math.abs(sums.Credit! + 140) < 0.01, `all $140 used: ${sums.Credit}`);
    assert.ok(sums.Usage! > 140);
    const p = await plan();
    assert.equal(p.accountPlanStatus, 'EXPIRED');
    assert.equal(p.accountPlanRemainingCredits.amount, 0);
    const down = await runAws(aws1, cl.url, ['freetier', 'upgrade-account-plan', '--account-plan-type', 'FREE']);
    assert.match(down.stderr, /ValidationException/);
    const up = await awsJson(aws1, cl.url, ['freetier', 'upgrade-account-plan', '--account-plan-type', 'PAID']);
    assert.deepEqual([up.accountPlanType, up.accountPlanStatus], ['PAID', 'ACTIVE']);
    const again = await runAws(aws1, cl.url, ['freetier', 'upgrade-account-plan', '--account-plan-type', 'PAID']);
    assert.match(again.stderr, /already on the PAID plan/);
    const r = await cloudlet('account-plan');
    assert.match(r.stdout, /PAID plan, ACTIVE/);
    const report = await cloudlet('cost');
    assert.match(report.stdout, /FREE TIER CREDITS: PAID plan, ACTIVE; \$0\.00 of \$140\.00 left/);
  });
});

// AWS Budgets on the clock (issue 19): a monthly COST budget with an 80% FORECASTED notification
// to an email address and an SNS topic fires while the actual spend is far below 80% (real EC2
// instances accrue; the clock moves in steps), its 80% ACTUAL notification fires once when the
// spend gets there; DescribeBudget's CalculatedSpend agrees with the meter; the performance
// history; a STOP_EC2_INSTANCES action stops an instance by itself and a MANUAL IAM action
// waits for approval, attaches its policy and is reversed; bad input answered as AWS does (SDK
// and AWS CLI v2). The budget with actions is in a second account, so each account's spend is
// its own instances'.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BudgetsClient, CreateBudgetActionCommand, CreateBudgetCommand, CreateNotificationCommand, CreateSubscriberCommand, DeleteBudgetCommand,
  DescribeBudgetActionCommand, DescribeBudgetActionHistoriesCommand, DescribeBudgetCommand, DescribeBudgetPerformanceHistoryCommand,
  DescribeNotificationsForBudgetCommand, ExecuteBudgetActionCommand, type Subscriber,
} from '@aws-sdk/client-budgets';
import { DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreatePolicyCommand, CreateRoleCommand, IAMClient, ListAttachedRolePoliciesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateTopicCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import type { Cloudlet } from '../../src/server/server.js';
import { awsClis, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = '000000000000';
const B = '111111111111';
const HOUR = 3_600_000;
const cliV2 = awsClis().find((c) => c.name === 'aws-cli v2')!;

interface OutboxMessage { account: string; protocol: string; endpoint: string; topicArn: string; subject?: string; body: string; at: string }

describe('AWS Budgets on the clock', () => {
  let cl: Cloudlet;
  let budgets: BudgetsClient;
  let budgetsB: BudgetsClient;
  let monthStart = 0;
  let limit = 0;
  let batchId = '';
  const clock = async (advance: string | number) => {
    const r = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: String(advance) }) });
    assert.equal(r.status, 200);
  };
  const now = async () => Date.parse(((await (await fetch(`${cl.url}/_cloudlet/clock`)).json()) as { now: string }).now);
  const outbox = async (): Promise<OutboxMessage[]> => ((await (await fetch(`${cl.url}/_cloudlet/sns/outbox`)).json()) as { messages: OutboxMessage[] }).messages;
  const budgetMail = async (account: string) => (await outbox()).filter((m) => m.account === account && /^AWS Budget/.test(m.body));

  before(async () => {
    cl = await startTestServer();
    budgets = new BudgetsClient(clientConfig(cl.url));
    budgetsB = new BudgetsClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: B, secretAccessKey: 'test' }));
    // A known place in the month: one minute after the next month begins.
    const t = await now();
    const d = new Date(t);
    monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    await clock(`${monthStart + 60_000 - t}ms`);
    const image = async (ec2: EC2Client) => (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images![0]!.ImageId!;
    const ec2 = new EC2Client(clientConfig(cl.url));
    await ec2.send(new RunInstancesCommand({ ImageId: await image(ec2), InstanceType: 't3.micro', MinCount: 2, MaxCount: 2 }));
    const ec2B = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: B, secretAccessKey: 'test' }));
    batchId = (await ec2B.send(new RunInstancesCommand({ ImageId: await image(ec2B), InstanceType: 't3.micro', MinCount: 1, MaxCount: 1 }))).Instances![0]!.InstanceId!;
    // What account A's two instances cost per hour, from the meter's own report: the budget's limit is set so that a month of it is 110%.
    const days = (Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 2, 1) - monthStart) / (24 * HOUR);
    const report = (await (await fetch(`${cl.url}/_cloudlet/cost?account=${A}`)).json()) as { perHour: number };
    assert.ok(report.perHour > 0.02 && report.perHour < 0.1, `two t3.micro instances: ${report.perHour}/h`);
    limit = Math.round((report.perHour * days * 24 / 1.1) * 100) / 100;
  });
  after(async () => { budgets.destroy(); budgetsB.destroy(); await cl.close(); });

  test('an 80% FORECASTED notification fires long before the actual spend is at 80%; the 80% ACTUAL one fires once when it is', async () => {
    const sns = new SNSClient(clientConfig(cl.url));
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'budget-alerts' }))).TopicArn!;
    // Budgets publishes as budgets.amazonaws.com: the topic's policy must let it (as on AWS); without it nothing is published.
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sms', Endpoint: '+15555550123' }));
    const policy = { Version: '2012-10-17', Statement: [{ Sid: 'budgets', Effect: 'Allow', Principal: { Service: 'budgets.amazonaws.com' }, Action: 'SNS:Publish', Resource: topic }] };
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
    const subscribers: Subscriber[] = [{ SubscriptionType: 'EMAIL', Address: 'finance@example.com' }, { SubscriptionType: 'SNS', Address: topic }];
    await budgets.send(new CreateBudgetCommand({
      AccountId: A,
      Budget: { BudgetName: 'monthly-cost', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: String(limit), Unit: 'USD' } },
      NotificationsWithSubscribers: [
        { Notification: { NotificationType: 'FORECASTED', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' }, Subscribers: subscribers },
        { Notification: { NotificationType: 'ACTUAL', ComparisonOperator: 'GREATER_THAN', Threshold: 80, ThresholdType: 'PERCENTAGE' }, Subscribers: [subscribers[0]!] },
      ],
    }));
    const b0 = (await budgets.send(new DescribeBudgetCommand({ AccountId: A, BudgetName: 'monthly-cost' }))).Budget!;
    assert.deepEqual([b0.TimePeriod?.Start?.getTime(), b0.TimePeriod?.End?.toISOString()], [monthStart, '2087-06-15T00:00:00.000Z'], 'AWS\'s defaults');
    assert.equal(b0.BudgetLimit?.Amount, String(limit).includes('.') ? String(limit) : `${limit}.0`);

    await clock('8h');
    const b = (await budgets.send(new DescribeBudgetCommand({ AccountId: A, BudgetName: 'monthly-cost' }))).Budget!;
    const actual = Number(b.CalculatedSpend!.ActualSpend!.Amount);
    const forecast = Number(b.CalculatedSpend!.ForecastedSpend!.Amount);
    assert.ok(actual > 0 && actual < 0.05 * limit, `8 hours in: actual ${actual} of ${limit}`);
    assert.ok(forecast > 0.8 * limit && forecast < 1.2 * limit, `forecast ${forecast} of ${limit}`);
    // The actual spend is the meter's: month to date now, less what accrued since the evaluation (on the 8-hour grid).
    const evaluatedAt = b.HealthStatus!.LastUpdatedTime!.getTime();
    assert.equal(evaluatedAt, monthStart + 8 * HOUR);
    const report = (await (await fetch(`${cl.url}/_cloudlet/cost?account=${A}`)).json()) as { perHour: number; monthToDate: number };
    const expected = report.monthToDate - report.perHour * ((await now()) - evaluatedAt) / HOUR;
    assert.ok(Math.abs(actual - expected) < 0.005, `actual ${actual}, meter ${expected}`);
    const notes = (await budgets.send(new DescribeNotificationsForBudgetCommand({ AccountId: A, BudgetName: 'monthly-cost' }))).Notifications!;
    assert.deepEqual(notes.map((n) => [n.NotificationType, n.NotificationState]), [['FORECASTED', 'ALARM'], ['ACTUAL', 'OK']]);
    let mail = await budgetMail(A);
    assert.deepEqual(mail.map((m) => [m.protocol, m.endpoint || m.topicArn]).sort(), [['email', 'finance@example.com'], ['sms', '+15555550123']]);
    const email = mail.find((m) => m.protocol === 'email')!;
    assert.equal(email.subject, 'AWS Budgets: monthly-cost has exceeded your alert threshold');
    assert.match(email.body, new RegExp(`^AWS Budget Notification \\w+ 01, \\d{4}\\nAWS Account ${A}\\n\\nDear AWS Customer,\\n\\nYou requested that we alert you when the FORECASTED Cost associated with your monthly-cost budget is greater than \\$${(0.8 * limit).toFixed(2)} for the current month\\.`));
    assert.match(email.body, new RegExp(`Budgeted Amount: \\$${limit.toFixed(2)}\\nAlert Type: FORECASTED\\nAlert Threshold: > \\$${(0.8 * limit).toFixed(2)}\\nFORECASTED Amount: \\$\\d+\\.\\d\\d\\n`));
    assert.equal(mail.find((m) => m.protocol === 'sms')!.body, email.body, 'the same text through the topic');

    // 19 days in: at most 19 x 1.1 / 28 = 75% of the limit spent; the forecast does not send again.
    await clock('19d');
    const mid = (await budgets.send(new DescribeBudgetCommand({ AccountId: A, BudgetName: 'monthly-cost' }))).Budget!;
    assert.ok(Number(mid.CalculatedSpend!.ActualSpend!.Amount) < 0.8 * limit, mid.CalculatedSpend!.ActualSpend!.Amount);
    assert.deepEqual((await budgetMail(A)).map((m) => /Alert Type: (\w+)/.exec(m.body)![1]), ['FORECASTED', 'FORECASTED'], 'once per period');
    // 25 days in: past 80% (25 x 1.1 / 31 = 89%). The ACTUAL notification goes to its one subscriber, once.
    await clock('6d');
    await clock('2d');
    mail = await budgetMail(A);
    const actualMail = mail.filter((m) => /Alert Type: ACTUAL/.test(m.body));
    assert.equal(actualMail.length, 1, JSON.stringify(mail.map((m) => m.subject)));
    assert.equal(actualMail[0]!.endpoint, 'finance@example.com');
    const crossedAt = Date.parse(actualMail[0]!.at);
    assert.equal((crossedAt - monthStart) % (8 * HOUR), 0, 'sent at an evaluation on the 8-hour grid');
    assert.ok(crossedAt - monthStart > 19 * 24 * HOUR && crossedAt - monthStart <= 25 * 24 * HOUR + 8 * HOUR);
    assert.match(actualMail[0]!.body, /ACTUAL Amount: \$(\d+\.\d\d)/);
    assert.ok(Number(/ACTUAL Amount: \$(\d+\.\d\d)/.exec(actualMail[0]!.body)![1]) > 0.8 * limit);
    const after = (await budgets.send(new DescribeNotificationsForBudgetCommand({ AccountId: A, BudgetName: 'monthly-cost' }))).Notifications!;
    assert.deepEqual(after.map((n) => n.NotificationState), ['ALARM', 'ALARM']);

    // The performance history: this month, budgeted and actual (spend to date).
    const h = (await budgets.send(new DescribeBudgetPerformanceHistoryCommand({ AccountId: A, BudgetName: 'monthly-cost' }))).BudgetPerformanceHistory!;
    assert.equal(h.TimeUnit, 'MONTHLY');
    assert.equal(h.BudgetedAndActualAmountsList!.length, 1);
    const [p] = h.BudgetedAndActualAmountsList!;
    assert.equal(p!.TimePeriod!.Start!.getTime(), monthStart);
    assert.equal(Number(p!.BudgetedAmount!.Amount), limit);
    assert.ok(Number(p!.ActualAmount!.Amount) > 0.8 * limit);
  });

  test('actions: STOP_EC2_INSTANCES stops the instance by itself; a MANUAL IAM action waits, is approved, attaches, is reversed', async () => {
    const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: B, secretAccessKey: 'test' }));
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'budgets.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const role = (await iam.send(new CreateRoleCommand({ RoleName: 'budgets-actions', AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!;
    await iam.send(new PutRolePolicyCommand({
      RoleName: 'budgets-actions', PolicyName: 'act',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ec2:StopInstances', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy'], Resource: '*' }] }),
    }));
    await iam.send(new CreateRoleCommand({ RoleName: 'developers', AssumeRolePolicyDocument: JSON.stringify({ ...trust, Statement: [{ ...trust.Statement[0], Principal: { Service: 'ec2.amazonaws.com' } }] }) }));
    const deny = (await iam.send(new CreatePolicyCommand({ PolicyName: 'deny-ec2', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ec2:RunInstances', Resource: '*' }] }) }))).Policy!;

    // The next month, one minute in: account B's batch instance has run all along, but this month has cost nothing yet.
    let start = await now();
    const d = new Date(start);
    await clock(`${Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) + 60_000 - start}ms`);
    start = await now();
    await budgetsB.send(new CreateBudgetCommand({ AccountId: B, Budget: { BudgetName: 'batch', BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: '1', Unit: 'USD' } } }));
    const common = { AccountId: B, BudgetName: 'batch', NotificationType: 'ACTUAL' as const, ExecutionRoleArn: role.Arn!, Subscribers: [{ SubscriptionType: 'EMAIL' as const, Address: 'ops@example.com' }] };
    const stop = (await budgetsB.send(new CreateBudgetActionCommand({
      ...common, ActionType: 'RUN_SSM_DOCUMENTS', ApprovalModel: 'AUTOMATIC', ActionThreshold: { ActionThresholdValue: 0.05, ActionThresholdType: 'ABSOLUTE_VALUE' },
      Definition: { SsmActionDefinition: { ActionSubType: 'STOP_EC2_INSTANCES', Region: 'us-east-1', InstanceIds: [batchId] } },
    }))).ActionId!;
    const attach = (await budgetsB.send(new CreateBudgetActionCommand({
      ...common, ActionType: 'APPLY_IAM_POLICY', ApprovalModel: 'MANUAL', ActionThreshold: { ActionThresholdValue: 5, ActionThresholdType: 'PERCENTAGE' },
      Definition: { IamActionDefinition: { PolicyArn: deny.Arn!, Roles: ['developers'] } },
    }))).ActionId!;
    const status = async (id: string) => (await budgetsB.send(new DescribeBudgetActionCommand({ AccountId: B, BudgetName: 'batch', ActionId: id }))).Action!.Status;
    assert.deepEqual([await status(stop), await status(attach)], ['STANDBY', 'STANDBY'], 'nothing spent yet this month');
    const ec2B = new EC2Client(clientConfig(cl.url, 'us-east-1', { accessKeyId: B, secretAccessKey: 'test' }));
    const state = async () => (await ec2B.send(new DescribeInstancesCommand({ InstanceIds: [batchId] }))).Reservations![0]!.Instances![0]!.State!.Name;
    assert.equal(await state(), 'running');

    // The instance has cost more than $0.05 (5% of $1) by the next evaluation on the grid.
    await clock('8h');
    assert.equal(await status(stop), 'EXECUTION_SUCCESS');
    assert.match(await state() ?? '', /^(stopping|stopped)$/);
    assert.equal(await status(attach), 'PENDING');
    const hist = (await budgetsB.send(new DescribeBudgetActionHistoriesCommand({ AccountId: B, BudgetName: 'batch', ActionId: stop }))).ActionHistories!;
    assert.deepEqual(hist.map((x) => [x.EventType, x.Status]), [['CREATE_ACTION', 'STANDBY'], ['SYSTEM', 'EXECUTION_IN_PROGRESS'], ['SYSTEM', 'EXECUTION_SUCCESS']]);
    assert.equal(hist[2]!.ActionHistoryDetails!.Message, `Stopped ${batchId} in us-east-1`);
    assert.ok(hist[2]!.Timestamp!.getTime() > start && (hist[2]!.Timestamp!.getTime() - monthStart) % (8 * HOUR) === 0);
    const told = (await budgetMail(B)).filter((m) => m.endpoint === 'ops@example.com').map((m) => m.subject);
    assert.deepEqual(told.sort(), ['AWS Budgets: an action of batch has run', 'AWS Budgets: an action of batch is waiting for your approval']);

    // The stopped instance no longer accrues compute or its public address (8 h of them: $0.12); its 8 GiB root volume goes on (about $0.001 an hour).
    const spent = async () => Number((await budgetsB.send(new DescribeBudgetCommand({ AccountId: B, BudgetName: 'batch' }))).Budget!.CalculatedSpend!.ActualSpend!.Amount);
    const s1 = await spent();
    await clock('8h');
    const s2 = await spent();
    assert.ok(s2 - s1 > 0.002 && s2 - s1 < 0.02, `${s1} -> ${s2}`);

    const attached = async () => (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'developers' }))).AttachedPolicies!.map((x) => x.PolicyArn);
    assert.deepEqual(await attached(), []);
    await budgetsB.send(new ExecuteBudgetActionCommand({ AccountId: B, BudgetName: 'batch', ActionId: attach, ExecutionType: 'APPROVE_BUDGET_ACTION' }));
    assert.equal(await status(attach), 'EXECUTION_SUCCESS');
    assert.deepEqual(await attached(), [deny.Arn]);
    await budgetsB.send(new ExecuteBudgetActionCommand({ AccountId: B, BudgetName: 'batch', ActionId: attach, ExecutionType: 'REVERSE_BUDGET_ACTION' }));
    assert.deepEqual([await status(attach), await attached()], ['REVERSE_SUCCESS', []]);
    // An execution role without iam:AttachRolePolicy: approved, the run fails, says why, and changes nothing.
    const weak = (await iam.send(new CreateRoleCommand({ RoleName: 'weak', AssumeRolePolicyDocument: JSON.stringify(trust) }))).Role!;
    const refused = (await budgetsB.send(new CreateBudgetActionCommand({
      ...common, ExecutionRoleArn: weak.Arn!, ActionType: 'APPLY_IAM_POLICY', ApprovalModel: 'MANUAL', ActionThreshold: { ActionThresholdValue: 5, ActionThresholdType: 'PERCENTAGE' },
      Definition: { IamActionDefinition: { PolicyArn: deny.Arn!, Roles: ['developers'] } },
    }))).ActionId!;
    assert.equal(await status(refused), 'PENDING', 'the threshold is crossed already: waiting for approval at once');
    await budgetsB.send(new ExecuteBudgetActionCommand({ AccountId: B, BudgetName: 'batch', ActionId: refused, ExecutionType: 'APPROVE_BUDGET_ACTION' }));
    assert.deepEqual([await status(refused), await attached()], ['EXECUTION_FAILURE', []]);
    const why = (await budgetsB.send(new DescribeBudgetActionHistoriesCommand({ AccountId: B, BudgetName: 'batch', ActionId: refused }))).ActionHistories!.at(-1)!;
    assert.equal(why.ActionHistoryDetails!.Message, `The execution role ${weak.Arn} is not authorized to perform iam:AttachRolePolicy on arn:aws:iam::${B}:role/developers (implicitDeny)`);
    const e = await budgetsB.send(new ExecuteBudgetActionCommand({ AccountId: B, BudgetName: 'batch', ActionId: stop, ExecutionType: 'APPROVE_BUDGET_ACTION' })).catch((x: Error) => x);
    assert.equal((e as Error).name, 'InvalidParameterException');
    assert.match((e as Error).message, /APPROVE_BUDGET_ACTION does not apply to an action in status EXECUTION_SUCCESS/);
  });

  test('bad input: AWS\'s errors, nothing half-created (SDK and AWS CLI v2)', async () => {
    const fail = async (p: Promise<unknown>) => { try { await p; } catch (e) { return e as Error; } throw new Error('succeeded'); };
    const budget = { BudgetName: 'b1', BudgetType: 'COST' as const, TimeUnit: 'MONTHLY' as const, BudgetLimit: { Amount: '10', Unit: 'USD' } };
    await budgets.send(new CreateBudgetCommand({ AccountId: A, Budget: budget }));
    let e = await fail(budgets.send(new CreateBudgetCommand({ AccountId: A, Budget: budget })));
    assert.deepEqual([e.name, e.message], ['DuplicateRecordException', 'Error creating budget: b1 - the budget already exists.']);
    e = await fail(budgets.send(new CreateBudgetCommand({ AccountId: A, Budget: { ...budget, BudgetName: 'a:b' } })));
    assert.equal(e.name, 'InvalidParameterException');
    e = await fail(budgets.send(new CreateBudgetCommand({ AccountId: A, Budget: { ...budget, BudgetName: 'nolimit', BudgetLimit: undefined } })));
    assert.deepEqual([e.name, e.message], ['InvalidParameterException', 'Unable to create/update budget - please provide one of the followings: Budget Limit/ Planned Budget Limit/ Auto Adjust Data']);
    e = await fail(budgets.send(new CreateBudgetCommand({ AccountId: A, Budget: { ...budget, BudgetName: 'f', CostFilters: { Colour: ['red'] } } })));
    assert.deepEqual([e.name, /Invalid cost filter key: Colour/.test(e.message)], ['InvalidParameterException', true]);
    // Eleven notifications: over the limit of ten; two SNS topics on one notification: over one. Neither budget exists afterwards.
    const n = (t: number) => ({ Notification: { NotificationType: 'ACTUAL' as const, ComparisonOperator: 'GREATER_THAN' as const, Threshold: t }, Subscribers: [{ SubscriptionType: 'EMAIL' as const, Address: 'a@example.com' }] });
    e = await fail(budgets.send(new CreateBudgetCommand({ AccountId: A, Budget: { ...budget, BudgetName: 'many' }, NotificationsWithSubscribers: Array.from({ length: 11 }, (_, i) => n(10 + i)) })));
    assert.equal(e.name, 'CreationLimitExceededException');
    const twoTopics = [{ SubscriptionType: 'SNS' as const, Address: `arn:aws:sns:us-east-1:${A}:t1` }, { SubscriptionType: 'SNS' as const, Address: `arn:aws:sns:us-east-1:${A}:t2` }];
    e = await fail(budgets.send(new CreateBudgetCommand({ AccountId: A, Budget: { ...budget, BudgetName: 'topics' }, NotificationsWithSubscribers: [{ ...n(50), Subscribers: twoTopics }] })));
    assert.equal(e.name, 'InvalidParameterException');
    for (const name of ['many', 'topics']) {
      e = await fail(budgets.send(new DescribeBudgetCommand({ AccountId: A, BudgetName: name })));
      assert.deepEqual([e.name, e.message], ['NotFoundException', `Unable to get budget: ${name} - the budget doesn't exist.`]);
    }
    e = await fail(budgets.send(new DescribeBudgetCommand({ AccountId: B, BudgetName: 'b1' })));
    assert.equal(e.name, 'AccessDeniedException');
    await budgets.send(new CreateNotificationCommand({ AccountId: A, BudgetName: 'b1', ...n(90) }));
    e = await fail(budgets.send(new CreateNotificationCommand({ AccountId: A, BudgetName: 'b1', ...n(90) })));
    assert.equal(e.name, 'DuplicateRecordException');
    for (let i = 1; i < 10; i++) await budgets.send(new CreateSubscriberCommand({ AccountId: A, BudgetName: 'b1', Notification: n(90).Notification, Subscriber: { SubscriptionType: 'EMAIL', Address: `p${i}@example.com` } }));
    e = await fail(budgets.send(new CreateSubscriberCommand({ AccountId: A, BudgetName: 'b1', Notification: n(90).Notification, Subscriber: { SubscriptionType: 'EMAIL', Address: 'p10@example.com' } })));
    assert.equal(e.name, 'CreationLimitExceededException', 'ten email subscribers at most');
    e = await fail(budgets.send(new CreateBudgetActionCommand({
      AccountId: A, BudgetName: 'b1', NotificationType: 'ACTUAL', ActionType: 'APPLY_SCP_POLICY', ApprovalModel: 'AUTOMATIC',
      ActionThreshold: { ActionThresholdValue: 100, ActionThresholdType: 'PERCENTAGE' }, ExecutionRoleArn: `arn:aws:iam::${A}:role/budgets-actions`,
      Definition: { ScpActionDefinition: { PolicyId: 'p-12345678', TargetIds: [A] } }, Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'a@example.com' }],
    })));
    assert.deepEqual([e.name, /AWS Organizations, which cloudlet does not have/.test(e.message)], ['InvalidParameterException', true]);

    const cli = (args: string[]) => runAws(cliV2.bin, cl.url, ['budgets', ...args]);
    if (!cliV2.skip) {
      const [described, history, missing, bad] = await Promise.all([
        cli(['describe-budget', '--account-id', A, '--budget-name', 'b1']),
        cli(['describe-budget-performance-history', '--account-id', A, '--budget-name', 'b1']),
        cli(['describe-budget', '--account-id', A, '--budget-name', 'nope']),
        cli(['create-budget', '--account-id', A, '--budget', JSON.stringify({ ...budget, BudgetName: 'b2', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: '10', Unit: 'EUR' } })]),
      ]);
      assert.equal(described.status, 0, described.stderr);
      assert.deepEqual(JSON.parse(described.stdout).Budget.BudgetLimit, { Amount: '10.0', Unit: 'USD' });
      assert.equal(history.status, 0, history.stderr);
      assert.equal(JSON.parse(history.stdout).BudgetPerformanceHistory.BudgetedAndActualAmountsList.length, 1);
      assert.match(missing.stderr, /\(NotFoundException\) when calling the DescribeBudget operation: Unable to get budget: nope - the budget doesn't exist\./);
      assert.match(bad.stderr, /\(InvalidParameterException\) when calling the CreateBudget operation: BudgetLimit\.Unit must be USD for a COST budget/);
    }
    await budgets.send(new DeleteBudgetCommand({ AccountId: A, BudgetName: 'b1' }));
    e = await fail(budgets.send(new DeleteBudgetCommand({ AccountId: A, BudgetName: 'b1' })));
    assert.equal(e.name, 'NotFoundException');
  });
});

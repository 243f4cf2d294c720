// Terraform's hashicorp/aws provider on the cost management resources (test/fixtures/terraform-cost):
// aws_ce_cost_allocation_tag activates a tag key found on a metered, tagged Elastic IP;
// aws_budgets_budget with cost filters, two notifications (email and SNS) and tags. One apply,
// a clean second plan, what the APIs then say, one destroy (which deactivates the tag). Further cost
// resources (budgets) join the same fixture and this same apply/plan/destroy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BudgetsClient, DescribeBudgetCommand, DescribeBudgetsCommand, DescribeNotificationsForBudgetCommand,
  DescribeSubscribersForNotificationCommand, ListTagsForResourceCommand,
} from '@aws-sdk/client-budgets';
import { CostExplorerClient, ListCostAllocationTagsCommand } from '@aws-sdk/client-cost-explorer';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

/**
 * Resources in the fixture: the tagged Elastic IP and the cost allocation tag; the budget, its SNS
 * topic and topic policy. (No aws_budgets_budget_action: the provider waits 5 s before each read
 * of a budget resource, so each one adds about 15 s to the file; budget actions are covered by
 * test/e2e/budgets.test.ts.)
 */
const RESOURCES = 5;

describe('Terraform: cost management (cost allocation tag, budget with notifications)', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-cost');

  test('apply, plan -detailed-exitcode = 0, the tag Active, destroy deactivates it', { timeout: 300_000 }, async () => {
    const applied = await terraformApply(tf, RESOURCES);
    assert.match(applied, /cost_allocation_tag_type = "UserDefined"/);
    await terraformPlanIsClean(tf);

    const ce = new CostExplorerClient(clientConfig(tf.cl.url));
    const status = async () => (await ce.send(new ListCostAllocationTagsCommand({ TagKeys: ['costcenter'] }))).CostAllocationTags!.map((t) => [t.TagKey, t.Status, t.Type]);
    assert.deepEqual(await status(), [['costcenter', 'Active', 'UserDefined']]);

    // aws_budgets_budget: the filters, AWS's defaults, both notifications with their subscribers, the tags.
    const budgets = new BudgetsClient(clientConfig(tf.cl.url));
    const account = '000000000000';
    const arn = /budget_arn = "([^"]+)"/.exec(applied)![1]!;
    assert.equal(arn, `arn:aws:budgets::${account}:budget/platform-monthly`);
    const b = (await budgets.send(new DescribeBudgetCommand({ AccountId: account, BudgetName: 'platform-monthly' }))).Budget!;
    assert.deepEqual([b.BudgetType, b.TimeUnit, b.BudgetLimit], ['COST', 'MONTHLY', { Amount: '100.0', Unit: 'USD' }]);
    assert.deepEqual(b.CostFilters, { Service: ['Amazon Elastic Compute Cloud - Compute', 'Amazon Virtual Private Cloud'], TagKeyValue: ['user:costcenter$platform'] });
    assert.equal(b.TimePeriod?.End?.toISOString(), '2087-06-15T00:00:00.000Z');
    const notes = (await budgets.send(new DescribeNotificationsForBudgetCommand({ AccountId: account, BudgetName: 'platform-monthly' }))).Notifications!;
    assert.deepEqual(notes.map((n) => [n.NotificationType, n.Threshold, n.NotificationState]).sort(), [['ACTUAL', 100, 'OK'], ['FORECASTED', 80, 'OK']]);
    const forecasted = notes.find((n) => n.NotificationType === 'FORECASTED')!;
    const subs = (await budgets.send(new DescribeSubscribersForNotificationCommand({ AccountId: account, BudgetName: 'platform-monthly', Notification: forecasted }))).Subscribers!;
    assert.deepEqual(subs.map((x) => x.SubscriptionType).sort(), ['EMAIL', 'SNS']);
    assert.deepEqual((await budgets.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).ResourceTags, [{ Key: 'team', Value: 'platform' }]);

    const destroyed = await terraformDestroy(tf);
    assert.match(destroyed, new RegExp(`Destroy complete! Resources: ${RESOURCES} destroyed`));
    // The key stays known (the address accrued under it), deactivated.
    assert.deepEqual(await status(), [['costcenter', 'Inactive', 'UserDefined']]);
    assert.deepEqual((await budgets.send(new DescribeBudgetsCommand({ AccountId: account }))).Budgets, []);
  });
});

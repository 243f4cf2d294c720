// Terraform's hashicorp/aws provider on the cost management resources (test/fixtures/terraform-cost):
// aws_ce_cost_allocation_tag activates a tag key found on a metered, tagged Elastic IP. One apply,
// a clean second plan, what the APIs then say, one destroy (which deactivates the tag). Further cost
// resources (budgets) join the same fixture and this same apply/plan/destroy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CostExplorerClient, ListCostAllocationTagsCommand } from '@aws-sdk/client-cost-explorer';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

/** Resources in the fixture: the tagged Elastic IP and the cost allocation tag. */
const RESOURCES = 2;

describe('Terraform: cost management (cost allocation tag)', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-cost');

  test('apply, plan -detailed-exitcode = 0, the tag Active, destroy deactivates it', { timeout: 300_000 }, async () => {
    const applied = await terraformApply(tf, RESOURCES);
    assert.match(applied, /cost_allocation_tag_type = "UserDefined"/);
    await terraformPlanIsClean(tf);

    const ce = new CostExplorerClient(clientConfig(tf.cl.url));
    const status = async () => (await ce.send(new ListCostAllocationTagsCommand({ TagKeys: ['costcenter'] }))).CostAllocationTags!.map((t) => [t.TagKey, t.Status, t.Type]);
    assert.deepEqual(await status(), [['costcenter', 'Active', 'UserDefined']]);

    const destroyed = await terraformDestroy(tf);
    assert.match(destroyed, new RegExp(`Destroy complete! Resources: ${RESOURCES} destroyed`));
    // The key stays known (the address accrued under it), deactivated.
    assert.deepEqual(await status(), [['costcenter', 'Inactive', 'UserDefined']]);
  });
});

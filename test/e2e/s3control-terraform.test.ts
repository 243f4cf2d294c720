// Terraform's hashicorp/aws provider on S3 Control: aws_s3_account_public_access_block applies,
// reads back with no change on a second plan, and destroys (DeletePublicAccessBlock).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: aws_s3_account_public_access_block', { skip: needTool('terraform') }, () => {
  // The provider sends S3 Control to ACCOUNT.HOST: localhost, not 127.0.0.1 (ACCOUNT.127.0.0.1 is no host).
  const tf = terraformFixture('terraform-s3control', {
    env: (cl) => ({ AWS_ENDPOINT_URL_S3_CONTROL: cl.url.replace('127.0.0.1', 'localhost') }),
    hosts: ['000000000000.localhost'],
  });

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 600_000 }, async () => {
    const applied = await terraformApply(tf, 1);
    assert.match(applied, /account_id = "000000000000"/);
    await terraformPlanIsClean(tf);
    await terraformDestroy(tf);
  });
});

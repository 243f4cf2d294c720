// Terraform's hashicorp/aws provider on ECR: an IMMUTABLE repository scanned on push and
// encrypted with KMS, with a repository policy and a lifecycle policy; a plain AES256
// repository; the registry scanning configuration. Apply, a second plan with no changes (every
// attribute read back matches), destroy (force_delete).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DescribeRepositoriesCommand, ECRClient, GetLifecyclePolicyCommand, GetRegistryScanningConfigurationCommand, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

const A = '000000000000';

describe('Terraform: aws_ecr_repository, _repository_policy, _lifecycle_policy, aws_ecr_registry_scanning_configuration', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-ecr');

  test('apply, plan -detailed-exitcode = 0, destroy', { timeout: 300_000 }, async () => {
    const applied = await terraformApply(tf, 5);
    assert.match(applied, new RegExp(`app_url = "${A}\\.dkr\\.ecr\\.us-east-1\\.localhost:\\d+/seeds/app"`));
    const c = new ECRClient(clientConfig(tf.cl.url));
    const [app] = (await c.send(new DescribeRepositoriesCommand({ repositoryNames: ['seeds/app'] }))).repositories!;
    assert.deepEqual([app!.imageTagMutability, app!.imageScanningConfiguration?.scanOnPush, app!.encryptionConfiguration?.encryptionType], ['IMMUTABLE', true, 'KMS']);
    assert.match((await c.send(new GetRepositoryPolicyCommand({ repositoryName: 'seeds/app' }))).policyText!, /AllowPullFromCi/);
    assert.match((await c.send(new GetLifecyclePolicyCommand({ repositoryName: 'seeds/app' }))).lifecyclePolicyText!, /imageCountMoreThan/);
    assert.deepEqual((await c.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration,
      { scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'seeds/*', filterType: 'WILDCARD' }] }] });

    await terraformPlanIsClean(tf);

    await terraformDestroy(tf);
    assert.deepEqual((await c.send(new DescribeRepositoriesCommand({}))).repositories, []);
    assert.deepEqual((await c.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, { scanType: 'BASIC', rules: [] });
    c.destroy();
  });
});

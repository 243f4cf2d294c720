// The ECR control plane with real clients (SDK v3 and the AWS CLI): repositories, tags,
// repository and registry policies (enforced across accounts), registry settings, creation
// templates and pull-through cache rules, and authorization tokens. Terraform: ecr-terraform.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  BatchCheckLayerAvailabilityCommand, BatchGetRepositoryScanningConfigurationCommand, CreatePullThroughCacheRuleCommand, CreateRepositoryCommand,
  CreateRepositoryCreationTemplateCommand, DeletePullThroughCacheRuleCommand, DeleteRegistryPolicyCommand, DeleteRepositoryCommand,
  DeleteRepositoryCreationTemplateCommand, DeleteRepositoryPolicyCommand, DescribePullThroughCacheRulesCommand, DescribeRegistryCommand,
  DescribeRepositoriesCommand, DescribeRepositoryCreationTemplatesCommand, ECRClient, GetAccountSettingCommand, GetAuthorizationTokenCommand,
  GetRegistryPolicyCommand, GetRegistryScanningConfigurationCommand, GetRepositoryPolicyCommand, GetSigningConfigurationCommand,
  ListPullTimeUpdateExclusionsCommand, ListTagsForResourceCommand, PutAccountSettingCommand, PutImageCommand,
  PutImageScanningConfigurationCommand, PutImageTagMutabilityCommand, PutRegistryPolicyCommand, PutRegistryScanningConfigurationCommand,
  PutReplicationConfigurationCommand, PutSigningConfigurationCommand, RegisterPullTimeUpdateExclusionCommand, SetRepositoryPolicyCommand,
  TagResourceCommand, UntagResourceCommand, UpdateRepositoryCreationTemplateCommand, ValidatePullThroughCacheRuleCommand,
} from '@aws-sdk/client-ecr';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { createLogger } from '../../src/core/log.js';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, runAws } from '../helpers/cli.js';
import { pushBlob } from '../helpers/ecr.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const A = '000000000000';
const B = '222222222222';
type Creds = { accessKeyId: string; secretAccessKey: string };
const doc = (...statements: Array<Record<string, unknown>>) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

let cl: Cloudlet;
let ecr: ECRClient;
let port: string;
type LogLine = { level: string; msg: string; fields: Record<string, any> };
const lines: LogLine[] = [];
const ecrAs = (c: Creds) => new ECRClient(clientConfig(cl.url, 'us-east-1', c));

before(async () => {
  cl = await startTestServer({ iam: 'enforce' });
  cl.deps.log = createLogger('debug', (line) => {
    const m = /^\S+ (\w+) (.*?)(?: (\{.*\}))?\n$/.exec(line);
    if (m) lines.push({ level: m[1]!, msg: m[2]!, fields: m[3] ? JSON.parse(m[3]) : {} });
  });
  ecr = new ECRClient(clientConfig(cl.url));
  port = new URL(cl.url).port;
});
after(async () => { ecr.destroy(); await cl.close(); });

describe('ECR repositories', () => {
  test('create with exclusion filters, scan on push, KMS with the aws/ecr key and tags; describe; the URI names the port', async () => {
    const r = (await ecr.send(new CreateRepositoryCommand({
      repositoryName: 'team/web-app',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }],
      imageScanningConfiguration: { scanOnPush: true },
      encryptionConfiguration: { encryptionType: 'KMS' },
      tags: [{ Key: 'team', Value: 'web' }],
    }))).repository!;
    assert.equal(r.repositoryArn, `arn:aws:ecr:us-east-1:${A}:repository/team/web-app`);
    assert.equal(r.repositoryUri, `${A}.dkr.ecr.us-east-1.localhost:${port}/team/web-app`);
    assert.equal(r.registryId, A);
    assert.equal(r.imageTagMutability, 'IMMUTABLE_WITH_EXCLUSION');
    assert.deepEqual(r.imageTagMutabilityExclusionFilters, [{ filterType: 'WILDCARD', filter: 'latest' }, { filterType: 'WILDCARD', filter: 'dev-*' }]);
    assert.equal(r.encryptionConfiguration?.encryptionType, 'KMS');
    assert.match(r.encryptionConfiguration?.kmsKey ?? '', new RegExp(`^arn:aws:kms:us-east-1:${A}:key/[0-9a-f-]{36}$`));
    const [d] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/web-app'] }))).repositories!;
    assert.deepEqual({ ...d, createdAt: d!.createdAt?.getTime() }, { ...r, createdAt: r.createdAt?.getTime() });
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn: r.repositoryArn }))).tags, [{ Key: 'team', Value: 'web' }]);

    await rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web-app' })), 'RepositoryAlreadyExistsException', 400,
      `The repository with name 'team/web-app' already exists in the registry with id '${A}'`);
    await rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'x', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' })), 'InvalidParameterException', 400,
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'");
    await rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'no-filters', imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' })), 'InvalidParameterException', 400,
      /At least one image tag mutability exclusion filter is required/);
    await rejects(ecr.send(new CreateRepositoryCommand({
      repositoryName: 'filters-without-exclusion', imageTagMutability: 'IMMUTABLE', imageTagMutabilityExclusionFilters: [{ filterType: 'WILDCARD', filter: 'x' }],
    })), 'InvalidParameterException', 400, /can only be used with the IMMUTABLE_WITH_EXCLUSION/);
    await rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'aes-with-key', encryptionConfiguration: { encryptionType: 'AES256', kmsKey: 'alias/x' } })),
      'InvalidParameterException', 400);
    await rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['missing'] })), 'RepositoryNotFoundException', 400,
      `The repository with name 'missing' does not exist in the registry with id '${A}'`);
  });

  test('a bad repository name is InvalidParameterException in ECR\'s words, not the generic ValidationException', async () => {
    await rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'Team/Web' })), 'InvalidParameterException', 400,
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''");
    await rejects(ecr.send(new CreateRepositoryCommand({ repositoryName: 'a' })), 'InvalidParameterException', 400,
      "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'");
  });

  test('pages of DescribeRepositories; mutability and scanning updates; delete refuses a repository with images unless forced', async () => {
    for (const n of ['page/a', 'page/b', 'page/c']) await ecr.send(new CreateRepositoryCommand({ repositoryName: n }));
    const names: string[] = [];
    let token: string | undefined;
    do {
      const p = await ecr.send(new DescribeRepositoriesCommand({ maxResults: 2, nextToken: token }));
      assert.ok(p.repositories!.length <= 2);
      names.push(...p.repositories!.map((r) => r.repositoryName!));
      token = p.nextToken;
    } while (token);
    assert.deepEqual(names.filter((n) => n.startsWith('page/')), ['page/a', 'page/b', 'page/c']);

    const m = await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'page/a', imageTagMutability: 'IMMUTABLE' }));
    assert.equal(m.imageTagMutability, 'IMMUTABLE');
    const s = await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'page/a', imageScanningConfiguration: { scanOnPush: true } }));
    assert.equal(s.imageScanningConfiguration?.scanOnPush, true);
    const [a] = (await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['page/a'] }))).repositories!;
    assert.equal(a!.imageTagMutability, 'IMMUTABLE');
    assert.equal(a!.imageScanningConfiguration?.scanOnPush, true);
    assert.equal(a!.encryptionConfiguration?.encryptionType, 'AES256');

    // An OCI index with no children is an image that needs no layers.
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
    await ecr.send(new PutImageCommand({ repositoryName: 'page/b', imageManifest: index, imageTag: 'v1' }));
    await rejects(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'page/b' })), 'RepositoryNotEmptyException', 400,
      `The repository with name 'page/b' in registry with id '${A}' cannot be deleted because it still contains images`);
    const gone = await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'page/b', force: true }));
    assert.equal(gone.repository?.repositoryName, 'page/b');
    await rejects(ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['page/b'] })), 'RepositoryNotFoundException', 400);
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'page/c' }));
  });

  test('a forced delete drops the images and the layer bytes no other repository holds', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'with-layers' }));
    const upload = (bytes: Buffer) => pushBlob(ecr, 'with-layers', bytes);
    const before = new Set(cl.deps.blobs.ids());
    const config = await upload(Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
    const layer = await upload(Buffer.from('a layer of bytes, unique to this test'));
    assert.equal(cl.deps.blobs.ids().filter((id) => !before.has(id)).length, 2);
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
    });
    await ecr.send(new PutImageCommand({ repositoryName: 'with-layers', imageManifest: manifest, imageTag: 'v1' }));
    await rejects(ecr.send(new DeleteRepositoryCommand({ repositoryName: 'with-layers' })), 'RepositoryNotEmptyException', 400);
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'with-layers', force: true }));
    assert.deepEqual(cl.deps.blobs.ids().filter((id) => !before.has(id)), []);
    // A repository of the same name starts empty.
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'with-layers' }));
    const avail = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'with-layers', layerDigests: [layer.digest] }));
    assert.equal(avail.layers?.[0]?.layerAvailability ?? avail.failures?.[0]?.failureCode, 'MissingLayerDigest');
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'with-layers' }));
  });

  test('tags: add, replace, remove; 50 at most; keys checked', async () => {
    const arn = `arn:aws:ecr:us-east-1:${A}:repository/page/a`;
    await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'env', Value: 'dev' }, { Key: 'owner', Value: 'ops' }] }));
    await ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'env', Value: 'prod' }] }));
    await ecr.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['owner'] }));
    assert.deepEqual((await ecr.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ Key: 'env', Value: 'prod' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await rejects(ecr.send(new TagResourceCommand({ resourceArn: arn, tags: many })), 'TooManyTagsException', 400,
      'The list of tags on the repository is over the limit. The maximum number of tags that can be applied to a repository is 50.');
    await rejects(ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'aws:reserved', Value: 'x' }] })), 'InvalidTagParameterException', 400);
    await rejects(ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'k'.repeat(129), Value: 'x' }] })), 'InvalidTagParameterException', 400);
    await rejects(ecr.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${A}:repository/nope` })), 'RepositoryNotFoundException', 400);
  });
});

describe('ECR repository policies across accounts', () => {
  const name = 'shared/base';
  const describeAsB = (c: ECRClient) => c.send(new DescribeRepositoriesCommand({ registryId: A, repositoryNames: [name] }));

  test('account 222222222222 is denied by default, allowed once the repository policy names it; Deny statements and identity policies still count', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
    const b = ecrAs({ accessKeyId: B, secretAccessKey: 'test' });
    const arn = `arn:aws:ecr:us-east-1:${A}:repository/${name}`;
    await rejects(describeAsB(b), 'AccessDeniedException', 400,
      `User: arn:aws:iam::${B}:root is not authorized to perform: ecr:DescribeRepositories on resource: ${arn} because no resource-based policy allows the ecr:DescribeRepositories action`);
    await rejects(b.send(new GetRepositoryPolicyCommand({ registryId: A, repositoryName: name })), 'AccessDeniedException', 400);
    const denied = lines.find((l) => l.msg === 'access denied' && l.fields.resourceAccount === A && l.fields.action === 'ecr:DescribeRepositories');
    assert.equal(denied?.fields.missing, 'resource-based policy');

    await rejects(ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name })), 'RepositoryPolicyNotFoundException', 400,
      `Repository policy does not exist for the repository with name '${name}' in the registry with id '${A}'`);
    await rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: doc({ Effect: 'Allow', Action: 'ecr:*' }) })),
      'InvalidParameterException', 400, /^Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided' \(.*Principal/);
    const policy = doc(
      { Sid: 'PullFromB', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: ['ecr:DescribeRepositories', 'ecr:GetRepositoryPolicy', 'ecr:BatchGetImage'] },
      { Sid: 'NoTagging', Effect: 'Deny', Principal: '*', Action: 'ecr:TagResource' },
    );
    const set = await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: policy }));
    assert.equal(set.policyText, policy);
    const [seen] = (await describeAsB(b)).repositories!;
    assert.equal(seen!.repositoryArn, arn);
    assert.equal((await b.send(new GetRepositoryPolicyCommand({ registryId: A, repositoryName: name }))).policyText, policy);

    // The Deny stops the owner's root too, and the log names the statement.
    await rejects(ecr.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'a', Value: 'b' }] })), 'AccessDeniedException', 400,
      `User: arn:aws:iam::${A}:root is not authorized to perform: ecr:TagResource on resource: ${arn} with an explicit deny in a resource-based policy`);
    const deny = [...lines].reverse().find((l) => l.msg === 'access denied' && l.fields.action === 'ecr:TagResource');
    assert.deepEqual(deny?.fields.statement, { sid: 'NoTagging', index: 1 });

    // A user of 222222222222 needs its own identity policy as well (cross-account: both must allow).
    const iam = new IAMClient(clientConfig(cl.url, 'us-east-1', { accessKeyId: B, secretAccessKey: 'test' }));
    await iam.send(new CreateUserCommand({ UserName: 'puller' }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'puller' }))).AccessKey!;
    const user = ecrAs({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! });
    const policyB = { Sid: 'PullFromB', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: 'ecr:DescribeRepositories' };
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: doc(policyB) }));
    await rejects(describeAsB(user), 'AccessDeniedException', 400, /because no identity-based policy allows the ecr:DescribeRepositories action/);
    await iam.send(new PutUserPolicyCommand({ UserName: 'puller', PolicyName: 'pull', PolicyDocument: doc({ Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: arn }) }));
    assert.equal((await describeAsB(user)).repositories![0]!.repositoryName, name);
    iam.destroy();

    const del = await ecr.send(new DeleteRepositoryPolicyCommand({ repositoryName: name }));
    assert.equal(del.policyText, doc(policyB));
    await rejects(describeAsB(b), 'AccessDeniedException', 400);
    b.destroy();
    user.destroy();
  });

  test('identity policies see the repository\'s tags (aws:ResourceTag, ecr:ResourceTag) and the request\'s (aws:RequestTag)', async () => {
    const iam = new IAMClient(clientConfig(cl.url));
    await iam.send(new CreateUserCommand({ UserName: 'web-dev' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'web-dev', PolicyName: 'web', PolicyDocument: doc(
      { Effect: 'Allow', Action: 'ecr:DescribeRepositories', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'web' } } },
      { Effect: 'Allow', Action: 'ecr:ListTagsForResource', Resource: '*', Condition: { StringEquals: { 'ecr:ResourceTag/team': 'web' } } },
      { Effect: 'Allow', Action: 'ecr:CreateRepository', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'web' } } },
    ) }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'web-dev' }))).AccessKey!;
    iam.destroy();
    const dev = ecrAs({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! });
    assert.equal((await dev.send(new DescribeRepositoriesCommand({ repositoryNames: ['team/web-app'] }))).repositories!.length, 1);
    assert.deepEqual((await dev.send(new ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${A}:repository/team/web-app` }))).tags, [{ Key: 'team', Value: 'web' }]);
    await rejects(dev.send(new DescribeRepositoriesCommand({ repositoryNames: ['page/a'] })), 'AccessDeniedException', 400,
      /not authorized to perform: ecr:DescribeRepositories on resource: arn:aws:ecr:us-east-1:000000000000:repository\/page\/a because no identity-based policy allows/);
    await dev.send(new CreateRepositoryCommand({ repositoryName: 'team/tagged', tags: [{ Key: 'team', Value: 'web' }] }));
    await rejects(dev.send(new CreateRepositoryCommand({ repositoryName: 'team/untagged' })), 'AccessDeniedException', 400);
    dev.destroy();
    await ecr.send(new DeleteRepositoryCommand({ repositoryName: 'team/tagged' }));
  });

  test('a policy that would lock the caller out needs force', async () => {
    const lockout = doc({ Sid: 'Lock', Effect: 'Deny', Principal: '*', Action: 'ecr:SetRepositoryPolicy' });
    await rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: lockout })), 'InvalidParameterException', 400, /use force/);
    await ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: lockout, force: true }));
    await rejects(ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: lockout, force: true })), 'AccessDeniedException', 400);
  });
});

describe('ECR registry settings', () => {
  test('registry policy, replication, scanning configuration, account settings, signing, pull-time exclusions', async () => {
    await rejects(ecr.send(new GetRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException', 400, `Registry policy does not exist in the registry with id '${A}'`);
    const rp = doc({ Sid: 'Replicate', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${B}:root` }, Action: ['ecr:CreateRepository', 'ecr:ReplicateImage'], Resource: `arn:aws:ecr:us-east-1:${A}:repository/*` });
    assert.equal((await ecr.send(new PutRegistryPolicyCommand({ policyText: rp }))).policyText, rp);
    assert.equal((await ecr.send(new GetRegistryPolicyCommand({}))).policyText, rp);
    await rejects(ecr.send(new PutRegistryPolicyCommand({ policyText: '{"Statement":' })), 'InvalidParameterException', 400, /Invalid registry policy provided/);
    await ecr.send(new DeleteRegistryPolicyCommand({}));
    await rejects(ecr.send(new DeleteRegistryPolicyCommand({})), 'RegistryPolicyNotFoundException', 400);

    assert.deepEqual(await ecr.send(new DescribeRegistryCommand({})).then((r) => [r.registryId, r.replicationConfiguration]), [A, { rules: [] }]);
    const replication = { rules: [{ destinations: [{ region: 'eu-west-1', registryId: A }], repositoryFilters: [{ filter: 'team', filterType: 'PREFIX_MATCH' as const }] }] };
    await ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: replication }));
    assert.deepEqual((await ecr.send(new DescribeRegistryCommand({}))).replicationConfiguration, replication);
    await rejects(ecr.send(new PutReplicationConfigurationCommand({ replicationConfiguration: { rules: [{ destinations: [{ region: 'us-east-1', registryId: A }] }] } })),
      'InvalidParameterException', 400, /cannot be the source registry/);

    assert.deepEqual((await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, { scanType: 'BASIC', rules: [] });
    const scanning = { scanType: 'BASIC' as const, rules: [{ scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: [{ filter: 'team/*', filterType: 'WILDCARD' as const }] }] };
    await ecr.send(new PutRegistryScanningConfigurationCommand(scanning));
    assert.deepEqual((await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, scanning);
    await rejects(ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }] })),
      'InvalidParameterException', 400, /CONTINUOUS_SCAN/);
    const batch = await ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['team/web-app', 'shared/base', 'nope'] }));
    assert.deepEqual(batch.scanningConfigurations!.map((c) => [c.repositoryName, c.scanOnPush, c.scanFrequency, c.appliedScanFilters?.length]),
      [['team/web-app', true, 'SCAN_ON_PUSH', 1], ['shared/base', false, 'MANUAL', 0]]);
    assert.deepEqual(batch.failures!.map((f) => [f.repositoryName, f.failureCode]), [['nope', 'REPOSITORY_NOT_FOUND']]);

    assert.equal((await ecr.send(new GetAccountSettingCommand({ name: 'BASIC_SCAN_TYPE_VERSION' }))).value, 'AWS_NATIVE');
    await ecr.send(new PutAccountSettingCommand({ name: 'BASIC_SCAN_TYPE_VERSION', value: 'CLAIR' }));
    assert.equal((await ecr.send(new GetAccountSettingCommand({ name: 'BASIC_SCAN_TYPE_VERSION' }))).value, 'CLAIR');
    await rejects(ecr.send(new PutAccountSettingCommand({ name: 'BASIC_SCAN_TYPE_VERSION', value: 'OTHER' })), 'InvalidParameterException', 400);

    await rejects(ecr.send(new GetSigningConfigurationCommand({})), 'SigningConfigurationNotFoundException', 400);
    const signing = { rules: [{ signingProfileArn: `arn:aws:signer:us-east-1:${A}:/signing-profiles/ci_profile`, repositoryFilters: [{ filter: 'team/*', filterType: 'WILDCARD_MATCH' as const }] }] };
    await ecr.send(new PutSigningConfigurationCommand({ signingConfiguration: signing }));
    assert.deepEqual((await ecr.send(new GetSigningConfigurationCommand({}))).signingConfiguration, signing);

    const principal = `arn:aws:iam::${A}:role/scanner`;
    await ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: principal }));
    await rejects(ecr.send(new RegisterPullTimeUpdateExclusionCommand({ principalArn: principal })), 'ExclusionAlreadyExistsException', 400);
    assert.deepEqual((await ecr.send(new ListPullTimeUpdateExclusionsCommand({}))).pullTimeUpdateExclusions, [principal]);
  });

  test('repository creation templates and pull-through cache rules are stored and checked (nothing is pulled through)', async () => {
    const t = (await ecr.send(new CreateRepositoryCreationTemplateCommand({
      prefix: 'cache', appliedFor: ['PULL_THROUGH_CACHE'], imageTagMutability: 'IMMUTABLE', resourceTags: [{ Key: 'from', Value: 'template' }],
      description: 'cached images',
    }))).repositoryCreationTemplate!;
    assert.deepEqual([t.prefix, t.imageTagMutability, t.encryptionConfiguration?.encryptionType], ['cache', 'IMMUTABLE', 'AES256']);
    await rejects(ecr.send(new CreateRepositoryCreationTemplateCommand({ prefix: 'cache', appliedFor: ['REPLICATION'] })), 'TemplateAlreadyExistsException', 400);
    await ecr.send(new UpdateRepositoryCreationTemplateCommand({ prefix: 'cache', description: 'pulled through' }));
    const [listed] = (await ecr.send(new DescribeRepositoryCreationTemplatesCommand({ prefixes: ['cache'] }))).repositoryCreationTemplates!;
    assert.deepEqual([listed!.description, listed!.imageTagMutability], ['pulled through', 'IMMUTABLE']);
    await ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'cache' }));
    await rejects(ecr.send(new DeleteRepositoryCreationTemplateCommand({ prefix: 'cache' })), 'TemplateNotFoundException', 400);

    const rule = await ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'quay', upstreamRegistryUrl: 'quay.io' }));
    assert.deepEqual([rule.upstreamRegistry, rule.upstreamRepositoryPrefix], ['quay', 'ROOT']);
    await rejects(ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io' })),
      'InvalidParameterException', 400, /credentialArn is required/);
    await rejects(ecr.send(new CreatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'other', upstreamRegistryUrl: 'example.com' })), 'UnsupportedUpstreamRegistryException', 400);
    assert.deepEqual((await ecr.send(new DescribePullThroughCacheRulesCommand({}))).pullThroughCacheRules!.map((r) => r.ecrRepositoryPrefix), ['quay']);
    const v = await ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'quay' }));
    assert.equal(v.isValid, false);
    assert.match(v.failure!, /does not contact upstream registries/);
    await ecr.send(new DeletePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'quay' }));
    await rejects(ecr.send(new ValidatePullThroughCacheRuleCommand({ ecrRepositoryPrefix: 'quay' })), 'PullThroughCacheRuleNotFoundException', 400);
  });
});

describe('ECR authorization tokens', () => {
  test('GetAuthorizationToken: AWS:<password>, 12 hours, the proxy endpoint of this server', async () => {
    const [data] = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData!;
    const decoded = Buffer.from(data!.authorizationToken!, 'base64').toString();
    assert.match(decoded, /^AWS:cl1\./);
    const basic = `Basic ${Buffer.from(decoded).toString('base64')}`;
    assert.equal((await fetch(`${cl.url}/v2/`, { headers: { authorization: basic } })).status, 200);
    assert.equal(data!.proxyEndpoint, `http://${A}.dkr.ecr.us-east-1.localhost:${port}`);
    const hours = (data!.expiresAt!.getTime() - Date.now()) / 3600_000;
    assert.ok(hours > 11.9 && hours <= 12, `expires in ${hours} h`);
    const many = (await ecr.send(new GetAuthorizationTokenCommand({ registryIds: [A, B] }))).authorizationData!;
    assert.deepEqual(many.map((d) => d.proxyEndpoint), [`http://${A}.dkr.ecr.us-east-1.localhost:${port}`, `http://${B}.dkr.ecr.us-east-1.localhost:${port}`]);
  });

  for (const cli of awsClis()) {
    test(`${cli.name}: aws ecr get-login-password is a password the registry takes for user AWS`, { skip: cli.skip }, async () => {
      const r = await runAws(cli.bin, cl.url, ['ecr', 'get-login-password']);
      assert.equal(r.status, 0, r.stderr);
      const password = r.stdout.trim();
      assert.match(password, /^cl1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      const ok = await fetch(`${cl.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}` } });
      assert.equal(ok.status, 200);
      const forged = await fetch(`${cl.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`AWS:${password.slice(0, -2)}xx`).toString('base64')}` } });
      assert.equal(forged.status, 401);
      const d = await runAws(cli.bin, cl.url, ['ecr', 'describe-repositories', '--repository-names', 'team/web-app']);
      assert.equal(d.status, 0, d.stderr);
      const [repo] = JSON.parse(d.stdout).repositories;
      assert.equal(repo.repositoryUri, `${A}.dkr.ecr.us-east-1.localhost:${port}/team/web-app`);
      assert.deepEqual(repo.encryptionConfiguration.kmsKey.split(':').slice(0, 5), ['arn', 'aws', 'kms', 'us-east-1', A]);
    });
  }
});

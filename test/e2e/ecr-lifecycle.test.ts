// ECR lifecycle policies with @aws-sdk/client-ecr: images pushed through the layer API
// (InitiateLayerUpload/UploadLayerPart/CompleteLayerUpload) and PutImage; PutLifecyclePolicy
// validated; the preview predicts what the policy expires; the policy runs when the cloudlet
// clock moves, and DescribeImages then shows exactly the predicted images gone, their layers too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BatchCheckLayerAvailabilityCommand, CreateRepositoryCommand, DeleteLifecyclePolicyCommand,
  DescribeImagesCommand, ECRClient, GetLifecyclePolicyCommand, GetLifecyclePolicyPreviewCommand,
  PutImageCommand, PutLifecyclePolicyCommand, StartLifecyclePolicyPreviewCommand,
} from '@aws-sdk/client-ecr';
import type { Cloudlet } from '../../src/server/server.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST, expectError, pushBlob, sha } from '../helpers/ecr.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

const ACCOUNT = '111111111111';


const keepNewest = (n: number) => JSON.stringify({
  rules: [{ rulePriority: 1, description: `keep the ${n} newest`, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: n }, action: { type: 'expire' } }],
});

describe('ECR lifecycle policies (SDK, clock)', () => {
  let server: Cloudlet;
  let ecr: ECRClient;

  before(async () => {
    server = await startTestServer();
    ecr = new ECRClient(clientConfig(server.url, 'us-east-1', { accessKeyId: ACCOUNT, secretAccessKey: 'test' }));
    for (const repositoryName of ['keep3', 'rules', 'aging', 'errors']) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
  });
  after(async () => {
    ecr.destroy();
    await server.close();
  });

  const advance = async (by: string): Promise<void> => {
    const r = await fetch(`${server.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: by }) });
    assert.equal(r.status, 200, await r.text());
  };

  const uploadLayer = (repositoryName: string, body: string) => pushBlob(ecr, repositoryName, body);

  /** An image with its own config and layer, pushed with PutImage; returns its digest and its layer's. */
  async function push(repositoryName: string, seed: string, imageTag?: string): Promise<{ digest: string; layer: string }> {
    const config = await uploadLayer(repositoryName, JSON.stringify({ architecture: 'amd64', os: 'linux', seed }));
    const layer = await uploadLayer(repositoryName, `the layer of ${seed} ${'z'.repeat(64)}`);
    const manifest = JSON.stringify({
      schemaVersion: 2, mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, ...config },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', ...layer }],
    });
    const put = await ecr.send(new PutImageCommand({ repositoryName, imageManifest: manifest, imageTag }));
    assert.equal(put.image!.imageId!.imageDigest, sha(manifest));
    return { digest: sha(manifest), layer: layer.digest };
  }

  const described = async (repositoryName: string): Promise<string[]> =>
    ((await ecr.send(new DescribeImagesCommand({ repositoryName }))).imageDetails ?? []).map((d) => d.imageDigest!).sort();

  test('keep the 3 newest: the preview predicts the rest, and after the clock moves exactly those are gone', async () => {
    const pushed: Array<{ digest: string; layer: string }> = [];
    for (let i = 0; i < 6; i++) {
      pushed.push(await push('keep3', `img-${i}`, i % 2 ? `v${i}` : undefined));
      await advance('1m'); // distinct push times, oldest first
    }
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'keep3', lifecyclePolicyText: keepNewest(3) }));
    const start = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'keep3' }));
    assert.equal(start.lifecyclePolicyText, keepNewest(3));
    const preview = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'keep3' }));
    assert.equal(preview.status, 'COMPLETE');
    const predicted = preview.previewResults!.map((r) => r.imageDigest!).sort();
    assert.deepEqual(predicted, pushed.slice(0, 3).map((p) => p.digest).sort(), 'the 3 oldest');
    assert.equal(preview.summary!.expiringImageTotalCount, 3);
    for (const r of preview.previewResults!) {
      assert.deepEqual(r.action, { type: 'EXPIRE' });
      assert.equal(r.appliedRulePriority, 1);
      assert.ok(r.imagePushedAt instanceof Date);
    }
    assert.deepEqual(preview.previewResults!.find((r) => r.imageDigest === pushed[1]!.digest)!.imageTags, ['v1']);

    // The preview expires nothing, and the new policy has not run yet.
    assert.equal((await described('keep3')).length, 6);
    assert.equal((await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'keep3' }))).lastEvaluatedAt, undefined);

    await advance('2d');
    const left = await described('keep3');
    assert.deepEqual(left, pushed.slice(3).map((p) => p.digest).sort());
    assert.deepEqual([...pushed.map((p) => p.digest)].filter((d) => !left.includes(d)).sort(), predicted);
    const got = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'keep3' }));
    assert.ok(got.lastEvaluatedAt instanceof Date, 'lastEvaluatedAt once the policy ran');
    // The expired images' own layers went with them; the kept ones' stay.
    const check = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'keep3', layerDigests: pushed.map((p) => p.layer) }));
    const available = new Set((check.layers ?? []).filter((l) => l.layerAvailability === 'AVAILABLE').map((l) => l.layerDigest));
    assert.deepEqual(pushed.map((p) => available.has(p.layer)), [false, false, false, true, true, true]);
  });

  test('tag patterns by priority, untagged by age, any by count; the preview filter, image ids and pages', async () => {
    const rel1 = await push('rules', 'rel-1', 'release-1');
    await advance('1m');
    const rel2 = await push('rules', 'rel-2', 'release-2');
    await advance('1m');
    await push('rules', 'untagged-1');
    await advance('1m');
    const dev1 = await push('rules', 'dev-1', 'dev-1');
    await advance('1m');
    const dev2 = await push('rules', 'dev-2', 'dev-2');
    await advance('1m');
    await push('rules', 'untagged-2');
    const text = JSON.stringify({ rules: [
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
      { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 }, action: { type: 'expire' } },
      { rulePriority: 5, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } },
    ] });
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'rules', lifecyclePolicyText: text }));
    await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'rules' }));
    const all = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rules' }));
    // Rule 1 keeps release-2; rule 2 marks no untagged image yet (minutes old); rule 5 counts
    // u2, dev2, dev1 | u1, rel2, rel1: u1 is rule 2's, rel2 and rel1 rule 1's: nothing more.
    assert.deepEqual(all.previewResults!.map((r) => [r.imageDigest, r.appliedRulePriority]), [[rel1.digest, 1]]);

    // Four days on: untagged images older than 3 days are rule 2's now.
    await advance('4d');
    assert.deepEqual(await described('rules'), [rel2.digest, dev1.digest, dev2.digest].sort());
    // Three more pushes (no clock move between them): rule 5 now counts dev1 and dev2 past the
    // newest 3; rel2 is rule 1's.
    const dev3 = await push('rules', 'dev-3', 'dev-3');
    const dev4 = await push('rules', 'dev-4', 'dev-4');
    const dev5 = await push('rules', 'dev-5', 'dev-5');
    await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'rules' }));
    const tagged = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rules', filter: { tagStatus: 'TAGGED' }, maxResults: 1 }));
    assert.equal(tagged.previewResults!.length, 1);
    assert.ok(tagged.nextToken);
    const page2 = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rules', filter: { tagStatus: 'TAGGED' }, maxResults: 1, nextToken: tagged.nextToken }));
    assert.deepEqual([...tagged.previewResults!, ...page2.previewResults!].map((r) => [r.imageDigest, r.appliedRulePriority]), [[dev1.digest, 5], [dev2.digest, 5]]);
    assert.equal(page2.nextToken, undefined);
    assert.equal(page2.summary!.expiringImageTotalCount, 2);
    const untagged = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rules', filter: { tagStatus: 'UNTAGGED' } }));
    assert.deepEqual(untagged.previewResults, []);
    assert.equal(untagged.summary!.expiringImageTotalCount, 2, 'the summary is the whole preview');
    const byId = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rules', imageIds: [{ imageTag: 'dev-2' }] }));
    assert.deepEqual(byId.previewResults!.map((r) => r.imageDigest), [dev2.digest]);
    await expectError(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'rules', nextToken: tagged.nextToken })), 'InvalidParameterException', /nextToken/);

    await advance('1s');
    assert.deepEqual(await described('rules'), [rel2.digest, dev3.digest, dev4.digest, dev5.digest].sort());
  });

  test('an age rule falls due as the clock runs: the next request applies it, with no clock move', async () => {
    const img = await push('aging', 'aging-1');
    const text = JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: { type: 'expire' } }] }).padEnd(100, ' ');
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'aging', lifecyclePolicyText: text }));
    const pushedAt = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'aging' }))).imageDetails![0]!.imagePushedAt!.getTime();
    const now = Date.parse(((await (await fetch(`${server.url}/_cloudlet/clock`)).json()) as { now: string }).now);
    // To 1.5 s before the image is a day old (the clock hook runs the policy: too young yet).
    await advance(`${Math.round(pushedAt + 24 * 3600_000 - 1500 - now)}ms`);
    assert.deepEqual(await described('aging'), [img.digest]);
    const ran = (await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'aging' }))).lastEvaluatedAt!;
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(await described('aging'), [], 'DescribeImages first applied the policy, due the moment the image turned a day old');
    const again = (await ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'aging' }))).lastEvaluatedAt!;
    assert.ok(again.getTime() > ran.getTime());
  });

  test('PutLifecyclePolicy validates the rule grammar; Get and Delete without a policy; the preview without one', async () => {
    const bad = async (rules: unknown[], message: RegExp) => expectError(
      ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'errors', lifecyclePolicyText: JSON.stringify({ rules }).padEnd(100, ' ') })),
      'InvalidParameterException', message);
    const sel = { countType: 'imageCountMoreThan', countNumber: 1 };
    await bad([{ rulePriority: 1, selection: { tagStatus: 'tagged', ...sel }, action: { type: 'expire' } }],
      /^Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: .*tagPrefixList or a tagPatternList'$/);
    await bad([{ rulePriority: 1, selection: { tagStatus: 'any', ...sel }, action: { type: 'expire' } },
      { rulePriority: 2, selection: { tagStatus: 'tagged', tagPrefixList: ['v'], ...sel }, action: { type: 'expire' } }], /tagStatus 'any': it must have the highest rulePriority/);
    await bad([{ rulePriority: 1, selection: { tagStatus: 'any', ...sel, countUnit: 'days' }, action: { type: 'expire' } }], /countUnit is only used with sinceImagePushed/);
    await bad([{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 0 }, action: { type: 'expire' } }], /minimum: 1, found: 0/);
    await bad([{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['a*b*c*d*e*f'], ...sel }, action: { type: 'expire' } }], /more than 4 wildcards/);

    await expectError(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'errors' })), 'LifecyclePolicyNotFoundException',
      /^Lifecycle policy does not exist for the repository with name 'errors' in the registry with id '111111111111'$/);
    await expectError(ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'errors' })), 'LifecyclePolicyNotFoundException');
    await expectError(ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'errors' })), 'LifecyclePolicyNotFoundException');
    await expectError(ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'errors' })), 'LifecyclePolicyPreviewNotFoundException');
    await expectError(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'nope' })), 'RepositoryNotFoundException');

    // A preview of a policy text not yet put; then put, get, delete.
    const start = await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: 'errors', lifecyclePolicyText: keepNewest(5) }));
    assert.equal(start.status, 'IN_PROGRESS');
    assert.equal((await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: 'errors' }))).status, 'COMPLETE');
    await expectError(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'errors' })), 'LifecyclePolicyNotFoundException');
    const put = await ecr.send(new PutLifecyclePolicyCommand({ repositoryName: 'errors', lifecyclePolicyText: keepNewest(5) }));
    assert.deepEqual([put.registryId, put.repositoryName, put.lifecyclePolicyText], [ACCOUNT, 'errors', keepNewest(5)]);
    const del = await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'errors' }));
    assert.equal(del.lifecyclePolicyText, keepNewest(5));
    await expectError(ecr.send(new GetLifecyclePolicyCommand({ repositoryName: 'errors' })), 'LifecyclePolicyNotFoundException');
  });
});

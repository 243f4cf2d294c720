// The seeds' credential story for images: a program run "on" an instance (`cloudlet exec`) pulls
// from ECR with the instance profile role's credentials, fetched from IMDS by the AWS CLI — no
// stored keys. The role policy decides: with ecr:BatchGetImage the pull works, without it the
// registry answers DENIED naming the action.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { AddRoleToInstanceProfileCommand, CreateInstanceProfileCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Cloudlet } from '../../src/server/server.js';
import { pushBlob, sha } from '../helpers/ecr.js';
import { runCli } from '../helpers/process.js';
import { clientConfig, startTestServer } from '../helpers/server.js';
import { needTool } from '../helpers/tools.js';

const REGION = 'us-east-1';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const policy = (actions: string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Pull', Effect: 'Allow', Action: actions, Resource: '*' }] });

let cl: Cloudlet;
let ecr: ECRClient;
let ec2: EC2Client;
let iam: IAMClient;
let subnetId = '';
let work = '';
let layerDigest = '';

/** Pushes one image (one gzip layer, a config) through the ECR API; returns its manifest digest. */
async function pushImage(repo: string, tag: string): Promise<string> {
  const layer = gzipSync(Buffer.from(`layer of ${repo}:${tag}\n`.repeat(100)));
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } }));
  for (const blob of [layer, config]) await pushBlob(ecr, repo, blob);
  layerDigest = sha(layer);
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }],
  });
  const r = await ecr.send(new PutImageCommand({ repositoryName: repo, imageTag: tag, imageManifest: manifest }));
  return r.image!.imageId!.imageDigest!;
}

/** A running instance whose profile's role has an inline policy allowing `actions`. */
async function instanceWith(name: string, actions: string[]): Promise<string> {
  await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST }));
  await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'ecr', PolicyDocument: policy(actions) }));
  const p = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
  await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-2023*'] }, { Name: 'architecture', Values: ['x86_64'] }] }));
  const r = await ec2.send(new RunInstancesCommand({
    ImageId: images.Images![0]!.ImageId!, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnetId,
    IamInstanceProfile: { Arn: p.InstanceProfile!.Arn! }, MetadataOptions: { HttpTokens: 'required' },
  }));
  return r.Instances![0]!.InstanceId!;
}

/** On the instance: the AWS CLI v2 gets a registry password with the role's credentials, skopeo pulls with it. */
function pullOn(instanceId: string, ref: string, dest: string) {
  const script = 'set -e; pw="$(/usr/bin/aws --endpoint-url "$CLOUDLET_URL" ecr get-login-password)"; ' +
    'skopeo copy --src-tls-verify=false --src-creds "AWS:$pw" "docker://$REF" "dir:$DEST"';
  return runCli(['exec', instanceId, '--endpoint', cl.url, '--region', REGION, '--', 'env', `CLOUDLET_URL=${cl.url}`, `REF=${ref}`, `DEST=${dest}`, 'sh', '-c', script], {
    AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '',
  });
}

describe('ECR pull from an instance through cloudlet exec', { skip: needTool(['skopeo', 'aws2']) }, () => {
  before(async () => {
    cl = await startTestServer();
    ecr = new ECRClient(clientConfig(cl.url));
    ec2 = new EC2Client(clientConfig(cl.url));
    iam = new IAMClient(clientConfig(cl.url));
    const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.30.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!;
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
    work = await mkdtemp(join(tmpdir(), 'cloudlet-ecr-exec-'));
  });
  after(async () => {
    await cl?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  test('a profile allowing the pull actions pulls the image; one without ecr:BatchGetImage is denied by name', async () => {
    const digest = await pushImage('app', 'v1');
    const port = new URL(cl.url).port;
    const puller = await instanceWith('puller', ['ecr:GetAuthorizationToken', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    const ok = await pullOn(puller, `127.0.0.1:${port}/app:v1`, join(work, 'ok'));
    assert.equal(ok.code, 0, ok.stderr);
    const files = await readdir(join(work, 'ok'));
    assert.ok(files.includes(layerDigest.slice(7)), `the layer was pulled: ${files.join(', ')}`);
    assert.equal(sha(await readFile(join(work, 'ok', 'manifest.json'))), digest, 'the pulled manifest is the pushed one, byte for byte');

    const tokenOnly = await instanceWith('token-only', ['ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer']);
    const denied = await pullOn(tokenOnly, `127.0.0.1:${port}/app:v1`, join(work, 'denied'));
    assert.notEqual(denied.code, 0, 'the pull must fail');
    assert.match(denied.stderr, /denied|DENIED/);
    assert.match(denied.stderr, /ecr:BatchGetImage/);
  });
});

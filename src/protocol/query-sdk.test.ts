/**
 * The query / ec2 codecs against @aws-sdk/client-* v3, in-process: a custom request handler
 * hands each request to the codec, so nothing leaves the process. botocore: query-botocore.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AutoScalingClient, CreateAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, PutScheduledUpdateGroupActionCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeInstancesCommand, EC2Client, ImportKeyPairCommand, RunInstancesCommand, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetTopicAttributesCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsError } from '../core/errors.js';
import type { ProtocolCodec, WireRequest, WireResponse } from './codec.js';
import { loadModel, type ServiceModel } from './models.js';
import { ec2Codec, queryCodec } from './query.js';

interface SdkRequest {
  method: string;
  hostname: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function toWire(req: SdkRequest): WireRequest {
  const query = Object.entries(req.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x ?? '')}`))
    .join('&');
  const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const body = req.body === undefined ? Buffer.alloc(0) : Buffer.from(req.body as string | Uint8Array);
  return { method: req.method, path: req.path, query, headers, body, host: req.hostname };
}

type Client = { send(command: unknown): Promise<unknown> };
type ClientClass = new (config: object) => Client;

/** Sends `command` through a client whose transport hands the request to `respond`. */
async function exchange(Client: ClientClass, command: unknown, respond: (req: WireRequest) => WireResponse) {
  let captured: WireRequest | undefined;
  const requestHandler = {
    handle: async (request: SdkRequest) => {
      captured = toWire(request);
      const res = respond(captured);
      // Node's http client hands the SDK lower-cased header names.
      const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), v]));
      return { response: { statusCode: res.status, headers, body: res.body } };
    },
  };
  const client = new Client({
    region: 'us-east-1', endpoint: 'http://127.0.0.1:1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler, maxAttempts: 1,
  });
  try {
    const result = await client.send(command);
    return { request: captured, result, error: undefined as unknown };
  } catch (error) {
    return { request: captured, result: undefined, error };
  }
}

/** Byte arrays compare as Buffers; everything else as is. */
function norm(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (v instanceof Date || v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(norm);
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, norm(x)]));
}

const models: Record<string, ServiceModel> = {};
const model = (uid: string) => (models[uid] ??= loadModel(uid));

/** The client serialises `input`; our codec must decode exactly that input back. */
async function requestRoundTrip(Client: ClientClass, Command: new (input: never) => unknown, input: object, uid: string, codec: ProtocolCodec) {
  const m = model(uid);
  const { request, error } = await exchange(Client, new Command(input as never), (req) => {
    const op = m.operation(codec.resolveOperation(req, m))!;
    return codec.serializeOutput(m, op, {}, { requestId: 'rid' });
  });
  assert.equal(error, undefined);
  const op = m.operation(codec.resolveOperation(request!, m))!;
  assert.deepStrictEqual(codec.parseInput(request!, m, op), norm(input));
}

/** Our codec serialises `output`; the client must deserialise exactly that output. */
async function responseRoundTrip(Client: ClientClass, command: unknown, output: object, uid: string, codec: ProtocolCodec) {
  const m = model(uid);
  const { result, error } = await exchange(Client, command, (req) => {
    const op = m.operation(codec.resolveOperation(req, m))!;
    return codec.serializeOutput(m, op, output, { requestId: 'rid-42' });
  });
  assert.equal(error, undefined);
  const { $metadata, ...rest } = result as { $metadata: { requestId?: string; httpStatusCode?: number } };
  assert.equal($metadata.requestId, 'rid-42');
  assert.equal($metadata.httpStatusCode, 200);
  assert.deepStrictEqual(norm(rest), norm(output));
}

async function errorRoundTrip(Client: ClientClass, command: unknown, err: AwsError, uid: string, codec: ProtocolCodec) {
  const m = model(uid);
  const { error } = await exchange(Client, command, () => codec.serializeError(m, err, { requestId: 'err-7' }));
  return error as Error & { $metadata: { requestId?: string; httpStatusCode?: number }; $fault?: string };
}

const day = (iso: string) => new Date(iso);

describe('@aws-sdk/client-* request serialisation is decoded to the same input', () => {
  it('EC2 RunInstances with TagSpecifications, BlockDeviceMappings, booleans', () =>
    requestRoundTrip(EC2Client, RunInstancesCommand, {
      ImageId: 'ami-12345678', MinCount: 1, MaxCount: 3, InstanceType: 't3.micro', ClientToken: 'tok-1', DryRun: false,
      SecurityGroupIds: ['sg-1', 'sg-2'], UserData: Buffer.from('#!/bin/sh\necho hi').toString('base64'),
      BlockDeviceMappings: [
        { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 20, VolumeType: 'gp3', DeleteOnTermination: true, Encrypted: false, Iops: 3000 } },
        { DeviceName: '/dev/sdb', NoDevice: '' },
      ],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'Name', Value: 'web & api' }, { Key: 'env', Value: 'prod=1' }] },
        { ResourceType: 'volume', Tags: [{ Key: 'k', Value: '' }] },
      ],
      NetworkInterfaces: [{ DeviceIndex: 0, AssociatePublicIpAddress: true, Groups: ['sg-3'], PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.0.0.5' }] }],
      Placement: { AvailabilityZone: 'us-east-1a' },
      Monitoring: { Enabled: true },
    }, 'ec2-2016-11-15', ec2Codec));

  it('EC2 DescribeInstances with Filters, and ImportKeyPair with a blob', async () => {
    await requestRoundTrip(EC2Client, DescribeInstancesCommand, {
      Filters: [{ Name: 'tag:Name', Values: ['a', 'b c'] }, { Name: 'instance-state-name', Values: ['running'] }],
      InstanceIds: ['i-1', 'i-2'], MaxResults: 50, NextToken: 'n/t+==',
    }, 'ec2-2016-11-15', ec2Codec);
    await requestRoundTrip(EC2Client, ImportKeyPairCommand, {
      KeyName: 'k', PublicKeyMaterial: Buffer.from('ssh-ed25519 AAAA test\u0000\u00ff'),
      TagSpecifications: [{ ResourceType: 'key-pair', Tags: [{ Key: 'a', Value: 'b' }] }],
    }, 'ec2-2016-11-15', ec2Codec);
  });

  it('IAM CreateRole with Tags and PutRolePolicy', async () => {
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    await requestRoundTrip(IAMClient, CreateRoleCommand, {
      RoleName: 'app-role', Path: '/svc/', AssumeRolePolicyDocument: doc, Description: 'ünïcode ¡', MaxSessionDuration: 7200,
      Tags: [{ Key: 'team', Value: 'core' }, { Key: 'cost', Value: '42' }],
    }, 'iam-2010-05-08', queryCodec);
    await requestRoundTrip(IAMClient, CreateRoleCommand, { RoleName: 'r', AssumeRolePolicyDocument: doc, Tags: [] }, 'iam-2010-05-08', queryCodec);
    await requestRoundTrip(IAMClient, PutRolePolicyCommand, { RoleName: 'app-role', PolicyName: 'p', PolicyDocument: doc }, 'iam-2010-05-08', queryCodec);
  });

  it('SNS Publish with a MessageAttributes map (string and binary values)', () =>
    requestRoundTrip(SNSClient, PublishCommand, {
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: 'hello\nworld', Subject: 's',
      MessageAttributes: {
        color: { DataType: 'String', StringValue: 'blue' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 253, 254, 255]) },
      },
    }, 'sns-2010-03-31', queryCodec));

  it('STS AssumeRole with PolicyArns, Tags and TransitiveTagKeys', () =>
    requestRoundTrip(STSClient, AssumeRoleCommand, {
      RoleArn: 'arn:aws:iam::000000000000:role/r', RoleSessionName: 'sess', DurationSeconds: 900,
      PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }, { arn: 'arn:aws:iam::000000000000:policy/p' }],
      Tags: [{ Key: 'a', Value: '1' }], TransitiveTagKeys: ['a'], ExternalId: 'ext',
    }, 'sts-2011-06-15', queryCodec));

  it('AutoScaling CreateAutoScalingGroup (nested structures) and scheduled actions (timestamps)', async () => {
    await requestRoundTrip(AutoScalingClient, CreateAutoScalingGroupCommand, {
      AutoScalingGroupName: 'asg', MinSize: 0, MaxSize: 4, DesiredCapacity: 2, NewInstancesProtectedFromScaleIn: true,
      VPCZoneIdentifier: 'subnet-1,subnet-2', HealthCheckGracePeriod: 300,
      MixedInstancesPolicy: {
        LaunchTemplate: {
          LaunchTemplateSpecification: { LaunchTemplateName: 'ltx', Version: '$Latest' },
          Overrides: [{ InstanceType: 't3.small', WeightedCapacity: '1' }, { InstanceType: 't3.large', WeightedCapacity: '2' }],
        },
        InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 50, SpotAllocationStrategy: 'capacity-optimized' },
      },
      Tags: [{ Key: 'k', Value: 'v', PropagateAtLaunch: true, ResourceId: 'asg', ResourceType: 'auto-scaling-group' }],
    }, 'autoscaling-2011-01-01', queryCodec);
    await requestRoundTrip(AutoScalingClient, PutScheduledUpdateGroupActionCommand, {
      AutoScalingGroupName: 'asg', ScheduledActionName: 'nightly', StartTime: day('2026-11-23T10:00:00.123Z'),
      EndTime: day('2027-01-01T00:00:00Z'), Recurrence: '0 2 * * *', MinSize: 0,
    }, 'autoscaling-2011-01-01', queryCodec);
  });

  it('ELBv2 CreateLoadBalancer with subnet mappings and tags', () =>
    requestRoundTrip(ElasticLoadBalancingV2Client, CreateLoadBalancerCommand, {
      Name: 'lb', Subnets: ['subnet-1', 'subnet-2'], SecurityGroups: ['sg-1'], Scheme: 'internal', Type: 'application',
      SubnetMappings: [{ SubnetId: 'subnet-3', AllocationId: 'eipalloc-1' }], Tags: [{ Key: 'k', Value: 'v' }],
    }, 'elasticloadbalancingv2-2015-12-01', queryCodec));
});

describe('our responses are deserialised by @aws-sdk/client-* to the same output', () => {
  it('EC2 DescribeInstances reservations with nested items', () =>
    responseRoundTrip(EC2Client, new DescribeInstancesCommand({}), {
      Reservations: [{
        ReservationId: 'r-1', OwnerId: '000000000000', Groups: [],
        Instances: [{
          InstanceId: 'i-1', ImageId: 'ami-1', InstanceType: 't3.micro', LaunchTime: day('2026-11-23T10:00:00.000Z'),
          State: { Code: 16, Name: 'running' }, PrivateIpAddress: '10.0.0.5', EbsOptimized: false, AmiLaunchIndex: 0,
          Placement: { AvailabilityZone: 'us-east-1a', Tenancy: 'default' }, Monitoring: { State: 'disabled' },
          Tags: [{ Key: 'Name', Value: '<web> & "api"' }],
          SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'default' }],
          BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1', Status: 'attached', DeleteOnTermination: true, AttachTime: day('2026-11-23T10:00:01.500Z') } }],
          NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: '10.0.0.5' }], Groups: [{ GroupId: 'sg-1', GroupName: 'default' }] }],
        }],
      }],
      NextToken: 'next',
    }, 'ec2-2016-11-15', ec2Codec));

  it('EC2 TerminateInstances state changes', () =>
    responseRoundTrip(EC2Client, new TerminateInstancesCommand({ InstanceIds: ['i-1'] }), {
      TerminatingInstances: [{ InstanceId: 'i-1', CurrentState: { Code: 32, Name: 'shutting-down' }, PreviousState: { Code: 16, Name: 'running' } }],
    }, 'ec2-2016-11-15', ec2Codec));

  it('IAM ListRoles with dates, tags and RoleLastUsed; GetRole', async () => {
    const role = {
      Path: '/', RoleName: 'r', RoleId: 'AROA0000000000000000', Arn: 'arn:aws:iam::000000000000:role/r',
      CreateDate: day('2026-11-23T10:00:00.000Z'), AssumeRolePolicyDocument: '%7B%7D', Description: 'd', MaxSessionDuration: 3600,
      Tags: [{ Key: 'k', Value: 'v' }], RoleLastUsed: { LastUsedDate: day('2026-11-24T00:00:00.000Z'), Region: 'us-east-1' },
    };
    await responseRoundTrip(IAMClient, new ListRolesCommand({}), { Roles: [role, { ...role, RoleName: 'r2', Tags: [] }], IsTruncated: true, Marker: 'm' }, 'iam-2010-05-08', queryCodec);
    await responseRoundTrip(IAMClient, new ListRolesCommand({}), { Roles: [], IsTruncated: false }, 'iam-2010-05-08', queryCodec);
    await responseRoundTrip(IAMClient, new GetRoleCommand({ RoleName: 'r' }), { Role: role }, 'iam-2010-05-08', queryCodec);
  });

  it('STS GetCallerIdentity and AssumeRole credentials', async () => {
    await responseRoundTrip(STSClient, new GetCallerIdentityCommand({}), { UserId: 'AIDA000', Account: '000000000000', Arn: 'arn:aws:iam::000000000000:user/u' }, 'sts-2011-06-15', queryCodec);
    await responseRoundTrip(STSClient, new AssumeRoleCommand({ RoleArn: 'arn:aws:iam::000000000000:role/r', RoleSessionName: 's' }), {
      Credentials: { AccessKeyId: 'ASIA000', SecretAccessKey: 'secret', SessionToken: 'tok', Expiration: day('2026-11-23T11:00:00.000Z') },
      AssumedRoleUser: { AssumedRoleId: 'AROA:s', Arn: 'arn:aws:sts::000000000000:assumed-role/r/s' }, PackedPolicySize: 6,
    }, 'sts-2011-06-15', queryCodec);
  });

  it('SNS GetTopicAttributes map and AutoScaling groups', async () => {
    await responseRoundTrip(SNSClient, new GetTopicAttributesCommand({ TopicArn: 'arn:t' }), {
      Attributes: { TopicArn: 'arn:t', Policy: '{"a":"<&>"}', DisplayName: '' },
    }, 'sns-2010-03-31', queryCodec);
    await responseRoundTrip(AutoScalingClient, new DescribeAutoScalingGroupsCommand({}), {
      AutoScalingGroups: [{
        AutoScalingGroupName: 'asg', AutoScalingGroupARN: 'arn:asg', MinSize: 0, MaxSize: 2, DesiredCapacity: 1, DefaultCooldown: 300,
        AvailabilityZones: ['us-east-1a'], HealthCheckType: 'EC2', CreatedTime: day('2026-11-23T10:00:00.000Z'),
        Instances: [{ InstanceId: 'i-1', AvailabilityZone: 'us-east-1a', LifecycleState: 'InService', HealthStatus: 'Healthy', ProtectedFromScaleIn: false }],
        Tags: [{ Key: 'k', Value: 'v', PropagateAtLaunch: true, ResourceId: 'asg', ResourceType: 'auto-scaling-group' }],
        NewInstancesProtectedFromScaleIn: false,
      }],
    }, 'autoscaling-2011-01-01', queryCodec);
  });

  it('ELBv2 DescribeLoadBalancers', () =>
    responseRoundTrip(ElasticLoadBalancingV2Client, new DescribeLoadBalancersCommand({}), {
      LoadBalancers: [{
        LoadBalancerArn: 'arn:lb', DNSName: 'lb.local', CanonicalHostedZoneId: 'Z1', CreatedTime: day('2026-11-23T10:00:00.000Z'),
        LoadBalancerName: 'lb', Scheme: 'internet-facing', VpcId: 'vpc-1', State: { Code: 'active' }, Type: 'application',
        AvailabilityZones: [{ ZoneName: 'us-east-1a', SubnetId: 'subnet-1', LoadBalancerAddresses: [{ IpAddress: '10.0.0.9' }] }],
        SecurityGroups: ['sg-1'], IpAddressType: 'ipv4',
      }],
    }, 'elasticloadbalancingv2-2015-12-01', queryCodec));
});

describe('our errors are parsed by @aws-sdk/client-* into the right exceptions', () => {
  it('IAM NoSuchEntity becomes NoSuchEntityException', async () => {
    const e = await errorRoundTrip(IAMClient, new GetRoleCommand({ RoleName: 'x' }),
      new AwsError('NoSuchEntity', 'The role with name x cannot be found.', 404), 'iam-2010-05-08', queryCodec);
    assert.equal(e.name, 'NoSuchEntityException');
    assert.equal(e.message, 'The role with name x cannot be found.');
    assert.equal(e.$metadata.requestId, 'err-7');
    assert.equal(e.$metadata.httpStatusCode, 404);
    assert.equal(e.$fault, 'client');
  });

  it('an unmodelled query error keeps its code as the name', async () => {
    const e = await errorRoundTrip(STSClient, new GetCallerIdentityCommand({}),
      new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403), 'sts-2011-06-15', queryCodec);
    assert.equal(e.name, 'InvalidClientTokenId');
    assert.equal(e.message, 'The security token included in the request is invalid.');
    assert.equal(e.$metadata.requestId, 'err-7');
  });

  it('EC2 errors keep their dotted code as the name; 5xx is a server fault', async () => {
    const e = await errorRoundTrip(EC2Client, new DescribeInstancesCommand({ InstanceIds: ['i-1'] }),
      new AwsError('InvalidInstanceID.NotFound', "The instance ID 'i-1' does not exist"), 'ec2-2016-11-15', ec2Codec);
    assert.equal(e.name, 'InvalidInstanceID.NotFound');
    assert.equal(e.message, "The instance ID 'i-1' does not exist");
    assert.equal(e.$metadata.requestId, 'err-7');
    assert.equal(e.$metadata.httpStatusCode, 400);
    const f = await errorRoundTrip(EC2Client, new DescribeInstancesCommand({}),
      new AwsError('InternalError', 'An internal error has occurred', 500), 'ec2-2016-11-15', ec2Codec);
    assert.equal(f.name, 'InternalError');
    assert.equal(f.$fault, 'server');
    assert.equal(f.$metadata.httpStatusCode, 500);
  });
});

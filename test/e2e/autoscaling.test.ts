import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AutoScalingClient, CreateAutoScalingGroupCommand, DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand,
  DescribeScalingActivitiesCommand, ExecutePolicyCommand, PutScalingPolicyCommand, SetDesiredCapacityCommand, UpdateAutoScalingGroupCommand,
  CompleteLifecycleActionCommand, PutLifecycleHookCommand, PutScheduledUpdateGroupActionCommand, DescribeScheduledActionsCommand, SuspendProcessesCommand,
  ResumeProcessesCommand, TerminateInstanceInAutoScalingGroupCommand, PutNotificationConfigurationCommand, StartInstanceRefreshCommand, DescribeInstanceRefreshesCommand, type Activity,
} from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  AttachInternetGatewayCommand, AuthorizeSecurityGroupIngressCommand, CreateInternetGatewayCommand, CreateLaunchTemplateCommand, CreateRouteCommand,
  CreateSecurityGroupCommand, CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, DescribeInstancesCommand, DescribeRouteTablesCommand,
  EC2Client, ModifyInstanceAttributeCommand, TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

describe('Auto Scaling groups on the clock', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let asg: AutoScalingClient;
  let cw: CloudWatchClient;
  let ami = '';
  let subnets: string[] = [];
  let lt = '';
  let vpc = '';

  const advance = async (d: string) => {
    const r = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: d }) });
    assert.equal(r.status, 200);
  };
  const group = async (name: string) => (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [name] }))).AutoScalingGroups![0]!;
  const activities = async (name: string): Promise<Activity[]> =>
    (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: name }))).Activities!;
  const running = async (name: string) => {
    const r = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'tag:aws:autoscaling:groupName', Values: [name] }, { Name: 'instance-state-name', Values: ['running'] }] }));
    return (r.Reservations ?? []).flatMap((x) => x.Instances ?? []);
  };

  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    asg = new AutoScalingClient(clientConfig(cl.url));
    cw = new CloudWatchClient(clientConfig(cl.url));
    const imgs = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-kernel-6.1-x86_64'] }] }))).Images!;
    ami = imgs.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0]!.ImageId!;
    vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    subnets = [
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.30.1.0/24', AvailabilityZone: 'us-east-1a' }))).Subnet!.SubnetId!,
      (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: '10.30.2.0/24', AvailabilityZone: 'us-east-1b' }))).Subnet!.SubnetId!,
    ];
    lt = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'web', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', Monitoring: { Enabled: true } } }))).LaunchTemplate!.LaunchTemplateId!;
  });
  after(async () => { await cl.close(); });

  test('min 2, desired 3, max 6 over two zones: launched on the clock, a hand-terminated instance replaced, SetDesiredCapacity 6', async () => {
    await rejects(asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'bad', MinSize: 2, MaxSize: 6, DesiredCapacity: 7, LaunchTemplate: { LaunchTemplateId: lt }, VPCZoneIdentifier: subnets.join(','),
    })), 'ValidationError', 400, /Desired capacity:7 must be between the specified min size:2 and max size:6/);
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web', MinSize: 2, MaxSize: 6, DesiredCapacity: 3, LaunchTemplate: { LaunchTemplateId: lt, Version: '$Latest' },
      VPCZoneIdentifier: subnets.join(','), Tags: [{ Key: 'app', Value: 'web', PropagateAtLaunch: true }, { Key: 'team', Value: 'x', PropagateAtLaunch: false }],
    }));
    await rejects(asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'web', MinSize: 1, MaxSize: 1, LaunchTemplate: { LaunchTemplateId: lt }, VPCZoneIdentifier: subnets[0],
    })), 'AlreadyExistsFault', 400);
    await advance('1m');
    let g = await group('web');
    assert.equal(g.Instances!.length, 3);
    assert.ok(g.Instances!.every((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy'));
    assert.deepEqual(new Set(g.Instances!.map((i) => i.AvailabilityZone)), new Set(['us-east-1a', 'us-east-1b']));
    const inst = await running('web');
    assert.equal(inst.length, 3);
    const tags = new Map(inst[0]!.Tags!.map((t) => [t.Key, t.Value]));
    assert.equal(tags.get('app'), 'web', 'PropagateAtLaunch');
    assert.equal(tags.has('team'), false);
    let acts = await activities('web');
    assert.equal(acts.length, 3);
    assert.match(acts[0]!.Cause!, /^At \S+Z a user request created an AutoScalingGroup changing the desired capacity from 0 to 3\.  At \S+Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 0 to 3\.$/);
    assert.match(acts[0]!.Description!, /^Launching a new EC2 instance: i-[0-9a-f]{17}$/);

    // Terminated by hand: the group notices (EC2 health check) and launches a replacement.
    const victim = g.Instances![0]!.InstanceId!;
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [victim] }));
    await advance('2m');
    g = await group('web');
    assert.equal(g.Instances!.length, 3);
    assert.ok(!g.Instances!.some((i) => i.InstanceId === victim));
    acts = await activities('web');
    const term = acts.find((a) => a.Description === `Terminating EC2 instance: ${victim}`)!;
    assert.match(term.Cause!, /an instance was taken out of service in response to an EC2 health check indicating it has been terminated or stopped\./);
    assert.match(acts[0]!.Cause!, /increasing the capacity from 2 to 3\.$/);

    await rejects(asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 7 })), 'ValidationError', 400);
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'web', DesiredCapacity: 6 }));
    await advance('1m');
    g = await group('web');
    assert.equal(g.Instances!.filter((i) => i.LifecycleState === 'InService').length, 6);
    const perZone = new Map<string, number>();
    for (const i of g.Instances!) perZone.set(i.AvailabilityZone!, (perZone.get(i.AvailabilityZone!) ?? 0) + 1);
    assert.deepEqual([...perZone.values()], [3, 3]);
    assert.match((await activities('web'))[0]!.Cause!, /a user request explicitly set group desired capacity changing the desired capacity from 3 to 6\./);
  });

  test('a simple policy executed with HonorCooldown waits out its cooldown; a step policy takes the step for the breach', async () => {
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'web', MinSize: 2, MaxSize: 6, DesiredCapacity: 3 }));
    await advance('1m');
    assert.equal((await group('web')).Instances!.length, 3);
    assert.match((await activities('web'))[0]!.Cause!, /a user request update of AutoScalingGroup constraints to min: 2, max: 6, desired: 3 changing the desired capacity from 6 to 3\.  At \S+ an instance was taken out of service in response to a difference between desired and actual capacity, shrinking the capacity from 6 to 3\.  At \S+ instance i-\w+ was selected for termination\./);
    await asg.send(new PutScalingPolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'add-one', PolicyType: 'SimpleScaling', AdjustmentType: 'ChangeInCapacity', ScalingAdjustment: 1, Cooldown: 300 }));
    await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'add-one', HonorCooldown: true }));
    assert.equal((await group('web')).DesiredCapacity, 4);
    await rejects(asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'add-one', HonorCooldown: true })), 'ScalingActivityInProgressFault', 400);
    await advance('6m');
    await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'add-one', HonorCooldown: true }));
    assert.equal((await group('web')).DesiredCapacity, 5);
    await advance('1m');
    assert.match((await activities('web'))[0]!.Cause!, /a user request executed policy add-one changing the desired capacity from 4 to 5\./);

    await asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'web', PolicyName: 'steps', PolicyType: 'StepScaling', AdjustmentType: 'ExactCapacity',
      StepAdjustments: [{ MetricIntervalUpperBound: 20, ScalingAdjustment: 2 }, { MetricIntervalLowerBound: 20, ScalingAdjustment: 6 }],
    }));
    await asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'steps', MetricValue: 60, BreachThreshold: 70 }));
    assert.equal((await group('web')).DesiredCapacity, 2);
    await rejects(asg.send(new ExecutePolicyCommand({ AutoScalingGroupName: 'web', PolicyName: 'steps' })), 'ValidationError', 400);
  });

  test('target tracking at 60% CPU creates its AlarmHigh (3 of 3) and AlarmLow (15 of 15) alarms', async () => {
    const r = await asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'web', PolicyName: 'cpu60', PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 60 },
    }));
    assert.equal(r.Alarms!.length, 2);
    assert.match(r.Alarms![0]!.AlarmName!, /^TargetTracking-web-AlarmHigh-[0-9a-f-]{36}$/);
    assert.match(r.Alarms![1]!.AlarmName!, /^TargetTracking-web-AlarmLow-[0-9a-f-]{36}$/);
    const p = (await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'web', PolicyNames: ['cpu60'] }))).ScalingPolicies![0]!;
    assert.equal(p.Alarms!.length, 2);
    const alarms = (await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-web-' }))).MetricAlarms ?? [];
    assert.equal(alarms.length, 2, 'the alarms are CloudWatch alarms');
    {
      const high = alarms.find((a) => a.AlarmName!.includes('AlarmHigh'))!;
      const low = alarms.find((a) => a.AlarmName!.includes('AlarmLow'))!;
      assert.equal(high.Threshold, 60); assert.equal(high.EvaluationPeriods, 3); assert.equal(high.ComparisonOperator, 'GreaterThanThreshold');
      assert.equal(low.Threshold, 54); assert.equal(low.EvaluationPeriods, 15); assert.equal(low.ComparisonOperator, 'LessThanThreshold');
      assert.deepEqual(high.AlarmActions, [p.PolicyARN]);
      assert.equal(high.MetricName, 'CPUUtilization');
    }
  });

  test('the loop: load on the group raises CPU, AlarmHigh fires, target tracking scales out to max; load falls, AlarmLow scales in', async () => {
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'cpu', MinSize: 1, MaxSize: 4, DesiredCapacity: 2, LaunchTemplate: { LaunchTemplateName: 'web' }, VPCZoneIdentifier: subnets.join(','),
    }));
    await asg.send(new PutScalingPolicyCommand({
      AutoScalingGroupName: 'cpu', PolicyName: 'cpu50', PolicyType: 'TargetTrackingScaling',
      TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: 'ASGAverageCPUUtilization' }, TargetValue: 50 },
    }));
    await advance('1m');
    assert.equal((await group('cpu')).Instances!.length, 2);
    const account = (await group('cpu')).AutoScalingGroupARN!.split(':')[4];
    const load = async (cpu: string) => {
      const r = await fetch(`${cl.url}/_cloudlet/load`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ account, region: 'us-east-1', target: 'asg:cpu', cpu }) });
      assert.equal(r.status, 200, await r.text());
    };
    await load('90%');
    await advance('6m');
    let g = await group('cpu');
    assert.equal(g.DesiredCapacity, 4);
    assert.equal(g.Instances!.length, 4);
    const out = (await activities('cpu')).find((a) => /a monitor alarm TargetTracking-cpu-AlarmHigh-\S+ in state ALARM triggered policy cpu50 changing the desired capacity from 2 to 4\./.test(a.Cause!));
    assert.ok(out, 'the activity names the alarm and the policy');
    await load('10%');
    await advance('20m');
    g = await group('cpu');
    assert.equal(g.DesiredCapacity, 1);
    assert.equal(g.Instances!.length, 1);
    assert.match((await activities('cpu'))[0]!.Cause!, /AlarmLow-\S+ in state ALARM triggered policy cpu50 changing the desired capacity from 4 to 1\./);
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'cpu', ForceDelete: true }));
  });

  test('target groups: members registered and healthy; blocked health checks replace instances only with HealthCheckType ELB', async () => {
    const elb = new ElasticLoadBalancingV2Client(clientConfig(cl.url));
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
    const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc] }] }))).RouteTables![0]!.RouteTableId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    const albSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'alb', Description: 'alb', VpcId: vpc }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: albSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    const appSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpc }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: appSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: albSg }] }] }));
    const sshOnly = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ssh', Description: 'ssh', VpcId: vpc }))).GroupId!;
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'front', Subnets: subnets, SecurityGroups: [albSg] }))).LoadBalancers![0]!;
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'app', Protocol: 'HTTP', Port: 80, VpcId: vpc, HealthCheckIntervalSeconds: 10 }))).TargetGroups![0]!.TargetGroupArn!;
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb.LoadBalancerArn!, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] }));
    await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'app', LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', SecurityGroupIds: [appSg] } }));
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'behind', MinSize: 2, MaxSize: 4, DesiredCapacity: 2, LaunchTemplate: { LaunchTemplateName: 'app' },
      VPCZoneIdentifier: subnets.join(','), TargetGroupARNs: [tg], HealthCheckGracePeriod: 0,
    }));
    await advance('3m');
    const health = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!;
    let h = await health();
    const ids = (await group('behind')).Instances!.map((i) => i.InstanceId!).sort();
    assert.deepEqual(h.map((x) => x.Target!.Id!).sort(), ids, 'the group registered its instances');
    assert.deepEqual(h.map((x) => x.TargetHealth!.State), ['healthy', 'healthy']);
    // Blocked: unhealthy in the target group, but an EC2 health check group keeps the instance.
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: ids[0]!, Groups: [sshOnly] }));
    await advance('3m');
    assert.equal((await health()).find((x) => x.Target!.Id === ids[0])!.TargetHealth!.State, 'unhealthy');
    assert.deepEqual((await group('behind')).Instances!.map((i) => i.InstanceId!).sort(), ids);
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'behind', HealthCheckType: 'ELB' }));
    await advance('3m');
    const now = (await group('behind')).Instances!.map((i) => i.InstanceId!);
    assert.ok(!now.includes(ids[0]!), 'replaced under ELB health checks');
    assert.equal(now.length, 2);
    const term = (await activities('behind')).find((a) => a.Description === `Terminating EC2 instance: ${ids[0]}`)!;
    assert.match(term.Cause!, /taken out of service in response to an ELB system health check failure\./);
    await advance('2m');
    h = await health();
    assert.deepEqual(h.filter((x) => x.TargetHealth!.State === 'healthy').map((x) => x.Target!.Id!).sort(), [...now].sort());
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'behind', ForceDelete: true }));
  });

  test('lifecycle hooks hold launches and terminations (CompleteLifecycleAction, heartbeat timeout); suspended Launch; scheduled actions on the clock', async () => {
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'hooked', MinSize: 0, MaxSize: 3, DesiredCapacity: 0, LaunchTemplate: { LaunchTemplateName: 'web' }, VPCZoneIdentifier: subnets.join(','),
    }));
    await asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'boot', LifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING', HeartbeatTimeout: 300, DefaultResult: 'ABANDON' }));
    await asg.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 60, DefaultResult: 'CONTINUE' }));
    await asg.send(new SuspendProcessesCommand({ AutoScalingGroupName: 'hooked', ScalingProcesses: ['Launch'] }));
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'hooked', DesiredCapacity: 1 }));
    await advance('1m');
    let g = await group('hooked');
    assert.equal(g.Instances!.length, 0, 'Launch suspended');
    assert.deepEqual(g.SuspendedProcesses!.map((p) => p.ProcessName), ['Launch']);
    await asg.send(new ResumeProcessesCommand({ AutoScalingGroupName: 'hooked' }));
    await advance('1m');
    g = await group('hooked');
    assert.equal(g.Instances![0]!.LifecycleState, 'Pending:Wait');
    const id = g.Instances![0]!.InstanceId!;
    await asg.send(new CompleteLifecycleActionCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'boot', InstanceId: id, LifecycleActionResult: 'CONTINUE' }));
    await advance('10s');
    assert.equal((await group('hooked')).Instances![0]!.LifecycleState, 'InService');
    const act = await asg.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: id, ShouldDecrementDesiredCapacity: true }));
    assert.match(act.Activity!.Cause!, new RegExp(`instance ${id} was taken out of service in response to a user request, shrinking the capacity from 1 to 0\\.`));
    assert.equal((await group('hooked')).Instances![0]!.LifecycleState, 'Terminating:Wait');
    await advance('2m');
    assert.equal((await group('hooked')).Instances!.length, 0, 'the heartbeat timed out and the termination went on');
    assert.equal((await running('hooked')).length, 0);

    const at = new Date((await group('hooked')).CreatedTime!.getTime() + 3_600_000);
    await asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'hooked', ScheduledActionName: 'night', Recurrence: '0 3 29 2 *', MinSize: 0, MaxSize: 3, DesiredCapacity: 0 }));
    await asg.send(new PutScheduledUpdateGroupActionCommand({ AutoScalingGroupName: 'hooked', ScheduledActionName: 'once', StartTime: at, DesiredCapacity: 2 }));
    assert.equal((await asg.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: 'hooked' }))).ScheduledUpdateGroupActions!.length, 2);
    await advance('1h');
    g = await group('hooked');
    assert.equal(g.DesiredCapacity, 2);
    assert.ok((await activities('hooked')).some((a) => /a scheduled action update of AutoScalingGroup constraints to desired: 2 changing the desired capacity from 0 to 2\./.test(a.Cause!)));
    assert.deepEqual((await asg.send(new DescribeScheduledActionsCommand({ AutoScalingGroupName: 'hooked' }))).ScheduledUpdateGroupActions!.map((a) => a.ScheduledActionName), ['night']);
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'hooked', ForceDelete: true }));
  });

  test('mixed instances: On-Demand base 1, the rest Spot; an instance refresh replaces every instance keeping half in service', async () => {
    await asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'mixed', MinSize: 3, MaxSize: 3, VPCZoneIdentifier: subnets.join(','),
      MixedInstancesPolicy: {
        LaunchTemplate: { LaunchTemplateSpecification: { LaunchTemplateName: 'web', Version: '$Latest' }, Overrides: [{ InstanceType: 't3.micro' }, { InstanceType: 't3.small' }] },
        InstancesDistribution: { OnDemandBaseCapacity: 1, OnDemandPercentageAboveBaseCapacity: 0, SpotAllocationStrategy: 'lowest-price' },
      },
    }));
    await advance('1m');
    const g = await group('mixed');
    assert.equal(g.Instances!.length, 3);
    const inst = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: g.Instances!.map((i) => i.InstanceId!) }))).Reservations!.flatMap((r) => r.Instances!);
    assert.equal(inst.filter((i) => i.InstanceLifecycle === 'spot').length, 2);
    assert.equal(inst.filter((i) => i.InstanceLifecycle === undefined).length, 1);
    const before = new Set(g.Instances!.map((i) => i.InstanceId!));
    const { InstanceRefreshId } = await asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'mixed', Preferences: { MinHealthyPercentage: 50, InstanceWarmup: 60 } }));
    await rejects(asg.send(new StartInstanceRefreshCommand({ AutoScalingGroupName: 'mixed' })), 'InstanceRefreshInProgressFault', 400);
    await advance('10m');
    const r = (await asg.send(new DescribeInstanceRefreshesCommand({ AutoScalingGroupName: 'mixed' }))).InstanceRefreshes![0]!;
    assert.equal(r.InstanceRefreshId, InstanceRefreshId);
    assert.equal(r.Status, 'Successful');
    assert.equal(r.PercentageComplete, 100);
    const after = (await group('mixed')).Instances!;
    assert.equal(after.length, 3);
    assert.ok(after.every((i) => !before.has(i.InstanceId!) && i.LifecycleState === 'InService'));
    assert.ok((await activities('mixed')).some((a) => /in response to an instance refresh/.test(a.Cause!)));
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'mixed', ForceDelete: true }));
  });

  test('AZ rebalancing: a second subnet added, the group moves an instance to the new zone (launch first, then terminate)', async () => {
    await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'az', MinSize: 2, MaxSize: 2, LaunchTemplate: { LaunchTemplateName: 'web' }, VPCZoneIdentifier: subnets[0] }));
    await advance('1m');
    assert.deepEqual((await group('az')).Instances!.map((i) => i.AvailabilityZone), ['us-east-1a', 'us-east-1a']);
    await asg.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'az', VPCZoneIdentifier: subnets.join(',') }));
    await advance('1m');
    const g = await group('az');
    assert.deepEqual(g.Instances!.map((i) => i.AvailabilityZone).sort(), ['us-east-1a', 'us-east-1b']);
    const acts = await activities('az');
    assert.match(acts[0]!.Cause!, /taken out of service in response to Availability Zone rebalancing/);
    assert.match(acts[1]!.Cause!, /an instance was launched to aid in balancing the group's zones\./);
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'az', ForceDelete: true }));
  });

  test('notifications: EC2_INSTANCE_LAUNCH published to the topic (the email outbox holds it)', async () => {
    const sns = new SNSClient(clientConfig(cl.url));
    const topic = (await sns.send(new CreateTopicCommand({ Name: 'asg-events' }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email-json', Endpoint: 'ops@example.com' }));
    const outbox = async () => (await (await fetch(`${cl.url}/_cloudlet/sns/outbox?topic=${encodeURIComponent(topic)}`)).json()) as { messages: Array<{ kind: string; body: string }> };
    const confirm = JSON.parse((await outbox()).messages[0]!.body) as { SubscribeURL: string };
    assert.equal((await fetch(confirm.SubscribeURL)).status, 200);
    await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'told', MinSize: 0, MaxSize: 1, LaunchTemplate: { LaunchTemplateName: 'web' }, VPCZoneIdentifier: subnets[0] }));
    await asg.send(new PutNotificationConfigurationCommand({ AutoScalingGroupName: 'told', TopicARN: topic, NotificationTypes: ['autoscaling:EC2_INSTANCE_LAUNCH', 'autoscaling:EC2_INSTANCE_TERMINATE'] }));
    await asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'told', DesiredCapacity: 1 }));
    await advance('1m');
    const id = (await group('told')).Instances![0]!.InstanceId!;
    const box = JSON.stringify((await outbox()).messages.filter((m) => m.kind !== 'SubscriptionConfirmation'));
    assert.match(box, /autoscaling:EC2_INSTANCE_LAUNCH/);
    assert.match(box, new RegExp(id));
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'told', ForceDelete: true }));
  });

  test('a launch template with a bad AMI: a Failed activity with the reason, retried later', async () => {
    const bad = (await ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'bad', LaunchTemplateData: { ImageId: 'ami-0123456789abcdef0', InstanceType: 't3.micro' } }))).LaunchTemplate!.LaunchTemplateId!;
    await asg.send(new CreateAutoScalingGroupCommand({ AutoScalingGroupName: 'broken', MinSize: 1, MaxSize: 2, LaunchTemplate: { LaunchTemplateId: bad }, VPCZoneIdentifier: subnets[0] }));
    await advance('1m');
    const acts = await activities('broken');
    assert.ok(acts.length >= 1);
    assert.equal(acts[0]!.StatusCode, 'Failed');
    assert.match(acts[0]!.StatusMessage!, /ami-0123456789abcdef0.*Launching EC2 instance failed\.$/);
    assert.match(acts[0]!.Description!, /^Launching a new EC2 instance\.  Status Reason: /);
    await advance('10m');
    assert.ok((await activities('broken')).length > acts.length, 'retried with backoff');
    assert.equal((await group('broken')).Instances!.length, 0);
    await rejects(asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web' })), 'ResourceInUseFault', 400);
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'broken' }));
    await asg.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: 'web', ForceDelete: true }));
    await advance('1m');
    assert.deepEqual((await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['web', 'broken'] }))).AutoScalingGroups, []);
    assert.equal((await running('web')).length, 0);
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'TargetTracking-web-' }))).MetricAlarms, [], 'the policy alarms went with the group');
  });
});

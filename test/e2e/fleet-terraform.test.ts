// Terraform's hashicorp/aws provider on the seeds' scale-out diagram (issue 18): a VPC with two
// public and two private subnets in two zones, an ALB (HTTP 80 listener forwarding to a target
// group with a health check), an Auto Scaling group (min 2, desired 3, max 6) in the private
// subnets from a launch template through a mixed instances policy, attached to the target group
// with ELB health checks; a target tracking policy at 60% CPU; a static CPU alarm notifying an SNS
// topic with an email-json subscription. One apply (Terraform waits for the load balancer to be
// active and for the group's capacity), a second plan with no changes, the group's 3 instances
// InService and healthy in the target group, a clean destroy.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribePoliciesCommand, DescribeScalingActivitiesCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeLoadBalancersCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListSubscriptionsByTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { clientConfig } from '../helpers/server.js';
import { terraformApply, terraformDestroy, terraformFixture, terraformPlanIsClean } from '../helpers/terraform.js';
import { needTool } from '../helpers/tools.js';

describe('Terraform: the seeds\' scale-out fleet (ALB, Auto Scaling group, target tracking, alarm, SNS)', { skip: needTool('terraform') }, () => {
  const tf = terraformFixture('terraform-fleet');

  test('apply, plan -detailed-exitcode = 0, 3 InService targets healthy, destroy', { timeout: 600_000 }, async () => {
    const applied = await terraformApply(tf, 20);
    assert.match(applied, /alb_dns_name = "fleet-web-\d+\.us-east-1\.elb\.localhost"/);
    const tgArn = /target_group_arn = "([^"]+)"/.exec(applied)![1]!;

    await terraformPlanIsClean(tf);

    const cfg = clientConfig(tf.cl.url);
    const asg = new AutoScalingClient(cfg);
    const elb = new ElasticLoadBalancingV2Client(cfg);
    const cw = new CloudWatchClient(cfg);
    const sns = new SNSClient(cfg);
    const ec2 = new EC2Client(cfg);

    const [g] = (await asg.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: ['fleet-app'] }))).AutoScalingGroups!;
    assert.deepEqual([g!.MinSize, g!.DesiredCapacity, g!.MaxSize, g!.HealthCheckType, g!.HealthCheckGracePeriod], [2, 3, 6, 'ELB', 120]);
    assert.deepEqual(g!.TargetGroupARNs, [tgArn]);
    assert.deepEqual(g!.MixedInstancesPolicy?.LaunchTemplate?.Overrides?.map((o) => o.InstanceType), ['t3.micro', 't3a.micro']);
    const inService = g!.Instances!.filter((i) => i.LifecycleState === 'InService' && i.HealthStatus === 'Healthy');
    assert.equal(inService.length, 3, JSON.stringify(g!.Instances));
    assert.deepEqual(new Set(inService.map((i) => i.AvailabilityZone)), new Set(['us-east-1a', 'us-east-1b']), 'balanced over both zones');

    // Launched from the template (t3.micro, one of the overrides), the group's tag and the template's on each instance.
    const launched = (await ec2.send(new DescribeInstancesCommand({ InstanceIds: inService.map((i) => i.InstanceId!) }))).Reservations!.flatMap((r) => r.Instances!);
    for (const i of launched) {
      assert.equal(i.InstanceType, 't3.micro');
      const tags = Object.fromEntries(i.Tags!.map((t) => [t.Key, t.Value]));
      assert.deepEqual([tags.Name, tags.Tier, tags['aws:autoscaling:groupName']], ['fleet-app', 'app', 'fleet-app'], JSON.stringify(i.Tags));
    }
    const acts = (await asg.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: 'fleet-app' }))).Activities!;
    assert.equal(acts.filter((a) => a.StatusCode === 'Successful' && a.Description!.startsWith('Launching a new EC2 instance: i-')).length, 3, JSON.stringify(acts));

    const [lb] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['fleet-web'] }))).LoadBalancers!;
    assert.equal(lb!.State?.Code, 'active');
    // The targets pass their health checks (2 x 15 s from registration): move the clock past them if Terraform was quick.
    let health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!;
    if (health.some((h) => h.TargetHealth?.State !== 'healthy')) {
      const r = await fetch(`${tf.cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: '1m' }) });
      assert.equal(r.status, 200);
      health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!;
    }
    assert.deepEqual(health.map((h) => h.Target!.Id).sort(), inService.map((i) => i.InstanceId).sort());
    assert.deepEqual(health.map((h) => [h.Target!.Port, h.TargetHealth!.State]), [[80, 'healthy'], [80, 'healthy'], [80, 'healthy']], JSON.stringify(health));

    const [policy] = (await asg.send(new DescribePoliciesCommand({ AutoScalingGroupName: 'fleet-app' }))).ScalingPolicies!;
    assert.equal(policy!.TargetTrackingConfiguration?.TargetValue, 60);
    assert.equal(policy!.Alarms?.length, 2, 'the high and low alarms target tracking creates');
    const [alarm] = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['fleet-cpu-high'] }))).MetricAlarms!;
    const topicArn = (await sns.send(new ListTopicsCommand({}))).Topics!.map((t) => t.TopicArn!).find((a) => a.endsWith(':fleet-alerts'))!;
    assert.deepEqual(alarm!.AlarmActions, [topicArn]);
    const subs = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }))).Subscriptions!;
    assert.deepEqual(subs.map((s) => [s.Protocol, s.Endpoint]), [['email-json', 'ops@example.com']]);

    const destroyed = await terraformDestroy(tf);
    assert.match(destroyed, /Destroy complete! Resources: 20 destroyed/);
    assert.deepEqual((await asg.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups, []);
    assert.deepEqual((await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers, []);
    assert.deepEqual((await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms, [], 'the target tracking alarms go with their policy');
    assert.equal((await sns.send(new ListTopicsCommand({}))).Topics!.length, 0);
    for (const c of [asg, elb, cw, sns, ec2]) c.destroy();
  });
});

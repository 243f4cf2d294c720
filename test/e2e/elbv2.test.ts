// Elastic Load Balancing v2 with SDK v3 and the AWS CLI: an ALB in two public subnets with a
// security group, a target group, an HTTP:80 listener; targets turn healthy on the clock, a
// security group change on the instances turns them unhealthy with the blocking reason (from the
// reachability engine), deregistration drains for the delay; rules, attributes, errors.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AllocateAddressCommand, AttachInternetGatewayCommand, AuthorizeSecurityGroupIngressCommand, CreateInternetGatewayCommand, CreateRouteCommand, CreateSecurityGroupCommand,
  CreateSubnetCommand, CreateVpcCommand, DescribeImagesCommand, DescribeNetworkInterfacesCommand, EC2Client, ModifyInstanceAttributeCommand,
  RevokeSecurityGroupEgressCommand, RunInstancesCommand, DescribeRouteTablesCommand, StartInstancesCommand, StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  AddListenerCertificatesCommand, CreateListenerCommand, CreateLoadBalancerCommand, DeleteListenerCommand, DescribeListenerCertificatesCommand, ModifyListenerAttributesCommand, DescribeAccountLimitsCommand, DescribeSSLPoliciesCommand, CreateRuleCommand, CreateTargetGroupCommand, DeleteLoadBalancerCommand, DeleteRuleCommand,
  DeleteTargetGroupCommand, DeregisterTargetsCommand, DescribeListenersCommand, DescribeLoadBalancerAttributesCommand, DescribeLoadBalancersCommand,
  DescribeRulesCommand, DescribeTagsCommand, DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand, SetRulePrioritiesCommand, SetSecurityGroupsCommand, SetSubnetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Cloudlet } from '../../src/server/server.js';
import { rejects } from '../helpers/assert.js';
import { awsClis, awsJson, runAws } from '../helpers/cli.js';
import { clientConfig, startTestServer } from '../helpers/server.js';

// SDK v3 names modeled errors by their shape (DuplicateLoadBalancerNameException); ValidationError is not modeled.
const fails = (p: Promise<unknown>, code: string, message?: RegExp): Promise<void> =>
  rejects(p, code === 'ValidationError' ? code : `${code}Exception`, 400, message);

describe('ELBv2: an ALB whose target health follows the network model', () => {
  let cl: Cloudlet;
  let ec2: EC2Client;
  let elb: ElasticLoadBalancingV2Client;
  const advance = async (by: string) => {
    const r = await fetch(`${cl.url}/_cloudlet/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ advance: by }) });
    assert.equal(r.status, 200);
  };
  const net = { vpc: '', subnets: [] as string[], albSg: '', appSg: '', open: '', instances: [] as string[] };

  before(async () => {
    cl = await startTestServer();
    ec2 = new EC2Client(clientConfig(cl.url));
    elb = new ElasticLoadBalancingV2Client(clientConfig(cl.url));
    net.vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc!.VpcId!;
    const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: net.vpc }));
    const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpc] }] }))).RouteTables![0]!.RouteTableId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }));
    for (const [i, az] of ['us-east-1a', 'us-east-1b'].entries()) {
      net.subnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: net.vpc, CidrBlock: `10.30.${i}.0/24`, AvailabilityZone: az }))).Subnet!.SubnetId!);
    }
    net.albSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'alb', Description: 'alb', VpcId: net.vpc }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.albSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    net.appSg = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: net.vpc }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.appSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, UserIdGroupPairs: [{ GroupId: net.albSg }] }] }));
    net.open = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'ssh-only', Description: 'ssh only', VpcId: net.vpc }))).GroupId!;
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.open, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    const imgs = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'], Filters: [{ Name: 'name', Values: ['al2023-ami-*-kernel-6.1-x86_64'] }] }))).Images!;
    const ami = imgs.sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0]!.ImageId!;
    for (const s of net.subnets) {
      net.instances.push((await ec2.send(new RunInstancesCommand({ ImageId: ami, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: s, SecurityGroupIds: [net.appSg] }))).Instances![0]!.InstanceId!);
    }
    await advance('2m');
  });
  after(async () => { await cl.close(); });

  let lbArn = '';
  let tgArn = '';
  let listenerArn = '';

  test('CreateLoadBalancer: provisioning then active on the clock, local DNS name, one requester-managed interface per zone', async () => {
    await fails(elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [net.subnets[0]!], SecurityGroups: [net.albSg] })), 'ValidationError', /two different Availability Zones/);
    await fails(elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: [net.subnets[0]!, 'subnet-0123456789abcdef0'] })), 'SubnetNotFound');
    await fails(elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: net.subnets, SecurityGroups: ['sg-0123456789abcdef0'] })), 'InvalidSecurityGroup');
    await fails(elb.send(new CreateLoadBalancerCommand({ Name: 'bad_name', Subnets: net.subnets })), 'ValidationError');
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: net.subnets, SecurityGroups: [net.albSg], Tags: [{ Key: 'team', Value: 'a' }] }))).LoadBalancers![0]!;
    lbArn = lb.LoadBalancerArn!;
    assert.match(lbArn, /^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer\/app\/web\/[0-9a-f]{16}$/);
    assert.match(lb.DNSName!, /^web-\d+\.us-east-1\.elb\.localhost$/);
    assert.equal(lb.CanonicalHostedZoneId, 'Z35SXDOTRQ7X7K');
    assert.equal(lb.State!.Code, 'provisioning');
    assert.equal(lb.Scheme, 'internet-facing');
    assert.deepEqual(lb.SecurityGroups, [net.albSg]);
    assert.deepEqual(lb.AvailabilityZones!.map((z) => z.ZoneName).sort(), ['us-east-1a', 'us-east-1b']);
    await fails(elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: net.subnets, Scheme: 'internal' })), 'DuplicateLoadBalancerName');
    const same = (await elb.send(new CreateLoadBalancerCommand({ Name: 'web', Subnets: net.subnets, SecurityGroups: [net.albSg] }))).LoadBalancers![0]!;
    assert.equal(same.LoadBalancerArn, lbArn, 'the same settings: the load balancer that exists (idempotent)');
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpc] }] }))).NetworkInterfaces!
      .filter((e) => e.RequesterManaged);
    assert.equal(enis.length, 2);
    assert.equal(enis[0]!.Description, `ELB app/web/${lbArn.split('/').pop()}`);
    assert.deepEqual(enis[0]!.Groups!.map((g) => g.GroupId), [net.albSg]);
    await advance('10s');
    const again = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['web'] }))).LoadBalancers![0]!;
    assert.equal(again.State!.Code, 'active');
    await fails(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })), 'LoadBalancerNotFound');
    const attrs = Object.fromEntries((await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }))).Attributes!.map((a) => [a.Key, a.Value]));
    assert.equal(attrs['idle_timeout.timeout_seconds'], '60');
    assert.equal(attrs['load_balancing.cross_zone.enabled'], 'true');
    assert.deepEqual((await elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn] }))).TagDescriptions![0]!.Tags, [{ Key: 'team', Value: 'a' }]);
  });

  test('target group and listener: defaults, unused until a listener forwards, initial then healthy after the checks pass', async () => {
    await fails(elb.send(new CreateTargetGroupCommand({ Name: 'app', Protocol: 'HTTP', Port: 80, VpcId: net.vpc, HealthCheckTimeoutSeconds: 30, HealthCheckIntervalSeconds: 10 })), 'ValidationError', /smaller than the interval/);
    await fails(elb.send(new CreateTargetGroupCommand({ Name: 'fn', TargetType: 'lambda' })), 'ValidationError');
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'app', Protocol: 'HTTP', Port: 80, VpcId: net.vpc, HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 3 }))).TargetGroups![0]!;
    tgArn = tg.TargetGroupArn!;
    assert.equal(tg.HealthCheckPath, '/');
    assert.equal(tg.HealthCheckPort, 'traffic-port');
    assert.equal(tg.HealthCheckTimeoutSeconds, 5);
    assert.equal(tg.UnhealthyThresholdCount, 2);
    assert.deepEqual(tg.Matcher, { HttpCode: '200' });
    await fails(elb.send(new CreateTargetGroupCommand({ Name: 'app', Protocol: 'HTTP', Port: 8080, VpcId: net.vpc })), 'DuplicateTargetGroupName');
    const attrs = Object.fromEntries((await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tgArn }))).Attributes!.map((a) => [a.Key, a.Value]));
    assert.equal(attrs['deregistration_delay.timeout_seconds'], '300');
    assert.equal(attrs['stickiness.type'], 'lb_cookie');
    await fails(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: 'i-0123456789abcdef0' }] })), 'InvalidTarget');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tgArn, Targets: net.instances.map((Id) => ({ Id })) }));
    const health = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!
      .map((d) => ({ id: d.Target!.Id, state: d.TargetHealth!.State, reason: d.TargetHealth!.Reason, description: d.TargetHealth!.Description }))
      .sort((a, b) => a.id!.localeCompare(b.id!));
    assert.deepEqual((await health()).map((h) => [h.state, h.reason]), [['unused', 'Target.NotInUse'], ['unused', 'Target.NotInUse']]);
    await fails(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'ValidationError', /certificate/);
    await fails(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'TCP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'InvalidConfigurationRequest');
    const listener = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }))).Listeners![0]!;
    listenerArn = listener.ListenerArn!;
    assert.equal((await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners!.length, 1);
    assert.deepEqual((await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }))).TargetGroups!.map((t) => t.TargetGroupArn), [tgArn]);
    await fails(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn })), 'ResourceInUse');
    assert.deepEqual((await health()).map((h) => [h.state, h.reason]), [['initial', 'Elb.RegistrationInProgress'], ['initial', 'Elb.RegistrationInProgress']]);
    await advance('31s');
    assert.deepEqual((await health()).map((h) => h.state), ['healthy', 'healthy']);
  });

  test('a security group change that blocks the health check port from the ALB turns the targets unhealthy, with the rule that blocks', async () => {
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: net.instances[0]!, Groups: [net.open] }));
    // The first failing check: still healthy until UnhealthyThresholdCount (2) x interval (10 s) have failed.
    const first = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: net.instances[0]! }] }))).TargetHealthDescriptions![0]!;
    assert.equal(first.TargetHealth!.State, 'healthy');
    await advance('21s');
    const d = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: net.instances[0]! }] }))).TargetHealthDescriptions![0]!;
    assert.equal(d.TargetHealth!.State, 'unhealthy');
    assert.equal(d.TargetHealth!.Reason, 'Target.Timeout');
    assert.match(d.TargetHealth!.Description!, /^Request timed out \(.*sg-/);
    assert.match(d.TargetHealth!.Description!, new RegExp(net.open));
    const other = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: net.instances[1]! }] }))).TargetHealthDescriptions![0]!;
    assert.equal(other.TargetHealth!.State, 'healthy');
    await ec2.send(new ModifyInstanceAttributeCommand({ InstanceId: net.instances[0]!, Groups: [net.appSg] }));
    const back = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: net.instances[0]! }] }))).TargetHealthDescriptions![0]!;
    assert.equal(back.TargetHealth!.State, 'healthy');
    // The load balancer's own group matters too: one with no egress rule stops every check at the source.
    const closed = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'alb-closed', Description: 'no egress', VpcId: net.vpc }))).GroupId!;
    await ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId: closed, IpPermissions: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }] }));
    assert.deepEqual((await elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: lbArn, SecurityGroups: [closed] }))).SecurityGroupIds, [closed]);
    await advance('21s');
    const all = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!;
    assert.deepEqual(all.map((x) => x.TargetHealth!.State), ['unhealthy', 'unhealthy']);
    assert.match(all[0]!.TargetHealth!.Description!, /egress/);
    await elb.send(new SetSecurityGroupsCommand({ LoadBalancerArn: lbArn, SecurityGroups: [net.albSg] }));
    assert.deepEqual((await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!.map((x) => x.TargetHealth!.State), ['healthy', 'healthy']);
  });

  test('a stopped instance is unused (Target.InvalidState); deregistering drains for the delay, then the target is gone', async () => {
    await ec2.send(new StopInstancesCommand({ InstanceIds: [net.instances[1]!] }));
    await advance('2m');
    const stopped = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: net.instances[1]! }] }))).TargetHealthDescriptions![0]!;
    assert.deepEqual([stopped.TargetHealth!.State, stopped.TargetHealth!.Reason], ['unused', 'Target.InvalidState']);
    const tmp = (await elb.send(new CreateTargetGroupCommand({ Name: 'tmp', Protocol: 'HTTP', Port: 80, VpcId: net.vpc }))).TargetGroups![0]!.TargetGroupArn!;
    await fails(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tmp, Targets: [{ Id: net.instances[1]! }] })), 'InvalidTarget', /not in a running state/);
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tmp }));
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '60' }] }));
    await fails(elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tgArn, Attributes: [{ Key: 'nope', Value: '1' }] })), 'ValidationError');
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: net.instances[0]! }] }));
    const draining = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!.find((d) => d.Target!.Id === net.instances[0]);
    assert.deepEqual([draining?.TargetHealth!.State, draining?.TargetHealth!.Reason], ['draining', 'Target.DeregistrationInProgress']);
    await advance('61s');
    const ids = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions!.map((d) => d.Target!.Id);
    assert.deepEqual(ids, [net.instances[1]]);
    const asked = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn, Targets: [{ Id: net.instances[0]! }] }))).TargetHealthDescriptions![0]!;
    assert.deepEqual([asked.TargetHealth!.State, asked.TargetHealth!.Reason], ['unused', 'Target.NotRegistered']);
    await fails(elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tgArn, Targets: [{ Id: net.instances[0]! }] })), 'InvalidTarget');
    // Started again: its checks start over.
    await ec2.send(new StartInstancesCommand({ InstanceIds: [net.instances[1]!] }));
    await advance('1s');
    const restarted = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions![0]!.TargetHealth!.State;
    assert.equal(await restarted(), 'initial');
    await advance('31s');
    assert.equal(await restarted(), 'healthy');
  });

  test('rules: conditions validated, priorities unique, the default rule listed last', async () => {
    await fails(elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }], Actions: [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }] })), 'InvalidConfigurationRequest', /loop/);
    await fails(elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['get'] } }], Actions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'ValidationError');
    const r1 = (await elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn, Priority: 10,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }, { Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'down' } }],
    }))).Rules![0]!;
    await fails(elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'host-header', Values: ['a.example.com'] }], Actions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'PriorityInUse');
    const r2 = (await elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn, Priority: 20, Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['*.example.com'] } }],
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn, Weight: 5 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 60 } } }],
    }))).Rules![0]!;
    await fails(elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: r2.RuleArn, Priority: 10 }] })), 'PriorityInUse');
    await elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: r2.RuleArn, Priority: 5 }] }));
    const rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules!;
    assert.deepEqual(rules.map((r) => [r.Priority, r.IsDefault]), [['5', false], ['10', false], ['default', true]]);
    await fails(elb.send(new DeleteRuleCommand({ RuleArn: rules[2]!.RuleArn })), 'OperationNotPermitted');
    await elb.send(new DeleteRuleCommand({ RuleArn: r1.RuleArn }));
  });

  test('HTTPS listener with an ACM-shaped certificate and the default SSL policy; an HTTP -> HTTPS redirect; SSL policies and account limits', async () => {
    const cert = 'arn:aws:acm:us-east-1:111111111111:certificate/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
    await fails(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: 'nope' }], DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'CertificateNotFound');
    await fails(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, SslPolicy: 'Nope', Certificates: [{ CertificateArn: cert }], DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'SSLPolicyNotFound');
    const https = (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: cert }], DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] }))).Listeners![0]!;
    assert.equal(https.SslPolicy, 'ELBSecurityPolicy-2016-08');
    assert.deepEqual(https.Certificates, [{ CertificateArn: cert }]);
    await fails(elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 443, DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }] })), 'DuplicateListener');
    const extra = cert.replace('0b1c2d3e', '1b1c2d3e');
    await elb.send(new AddListenerCertificatesCommand({ ListenerArn: https.ListenerArn, Certificates: [{ CertificateArn: extra }] }));
    const certs = (await elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: https.ListenerArn }))).Certificates!;
    assert.deepEqual(certs.map((c) => [c.CertificateArn, c.IsDefault]), [[cert, true], [extra, false]]);
    const la = await elb.send(new ModifyListenerAttributesCommand({ ListenerArn: https.ListenerArn, Attributes: [{ Key: 'routing.http.response.server.enabled', Value: 'false' }] }));
    assert.deepEqual(la.Attributes, [{ Key: 'routing.http.response.server.enabled', Value: 'false' }]);
    await fails(elb.send(new ModifyListenerAttributesCommand({ ListenerArn: https.ListenerArn, Attributes: [{ Key: 'tcp.idle_timeout.seconds', Value: '100' }] })), 'ValidationError');
    const redirect = (await elb.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    }))).Listeners![0]!;
    assert.deepEqual(redirect.DefaultActions![0]!.RedirectConfig, { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' });
    const policies = (await elb.send(new DescribeSSLPoliciesCommand({ Names: ['ELBSecurityPolicy-TLS13-1-2-2021-06'] }))).SslPolicies!;
    assert.deepEqual(policies[0]!.SslProtocols, ['TLSv1.2', 'TLSv1.3']);
    await fails(elb.send(new DescribeSSLPoliciesCommand({ Names: ['Nope'] })), 'SSLPolicyNotFound');
    const limits = (await elb.send(new DescribeAccountLimitsCommand({}))).Limits!;
    assert.equal(limits.find((l) => l.Name === 'targets-per-application-load-balancer')?.Max, '1000');
    await elb.send(new DeleteListenerCommand({ ListenerArn: https.ListenerArn }));
    await elb.send(new DeleteListenerCommand({ ListenerArn: redirect.ListenerArn }));
  });

  for (const cli of awsClis()) {
    test(`${cli.name}: describe-load-balancers, describe-target-health, errors`, { skip: cli.skip }, async () => {
      const wait = await runAws(cli.bin, cl.url, ['elbv2', 'wait', 'load-balancer-available', '--names', 'web']);
      assert.equal(wait.status, 0, wait.stderr);
      const lbs = await awsJson(cli.bin, cl.url, ['elbv2', 'describe-load-balancers', '--names', 'web']);
      assert.equal(lbs.LoadBalancers[0].LoadBalancerArn, lbArn);
      const h = await awsJson(cli.bin, cl.url, ['elbv2', 'describe-target-health', '--target-group-arn', tgArn]);
      assert.equal(h.TargetHealthDescriptions[0].TargetHealth.State, 'healthy');
      const dup = await runAws(cli.bin, cl.url, ['elbv2', 'create-target-group', '--name', 'app', '--protocol', 'HTTP', '--port', '81', '--vpc-id', net.vpc]);
      assert.notEqual(dup.status, 0);
      assert.match(dup.stderr, /DuplicateTargetGroupName/);
    });
  }

  test('SetSubnets moves the load balancer to other zones: a target in a zone no longer enabled is unused', async () => {
    const c = (await ec2.send(new CreateSubnetCommand({ VpcId: net.vpc, CidrBlock: '10.30.2.0/24', AvailabilityZone: 'us-east-1c' }))).Subnet!.SubnetId!;
    await fails(elb.send(new SetSubnetsCommand({ LoadBalancerArn: lbArn, Subnets: [c] })), 'ValidationError', /two different Availability Zones/);
    const moved = await elb.send(new SetSubnetsCommand({ LoadBalancerArn: lbArn, Subnets: [net.subnets[0]!, c] }));
    assert.deepEqual(moved.AvailabilityZones!.map((z) => z.ZoneName).sort(), ['us-east-1a', 'us-east-1c']);
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'requester-managed', Values: ['true'] }, { Name: 'vpc-id', Values: [net.vpc] }] }))).NetworkInterfaces!;
    assert.deepEqual(enis.map((e) => e.AvailabilityZone).sort(), ['us-east-1a', 'us-east-1c']);
    const h = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions![0]!.TargetHealth!;
    assert.deepEqual([h.State, h.Reason], ['unused', 'Target.NotInUse']);
    assert.match(h.Description!, /Availability Zone that is not enabled/);
    await elb.send(new SetSubnetsCommand({ LoadBalancerArn: lbArn, Subnets: net.subnets }));
  });

  test('NLB: an Elastic IP per subnet mapping, no security groups, health checks from its private address through the instance group', async () => {
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const nlb = (await elb.send(new CreateLoadBalancerCommand({
      Name: 'tcp', Type: 'network', SubnetMappings: [{ SubnetId: net.subnets[0]!, AllocationId: eip.AllocationId }],
    }))).LoadBalancers![0]!;
    assert.match(nlb.DNSName!, /^tcp-[0-9a-f]{16}\.elb\.us-east-1\.localhost$/);
    assert.equal(nlb.CanonicalHostedZoneId, 'Z26RNL4JYFTOTI');
    assert.equal(nlb.SecurityGroups, undefined);
    assert.deepEqual(nlb.AvailabilityZones![0]!.LoadBalancerAddresses, [{ IpAddress: eip.PublicIp, AllocationId: eip.AllocationId }]);
    const eni = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`ELB net/tcp/${nlb.LoadBalancerArn!.split('/').pop()}`] }] }))).NetworkInterfaces![0]!;
    assert.equal(eni.InterfaceType, 'network_load_balancer');
    assert.equal(eni.Association?.PublicIp, eip.PublicIp);
    const attrs = Object.fromEntries((await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: nlb.LoadBalancerArn }))).Attributes!.map((a) => [a.Key, a.Value]));
    assert.equal(attrs['load_balancing.cross_zone.enabled'], 'false');
    const tg = (await elb.send(new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 80, VpcId: net.vpc, HealthCheckIntervalSeconds: 10, HealthyThresholdCount: 2 }))).TargetGroups![0]!;
    assert.deepEqual([tg.HealthCheckProtocol, tg.HealthCheckTimeoutSeconds, tg.HealthCheckPath], ['TCP', 10, undefined]);
    await fails(elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] })), 'InvalidConfigurationRequest');
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TCP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: net.instances[0]! }] }));
    await advance('30s');
    const state = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions![0]!.TargetHealth!;
    const blocked = await state();
    assert.equal(blocked.State, 'unhealthy', 'the app group admits port 80 from the ALB group only, not from the NLB address');
    assert.equal(blocked.Reason, 'Target.FailedHealthChecks', 'a TCP check fails where an HTTP one times out');
    assert.match(blocked.Description!, /^Health checks failed \(.*source-address/);
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.appSg, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.30.0.0/16' }] }] }));
    assert.equal((await state()).State, 'healthy');
    const page1 = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 1 }));
    assert.equal(page1.LoadBalancers!.length, 1);
    const page2 = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 1, Marker: page1.NextMarker }));
    assert.deepEqual([...page1.LoadBalancers!, ...page2.LoadBalancers!].map((l) => l.LoadBalancerName), ['web', 'tcp']);
    assert.equal(page2.NextMarker, undefined);
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: nlb.LoadBalancerArn }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg.TargetGroupArn }));
  });

  test('DeleteLoadBalancer frees its interfaces and listeners; the target group can go then', async () => {
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: lbArn }));
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpc] }] }))).NetworkInterfaces!.filter((e) => e.RequesterManaged);
    assert.equal(enis.length, 0);
    await fails(elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })), 'ListenerNotFound');
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tgArn }));
    await fails(elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] })), 'TargetGroupNotFound');
  });
});

/**
 * Target groups: CreateTargetGroup with AWS's health check defaults per protocol and its
 * validation, Describe (by ARN, name or load balancer), Modify, Delete (ResourceInUse while a
 * listener or rule forwards to it), attributes. Lambda targets are refused (no Lambda here).
 */
import type {
  CreateTargetGroupInput, CreateTargetGroupOutput, DeleteTargetGroupInput, DeleteTargetGroupOutput, DescribeTargetGroupAttributesInput,
  DescribeTargetGroupAttributesOutput, DescribeTargetGroupsInput, DescribeTargetGroupsOutput, ModifyTargetGroupAttributesInput,
  ModifyTargetGroupAttributesOutput, ModifyTargetGroupInput, ModifyTargetGroupOutput, TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { RESOURCE_TYPES } from '../ec2/ids.js';
import { applyAttributes, attributeList, tgDefaults } from './lb-attributes.js';
import { checkName } from './load-balancers.js';
import {
  arnPrefix, getLb, getTg, hex16, invalidConfig, KIND, page, validation, type HealthCheckRecord, type TargetGroupRecord,
} from './records.js';
import { checkTags, setTags } from './tags.js';
import { loadBalancersOfTargetGroup } from './usage.js';

const PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'TLS', 'UDP', 'TCP_UDP', 'GENEVE'];
const HTTPISH = (p: string | undefined): boolean => p === 'HTTP' || p === 'HTTPS';

type HcInput = Pick<CreateTargetGroupInput, 'HealthCheckEnabled' | 'HealthCheckProtocol' | 'HealthCheckPort' | 'HealthCheckPath'
  | 'HealthCheckIntervalSeconds' | 'HealthCheckTimeoutSeconds' | 'HealthyThresholdCount' | 'UnhealthyThresholdCount' | 'Matcher'>;

/** Health check settings: `base` (current or AWS's defaults for the protocol) with the asked changes, validated. */
export function healthCheckOf(tgProtocol: string | undefined, input: HcInput, base?: HealthCheckRecord): HealthCheckRecord {
  const httpTg = HTTPISH(tgProtocol);
  const dflt: HealthCheckRecord = base ?? {
    enabled: true, protocol: httpTg ? tgProtocol! : 'TCP', port: 'traffic-port',
    ...(httpTg ? { path: '/' } : {}),
    intervalSeconds: 30, timeoutSeconds: httpTg ? 5 : 10, healthyThreshold: 5, unhealthyThreshold: 2,
    ...(httpTg ? { matcher: { HttpCode: '200' } } : {}),
  };
  const hc: HealthCheckRecord = { ...dflt };
  if (input.HealthCheckEnabled !== undefined) hc.enabled = input.HealthCheckEnabled;
  if (input.HealthCheckProtocol !== undefined) {
    const p = input.HealthCheckProtocol;
    if (!['HTTP', 'HTTPS', 'TCP'].includes(p)) throw validation(`Health check protocol '${p}' is not supported`);
    if (httpTg && p === 'TCP') throw validation(`Health check protocol 'TCP' is not supported for target groups with the '${tgProtocol}' protocol`);
    hc.protocol = p;
    if (HTTPISH(p) && !hc.path) { hc.path = '/'; hc.matcher = { HttpCode: httpTg ? '200' : '200-399' }; }
    if (!HTTPISH(p)) { delete hc.path; delete hc.matcher; }
  }
  if (input.HealthCheckPort !== undefined) {
    const port = input.HealthCheckPort;
    if (port !== 'traffic-port' && !(/^\d+$/.test(port) && Number(port) >= 1 && Number(port) <= 65535)) {
      throw validation(`Health check port '${port}' must be 'traffic-port' or a number between 1 and 65535`);
    }
    hc.port = port;
  }
  if (input.HealthCheckPath !== undefined) {
    if (!HTTPISH(hc.protocol)) throw validation('A health check path can be specified only for HTTP and HTTPS health checks');
    if (!input.HealthCheckPath.startsWith('/') || input.HealthCheckPath.length > 1024) throw validation(`Health check path '${input.HealthCheckPath}' must begin with '/' and be at most 1024 characters`);
    hc.path = input.HealthCheckPath;
  }
  const num = (v: number | undefined, lo: number, hi: number, what: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < lo || v > hi) throw validation(`${what} must be between ${lo} and ${hi}`);
    return v;
  };
  hc.intervalSeconds = num(input.HealthCheckIntervalSeconds, 5, 300, 'Health check interval') ?? hc.intervalSeconds;
  hc.timeoutSeconds = num(input.HealthCheckTimeoutSeconds, 2, 120, 'Health check timeout') ?? hc.timeoutSeconds;
  hc.healthyThreshold = num(input.HealthyThresholdCount, 2, 10, 'Healthy threshold count') ?? hc.healthyThreshold;
  hc.unhealthyThreshold = num(input.UnhealthyThresholdCount, 2, 10, 'Unhealthy threshold count') ?? hc.unhealthyThreshold;
  // ALB target groups: the timeout must be shorter than the interval; NLB ones may match it (10 s / 10 s).
  if (httpTg ? hc.timeoutSeconds >= hc.intervalSeconds : hc.timeoutSeconds > hc.intervalSeconds) {
    throw validation(`Health check timeout '${hc.timeoutSeconds}' must be smaller than the interval '${hc.intervalSeconds}'`);
  }
  if (input.Matcher) {
    if (!HTTPISH(hc.protocol)) throw validation('A matcher can be specified only for HTTP and HTTPS health checks');
    const code = input.Matcher.HttpCode;
    if (code !== undefined && !/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(code)) throw validation(`Health check matcher HTTP code '${code}' is not valid`);
    if (code && code.split(/[,-]/).some((c) => Number(c) < 200 || Number(c) > 499)) throw validation(`Health check matcher HTTP code '${code}' must be between 200 and 499`);
    hc.matcher = { ...(code ? { HttpCode: code } : {}), ...(input.Matcher.GrpcCode ? { GrpcCode: input.Matcher.GrpcCode } : {}) };
  }
  return hc;
}

export function tgShape(ctx: RequestContext, tg: TargetGroupRecord): TargetGroup {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn, TargetGroupName: tg.name, Protocol: tg.protocol as TargetGroup['Protocol'], Port: tg.port, VpcId: tg.vpcId,
    HealthCheckProtocol: hc.protocol as TargetGroup['HealthCheckProtocol'], HealthCheckPort: hc.port, HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds, HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold, UnhealthyThresholdCount: hc.unhealthyThreshold,
    ...(hc.path ? { HealthCheckPath: hc.path } : {}), ...(hc.matcher ? { Matcher: hc.matcher } : {}),
    LoadBalancerArns: loadBalancersOfTargetGroup(ctx.tx, ctx.scope, tg.arn), TargetType: tg.targetType,
    ...(tg.protocolVersion ? { ProtocolVersion: tg.protocolVersion } : {}), IpAddressType: tg.ipAddressType,
  };
}

export const createTargetGroup: Handler<CreateTargetGroupInput, CreateTargetGroupOutput> = (input, ctx) => {
  const name = checkName(input.Name, 'Target group');
  const targetType = input.TargetType ?? 'instance';
  if (!['instance', 'ip', 'lambda', 'alb'].includes(targetType)) throw validation(`Target type '${targetType}' is not valid`);
  if (targetType === 'lambda') throw validation('cloudlet has no Lambda: target groups of type lambda are not available');
  const protocol = input.Protocol;
  if (protocol === undefined || input.Port === undefined || !input.VpcId) {
    throw validation('A protocol, port and VPC ID must be specified for target groups of type ' + targetType);
  }
  if (!PROTOCOLS.includes(protocol)) throw validation(`Protocol '${protocol}' is not valid`);
  if (protocol === 'GENEVE') throw validation('cloudlet does not implement Gateway Load Balancers (GENEVE target groups)');
  if (targetType === 'alb' && protocol !== 'TCP') throw validation('Target groups of type alb must use the TCP protocol');
  if (!Number.isInteger(input.Port) || input.Port < 1 || input.Port > 65535) throw validation(`Port '${input.Port}' must be between 1 and 65535`);
  if (!ctx.tx.get(ctx.scope, RESOURCE_TYPES.vpc.kind, input.VpcId)) throw validation(`The VPC ID '${input.VpcId}' is not found`);
  if (input.ProtocolVersion !== undefined && !HTTPISH(protocol)) throw validation('A protocol version can be specified only for HTTP and HTTPS target groups');
  const hc = healthCheckOf(protocol, input);
  const tags = checkTags(input.Tags);
  const existing = ctx.tx.list<TargetGroupRecord>(ctx.scope, KIND.tg).find((r) => r.value.name === name)?.value;
  if (existing) {
    const same = existing.protocol === protocol && existing.port === input.Port && existing.vpcId === input.VpcId && existing.targetType === targetType;
    if (same) return { TargetGroups: [tgShape(ctx, existing)] };
    throw new AwsError('DuplicateTargetGroupName', `A target group with the same name '${name}' exists, but with different settings`);
  }
  const id = hex16();
  const tg: TargetGroupRecord = {
    arn: `${arnPrefix(ctx)}targetgroup/${name}/${id}`, name, id, protocol, port: input.Port, vpcId: input.VpcId, targetType,
    ...(HTTPISH(protocol) ? { protocolVersion: input.ProtocolVersion ?? 'HTTP1' } : {}),
    ipAddressType: input.IpAddressType ?? 'ipv4', healthCheck: hc, attributes: {}, createdMs: ctx.clock.nowMs(),
  };
  tg.attributes = tgDefaults(tg);
  ctx.tx.put(ctx.scope, KIND.tg, tg.arn, tg);
  setTags(ctx, tg.arn, tags);
  return { TargetGroups: [tgShape(ctx, tg)] };
};

export const describeTargetGroups: Handler<DescribeTargetGroupsInput, DescribeTargetGroupsOutput> = (input, ctx) => {
  let all = ctx.tx.list<TargetGroupRecord>(ctx.scope, KIND.tg).map((r) => r.value);
  if (input.TargetGroupArns?.length) all = input.TargetGroupArns.map((a) => getTg(ctx, a));
  else if (input.Names?.length) {
    const missing = input.Names.filter((n) => !all.some((t) => t.name === n));
    if (missing.length) throw new AwsError('TargetGroupNotFound', `Target groups '[${missing.join(', ')}]' not found`);
    all = all.filter((t) => input.Names!.includes(t.name));
  }
  if (input.LoadBalancerArn) {
    getLb(ctx, input.LoadBalancerArn);
    all = all.filter((t) => loadBalancersOfTargetGroup(ctx.tx, ctx.scope, t.arn).includes(input.LoadBalancerArn!));
  }
  all.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const p = page(all, input.Marker, input.PageSize);
  return { TargetGroups: p.items.map((t) => tgShape(ctx, t)), ...(p.next ? { NextMarker: p.next } : {}) };
};

export const modifyTargetGroup: Handler<ModifyTargetGroupInput, ModifyTargetGroupOutput> = (input, ctx) => {
  const tg = getTg(ctx, input.TargetGroupArn);
  tg.healthCheck = healthCheckOf(tg.protocol, input, tg.healthCheck);
  ctx.tx.put(ctx.scope, KIND.tg, tg.arn, tg);
  return { TargetGroups: [tgShape(ctx, tg)] };
};

export const deleteTargetGroup: Handler<DeleteTargetGroupInput, DeleteTargetGroupOutput> = (input, ctx) => {
  const tg = ctx.tx.get<TargetGroupRecord>(ctx.scope, KIND.tg, input.TargetGroupArn ?? '');
  if (!tg) return {};
  if (loadBalancersOfTargetGroup(ctx.tx, ctx.scope, tg.arn).length) {
    throw new AwsError('ResourceInUse', `Target group '${tg.arn}' is currently in use by a listener or a rule`);
  }
  for (const r of ctx.tx.list(ctx.scope, KIND.target, { prefix: `${tg.arn}|` })) ctx.tx.delete(ctx.scope, KIND.target, r.id);
  ctx.tx.delete(ctx.scope, KIND.tg, tg.arn);
  ctx.tx.delete(ctx.scope, KIND.tags, tg.arn);
  return {};
};

export const describeTargetGroupAttributes: Handler<DescribeTargetGroupAttributesInput, DescribeTargetGroupAttributesOutput> = (input, ctx) =>
  ({ Attributes: attributeList(getTg(ctx, input.TargetGroupArn).attributes) });

export const modifyTargetGroupAttributes: Handler<ModifyTargetGroupAttributesInput, ModifyTargetGroupAttributesOutput> = (input, ctx) => {
  const tg = getTg(ctx, input.TargetGroupArn);
  tg.attributes = applyAttributes(tg.attributes, input.Attributes, 'Target group');
  if (tg.attributes['stickiness.type'] === 'app_cookie' && tg.attributes['stickiness.enabled'] === 'true' && !tg.attributes['stickiness.app_cookie.cookie_name']) {
    throw invalidConfig("The 'stickiness.app_cookie.cookie_name' attribute must be specified for app_cookie stickiness");
  }
  ctx.tx.put(ctx.scope, KIND.tg, tg.arn, tg);
  return { Attributes: attributeList(tg.attributes) };
};

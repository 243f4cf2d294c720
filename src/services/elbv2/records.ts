/**
 * Stored shapes of ELBv2 and the helpers every ELBv2 file shares: ARNs, lookups that answer
 * AWS's NotFound codes, paging. Rows are per {account, region}; ids are the full ARNs, so a
 * lookup by ARN is one row read. Targets: one row per (target group, id, port), id
 * `${tgArn}|${id}|${port}` so a group's targets are one prefix read.
 */
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../core/errors.js';
import type { RequestContext } from '../types.js';

export const KIND = {
  lb: 'elbv2:load-balancer',
  tg: 'elbv2:target-group',
  listener: 'elbv2:listener',
  rule: 'elbv2:rule',
  target: 'elbv2:target',
  tags: 'elbv2:tags',
  /** Per scope, id 'due': the clock times the fleet step has work (draining ends). */
  due: 'elbv2:due',
} as const;

export type LbType = 'application' | 'network' | 'gateway';

export interface LbZoneRecord {
  zoneName: string;
  zoneId: string;
  subnetId: string;
  networkInterfaceId: string;
  privateIp: string;
  allocationId?: string;
  publicIp?: string;
}

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  /** The 16-hex id in the ARN and DNS name. */
  id: string;
  type: LbType;
  scheme: 'internet-facing' | 'internal';
  vpcId: string;
  ipAddressType: 'ipv4' | 'dualstack' | 'dualstack-without-public-ipv4';
  securityGroups: string[];
  zones: LbZoneRecord[];
  createdMs: number;
  /** provisioning until then, active after. */
  activeMs: number;
  attributes: Record<string, string>;
  customerOwnedIpv4Pool?: string;
}

export interface HealthCheckRecord {
  enabled: boolean;
  protocol: string;
  port: string;
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher?: { HttpCode?: string; GrpcCode?: string };
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  id: string;
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  targetType: 'instance' | 'ip' | 'lambda' | 'alb';
  ipAddressType: 'ipv4' | 'ipv6';
  healthCheck: HealthCheckRecord;
  attributes: Record<string, string>;
  createdMs: number;
}

export interface ActionRecord {
  Type: string;
  Order?: number;
  TargetGroupArn?: string;
  ForwardConfig?: { TargetGroups?: Array<{ TargetGroupArn?: string; Weight?: number }>; TargetGroupStickinessConfig?: { Enabled?: boolean; DurationSeconds?: number } };
  RedirectConfig?: Record<string, string | undefined>;
  FixedResponseConfig?: { MessageBody?: string; StatusCode?: string; ContentType?: string };
}

export interface ListenerRecord {
  arn: string;
  lbArn: string;
  port: number;
  protocol: string;
  certificates: string[];
  sslPolicy?: string;
  alpnPolicy?: string[];
  defaultActions: ActionRecord[];
}

export interface ConditionRecord {
  Field: string;
  Values?: string[];
  HostHeaderConfig?: { Values: string[] };
  PathPatternConfig?: { Values: string[] };
  HttpHeaderConfig?: { HttpHeaderName: string; Values: string[] };
  HttpRequestMethodConfig?: { Values: string[] };
  QueryStringConfig?: { Values: Array<{ Key?: string; Value: string }> };
  SourceIpConfig?: { Values: string[] };
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  /** 'default' or 1..50000 as a string. */
  priority: string;
  conditions: ConditionRecord[];
  actions: ActionRecord[];
}

export interface TargetRecord {
  tgArn: string;
  id: string;
  port: number;
  availabilityZone?: string;
  registeredMs: number;
  /** Set by DeregisterTargets: the target is draining until drainEndMs. */
  drainEndMs?: number;
  /**
   * What health reads last reported and since when (health.ts observe()): seenMs, the last read
   * that saw it healthy; a healthy target whose checks start failing stays healthy for
   * UnhealthyThresholdCount x interval from then (failingSinceMs), as AWS counts failed checks.
   */
  observed?: { state: string; sinceMs: number; seenMs?: number; failingSinceMs?: number };
}

export interface DueRecord { times: number[] }

export const hex16 = (): string => randomBytes(8).toString('hex');

export const lbTypeCode = (t: LbType): string => (t === 'application' ? 'app' : t === 'network' ? 'net' : 'gwy');

export const arnPrefix = (ctx: Pick<RequestContext, 'region' | 'account'>): string =>
  `arn:aws:elasticloadbalancing:${ctx.region}:${ctx.account}:`;

export const targetRowId = (tgArn: string, id: string, port: number): string => `${tgArn}|${id}|${port}`;

export function getLb(ctx: RequestContext, arn: string | undefined): LoadBalancerRecord {
  const lb = arn ? ctx.tx.get<LoadBalancerRecord>(ctx.scope, KIND.lb, arn) : undefined;
  if (!lb) throw new AwsError('LoadBalancerNotFound', `One or more load balancers not found`);
  return lb;
}

export function getTg(ctx: RequestContext, arn: string | undefined): TargetGroupRecord {
  const tg = arn ? ctx.tx.get<TargetGroupRecord>(ctx.scope, KIND.tg, arn) : undefined;
  if (!tg) throw new AwsError('TargetGroupNotFound', `One or more target groups not found`);
  return tg;
}

export function getListener(ctx: RequestContext, arn: string | undefined): ListenerRecord {
  const l = arn ? ctx.tx.get<ListenerRecord>(ctx.scope, KIND.listener, arn) : undefined;
  if (!l) throw new AwsError('ListenerNotFound', `One or more listeners not found`);
  return l;
}

export function getRule(ctx: RequestContext, arn: string | undefined): RuleRecord {
  const r = arn ? ctx.tx.get<RuleRecord>(ctx.scope, KIND.rule, arn) : undefined;
  if (!r) throw new AwsError('RuleNotFound', `One or more rules not found`);
  return r;
}

export const validation = (message: string): AwsError => new AwsError('ValidationError', message);
export const invalidConfig = (message: string): AwsError => new AwsError('InvalidConfigurationRequest', message);

/** Marker paging over an ordered list (the marker is the offset, as opaque text). */
export function page<T>(items: T[], marker: string | undefined, pageSize: number | undefined): { items: T[]; next?: string } {
  if (pageSize !== undefined && (pageSize < 1 || pageSize > 400)) {
    throw validation(`1 validation error detected: Value '${pageSize}' at 'pageSize' failed to satisfy constraint: Member must have value between 1 and 400`);
  }
  const start = marker ? Number.parseInt(Buffer.from(marker, 'base64').toString('utf8'), 10) : 0;
  if (!Number.isInteger(start) || start < 0) throw validation('Invalid marker');
  const size = pageSize ?? 400;
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, next: Buffer.from(String(start + size)).toString('base64') } : { items: slice };
}

/** Listeners of a load balancer (a scan of the scope's listeners: few per scope). */
export const listenersOf = (ctx: Pick<RequestContext, 'tx' | 'scope'>, lbArn: string): ListenerRecord[] =>
  ctx.tx.list<ListenerRecord>(ctx.scope, KIND.listener, { prefix: lbArn.replace(':loadbalancer/', ':listener/') + '/' }).map((r) => r.value);

export const rulesOf = (ctx: Pick<RequestContext, 'tx' | 'scope'>, listenerArn: string): RuleRecord[] =>
  ctx.tx.list<RuleRecord>(ctx.scope, KIND.rule, { prefix: listenerArn.replace(':listener/', ':listener-rule/') + '/' }).map((r) => r.value);

/** Target group ARNs an action forwards to. */
export const actionTargetGroups = (a: ActionRecord): string[] => [
  ...(a.TargetGroupArn ? [a.TargetGroupArn] : []),
  ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn).filter((x): x is string => !!x),
];

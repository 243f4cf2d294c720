/**
 * Load balancer and target group attributes: AWS's keys and defaults per type
 * (DescribeLoadBalancerAttributes / DescribeTargetGroupAttributes on a fresh resource), and the
 * validation Modify*Attributes applies (unknown keys and bad values: ValidationError).
 */
import type { LbType, TargetGroupRecord } from './records.js';
import { validation } from './records.js';

const COMMON_LB: Record<string, string> = {
  'access_logs.s3.enabled': 'false', 'access_logs.s3.bucket': '', 'access_logs.s3.prefix': '',
  'deletion_protection.enabled': 'false', 'zonal_shift.config.enabled': 'false',
};

export function lbDefaults(type: LbType, scheme: 'internet-facing' | 'internal'): Record<string, string> {
  // AWS: false for internet-facing load balancers, true for internal ones.
  const igw = { 'ipv6.deny_all_igw_traffic': scheme === 'internal' ? 'true' : 'false' };
  if (type === 'application') {
    return {
      ...COMMON_LB, ...igw,
      'connection_logs.s3.enabled': 'false', 'connection_logs.s3.bucket': '', 'connection_logs.s3.prefix': '',
      'health_check_logs.s3.enabled': 'false', 'health_check_logs.s3.bucket': '', 'health_check_logs.s3.prefix': '',
      'idle_timeout.timeout_seconds': '60', 'client_keep_alive.seconds': '3600',
      'routing.http.desync_mitigation_mode': 'defensive', 'routing.http.drop_invalid_header_fields.enabled': 'false',
      'routing.http.preserve_host_header.enabled': 'false', 'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
      'routing.http.xff_client_port.enabled': 'false', 'routing.http.xff_header_processing.mode': 'append',
      'routing.http2.enabled': 'true', 'waf.fail_open.enabled': 'false', 'load_balancing.cross_zone.enabled': 'true',
    };
  }
  return {
    ...COMMON_LB, ...igw, 'load_balancing.cross_zone.enabled': 'false', 'dns_record.client_routing_policy': 'any_availability_zone',
    'secondary_ips.auto_assigned.per_subnet': '0',
  };
}

export function tgDefaults(tg: Pick<TargetGroupRecord, 'protocol' | 'targetType'>): Record<string, string> {
  const health = {
    'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
    'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
    'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
    'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
    'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  };
  if (tg.protocol === 'HTTP' || tg.protocol === 'HTTPS' || tg.targetType === 'lambda') {
    return {
      'deregistration_delay.timeout_seconds': '300', 'stickiness.enabled': 'false', 'stickiness.type': 'lb_cookie',
      'stickiness.lb_cookie.duration_seconds': '86400', 'stickiness.app_cookie.cookie_name': '', 'stickiness.app_cookie.duration_seconds': '86400',
      'load_balancing.algorithm.type': 'round_robin', 'load_balancing.algorithm.anomaly_mitigation': 'off', 'slow_start.duration_seconds': '0',
      ...health,
    };
  }
  return {
    'deregistration_delay.timeout_seconds': '300', 'deregistration_delay.connection_termination.enabled': 'false',
    'stickiness.enabled': 'false', 'stickiness.type': 'source_ip', 'proxy_protocol_v2.enabled': 'false',
    'preserve_client_ip.enabled': tg.targetType === 'instance' || tg.protocol === 'UDP' || tg.protocol === 'TCP_UDP' ? 'true' : 'false',
    'target_health_state.unhealthy.connection_termination.enabled': 'true',
    'target_health_state.unhealthy.draining_interval_seconds': '0',
    ...health,
  };
}

const BOOL = /^(true|false)$/;
const intIn = (lo: number, hi: number) => (v: string): boolean => /^\d+$/.test(v) && Number(v) >= lo && Number(v) <= hi;

/** Value checks for the keys whose values AWS constrains; others take any string. */
const CHECKS: Record<string, (v: string) => boolean> = {
  'deregistration_delay.timeout_seconds': intIn(0, 3600),
  'stickiness.lb_cookie.duration_seconds': intIn(1, 604800),
  'stickiness.app_cookie.duration_seconds': intIn(1, 604800),
  'slow_start.duration_seconds': (v) => v === '0' || intIn(30, 900)(v),
  'idle_timeout.timeout_seconds': intIn(1, 4000),
  'client_keep_alive.seconds': intIn(60, 604800),
  'secondary_ips.auto_assigned.per_subnet': intIn(0, 7),
  'stickiness.type': (v) => ['lb_cookie', 'app_cookie', 'source_ip', 'source_ip_dest_ip', 'source_ip_dest_ip_proto'].includes(v),
  'load_balancing.algorithm.type': (v) => ['round_robin', 'least_outstanding_requests', 'weighted_random'].includes(v),
  'routing.http.desync_mitigation_mode': (v) => ['monitor', 'defensive', 'strictest'].includes(v),
  'routing.http.xff_header_processing.mode': (v) => ['append', 'preserve', 'remove'].includes(v),
  'dns_record.client_routing_policy': (v) => ['availability_zone_affinity', 'partial_availability_zone_affinity', 'any_availability_zone'].includes(v),
};

/** Applies attribute changes onto `current` (whose keys are the valid ones), AWS's errors otherwise. */
export function applyAttributes(current: Record<string, string>, changes: Array<{ Key?: string; Value?: string }> | undefined, what: string): Record<string, string> {
  if (!changes?.length) throw validation(`Attributes must be specified`);
  const out = { ...current };
  for (const c of changes) {
    const key = c.Key ?? '';
    const value = c.Value ?? '';
    if (!(key in current)) throw validation(`${what} attribute key '${key}' is not recognized`);
    const tgCrossZone = what === 'Target group' && key === 'load_balancing.cross_zone.enabled';
    const check = tgCrossZone ? (v: string) => ['true', 'false', 'use_load_balancer_configuration'].includes(v)
      : CHECKS[key] ?? (key.endsWith('.enabled') ? (v: string) => BOOL.test(v) : undefined);
    if (check && !check(value)) throw validation(`${what} attribute value '${value}' is not valid for key '${key}'`);
    out[key] = value;
  }
  return out;
}

export const attributeList = (a: Record<string, string>): Array<{ Key: string; Value: string }> =>
  Object.entries(a).map(([Key, Value]) => ({ Key, Value }));

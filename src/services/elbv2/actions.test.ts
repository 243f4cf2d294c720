import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AwsError } from '../../core/errors.js';
import { checkActions, checkConditions, type TgLookup } from './actions.js';
import { healthCheckOf } from './target-groups.js';

const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { return (e as AwsError).code; }
  return 'ok';
};
const HTTP_TG = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/a/1';
const TCP_TG = 'arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/b/2';
const lookup: TgLookup = (arn) => (arn === HTTP_TG ? { protocol: 'HTTP', targetType: 'instance', vpcId: 'vpc-1' }
  : arn === TCP_TG ? { protocol: 'TCP', targetType: 'instance', vpcId: 'vpc-1' } : undefined);

test('conditions: each field validated, one of a kind except headers and query strings, five values in all', () => {
  assert.deepEqual(checkConditions([{ Field: 'path-pattern', Values: ['/a/*'] }]), [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a/*'] }, Values: ['/a/*'] }]);
  assert.equal(code(() => checkConditions([])), 'ValidationError');
  assert.equal(code(() => checkConditions([{ Field: 'cookie', Values: ['x'] }])), 'ValidationError');
  assert.equal(code(() => checkConditions([{ Field: 'host-header', Values: ['a.com'] }, { Field: 'host-header', Values: ['b.com'] }])), 'ValidationError');
  assert.equal(code(() => checkConditions([{ Field: 'host-header', Values: ['a b'] }])), 'ValidationError');
  assert.equal(code(() => checkConditions([{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['get'] } }])), 'ValidationError');
  assert.equal(code(() => checkConditions([{ Field: 'http-request-method', HttpRequestMethodConfig: { Values: ['GET', 'POST'] } }])), 'ok');
  assert.equal(code(() => checkConditions([{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/33'] } }])), 'ValidationError');
  assert.equal(code(() => checkConditions([{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8', '2001:db8::/32'] } }])), 'ok');
  assert.equal(code(() => checkConditions([{ Field: 'query-string', QueryStringConfig: { Values: [{ Key: 'a' }] } }])), 'ValidationError');
  assert.equal(code(() => checkConditions([
    { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-A', Values: ['1'] } },
    { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-B', Values: ['2'] } },
  ])), 'ok');
  assert.equal(code(() => checkConditions([{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'Host', Values: ['a'] } }])), 'ValidationError');
  assert.equal(code(() => checkConditions([{ Field: 'path-pattern', Values: ['/1', '/2', '/3'] }, { Field: 'host-header', Values: ['a', 'b', 'c'] }])), 'ValidationError');
});

test('actions: exactly one terminal action, forward groups exist and suit the load balancer, redirects that loop are refused', () => {
  assert.deepEqual(checkActions([{ Type: 'forward', TargetGroupArn: HTTP_TG }], 'application', lookup, 'vpc-1'), [{ Type: 'forward', Order: 1, TargetGroupArn: HTTP_TG }]);
  assert.equal(code(() => checkActions([{ Type: 'forward', TargetGroupArn: 'arn:nope' }], 'application', lookup, 'vpc-1')), 'TargetGroupNotFound');
  assert.equal(code(() => checkActions([{ Type: 'forward', TargetGroupArn: TCP_TG }], 'application', lookup, 'vpc-1')), 'InvalidConfigurationRequest');
  assert.equal(code(() => checkActions([{ Type: 'forward', TargetGroupArn: HTTP_TG }], 'network', lookup, 'vpc-1')), 'InvalidConfigurationRequest');
  assert.equal(code(() => checkActions([{ Type: 'forward', TargetGroupArn: HTTP_TG }], 'application', lookup, 'vpc-2')), 'InvalidConfigurationRequest');
  assert.equal(code(() => checkActions([{ Type: 'forward', TargetGroupArn: HTTP_TG }, { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }], 'application', lookup, 'vpc-1')), 'InvalidConfigurationRequest');
  const weighted = checkActions([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: HTTP_TG, Weight: 3 }] } }], 'application', lookup, 'vpc-1')[0]!;
  assert.deepEqual(weighted.ForwardConfig, { TargetGroups: [{ TargetGroupArn: HTTP_TG, Weight: 3 }], TargetGroupStickinessConfig: { Enabled: false } });
  assert.equal(code(() => checkActions([{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: HTTP_TG, Weight: 1000 }] } }], 'application', lookup, 'vpc-1')), 'ValidationError');
  assert.equal(code(() => checkActions([{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301' } }], 'application', lookup, 'vpc-1')), 'InvalidConfigurationRequest');
  const redirect = checkActions([{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301', Protocol: 'HTTPS', Port: '443' } }], 'application', lookup, 'vpc-1')[0]!;
  assert.deepEqual(redirect.RedirectConfig, { Protocol: 'HTTPS', Port: '443', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' });
  assert.equal(code(() => checkActions([{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '302' } }], 'application', lookup, 'vpc-1')), 'ValidationError');
  assert.equal(code(() => checkActions([{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301', Protocol: 'HTTPS' } }], 'network', lookup, 'vpc-1')), 'InvalidConfigurationRequest');
});

test('health check defaults per protocol and their validation', () => {
  assert.deepEqual(healthCheckOf('HTTP', {}), {
    enabled: true, protocol: 'HTTP', port: 'traffic-port', path: '/', intervalSeconds: 30, timeoutSeconds: 5, healthyThreshold: 5, unhealthyThreshold: 2, matcher: { HttpCode: '200' },
  });
  assert.deepEqual(healthCheckOf('TCP', {}), { enabled: true, protocol: 'TCP', port: 'traffic-port', intervalSeconds: 30, timeoutSeconds: 10, healthyThreshold: 5, unhealthyThreshold: 2 });
  assert.equal(healthCheckOf('TCP', { HealthCheckProtocol: 'HTTP' }).matcher?.HttpCode, '200-399');
  assert.equal(code(() => healthCheckOf('HTTP', { HealthCheckProtocol: 'TCP' })), 'ValidationError');
  assert.equal(code(() => healthCheckOf('HTTP', { HealthCheckIntervalSeconds: 4 })), 'ValidationError');
  assert.equal(code(() => healthCheckOf('HTTP', { HealthyThresholdCount: 11 })), 'ValidationError');
  assert.equal(code(() => healthCheckOf('HTTP', { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 5 })), 'ValidationError');
  assert.equal(code(() => healthCheckOf('HTTP', { HealthCheckPort: '70000' })), 'ValidationError');
  assert.equal(code(() => healthCheckOf('HTTP', { Matcher: { HttpCode: '200-299,302' } })), 'ok');
  assert.equal(code(() => healthCheckOf('HTTP', { Matcher: { HttpCode: '600' } })), 'ValidationError');
  assert.equal(code(() => healthCheckOf('TCP', { HealthCheckPath: '/x' })), 'ValidationError');
});

test('attributes: unknown keys and bad values refused; a target group may go back to the load balancer configuration', async () => {
  const { applyAttributes, tgDefaults } = await import('./lb-attributes.js');
  const cur = tgDefaults({ protocol: 'HTTP', targetType: 'instance' });
  assert.equal(code(() => applyAttributes(cur, [{ Key: 'nope', Value: '1' }], 'Target group')), 'ValidationError');
  assert.equal(code(() => applyAttributes(cur, [{ Key: 'deregistration_delay.timeout_seconds', Value: '3601' }], 'Target group')), 'ValidationError');
  assert.equal(code(() => applyAttributes(cur, [{ Key: 'stickiness.enabled', Value: 'yes' }], 'Target group')), 'ValidationError');
  const on = applyAttributes(cur, [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }], 'Target group');
  assert.equal(applyAttributes(on, [{ Key: 'load_balancing.cross_zone.enabled', Value: 'use_load_balancer_configuration' }], 'Target group')['load_balancing.cross_zone.enabled'], 'use_load_balancer_configuration');
  assert.equal(applyAttributes(cur, [{ Key: 'slow_start.duration_seconds', Value: '30' }], 'Target group')['slow_start.duration_seconds'], '30');
  assert.equal(code(() => applyAttributes(cur, [{ Key: 'slow_start.duration_seconds', Value: '10' }], 'Target group')), 'ValidationError');
});

/**
 * Listener and rule actions (forward with weights and stickiness, redirect, fixed-response)
 * and rule conditions (path-pattern, host-header, http-header, http-request-method,
 * query-string, source-ip): validation with AWS's limits and messages. Pure except for the
 * target group lookups the caller passes in.
 */
import type { Action, RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../core/errors.js';
import { parseCidr } from '../../network/cidr.js';
import type { ActionRecord, ConditionRecord, LbType } from './records.js';
import { invalidConfig, validation } from './records.js';

/** Target group facts an action check needs: its protocol, type, and whether it exists. */
export type TgLookup = (arn: string) => { protocol?: string; targetType: string; vpcId?: string } | undefined;

const STATUS_3XX = ['HTTP_301', 'HTTP_302'];

export function checkActions(actions: Action[] | undefined, lbType: LbType, lookup: TgLookup, vpcId: string): ActionRecord[] {
  if (!actions?.length) throw validation('At least one action must be specified');
  const out: ActionRecord[] = [];
  const terminal = actions.filter((a) => ['forward', 'redirect', 'fixed-response'].includes(a.Type ?? ''));
  if (terminal.length !== 1) throw invalidConfig('You must specify exactly one forward, redirect, or fixed-response action');
  for (const [i, a] of actions.entries()) {
    const type = a.Type;
    if (type === 'authenticate-cognito' || type === 'authenticate-oidc') throw validation(`cloudlet does not implement '${type}' actions`);
    if (type !== 'forward' && type !== 'redirect' && type !== 'fixed-response') throw validation(`Action type '${String(type)}' is not valid`);
    if (lbType === 'network' && type !== 'forward') throw invalidConfig(`Action type '${type}' is not supported for Network Load Balancers`);
    const rec: ActionRecord = { Type: type, ...(a.Order !== undefined ? { Order: a.Order } : { Order: i + 1 }) };
    if (a.Order !== undefined && (a.Order < 1 || a.Order > 50000)) throw validation(`Action order '${a.Order}' must be between 1 and 50000`);
    if (type === 'forward') {
      const groups = a.ForwardConfig?.TargetGroups?.length ? a.ForwardConfig.TargetGroups : a.TargetGroupArn ? [{ TargetGroupArn: a.TargetGroupArn }] : [];
      if (!groups.length) throw validation('A target group ARN must be specified for forward actions');
      if (a.TargetGroupArn && a.ForwardConfig?.TargetGroups?.length) {
        const one = a.ForwardConfig.TargetGroups;
        if (one.length !== 1 || one[0]!.TargetGroupArn !== a.TargetGroupArn) throw validation('You cannot specify both a target group ARN and a forward config with other target groups');
      }
      if (groups.length > 5) throw validation('A forward action can have at most 5 target groups');
      if (lbType === 'network' && groups.length > 1) throw invalidConfig('Network Load Balancers support forwarding to one target group only');
      for (const g of groups) {
        const tg = g.TargetGroupArn ? lookup(g.TargetGroupArn) : undefined;
        if (!tg) throw new AwsError('TargetGroupNotFound', `Target group '${g.TargetGroupArn ?? ''}' not found`);
        if (tg.vpcId && tg.vpcId !== vpcId) throw invalidConfig(`The target group '${g.TargetGroupArn}' is not in the load balancer's VPC '${vpcId}'`);
        const httpTg = tg.protocol === 'HTTP' || tg.protocol === 'HTTPS';
        if (lbType === 'application' && !httpTg && tg.targetType !== 'lambda') {
          throw invalidConfig(`The target group '${g.TargetGroupArn}' has protocol '${tg.protocol}': Application Load Balancers forward to HTTP or HTTPS target groups`);
        }
        if (lbType === 'network' && httpTg) throw invalidConfig(`The target group '${g.TargetGroupArn}' has protocol '${tg.protocol}', which is not supported by Network Load Balancers`);
        if (g.Weight !== undefined && (g.Weight < 0 || g.Weight > 999)) throw validation(`Target group weight '${g.Weight}' must be between 0 and 999`);
      }
      const st = a.ForwardConfig?.TargetGroupStickinessConfig;
      if (st?.DurationSeconds !== undefined && (st.DurationSeconds < 1 || st.DurationSeconds > 604800)) {
        throw validation('Target group stickiness duration must be between 1 and 604800 seconds');
      }
      if (groups.length === 1 && !a.ForwardConfig) rec.TargetGroupArn = groups[0]!.TargetGroupArn!;
      else {
        if (groups.length === 1) rec.TargetGroupArn = groups[0]!.TargetGroupArn!;
        rec.ForwardConfig = {
          TargetGroups: groups.map((g) => ({ TargetGroupArn: g.TargetGroupArn!, Weight: g.Weight ?? 1 })),
          TargetGroupStickinessConfig: { Enabled: st?.Enabled ?? false, ...(st?.DurationSeconds !== undefined ? { DurationSeconds: st.DurationSeconds } : {}) },
        };
      }
    } else if (type === 'redirect') {
      const r = a.RedirectConfig;
      if (!r?.StatusCode || !STATUS_3XX.includes(r.StatusCode)) throw validation('A redirect status code of HTTP_301 or HTTP_302 must be specified');
      if (r.Protocol && !['HTTP', 'HTTPS', '#{protocol}'].includes(r.Protocol)) throw validation(`Redirect protocol '${r.Protocol}' is not valid`);
      if (r.Port && !(r.Port === '#{port}' || (/^\d+$/.test(r.Port) && Number(r.Port) >= 1 && Number(r.Port) <= 65535))) throw validation(`Redirect port '${r.Port}' is not valid`);
      if (r.Path && !r.Path.startsWith('/')) throw validation(`Redirect path '${r.Path}' must start with '/'`);
      const same = (r.Protocol ?? '#{protocol}') === '#{protocol}' && (r.Port ?? '#{port}') === '#{port}' && (r.Host ?? '#{host}') === '#{host}'
        && (r.Path ?? '/#{path}') === '/#{path}' && (r.Query ?? '#{query}') === '#{query}';
      if (same) throw invalidConfig('The redirect must change at least one of protocol, port, host, path or query, to avoid a loop');
      rec.RedirectConfig = {
        Protocol: r.Protocol ?? '#{protocol}', Port: r.Port ?? '#{port}', Host: r.Host ?? '#{host}', Path: r.Path ?? '/#{path}',
        Query: r.Query ?? '#{query}', StatusCode: r.StatusCode,
      };
    } else {
      const f = a.FixedResponseConfig;
      if (!f?.StatusCode || !/^[2-5]\d\d$/.test(f.StatusCode)) throw validation('A fixed-response status code of 2XX, 4XX or 5XX must be specified');
      if (/^3/.test(f.StatusCode)) throw validation('A fixed-response status code of 2XX, 4XX or 5XX must be specified');
      if (f.ContentType && !['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'].includes(f.ContentType)) {
        throw validation(`Content type '${f.ContentType}' is not valid`);
      }
      if ((f.MessageBody ?? '').length > 1024) throw validation('A fixed-response message body can be at most 1024 characters');
      rec.FixedResponseConfig = { StatusCode: f.StatusCode, ...(f.ContentType ? { ContentType: f.ContentType } : {}), ...(f.MessageBody !== undefined ? { MessageBody: f.MessageBody } : {}) };
    }
    out.push(rec);
  }
  return out;
}

const METHOD = /^[A-Z_-]{1,40}$/;
const WILDCARD_TEXT = /^[A-Za-z0-9_\-.$/~"'@:+&()!,;=*?%]+$/;

/** Checks rule conditions: AWS's fields, one of each except http-header and query-string, at most 5 values overall. */
export function checkConditions(conditions: RuleCondition[] | undefined): ConditionRecord[] {
  if (!conditions?.length) throw validation('At least one condition must be specified');
  const seen = new Set<string>();
  const out: ConditionRecord[] = [];
  let values = 0;
  for (const c of conditions) {
    const field = c.Field ?? '';
    if (!['path-pattern', 'host-header', 'http-header', 'http-request-method', 'query-string', 'source-ip'].includes(field)) {
      throw validation(`Condition field '${field}' is not valid`);
    }
    if (seen.has(field) && field !== 'http-header' && field !== 'query-string') throw validation(`A rule can only have one '${field}' condition`);
    seen.add(field);
    const rec: ConditionRecord = { Field: field };
    const plain = (cfg: { Values?: string[] } | undefined): string[] => {
      if (c.Values?.length && cfg?.Values?.length) throw validation(`You cannot specify both 'Values' and a '${field}' config`);
      const v = cfg?.Values ?? c.Values ?? [];
      if (!v.length) throw validation(`A '${field}' condition must have at least one value`);
      return v;
    };
    switch (field) {
      case 'path-pattern': {
        const v = plain(c.PathPatternConfig);
        for (const p of v) if (p.length > 128 || !WILDCARD_TEXT.test(p)) throw validation(`Path pattern '${p}' is not valid`);
        rec.PathPatternConfig = { Values: v }; rec.Values = v; values += v.length; break;
      }
      case 'host-header': {
        const v = plain(c.HostHeaderConfig);
        for (const h of v) if (h.length > 128 || !/^[A-Za-z0-9\-.*?]+$/.test(h)) throw validation(`Host header '${h}' is not valid`);
        rec.HostHeaderConfig = { Values: v }; rec.Values = v; values += v.length; break;
      }
      case 'http-header': {
        const h = c.HttpHeaderConfig;
        if (!h?.HttpHeaderName || !h.Values?.length) throw validation("An 'http-header' condition must have an HttpHeaderConfig with a header name and values");
        if (!/^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,40}$/.test(h.HttpHeaderName)) throw validation(`HTTP header name '${h.HttpHeaderName}' is not valid`);
        if (h.HttpHeaderName.toLowerCase() === 'host') throw validation("Use a 'host-header' condition for the Host header");
        rec.HttpHeaderConfig = { HttpHeaderName: h.HttpHeaderName, Values: h.Values }; values += h.Values.length; break;
      }
      case 'http-request-method': {
        const v = c.HttpRequestMethodConfig?.Values ?? [];
        if (!v.length) throw validation("An 'http-request-method' condition must have an HttpRequestMethodConfig with values");
        for (const m of v) if (!METHOD.test(m)) throw validation(`HTTP request method '${m}' is not valid: methods are upper case letters, underscores and hyphens`);
        rec.HttpRequestMethodConfig = { Values: v }; values += v.length; break;
      }
      case 'query-string': {
        const v = c.QueryStringConfig?.Values ?? [];
        if (!v.length) throw validation("A 'query-string' condition must have a QueryStringConfig with values");
        for (const kv of v) if (!kv.Value) throw validation('Each query string key/value pair must have a value');
        rec.QueryStringConfig = { Values: v.map((kv) => ({ ...(kv.Key ? { Key: kv.Key } : {}), Value: kv.Value! })) }; values += v.length; break;
      }
      case 'source-ip': {
        const v = c.SourceIpConfig?.Values ?? [];
        if (!v.length) throw validation("A 'source-ip' condition must have a SourceIpConfig with values");
        for (const cidr of v) if (!parseCidr(cidr).ok) throw validation(`Source IP '${cidr}' is not a valid CIDR block`);
        rec.SourceIpConfig = { Values: v }; values += v.length; break;
      }
      default: break;
    }
    out.push(rec);
  }
  if (values > 5) throw validation('A rule can have at most 5 condition values in total');
  return out;
}

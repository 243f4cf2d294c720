/**
 * Listeners: CreateListener (HTTP/HTTPS for application load balancers, TCP/UDP/TCP_UDP/TLS for
 * network ones; HTTPS and TLS need a certificate ARN: any ACM- or IAM-shaped ARN is taken as
 * it is, since cloudlet has no ACM), DescribeListeners, ModifyListener, DeleteListener.
 * A listener's default actions are its default rule (DescribeRules shows it, IsDefault).
 */
import type {
  Certificate, CreateListenerInput, CreateListenerOutput, DeleteListenerInput, DeleteListenerOutput, DescribeListenersInput,
  DescribeListenersOutput, Listener, ModifyListenerInput, ModifyListenerOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { checkActions, type TgLookup } from './actions.js';
import {
  getLb, getListener, hex16, invalidConfig, KIND, listenersOf, page, rulesOf, validation, type LoadBalancerRecord, type ListenerRecord, type TargetGroupRecord,
} from './records.js';
import { SSL_POLICIES } from './account.js';
import { checkTags, setTags } from './tags.js';

export const CERT_ARN = /^arn:aws[a-z-]*:(acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+|iam::\d{12}:server-certificate\/.+)$/;
const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';
export const MAX_LISTENERS = 50;

export const tgLookup = (ctx: RequestContext): TgLookup => (arn) => ctx.tx.get<TargetGroupRecord>(ctx.scope, KIND.tg, arn);

function listenerShape(l: ListenerRecord): Listener {
  return {
    ListenerArn: l.arn, LoadBalancerArn: l.lbArn, Port: l.port, Protocol: l.protocol as Listener['Protocol'],
    ...(l.certificates.length ? { Certificates: l.certificates.map((c): Certificate => ({ CertificateArn: c })) } : {}),
    ...(l.sslPolicy ? { SslPolicy: l.sslPolicy } : {}), ...(l.alpnPolicy ? { AlpnPolicy: l.alpnPolicy } : {}),
    DefaultActions: l.defaultActions as Listener['DefaultActions'],
  };
}

function checkProtocol(lb: LoadBalancerRecord, protocol: string | undefined): string {
  const ok = lb.type === 'application' ? ['HTTP', 'HTTPS'] : ['TCP', 'TLS', 'UDP', 'TCP_UDP'];
  if (!protocol) throw validation('A listener protocol must be specified');
  if (!ok.includes(protocol)) throw invalidConfig(`Protocol '${protocol}' is not supported with ${lb.type === 'application' ? 'Application' : 'Network'} Load Balancers`);
  if ((protocol === 'UDP' || protocol === 'TCP_UDP') && lb.securityGroups.length) {
    throw invalidConfig('UDP and TCP_UDP listeners are not supported on Network Load Balancers with security groups');
  }
  return protocol;
}

function checkTls(protocol: string, certs: Certificate[] | undefined, sslPolicy: string | undefined): { certificates: string[]; sslPolicy?: string } {
  const secure = protocol === 'HTTPS' || protocol === 'TLS';
  if (!secure) {
    if (certs?.length) throw invalidConfig(`Certificates are not supported for ${protocol} listeners`);
    if (sslPolicy) throw invalidConfig(`An SSL policy is not supported for ${protocol} listeners`);
    return { certificates: [] };
  }
  if (!certs?.length || !certs[0]!.CertificateArn) throw validation(`A certificate must be specified for ${protocol} listeners`);
  if (certs.length > 1) throw validation('Only one default certificate can be specified; add others with AddListenerCertificates');
  const arn = certs[0]!.CertificateArn;
  if (!CERT_ARN.test(arn)) throw new AwsError('CertificateNotFound', `Certificate '${arn}' not found`);
  const policy = sslPolicy ?? DEFAULT_SSL_POLICY;
  if (!SSL_POLICIES.some((p) => p.name === policy)) throw new AwsError('SSLPolicyNotFound', `SSL policy '${policy}' not found`);
  return { certificates: [arn], sslPolicy: policy };
}

function checkPort(port: number | undefined): number {
  if (port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) throw validation(`Listener port '${String(port)}' must be between 1 and 65535`);
  return port;
}

export const createListener: Handler<CreateListenerInput, CreateListenerOutput> = (input, ctx) => {
  const lb = getLb(ctx, input.LoadBalancerArn);
  const protocol = checkProtocol(lb, input.Protocol);
  const port = checkPort(input.Port);
  const tls = checkTls(protocol, input.Certificates, input.SslPolicy);
  const actions = checkActions(input.DefaultActions, lb.type, tgLookup(ctx), lb.vpcId);
  const tags = checkTags(input.Tags);
  const existing = listenersOf(ctx, lb.arn);
  const same = existing.find((l) => l.port === port);
  if (same) {
    if (same.protocol === protocol && JSON.stringify(same.defaultActions) === JSON.stringify(actions)) return { Listeners: [listenerShape(same)] };
    throw new AwsError('DuplicateListener', 'A listener already exists on this port for this load balancer');
  }
  if (existing.length >= MAX_LISTENERS) throw new AwsError('TooManyListeners', `You've reached the limit on the number of listeners per load balancer`);
  const l: ListenerRecord = {
    arn: `${lb.arn.replace(':loadbalancer/', ':listener/')}/${hex16()}`, lbArn: lb.arn, port, protocol, ...tls, defaultActions: actions,
    ...(input.AlpnPolicy?.length ? { alpnPolicy: input.AlpnPolicy } : {}),
  };
  ctx.tx.put(ctx.scope, KIND.listener, l.arn, l);
  setTags(ctx, l.arn, tags);
  return { Listeners: [listenerShape(l)] };
};

export const describeListeners: Handler<DescribeListenersInput, DescribeListenersOutput> = (input, ctx) => {
  if (!input.LoadBalancerArn && !input.ListenerArns?.length) throw validation('You must specify either listener ARNs or a load balancer ARN');
  if (input.LoadBalancerArn && input.ListenerArns?.length) throw validation('Listener ARNs and a load balancer ARN cannot be specified at the same time');
  const all = input.ListenerArns?.length ? input.ListenerArns.map((a) => getListener(ctx, a)) : listenersOf(ctx, getLb(ctx, input.LoadBalancerArn).arn);
  const p = page(all, input.Marker, input.PageSize);
  return { Listeners: p.items.map(listenerShape), ...(p.next ? { NextMarker: p.next } : {}) };
};

export const modifyListener: Handler<ModifyListenerInput, ModifyListenerOutput> = (input, ctx) => {
  const l = getListener(ctx, input.ListenerArn);
  const lb = getLb(ctx, l.lbArn);
  const protocol = input.Protocol !== undefined ? checkProtocol(lb, input.Protocol) : l.protocol;
  const port = input.Port !== undefined ? checkPort(input.Port) : l.port;
  if (port !== l.port && listenersOf(ctx, lb.arn).some((o) => o.port === port)) throw new AwsError('DuplicateListener', 'A listener already exists on this port for this load balancer');
  const secure = protocol === 'HTTPS' || protocol === 'TLS';
  const certs = input.Certificates ?? (secure ? l.certificates.map((CertificateArn) => ({ CertificateArn })) : undefined);
  const tls = checkTls(protocol, certs, input.SslPolicy ?? (secure ? l.sslPolicy : undefined));
  const actions = input.DefaultActions?.length ? checkActions(input.DefaultActions, lb.type, tgLookup(ctx), lb.vpcId) : l.defaultActions;
  const next: ListenerRecord = { ...l, protocol, port, certificates: tls.certificates, defaultActions: actions };
  if (tls.sslPolicy) next.sslPolicy = tls.sslPolicy; else delete next.sslPolicy;
  if (input.AlpnPolicy) next.alpnPolicy = input.AlpnPolicy;
  ctx.tx.put(ctx.scope, KIND.listener, l.arn, next);
  return { Listeners: [listenerShape(next)] };
};

export const deleteListener: Handler<DeleteListenerInput, DeleteListenerOutput> = (input, ctx) => {
  const l = getListener(ctx, input.ListenerArn);
  for (const r of rulesOf(ctx, l.arn)) { ctx.tx.delete(ctx.scope, KIND.rule, r.arn); ctx.tx.delete(ctx.scope, KIND.tags, r.arn); }
  ctx.tx.delete(ctx.scope, KIND.listener, l.arn);
  ctx.tx.delete(ctx.scope, KIND.tags, l.arn);
  return {};
};

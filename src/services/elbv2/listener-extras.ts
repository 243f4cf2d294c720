/**
 * Listener attributes (DescribeListenerAttributes / ModifyListenerAttributes) and the
 * additional certificates of HTTPS and TLS listeners (Add/Describe/RemoveListenerCertificates).
 * Attributes: AWS's keys per listener kind; header values are taken as given (no traffic is
 * served, so nothing sends them).
 */
import type {
  AddListenerCertificatesInput, AddListenerCertificatesOutput, DescribeListenerAttributesInput, DescribeListenerAttributesOutput,
  DescribeListenerCertificatesInput, DescribeListenerCertificatesOutput, ModifyListenerAttributesInput, ModifyListenerAttributesOutput,
  RemoveListenerCertificatesInput, RemoveListenerCertificatesOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../core/errors.js';
import type { Handler, RequestContext } from '../types.js';
import { attributeList } from './lb-attributes.js';
import { getListener, KIND, page, validation, type ListenerRecord } from './records.js';
import { CERT_ARN } from './listeners.js';

type WithAttributes = ListenerRecord & { attributes?: Record<string, string>; extraCertificates?: string[] };

const ALB_HEADERS = [
  'routing.http.response.strict_transport_security.header_value', 'routing.http.response.access_control_allow_origin.header_value',
  'routing.http.response.access_control_allow_methods.header_value', 'routing.http.response.access_control_allow_headers.header_value',
  'routing.http.response.access_control_allow_credentials.header_value', 'routing.http.response.access_control_expose_headers.header_value',
  'routing.http.response.access_control_max_age.header_value', 'routing.http.response.content_security_policy.header_value',
  'routing.http.response.x_content_type_options.header_value', 'routing.http.response.x_frame_options.header_value',
];

function defaults(l: ListenerRecord): Record<string, string> {
  if (l.protocol === 'HTTP' || l.protocol === 'HTTPS') return { 'routing.http.response.server.enabled': 'true' };
  if (l.protocol === 'TCP') return { 'tcp.idle_timeout.seconds': '350' };
  return {};
}

const attributesOf = (l: WithAttributes): Record<string, string> => ({ ...defaults(l), ...(l.attributes ?? {}) });

export const describeListenerAttributes: Handler<DescribeListenerAttributesInput, DescribeListenerAttributesOutput> = (input, ctx) =>
  ({ Attributes: attributeList(attributesOf(getListener(ctx, input.ListenerArn))) });

export const modifyListenerAttributes: Handler<ModifyListenerAttributesInput, ModifyListenerAttributesOutput> = (input, ctx) => {
  const l = getListener(ctx, input.ListenerArn) as WithAttributes;
  if (!input.Attributes?.length) throw validation('Attributes must be specified');
  const http = l.protocol === 'HTTP' || l.protocol === 'HTTPS';
  const next = { ...(l.attributes ?? {}) };
  for (const a of input.Attributes) {
    const key = a.Key ?? '';
    const value = a.Value ?? '';
    if (http && key === 'routing.http.response.server.enabled') {
      if (!/^(true|false)$/.test(value)) throw validation(`Listener attribute value '${value}' is not valid for key '${key}'`);
    } else if (http && ALB_HEADERS.includes(key)) {
      if (value.length > 1024) throw validation(`Listener attribute value for key '${key}' cannot be longer than 1024 characters`);
    } else if (l.protocol === 'TCP' && key === 'tcp.idle_timeout.seconds') {
      if (!/^\d+$/.test(value) || Number(value) < 60 || Number(value) > 6000) throw validation(`Listener attribute value '${value}' is not valid for key '${key}': 60-6000 seconds`);
    } else {
      throw validation(`Listener attribute key '${key}' is not recognized for ${l.protocol} listeners`);
    }
    next[key] = value;
  }
  const updated: WithAttributes = { ...l, attributes: next };
  ctx.tx.put(ctx.scope, KIND.listener, l.arn, updated);
  return { Attributes: attributeList(attributesOf(updated)) };
};

function secureListener(ctx: RequestContext, arn: string | undefined): WithAttributes {
  const l = getListener(ctx, arn) as WithAttributes;
  if (l.protocol !== 'HTTPS' && l.protocol !== 'TLS') throw new AwsError('InvalidConfigurationRequest', `Certificates are not supported for ${l.protocol} listeners`);
  return l;
}

export const addListenerCertificates: Handler<AddListenerCertificatesInput, AddListenerCertificatesOutput> = (input, ctx) => {
  const l = secureListener(ctx, input.ListenerArn);
  const arns = (input.Certificates ?? []).map((c) => c.CertificateArn ?? '');
  if (!arns.length) throw validation('At least one certificate must be specified');
  for (const a of arns) if (!CERT_ARN.test(a)) throw new AwsError('CertificateNotFound', `Certificate '${a}' not found`);
  const extra = [...new Set([...(l.extraCertificates ?? []), ...arns.filter((a) => !l.certificates.includes(a))])];
  if (extra.length > 25) throw new AwsError('TooManyCertificates', `You've reached the limit on the number of certificates per load balancer`);
  ctx.tx.put(ctx.scope, KIND.listener, l.arn, { ...l, extraCertificates: extra });
  return { Certificates: arns.map((CertificateArn) => ({ CertificateArn, IsDefault: false })) };
};

export const describeListenerCertificates: Handler<DescribeListenerCertificatesInput, DescribeListenerCertificatesOutput> = (input, ctx) => {
  const l = getListener(ctx, input.ListenerArn) as WithAttributes;
  const all = [...l.certificates.map((CertificateArn) => ({ CertificateArn, IsDefault: true })), ...(l.extraCertificates ?? []).map((CertificateArn) => ({ CertificateArn, IsDefault: false }))];
  const p = page(all, input.Marker, input.PageSize);
  return { Certificates: p.items, ...(p.next ? { NextMarker: p.next } : {}) };
};

export const removeListenerCertificates: Handler<RemoveListenerCertificatesInput, RemoveListenerCertificatesOutput> = (input, ctx) => {
  const l = secureListener(ctx, input.ListenerArn);
  const arns = (input.Certificates ?? []).map((c) => c.CertificateArn ?? '');
  if (arns.some((a) => l.certificates.includes(a))) throw new AwsError('OperationNotPermitted', 'The default certificate cannot be removed; change it with ModifyListener');
  ctx.tx.put(ctx.scope, KIND.listener, l.arn, { ...l, extraCertificates: (l.extraCertificates ?? []).filter((a) => !arns.includes(a)) });
  return {};
};

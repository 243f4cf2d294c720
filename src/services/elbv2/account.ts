/**
 * DescribeAccountLimits (AWS's default quotas, the ones cloudlet enforces marked in their
 * modules) and DescribeSSLPolicies: a small honest list of the predefined policies with their
 * protocols and ciphers (no TLS is terminated here: the names are accepted by listeners).
 */
import type {
  DescribeAccountLimitsInput, DescribeAccountLimitsOutput, DescribeSSLPoliciesInput, DescribeSSLPoliciesOutput, SslPolicy,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError } from '../../core/errors.js';
import type { Handler } from '../types.js';
import { page } from './records.js';

const LIMITS: Array<[string, string]> = [
  ['application-load-balancers', '50'], ['target-groups', '3000'], ['targets-per-application-load-balancer', '1000'],
  ['listeners-per-application-load-balancer', '50'], ['rules-per-application-load-balancer', '100'],
  ['network-load-balancers', '50'], ['targets-per-network-load-balancer', '3000'], ['targets-per-availability-zone-per-network-load-balancer', '500'],
  ['listeners-per-network-load-balancer', '50'], ['condition-values-per-alb-rule', '5'], ['condition-wildcards-per-alb-rule', '5'],
  ['target-groups-per-application-load-balancer', '100'], ['target-groups-per-action-on-application-load-balancer', '5'],
  ['target-groups-per-action-on-network-load-balancer', '1'], ['certificates-per-application-load-balancer', '25'],
  ['certificates-per-network-load-balancer', '25'], ['targets-per-target-group', '1000'],
  ['target-id-registrations-per-application-load-balancer', '1000'], ['network-load-balancer-enis-per-vpc', '1200'],
];

export const describeAccountLimits: Handler<DescribeAccountLimitsInput, DescribeAccountLimitsOutput> = (input) => {
  const p = page(LIMITS, input.Marker, input.PageSize);
  return { Limits: p.items.map(([Name, Max]) => ({ Name, Max })), ...(p.next ? { NextMarker: p.next } : {}) };
};

const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384',
  'AES128-GCM-SHA256', 'AES128-SHA256', 'AES256-GCM-SHA384', 'AES256-SHA256',
];
const LEGACY_CIPHERS = ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-RSA-AES256-SHA', 'AES128-SHA', 'AES256-SHA'];
const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

export const SSL_POLICIES: Array<{ name: string; protocols: string[]; ciphers: string[] }> = [
  { name: 'ELBSecurityPolicy-2016-08', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], ciphers: [...TLS12_CIPHERS, ...LEGACY_CIPHERS] },
  { name: 'ELBSecurityPolicy-TLS-1-2-2017-01', protocols: ['TLSv1.2'], ciphers: TLS12_CIPHERS },
  { name: 'ELBSecurityPolicy-TLS13-1-2-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], ciphers: [...TLS13_CIPHERS, ...TLS12_CIPHERS.slice(0, 8)] },
  { name: 'ELBSecurityPolicy-TLS13-1-3-2021-06', protocols: ['TLSv1.3'], ciphers: TLS13_CIPHERS },
  { name: 'ELBSecurityPolicy-FS-1-2-Res-2020-10', protocols: ['TLSv1.2'], ciphers: ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'] },
];

export const describeSSLPolicies: Handler<DescribeSSLPoliciesInput, DescribeSSLPoliciesOutput> = (input) => {
  let list = SSL_POLICIES;
  if (input.Names?.length) {
    const missing = input.Names.filter((n) => !SSL_POLICIES.some((p) => p.name === n));
    if (missing.length) throw new AwsError('SSLPolicyNotFound', `SSL policy '${missing[0]}' not found`);
    list = SSL_POLICIES.filter((p) => input.Names!.includes(p.name));
  }
  const p = page(list, input.Marker, input.PageSize);
  return {
    SslPolicies: p.items.map((s): SslPolicy => ({
      Name: s.name, SslProtocols: s.protocols, Ciphers: s.ciphers.map((Name, i) => ({ Name, Priority: i + 1 })),
      SupportedLoadBalancerTypes: ['application', 'network'],
    })),
    ...(p.next ? { NextMarker: p.next } : {}),
  };
};

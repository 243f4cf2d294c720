/**
 * The AWS services a VPC endpoint can reach in a region (DescribeVpcEndpointServices), as
 * data: S3 has both a Gateway and an Interface service under one name, DynamoDB a Gateway
 * one, the rest are Interface (PrivateLink) services. Service IDs (vpce-svc-) are derived from
 * the region and name, so they are stable.
 */
import type {
  DescribeVpcEndpointServicesRequest, DescribeVpcEndpointServicesResult, ServiceDetail,
} from '@aws-sdk/client-ec2';
import { createHash } from 'node:crypto';
import { AwsError } from '../../../core/errors.js';
import { encodePageToken, type PageBinding } from '../../../core/page-token.js';
import { zones } from '../../../core/regions.js';
import type { Handler, RequestContext } from '../../types.js';
import { checkMaxResults, pagePosition } from '../describe.js';
import { applyFilters } from '../filters.js';

export type EndpointType = 'Gateway' | 'Interface';

/** Short service names -> the endpoint types AWS offers for them. */
const SERVICES: ReadonlyArray<[string, readonly EndpointType[]]> = [
  ['autoscaling', ['Interface']], ['dynamodb', ['Gateway']], ['ec2', ['Interface']], ['ecr.api', ['Interface']],
  ['ecr.dkr', ['Interface']], ['elasticloadbalancing', ['Interface']], ['kms', ['Interface']], ['logs', ['Interface']],
  ['monitoring', ['Interface']], ['s3', ['Gateway', 'Interface']], ['secretsmanager', ['Interface']], ['sns', ['Interface']],
  ['sqs', ['Interface']], ['ssm', ['Interface']], ['sts', ['Interface']],
];

export interface EndpointService { name: string; short: string; type: EndpointType; id: string }

export function endpointServices(region: string): EndpointService[] {
  const out: EndpointService[] = [];
  for (const [short, types] of SERVICES) {
    const name = `com.amazonaws.${region}.${short}`;
    for (const type of types) {
      const id = `vpce-svc-${createHash('sha256').update(`${region}/${name}/${type}`).digest('hex').slice(0, 17)}`;
      out.push({ name, short, type, id });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.type < b.type ? -1 : 1));
}

/** The service of a CreateVpcEndpoint call, or InvalidServiceName naming it. */
export function endpointService(region: string, name: string | undefined, type: EndpointType): EndpointService {
  if (!name) throw new AwsError('MissingParameter', 'The request must contain the parameter ServiceName');
  const all = endpointServices(region).filter((s) => s.name === name);
  if (!all.length) throw new AwsError('InvalidServiceName', `The Vpc Endpoint Service '${name}' does not exist`);
  const s = all.find((x) => x.type === type);
  if (!s) {
    throw new AwsError('InvalidParameter', `The Vpc Endpoint Service '${name}' does not support endpoint type ${type}`);
  }
  return s;
}

function detail(ctx: RequestContext, s: EndpointService): ServiceDetail {
  const iface = s.type === 'Interface';
  return {
    ServiceName: s.name, ServiceId: s.id, ServiceType: [{ ServiceType: s.type }], ServiceRegion: ctx.region,
    AvailabilityZones: zones(ctx.region, ctx.account).map((z) => z.zoneName), Owner: 'amazon',
    BaseEndpointDnsNames: [`${s.short}.${ctx.region}.${iface ? 'vpce.' : ''}amazonaws.com`],
    ...(iface && s.short !== 's3' ? { PrivateDnsName: `${s.short}.${ctx.region}.amazonaws.com`, PrivateDnsNames: [{ PrivateDnsName: `${s.short}.${ctx.region}.amazonaws.com` }], PrivateDnsNameVerificationState: 'verified' } : {}),
    VpcEndpointPolicySupported: true, AcceptanceRequired: false, ManagesVpcEndpoints: false,
    SupportedIpAddressTypes: ['ipv4'], Tags: [],
  };
}

export const describeVpcEndpointServices: Handler<DescribeVpcEndpointServicesRequest, DescribeVpcEndpointServicesResult> = (input, ctx) => {
  let all = endpointServices(ctx.region);
  if (input.ServiceNames?.length) {
    const unknown = input.ServiceNames.filter((n) => !all.some((s) => s.name === n));
    if (unknown.length) throw new AwsError('InvalidServiceName', `The Vpc Endpoint Service '${unknown[0]}' does not exist`);
    all = all.filter((s) => input.ServiceNames!.includes(s.name));
  }
  const matched = applyFilters(all, input.Filters, {
    'service-name': (s) => s.name, 'service-type': (s) => s.type, owner: () => 'amazon', 'service-region': () => ctx.region,
    'supported-ip-address-types': () => 'ipv4',
  });
  checkMaxResults(input.MaxResults, [5, 1000]);
  const binding: PageBinding = { service: 'ec2', operation: 'DescribeVpcEndpointServices', query: { n: input.ServiceNames ?? [], f: input.Filters ?? [] } };
  const after = pagePosition(binding, input.NextToken);
  const key = (s: EndpointService): string => `${s.name}/${s.type}`;
  const rest = after === undefined ? matched : matched.filter((s) => key(s) > after);
  const max = input.MaxResults ?? Infinity;
  const pageItems = rest.slice(0, max);
  const nextToken = rest.length > max ? encodePageToken(binding, key(pageItems[pageItems.length - 1]!)) : undefined;
  return {
    ServiceNames: [...new Set(pageItems.map((s) => s.name))],
    ServiceDetails: pageItems.map((s) => detail(ctx, s)),
    NextToken: nextToken,
  };
};

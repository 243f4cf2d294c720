/**
 * VPC endpoint policies. A request signed with an instance profile's credentials (the session
 * carries its instance, src/auth/principal.ts ec2Source) goes where the instance's network sends
 * it: through an interface endpoint for the service with private DNS in the instance's VPC, or a
 * gateway endpoint (S3, DynamoDB) on the route table of the instance's subnet. Then the
 * endpoint's policy must allow the request as well, and an explicit deny in it wins, as on AWS.
 * Requests from anywhere else (the host, `aws` with keys) reach no endpoint.
 */
import type { Principal } from '../../auth/principal.js';
import type { Tx } from '../../store/types.js';
import { subnetRouteTable } from '../ec2/vpc/subnet-route-table.js';

/** cloudlet service name -> the endpoint service's suffix in com.amazonaws.REGION.SUFFIX. */
const ENDPOINT_SERVICE: Record<string, string> = {
  ec2: 'ec2', sts: 'sts', s3: 's3', ecr: 'ecr.api', sns: 'sns', cloudwatch: 'monitoring', autoscaling: 'autoscaling',
  elbv2: 'elasticloadbalancing', 'ec2-instance-connect': 'ec2-instance-connect',
};

interface EndpointRow {
  id: string; type: 'Gateway' | 'Interface'; serviceName: string; state: string; policyDocument: string;
  routeTableIds: string[]; privateDnsEnabled: boolean;
}

export interface EndpointPolicy { endpointId: string; document: string }

/** The endpoint policy on this request's way, if its credentials are an instance's and an endpoint serves it. */
export function endpointPolicyFor(tx: Tx, principal: Principal, service: string, region: string): EndpointPolicy | undefined {
  const src = principal.ec2Source;
  const suffix = ENDPOINT_SERVICE[service];
  // An endpoint serves its own Region only.
  if (!src?.vpcId || !suffix || src.region !== region) return undefined;
  const scope = { account: src.account, region: src.region };
  const name = `com.amazonaws.${region}.${suffix}`;
  const endpoints = tx.findBy<EndpointRow>(scope, 'ec2:vpc-endpoint', 'vpc', { key: src.vpcId })
    .map((h) => h.value).filter((e) => e.serviceName === name && e.state === 'available');
  if (!endpoints.length) return undefined;
  const iface = endpoints.find((e) => e.type === 'Interface' && e.privateDnsEnabled);
  if (iface) return { endpointId: iface.id, document: iface.policyDocument };
  const subnetId = tx.get<{ subnetId?: string }>(scope, 'ec2:instance', src.instanceId)?.subnetId;
  if (!subnetId) return undefined;
  const table = subnetRouteTable(tx, scope, src.vpcId, subnetId);
  const gateway = table && endpoints.find((e) => e.type === 'Gateway' && e.routeTableIds.includes(table.id));
  return gateway ? { endpointId: gateway.id, document: gateway.policyDocument } : undefined;
}

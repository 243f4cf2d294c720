/**
 * Egress-only internet gateways: IPv6 out, nothing in. Created attached to one VPC (they are
 * never detached), routed to by IPv6 routes only (route-targets.ts), and while one exists
 * DeleteVpc answers DependencyViolation (the store's 'vpc' index on the attachment).
 */
import type {
  CreateEgressOnlyInternetGatewayRequest, CreateEgressOnlyInternetGatewayResult, DeleteEgressOnlyInternetGatewayRequest,
  DeleteEgressOnlyInternetGatewayResult, DescribeEgressOnlyInternetGatewaysRequest, DescribeEgressOnlyInternetGatewaysResult,
  EgressOnlyInternetGateway,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler } from '../../types.js';
import { describe, mustGet } from '../describe.js';
import { newId, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import type { VpcRecord } from './records.js';

const KIND = RESOURCE_TYPES['egress-only-internet-gateway'].kind;

export interface EgressOnlyGatewayRecord {
  id: string;
  ownerId: string;
  /** Exactly one; indexed: 'vpc' (attachments.vpcId). */
  attachments: Array<{ vpcId: string; state: 'attached' }>;
  clientToken?: string;
}

const shape = (g: EgressOnlyGatewayRecord, tags: Tag[]): EgressOnlyInternetGateway => ({
  EgressOnlyInternetGatewayId: g.id,
  Attachments: g.attachments.map((a) => ({ VpcId: a.vpcId, State: a.state })),
  Tags: tagList(tags),
});

export const createEgressOnlyInternetGateway: Handler<CreateEgressOnlyInternetGatewayRequest, CreateEgressOnlyInternetGatewayResult> = (input, ctx) => {
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  const tags = tagSpecTags(input.TagSpecifications, 'egress-only-internet-gateway');
  if (input.ClientToken) {
    for (const h of ctx.tx.findBy<EgressOnlyGatewayRecord>(ctx.scope, KIND, 'vpc', { key: vpc.id })) {
      if (h.value.clientToken === input.ClientToken) {
        return { ClientToken: input.ClientToken, EgressOnlyInternetGateway: shape(h.value, tags) };
      }
    }
  }
  const g: EgressOnlyGatewayRecord = {
    id: newId('egress-only-internet-gateway'), ownerId: ctx.account, attachments: [{ vpcId: vpc.id, state: 'attached' }],
    ...(input.ClientToken ? { clientToken: input.ClientToken } : {}),
  };
  ctx.tx.put(ctx.scope, KIND, g.id, g);
  setTags(ctx.tx, ctx.scope, 'egress-only-internet-gateway', g.id, tags);
  return { ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}), EgressOnlyInternetGateway: shape(g, tags) };
};

export const describeEgressOnlyInternetGateways: Handler<DescribeEgressOnlyInternetGatewaysRequest, DescribeEgressOnlyInternetGatewaysResult> = (input, ctx) => {
  const { items, nextToken } = describe<EgressOnlyGatewayRecord>(ctx, input, {
    operation: 'DescribeEgressOnlyInternetGateways', type: 'egress-only-internet-gateway',
    ids: input.EgressOnlyInternetGatewayIds, idsParam: 'egressOnlyInternetGatewayIds',
    // AWS documents only the tag filters for this call.
    fields: {}, bounds: [5, 255],
  });
  return { EgressOnlyInternetGateways: items.map((d) => shape(d.record, d.tags)), NextToken: nextToken };
};

export const deleteEgressOnlyInternetGateway: Handler<DeleteEgressOnlyInternetGatewayRequest, DeleteEgressOnlyInternetGatewayResult> = (input, ctx) => {
  const id = input.EgressOnlyInternetGatewayId;
  if (!id) throw new AwsError('MissingParameter', 'The request must contain the parameter EgressOnlyInternetGatewayId');
  const g = mustGet<EgressOnlyGatewayRecord>(ctx, 'egress-only-internet-gateway', id);
  // Routes to it stay and become blackholes (route-targets.ts: the target is gone), as on AWS.
  ctx.tx.delete(ctx.scope, KIND, g.id);
  dropTags(ctx.tx, ctx.scope, g.id);
  return { ReturnCode: true };
};

import type {
  AttachInternetGatewayRequest, CreateInternetGatewayRequest, CreateInternetGatewayResult, DeleteInternetGatewayRequest,
  DescribeInternetGatewaysRequest, DescribeInternetGatewaysResult, DetachInternetGatewayRequest, InternetGateway,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { describe, mustGet } from '../describe.js';
import { newId, RESOURCE_TYPES } from '../ids.js';
import { dropTags, setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import { dependencyViolation } from './common.js';
import type { InternetGatewayRecord, RouteTableRecord, VpcRecord } from './records.js';
import { hasMappedAddresses } from './addresses.js';

const KIND = RESOURCE_TYPES['internet-gateway'].kind;

/**
 * Whether public addresses are mapped in the VPC (Elastic IPs associated, instances with
 * public IPs): then DetachInternetGateway is a DependencyViolation. The Elastic IP and
 * instance work adds its checks to this list (none exist before them).
 */
const PUBLIC_ADDRESS_CHECKS: ReadonlyArray<(ctx: RequestContext, vpcId: string) => boolean> = [hasMappedAddresses];

export const igwShape = (g: InternetGatewayRecord, tags: Tag[]): InternetGateway => ({
  InternetGatewayId: g.id, OwnerId: g.ownerId, // AWS reports an attached internet gateway as 'available', outside the model's enum.
  Attachments: g.attachments.map((a) => ({ VpcId: a.vpcId, State: a.state as 'attached' })),
  Tags: tagList(tags),
});

export function createIgwRecord(ctx: RequestContext, tags: Tag[], vpcId?: string): InternetGatewayRecord {
  const g: InternetGatewayRecord = { id: newId('internet-gateway'), ownerId: ctx.account, attachments: vpcId ? [{ vpcId, state: 'available' }] : [] };
  ctx.tx.put(ctx.scope, KIND, g.id, g);
  setTags(ctx.tx, ctx.scope, 'internet-gateway', g.id, tags);
  return g;
}

export const createInternetGateway: Handler<CreateInternetGatewayRequest, CreateInternetGatewayResult> = (input, ctx) => {
  const tags = tagSpecTags(input.TagSpecifications, 'internet-gateway');
  return { InternetGateway: igwShape(createIgwRecord(ctx, tags), tags) };
};

export const describeInternetGateways: Handler<DescribeInternetGatewaysRequest, DescribeInternetGatewaysResult> = (input, ctx) => {
  const { items, nextToken } = describe<InternetGatewayRecord>(ctx, input, {
    operation: 'DescribeInternetGateways', type: 'internet-gateway', ids: input.InternetGatewayIds, idsParam: 'internetGatewayIds',
    fields: {
      'attachment.state': (g) => g.attachments.map((a) => a.state),
      'attachment.vpc-id': (g) => g.attachments.map((a) => a.vpcId),
      'internet-gateway-id': (g) => g.id,
      'owner-id': (g) => g.ownerId,
    },
    indexes: { 'attachment.vpc-id': 'vpc' },
  });
  return { InternetGateways: items.map((d) => igwShape(d.record, d.tags)), NextToken: nextToken };
};

export const attachInternetGateway: Handler<AttachInternetGatewayRequest, object> = (input, ctx) => {
  const g = mustGet<InternetGatewayRecord>(ctx, 'internet-gateway', input.InternetGatewayId);
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  if (g.attachments.length) {
    throw new AwsError('Resource.AlreadyAssociated', `resource ${g.id} is already attached to network ${g.attachments[0]!.vpcId}`);
  }
  const other = ctx.tx.findBy(ctx.scope, KIND, 'vpc', { key: vpc.id })[0];
  if (other) throw new AwsError('Resource.AlreadyAssociated', `Network ${vpc.id} already has an internet gateway attached (${other.id})`);
  g.attachments = [{ vpcId: vpc.id, state: 'available' }];
  ctx.tx.put(ctx.scope, KIND, g.id, g);
  return {};
};

export const detachInternetGateway: Handler<DetachInternetGatewayRequest, object> = (input, ctx) => {
  const g = mustGet<InternetGatewayRecord>(ctx, 'internet-gateway', input.InternetGatewayId);
  const vpc = mustGet<VpcRecord>(ctx, 'vpc', input.VpcId);
  if (!g.attachments.some((a) => a.vpcId === vpc.id)) {
    throw new AwsError('Gateway.NotAttached', `resource ${g.id} is not attached to network ${vpc.id}`);
  }
  if (PUBLIC_ADDRESS_CHECKS.some((check) => check(ctx, vpc.id))) {
    throw new AwsError('DependencyViolation', `Network ${vpc.id} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
  }
  // An edge association of the gateway goes with the attachment; routes to it become blackholes.
  for (const h of ctx.tx.findBy<RouteTableRecord>(ctx.scope, RESOURCE_TYPES['route-table'].kind, 'gateway', { key: g.id })) {
    h.value.associations = h.value.associations.filter((a) => a.gatewayId !== g.id);
    ctx.tx.put(ctx.scope, RESOURCE_TYPES['route-table'].kind, h.id, h.value);
  }
  g.attachments = [];
  ctx.tx.put(ctx.scope, KIND, g.id, g);
  return {};
};

export const deleteInternetGateway: Handler<DeleteInternetGatewayRequest, object> = (input, ctx) => {
  const g = mustGet<InternetGatewayRecord>(ctx, 'internet-gateway', input.InternetGatewayId);
  if (g.attachments.length) throw dependencyViolation('internetGateway', g.id);
  ctx.tx.delete(ctx.scope, KIND, g.id);
  dropTags(ctx.tx, ctx.scope, g.id);
  return {};
};

/**
 * DescribeInstances (grouped in reservations, every common filter, index-backed for the
 * indexed ones and tags) and DescribeInstanceStatus. Terminated instances are listed for an
 * hour, then forgotten.
 */
import type {
  DescribeInstancesRequest, DescribeInstancesResult, DescribeInstanceStatusRequest, DescribeInstanceStatusResult, Reservation,
} from '@aws-sdk/client-ec2';
import type { Handler, RequestContext } from '../../types.js';
import { describe, type FilterValue } from '../describe.js';
import { dropTags } from '../tags.js';
import { privateDnsName } from '../vpc/eni-core.js';
import { groupNamesOf, INSTANCE_KIND, instanceShape, interfacesOf, publicDnsName, publicIpOf, shapeLookups } from './instances-core.js';
import { instanceExpired, instanceState, STATE_CODE } from './lifecycle.js';
import type { InstanceRecord } from './records.js';
import { settle } from './spot.js';

/** Forgets instances terminated over an hour ago (their rows, tags and volumes' references). */
function purgeExpired(ctx: RequestContext, now: number): void {
  for (const h of ctx.tx.findBy<InstanceRecord>(ctx.scope, INSTANCE_KIND, 'phase', { key: 'terminate' })) {
    if (!instanceExpired(h.value, now)) continue;
    ctx.tx.delete(ctx.scope, INSTANCE_KIND, h.id);
    dropTags(ctx.tx, ctx.scope, h.id);
  }
}

function instanceFields(ctx: RequestContext, now: number): Record<string, (i: InstanceRecord) => FilterValue> {
  const enis = (i: InstanceRecord) => (instanceState(i, now) === 'terminated' ? [] : interfacesOf(ctx, i.id));
  const pub = (i: InstanceRecord) => publicIpOf(ctx, i, enis(i).find((e) => e.attachment?.deviceIndex === 0));
  return {
    'instance-id': (i) => i.id,
    'instance-state-name': (i) => instanceState(i, now),
    'instance-state-code': (i) => String(STATE_CODE[instanceState(i, now)]),
    'instance-type': (i) => i.instanceType,
    'image-id': (i) => i.imageId,
    'vpc-id': (i) => i.vpcId,
    'subnet-id': (i) => i.subnetId,
    'availability-zone': (i) => i.zoneName,
    'private-ip-address': (i) => (instanceState(i, now) === 'terminated' ? undefined : i.privateIp),
    'private-dns-name': (i) => privateDnsName(ctx, i.privateIp),
    'ip-address': (i) => pub(i),
    'dns-name': (i) => { const p = pub(i); return p ? publicDnsName(ctx.region, p) : undefined; },
    'key-name': (i) => i.keyName,
    'reservation-id': (i) => i.reservationId,
    'owner-id': (i) => i.ownerId,
    'launch-time': (i) => new Date(i.launchMs).toISOString(),
    'ami-launch-index': (i) => String(i.amiLaunchIndex),
    architecture: (i) => i.architecture,
    platform: (i) => i.platform,
    'platform-details': (i) => (i.platform === 'windows' ? 'Windows' : 'Linux/UNIX'),
    'root-device-name': (i) => i.rootDeviceName,
    'root-device-type': (i) => i.rootDeviceType,
    'instance-lifecycle': (i) => i.lifecycle,
    'spot-instance-request-id': (i) => i.spot?.requestId,
    'placement-group-name': (i) => i.placement.groupName,
    'placement-partition-number': (i) => (i.placement.partitionNumber !== undefined ? String(i.placement.partitionNumber) : undefined),
    tenancy: (i) => i.placement.tenancy,
    'iam-instance-profile.arn': (i) => i.iamInstanceProfile?.arn,
    'iam-instance-profile.id': (i) => i.iamInstanceProfile?.id,
    'instance.group-id': (i) => i.groups,
    'group-id': (i) => i.groups,
    'instance.group-name': (i) => groupNamesOf(ctx, i.groups),
    'group-name': (i) => groupNamesOf(ctx, i.groups),
    'network-interface.network-interface-id': (i) => enis(i).map((e) => e.id),
    'network-interface.subnet-id': (i) => enis(i).map((e) => e.subnetId),
    'network-interface.vpc-id': (i) => enis(i).map((e) => e.vpcId),
    'network-interface.mac-address': (i) => enis(i).map((e) => e.macAddress),
    'network-interface.private-dns-name': (i) => enis(i).map((e) => privateDnsName(ctx, e.privateIps[0]!.address)),
    'network-interface.addresses.private-ip-address': (i) => enis(i).flatMap((e) => e.privateIps.map((p) => p.address)),
    'block-device-mapping.device-name': (i) => i.blockDevices.map((b) => b.deviceName),
    'block-device-mapping.volume-id': (i) => i.blockDevices.map((b) => b.volumeId),
    'block-device-mapping.delete-on-termination': (i) => i.blockDevices.map((b) => String(b.deleteOnTermination)),
    'block-device-mapping.status': (i) => i.blockDevices.map(() => 'attached'),
    'metadata-options.http-tokens': (i) => i.metadataOptions.httpTokens,
    'metadata-options.http-put-response-hop-limit': (i) => String(i.metadataOptions.httpPutResponseHopLimit),
    'metadata-options.http-endpoint': (i) => i.metadataOptions.httpEndpoint,
    'metadata-options.instance-metadata-tags': (i) => i.metadataOptions.instanceMetadataTags,
    'monitoring-state': (i) => i.monitoring,
    'source-dest-check': (i) => String(i.sourceDestCheck),
    'ebs-optimized': (i) => String(i.ebsOptimized),
    'hibernation-options.configured': (i) => String(i.hibernation),
    'client-token': (i) => i.clientToken,
    'state-reason-code': (i) => i.stateReason?.code,
    'state-reason-message': (i) => i.stateReason?.message,
    'virtualization-type': () => 'hvm',
    hypervisor: () => 'xen',
    'requester-id': (i) => i.requesterId,
  };
}

export const describeInstances: Handler<DescribeInstancesRequest, DescribeInstancesResult> = (input, ctx) => {
  settle(ctx);
  const now = ctx.clock.nowMs();
  purgeExpired(ctx, now);
  const { items, nextToken } = describe<InstanceRecord>(ctx, input, {
    operation: 'DescribeInstances', type: 'instance', ids: input.InstanceIds, idsParam: 'instanceIds',
    fields: instanceFields(ctx, now),
    indexes: {
      'subnet-id': 'subnet', 'vpc-id': 'vpc', 'instance-type': 'type', 'image-id': 'image', 'iam-instance-profile.arn': 'profile',
      'placement-group-name': 'placement-group', 'reservation-id': 'reservation',
    },
  });
  // Reservations in the order their first instance appears, as AWS pages by instance.
  const byReservation = new Map<string, Reservation>();
  const look = shapeLookups(ctx);
  for (const d of items) {
    const i = d.record;
    let r = byReservation.get(i.reservationId);
    if (!r) {
      r = { ReservationId: i.reservationId, OwnerId: i.ownerId, Groups: [], Instances: [] };
      byReservation.set(i.reservationId, r);
    }
    r.Instances!.push(instanceShape(ctx, i, d.tags, now, undefined, look));
  }
  return { Reservations: [...byReservation.values()], ...(nextToken ? { NextToken: nextToken } : {}) };
};

export const describeInstanceStatus: Handler<DescribeInstanceStatusRequest, DescribeInstanceStatusResult> = (input, ctx) => {
  settle(ctx);
  const now = ctx.clock.nowMs();
  const status = (i: InstanceRecord): string => {
    const s = instanceState(i, now);
    return s === 'running' ? 'ok' : s === 'pending' ? 'initializing' : 'not-applicable';
  };
  const { items, nextToken } = describe<InstanceRecord>(ctx, input, {
    operation: 'DescribeInstanceStatus', type: 'instance', ids: input.InstanceIds, idsParam: 'instanceIds',
    fields: {
      'availability-zone': (i) => i.zoneName,
      'instance-state-name': (i) => instanceState(i, now),
      'instance-state-code': (i) => String(STATE_CODE[instanceState(i, now)]),
      'instance-status.status': status, 'system-status.status': status,
      'instance-status.reachability': (i) => (status(i) === 'ok' ? 'passed' : 'initializing'),
      'system-status.reachability': (i) => (status(i) === 'ok' ? 'passed' : 'initializing'),
    },
    visible: (i) => !instanceExpired(i, now),
    query: { all: !!input.IncludeAllInstances },
  });
  // Without IncludeAllInstances only running instances are listed; a named stopped one is no error.
  const shown = input.IncludeAllInstances ? items : items.filter((d) => instanceState(d.record, now) === 'running');
  return {
    InstanceStatuses: shown.map(({ record: i }) => {
      const s = instanceState(i, now);
      const st = status(i);
      const detail = st === 'ok' ? 'passed' : st === 'initializing' ? 'initializing' : undefined;
      const check = { Status: st as 'ok', ...(detail ? { Details: [{ Name: 'reachability' as const, Status: detail as 'passed' }] } : {}) };
      return {
        InstanceId: i.id, AvailabilityZone: i.zoneName, AvailabilityZoneId: i.zoneId,
        InstanceState: { Code: STATE_CODE[s], Name: s }, InstanceStatus: check, SystemStatus: check,
        ...(s === 'running' ? { AttachedEbsStatus: check } : {}),
      };
    }),
    ...(nextToken ? { NextToken: nextToken } : {}),
  };
};

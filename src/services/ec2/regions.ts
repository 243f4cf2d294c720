import type {
  DescribeAvailabilityZonesRequest, DescribeAvailabilityZonesResult, DescribeRegionsRequest, DescribeRegionsResult,
  AvailabilityZone, Region,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../core/errors.js';
import { region as regionInfo, regionNames, zones } from '../../core/regions.js';
import type { Handler } from '../types.js';
import { applyFilters } from './filters.js';

export const describeRegions: Handler<DescribeRegionsRequest, DescribeRegionsResult> = (input) => {
  for (const name of input.RegionNames ?? []) {
    if (!regionInfo(name)) throw new AwsError('InvalidParameterValue', `Invalid region: ${name}`);
  }
  const wanted = input.RegionNames?.length ? new Set(input.RegionNames) : undefined;
  const regions: Region[] = regionNames()
    .filter((n) => !wanted || wanted.has(n))
    .map((n) => regionInfo(n)!)
    .map((r) => ({ Endpoint: r.endpoint, RegionName: r.name, OptInStatus: r.optInStatus }));
  return {
    Regions: applyFilters(regions, input.Filters, {
      endpoint: (r) => r.Endpoint,
      'region-name': (r) => r.RegionName,
      'opt-in-status': (r) => r.OptInStatus,
    }),
  };
};

export const describeAvailabilityZones: Handler<DescribeAvailabilityZonesRequest, DescribeAvailabilityZonesResult> = (input, ctx) => {
  const info = regionInfo(ctx.region)!;
  const all: AvailabilityZone[] = zones(ctx.region, ctx.account).map((z) => ({
    State: 'available',
    OptInStatus: info.optInStatus,
    Messages: [],
    RegionName: z.regionName,
    ZoneName: z.zoneName,
    ZoneId: z.zoneId,
    GroupName: z.regionName,
    NetworkBorderGroup: z.regionName,
    ZoneType: 'availability-zone',
  }));
  for (const name of input.ZoneNames ?? []) {
    if (!all.some((z) => z.ZoneName === name)) throw new AwsError('InvalidParameterValue', `Invalid availability zone: [${name}]`);
  }
  for (const id of input.ZoneIds ?? []) {
    if (!all.some((z) => z.ZoneId === id)) throw new AwsError('InvalidParameterValue', `Invalid availability zone ID: [${id}]`);
  }
  const byName = input.ZoneNames?.length ? new Set(input.ZoneNames) : undefined;
  const byId = input.ZoneIds?.length ? new Set(input.ZoneIds) : undefined;
  const picked = all.filter((z) => (!byName || byName.has(z.ZoneName!)) && (!byId || byId.has(z.ZoneId!)));
  return {
    AvailabilityZones: applyFilters(picked, input.Filters, {
      'zone-name': (z) => z.ZoneName,
      'zone-id': (z) => z.ZoneId,
      'region-name': (z) => z.RegionName,
      state: (z) => z.State,
      'opt-in-status': (z) => z.OptInStatus,
      'group-name': (z) => z.GroupName,
      'network-border-group': (z) => z.NetworkBorderGroup,
      'zone-type': (z) => z.ZoneType,
      message: (z) => z.Messages?.map((m) => m.Message ?? ''),
    }),
  };
};

/**
 * RunInstances from a launch template: the template version's data under the request's own
 * members (the request wins member by member; tag specifications of both apply), plus the
 * template's identity, for the aws:ec2launchtemplate:* tags AWS puts on such instances.
 */
import type { RunInstancesRequest, TagSpecification } from '@aws-sdk/client-ec2';
import type { RequestContext } from '../../types.js';
import { templateOf, versionOf } from './launch-templates.js';

export type MergedRunRequest = RunInstancesRequest & { launchTemplate?: { id: string; name: string; version: string } };

/** Template members RunInstances takes under the same name. */
const SAME = [
  'ImageId', 'InstanceType', 'KeyName', 'UserData', 'SecurityGroupIds', 'SecurityGroups', 'IamInstanceProfile', 'BlockDeviceMappings',
  'NetworkInterfaces', 'Placement', 'MetadataOptions', 'CreditSpecification', 'DisableApiTermination', 'DisableApiStop',
  'InstanceInitiatedShutdownBehavior', 'EbsOptimized', 'Monitoring', 'InstanceMarketOptions', 'CpuOptions', 'HibernationOptions',
  'KernelId', 'RamdiskId', 'PrivateDnsNameOptions', 'MaintenanceOptions', 'EnclaveOptions', 'CapacityReservationSpecification',
  'LicenseSpecifications',
] as const;

export function mergeLaunchTemplate(ctx: RequestContext, input: RunInstancesRequest): MergedRunRequest {
  const spec = input.LaunchTemplate;
  if (!spec) return input;
  const t = templateOf(ctx, spec.LaunchTemplateId, spec.LaunchTemplateName);
  const v = versionOf(ctx, t, spec.Version);
  const data = v.data as Record<string, unknown>;
  const merged: Record<string, unknown> = {};
  for (const k of SAME) if (data[k] !== undefined) merged[k] = data[k];
  // A template's interface carries the groups and subnet; a request naming its own subnet or groups replaces them.
  if (input.SubnetId || input.SecurityGroupIds?.length) delete merged.NetworkInterfaces;
  for (const [k, val] of Object.entries(input)) if (val !== undefined && k !== 'TagSpecifications') merged[k] = val;
  // One specification per resource type: the template's tags, then the request's over them.
  const byType = new Map<string, Map<string, string>>();
  for (const spec of [...((data.TagSpecifications as TagSpecification[] | undefined) ?? []), ...(input.TagSpecifications ?? [])]) {
    const m = byType.get(spec.ResourceType ?? '') ?? new Map<string, string>();
    for (const t of spec.Tags ?? []) m.set(t.Key ?? '', t.Value ?? '');
    byType.set(spec.ResourceType ?? '', m);
  }
  if (byType.size) {
    merged.TagSpecifications = [...byType].map(([rt, m]) => ({ ResourceType: rt, Tags: [...m].map(([Key, Value]) => ({ Key, Value })) }));
  }
  return { ...(merged as unknown as RunInstancesRequest), launchTemplate: { id: t.id, name: t.name, version: String(v.version) } };
}

/**
 * Instance attributes: Describe/ModifyInstanceAttribute (the type and user data only while
 * stopped), metadata options, CPU credits of burstable types, and the console output.
 */
import type {
  DescribeInstanceAttributeRequest, DescribeInstanceCreditSpecificationsRequest, DescribeInstanceCreditSpecificationsResult,
  GetConsoleOutputRequest, GetConsoleOutputResult, InstanceAttribute, ModifyInstanceAttributeRequest,
  ModifyInstanceCreditSpecificationRequest, ModifyInstanceCreditSpecificationResult, ModifyInstanceMetadataOptionsRequest,
  ModifyInstanceMetadataOptionsResult,
} from '@aws-sdk/client-ec2';
import { AwsError } from '../../../core/errors.js';
import type { Handler, RequestContext } from '../../types.js';
import { checkGroups, K as ENI_K } from '../vpc/eni-core.js';
import { instanceTypeInfo } from './catalog.js';
import { getInstance, interfacesOf, putInstance } from './instances-core.js';
import { instanceState } from './lifecycle.js';
import { COMPUTE_KIND, type InstanceRecord, type VolumeRecord } from './records.js';
import { USER_DATA_MAX } from './instances-run.js';
import { settle } from './spot.js';

const ATTRIBUTES = [
  'instanceType', 'kernel', 'ramdisk', 'userData', 'disableApiTermination', 'instanceInitiatedShutdownBehavior', 'rootDeviceName',
  'blockDeviceMapping', 'productCodes', 'sourceDestCheck', 'groupSet', 'ebsOptimized', 'sriovNetSupport', 'enaSupport',
  'enclaveOptions', 'disableApiStop',
] as const;

const notStopped = (i: InstanceRecord): AwsError =>
  new AwsError('IncorrectInstanceState', `The instance '${i.id}' is not in the 'stopped' state.`);

function live(ctx: RequestContext, id: string | undefined): InstanceRecord {
  settle(ctx);
  const i = getInstance(ctx, id);
  const s = instanceState(i, ctx.clock.nowMs());
  if (s === 'terminated' || s === 'shutting-down') throw new AwsError('IncorrectInstanceState', `The instance '${i.id}' is not in a valid state for this operation.`);
  return i;
}

export const describeInstanceAttribute: Handler<DescribeInstanceAttributeRequest, InstanceAttribute> = (input, ctx) => {
  settle(ctx);
  const i = getInstance(ctx, input.InstanceId);
  const a = input.Attribute as string | undefined;
  if (!a) throw new AwsError('MissingParameter', 'The request must contain the parameter attribute');
  if (!(ATTRIBUTES as readonly string[]).includes(a)) {
    throw new AwsError('InvalidParameterValue', `Value (${a}) for parameter attribute is invalid. Unknown attribute.`);
  }
  const base: InstanceAttribute = { InstanceId: i.id };
  switch (a as typeof ATTRIBUTES[number]) {
    case 'instanceType': return { ...base, InstanceType: { Value: i.instanceType } };
    case 'kernel': return { ...base, KernelId: {} };
    case 'ramdisk': return { ...base, RamdiskId: {} };
    case 'userData': return { ...base, UserData: i.userData ? { Value: i.userData } : {} };
    case 'disableApiTermination': return { ...base, DisableApiTermination: { Value: i.disableApiTermination } };
    case 'disableApiStop': return { ...base, DisableApiStop: { Value: i.disableApiStop } };
    case 'instanceInitiatedShutdownBehavior': return { ...base, InstanceInitiatedShutdownBehavior: { Value: i.shutdownBehavior } };
    case 'rootDeviceName': return { ...base, RootDeviceName: { Value: i.rootDeviceName } };
    case 'blockDeviceMapping': return {
      ...base,
      BlockDeviceMappings: i.blockDevices.map((b) => ({
        DeviceName: b.deviceName, Ebs: { AttachTime: new Date(b.attachMs), DeleteOnTermination: b.deleteOnTermination, Status: 'attached', VolumeId: b.volumeId },
      })),
    };
    case 'productCodes': return { ...base, ProductCodes: [] };
    case 'sourceDestCheck': return { ...base, SourceDestCheck: { Value: i.sourceDestCheck } };
    case 'groupSet': return {
      ...base,
      Groups: i.groups.map((g) => ({ GroupId: g, GroupName: ctx.tx.get<{ name: string }>(ctx.scope, ENI_K.sg, g)?.name ?? '' })),
    };
    case 'ebsOptimized': return { ...base, EbsOptimized: { Value: i.ebsOptimized } };
    case 'sriovNetSupport': return { ...base, SriovNetSupport: { Value: 'simple' } };
    case 'enaSupport': return { ...base, EnaSupport: { Value: true } };
    case 'enclaveOptions': return { ...base, EnclaveOptions: { Enabled: false } };
  }
};

/** The value of the `Attribute`+`Value` form, or of the member named for the attribute. */
export const modifyInstanceAttribute: Handler<ModifyInstanceAttributeRequest, object> = (input, ctx) => {
  const i = live(ctx, input.InstanceId);
  const stopped = instanceState(i, ctx.clock.nowMs()) === 'stopped';
  const v = input.Value;
  const attr = input.Attribute as string | undefined;
  const bool = (name: string, x: boolean | undefined): boolean | undefined =>
    x ?? (attr === name && v !== undefined ? v === 'true' : undefined);
  const str = (name: string, x: string | undefined): string | undefined => x ?? (attr === name ? v : undefined);

  const type = str('instanceType', input.InstanceType?.Value);
  if (type !== undefined && type !== i.instanceType) {
    if (!stopped) throw notStopped(i);
    const info = instanceTypeInfo(type);
    if (!info) throw new AwsError('InvalidInstanceAttributeValue', `Value (${type}) for parameter instanceType is invalid.`);
    if (!(info.ProcessorInfo?.SupportedArchitectures ?? []).includes(i.architecture as never)) {
      throw new AwsError('InvalidInstanceAttributeValue', `The instance type '${type}' does not support the architecture '${i.architecture}' of the instance's AMI.`);
    }
    i.instanceType = type;
    const vcpus = info.VCpuInfo?.DefaultVCpus ?? 1;
    const threads = info.VCpuInfo?.DefaultThreadsPerCore ?? 1;
    i.cpu = { cores: info.VCpuInfo?.DefaultCores ?? Math.max(1, Math.floor(vcpus / threads)), threads };
    if (!/^t\d/.test(type)) delete i.creditSpecification;
    else i.creditSpecification ??= type.startsWith('t2.') ? 'standard' : 'unlimited';
  }
  const term = bool('disableApiTermination', input.DisableApiTermination?.Value);
  if (term !== undefined) i.disableApiTermination = term;
  const stop = bool('disableApiStop', input.DisableApiStop?.Value);
  if (stop !== undefined) i.disableApiStop = stop;
  const sdc = bool('sourceDestCheck', input.SourceDestCheck?.Value);
  if (sdc !== undefined) {
    i.sourceDestCheck = sdc;
    const primary = interfacesOf(ctx, i.id).find((e) => e.attachment?.deviceIndex === 0);
    if (primary) { primary.sourceDestCheck = sdc; ctx.tx.put(ctx.scope, ENI_K.eni, primary.id, primary); }
  }
  const ebs = bool('ebsOptimized', input.EbsOptimized?.Value);
  if (ebs !== undefined) { if (!stopped && ebs !== i.ebsOptimized) throw notStopped(i); i.ebsOptimized = ebs; }
  const shutdown = str('instanceInitiatedShutdownBehavior', input.InstanceInitiatedShutdownBehavior?.Value);
  if (shutdown !== undefined) {
    if (shutdown !== 'stop' && shutdown !== 'terminate') throw new AwsError('InvalidParameterValue', `Value (${shutdown}) for parameter instanceInitiatedShutdownBehavior is invalid.`);
    i.shutdownBehavior = shutdown;
  }
  const ud = input.UserData?.Value ?? (attr === 'userData' && v !== undefined ? Buffer.from(v) : undefined);
  if (ud !== undefined) {
    if (!stopped) throw notStopped(i);
    const bytes = Buffer.from(ud);
    if (bytes.length > USER_DATA_MAX) throw new AwsError('InvalidParameterValue', `User data is limited to ${USER_DATA_MAX} bytes`);
    if (bytes.length) i.userData = bytes.toString('base64'); else delete i.userData;
  }
  const groups = input.Groups ?? (attr === 'groupSet' && v ? v.split(',') : undefined);
  if (groups) {
    if (!groups.length) throw new AwsError('InvalidParameterValue', 'An instance needs at least one security group');
    const primary = interfacesOf(ctx, i.id).find((e) => e.attachment?.deviceIndex === 0)!;
    const checked = checkGroups(ctx, primary.vpcId, groups, primary.subnetId);
    primary.groups = checked;
    ctx.tx.put(ctx.scope, ENI_K.eni, primary.id, primary);
    i.groups = checked;
  }
  for (const m of input.BlockDeviceMappings ?? []) {
    const b = i.blockDevices.find((x) => x.deviceName === m.DeviceName);
    if (!b) throw new AwsError('InvalidInstanceAttributeValue', `No device is currently mapped at ${m.DeviceName}`);
    if (m.Ebs?.DeleteOnTermination !== undefined) {
      b.deleteOnTermination = m.Ebs.DeleteOnTermination;
      const vol = ctx.tx.get<VolumeRecord>(ctx.scope, COMPUTE_KIND.volume, b.volumeId);
      const at = vol?.attachments.find((a) => a.instanceId === i.id);
      if (vol && at) { at.deleteOnTermination = m.Ebs.DeleteOnTermination; ctx.tx.put(ctx.scope, COMPUTE_KIND.volume, vol.id, vol); }
    }
  }
  if (input.EnaSupport?.Value === false) throw new AwsError('InvalidParameterValue', 'cloudlet instances always support ENA');
  putInstance(ctx, i);
  return {};
};

export const modifyInstanceMetadataOptions: Handler<ModifyInstanceMetadataOptionsRequest, ModifyInstanceMetadataOptionsResult> = (input, ctx) => {
  const i = live(ctx, input.InstanceId);
  const m = i.metadataOptions;
  const pick = <T extends string>(name: string, v: string | undefined, allowed: readonly T[], cur: T): T => {
    if (v === undefined) return cur;
    if (!allowed.includes(v as T)) throw new AwsError('InvalidParameterValue', `Value (${v}) for parameter ${name} is invalid. Valid values: ${allowed.join(', ')}`);
    return v as T;
  };
  m.httpTokens = pick('HttpTokens', input.HttpTokens, ['optional', 'required'], m.httpTokens);
  m.httpEndpoint = pick('HttpEndpoint', input.HttpEndpoint, ['enabled', 'disabled'], m.httpEndpoint);
  m.httpProtocolIpv6 = pick('HttpProtocolIpv6', input.HttpProtocolIpv6, ['enabled', 'disabled'], m.httpProtocolIpv6);
  m.instanceMetadataTags = pick('InstanceMetadataTags', input.InstanceMetadataTags, ['enabled', 'disabled'], m.instanceMetadataTags);
  if (input.HttpPutResponseHopLimit !== undefined) {
    const hop = input.HttpPutResponseHopLimit;
    if (!Number.isInteger(hop) || hop < 1 || hop > 64) throw new AwsError('InvalidParameterValue', `Value (${hop}) for parameter HttpPutResponseHopLimit is invalid. Valid values are 1 through 64.`);
    m.httpPutResponseHopLimit = hop;
  }
  putInstance(ctx, i);
  return {
    InstanceId: i.id,
    InstanceMetadataOptions: {
      State: 'pending', HttpTokens: m.httpTokens, HttpPutResponseHopLimit: m.httpPutResponseHopLimit, HttpEndpoint: m.httpEndpoint,
      HttpProtocolIpv6: m.httpProtocolIpv6, InstanceMetadataTags: m.instanceMetadataTags,
    },
  };
};

export const describeInstanceCreditSpecifications: Handler<DescribeInstanceCreditSpecificationsRequest, DescribeInstanceCreditSpecificationsResult> = (input, ctx) => {
  settle(ctx);
  const now = ctx.clock.nowMs();
  const ids = input.InstanceIds ?? [];
  const rows = ids.length
    ? ids.map((id) => getInstance(ctx, id))
    : ctx.tx.list<InstanceRecord>(ctx.scope, COMPUTE_KIND.instance).map((r) => r.value).filter((i) => instanceState(i, now) !== 'terminated');
  return {
    InstanceCreditSpecifications: rows.filter((i) => i.creditSpecification).map((i) => ({ InstanceId: i.id, CpuCredits: i.creditSpecification })),
  };
};

export const modifyInstanceCreditSpecification: Handler<ModifyInstanceCreditSpecificationRequest, ModifyInstanceCreditSpecificationResult> = (input, ctx) => {
  const ok: Array<{ InstanceId: string }> = [];
  const bad: Array<{ InstanceId: string; Error: { Code: 'InvalidInstanceID.NotFound' | 'IncorrectInstanceState' | 'InstanceCreditSpecification.NotSupported' | 'InvalidInstanceID.Malformed'; Message: string } }> = [];
  for (const s of input.InstanceCreditSpecifications ?? []) {
    const id = s.InstanceId ?? '';
    let i: InstanceRecord;
    try { i = live(ctx, id); } catch (e) {
      bad.push({ InstanceId: id, Error: { Code: (e as AwsError).code as 'InvalidInstanceID.NotFound', Message: (e as Error).message } });
      continue;
    }
    if (!i.creditSpecification) {
      bad.push({ InstanceId: id, Error: { Code: 'InstanceCreditSpecification.NotSupported', Message: `The instance ${id} does not support CPU credits.` } });
      continue;
    }
    if (s.CpuCredits !== 'standard' && s.CpuCredits !== 'unlimited') {
      throw new AwsError('InvalidParameterValue', `Value (${s.CpuCredits}) for parameter CpuCredits is invalid. Valid values: standard, unlimited`);
    }
    i.creditSpecification = s.CpuCredits;
    putInstance(ctx, i);
    ok.push({ InstanceId: id });
  }
  return { SuccessfulInstanceCreditSpecifications: ok, UnsuccessfulInstanceCreditSpecifications: bad };
};

/** A boot log shaped like a cloud-init console: what the instance ran, deterministic. */
export const getConsoleOutput: Handler<GetConsoleOutputRequest, GetConsoleOutputResult> = (input, ctx) => {
  settle(ctx);
  const i = getInstance(ctx, input.InstanceId);
  const now = ctx.clock.nowMs();
  const s = instanceState(i, now);
  if (s === 'pending') return { InstanceId: i.id, Timestamp: new Date(now) };
  const boot = new Date(i.runs[i.runs.length - 1]?.[0] ?? i.launchMs).toISOString();
  const lines = [
    `[    0.000000] Linux version 6.1.0 (cloudlet) ${i.architecture}`,
    `[    0.000000] Command line: root=${i.rootDeviceName} console=ttyS0`,
    `Cloud-init v. 23.4 running 'init' at ${boot}. Up 2.00 seconds.`,
    `ci-info: | eth0 | True | ${i.privateIp} | ${i.instanceType} | ${i.zoneName} |`,
    ...(i.keyName ? [`ec2: #############################################################`, `ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----`, `ec2: key pair ${i.keyName}`, `ec2: -----END SSH HOST KEY FINGERPRINTS-----`] : []),
    `Cloud-init v. 23.4 finished at ${boot}. Datasource DataSourceEc2Local. Up 5.00 seconds`,
  ];
  const text = lines.join('\r\n') + '\r\n';
  return { InstanceId: i.id, Timestamp: new Date(now), Output: Buffer.from(input.Latest ? text.slice(-65536) : text).toString('base64') };
};

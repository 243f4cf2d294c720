/**
 * Network Insights (Reachability Analyzer): paths (`nip-`) name a source and destination
 * (instance, interface, internet gateway, NAT gateway, peering connection, endpoint, or an
 * address through SourceIp/DestinationIp), a protocol and a port; an analysis (`nia-`) runs
 * the pure engine of src/network/ inside the request on a snapshot of the VPCs the path
 * touches (net-snapshot.ts) and stores its answer, which DescribeNetworkInsightsAnalyses
 * returns in the model's shapes. The same engine answers `POST /_cloudlet/net/why` (netWhy).
 */
import type {
  CreateNetworkInsightsPathRequest, CreateNetworkInsightsPathResult, DeleteNetworkInsightsAnalysisRequest,
  DeleteNetworkInsightsAnalysisResult, DeleteNetworkInsightsPathRequest, DeleteNetworkInsightsPathResult,
  DescribeNetworkInsightsAnalysesRequest, DescribeNetworkInsightsAnalysesResult, DescribeNetworkInsightsPathsRequest,
  DescribeNetworkInsightsPathsResult, NetworkInsightsAnalysis, NetworkInsightsPath, PathFilter, PathRequestFilter,
  StartNetworkInsightsAnalysisRequest, StartNetworkInsightsAnalysisResult,
} from '@aws-sdk/client-ec2';
import type { Clock } from '../../../core/clock.js';
import { AwsError } from '../../../core/errors.js';
import { analyze, NetworkQuestionError, parseIp, prepare, type AnalysisResult, type Question } from '../../../network/index.js';
import type { Store } from '../../../store/types.js';
import type { Handler, RequestContext } from '../../types.js';
import { bool, describe, mustGet } from '../describe.js';
import { arnOf, checkId, newId, notFound, parseArn, RESOURCE_TYPES, typeOfId, type ResourceType } from '../ids.js';
import { dropTags, setTags, tagList, tagSpecTags, type Tag } from '../tags.js';
import { snapshotFor, type SnapshotContext } from './net-snapshot.js';

const K = { path: RESOURCE_TYPES['network-insights-path'].kind, analysis: RESOURCE_TYPES['network-insights-analysis'].kind };

/** The resource types a path may start or end at. */
const ENDPOINT_TYPES: readonly ResourceType[] = [
  'instance', 'network-interface', 'internet-gateway', 'natgateway', 'vpc-peering-connection', 'vpc-endpoint',
];

interface PortRangeRecord { from: number; to: number }
interface FilterRecord { sourceAddress?: string; destinationAddress?: string; sourcePorts?: PortRangeRecord; destinationPorts?: PortRangeRecord }

export interface PathRecord {
  id: string;
  createdAt: string;
  source: string;
  destination?: string;
  sourceIp?: string;
  destinationIp?: string;
  protocol: 'tcp' | 'udp';
  destinationPort?: number;
  filterAtSource?: FilterRecord;
  filterAtDestination?: FilterRecord;
  clientToken?: string;
}

export interface AnalysisRecord {
  id: string;
  /** Indexed: 'path'. */
  pathId: string;
  startDate: string;
  status: 'succeeded' | 'failed';
  statusMessage?: string;
  result?: AnalysisResult;
}

/** An ID, or the ID an EC2 ARN names; refused unless it is of a type a path can use. */
function endpointId(ctx: RequestContext, value: string, param: string): string {
  const id = value.startsWith('arn:') ? parseArn(value)?.id : value;
  // By prefix, so that a malformed ID of a known type answers that type's .Malformed code.
  const prefix = id?.slice(0, Math.max(0, id.indexOf('-')));
  const type = ENDPOINT_TYPES.find((t) => RESOURCE_TYPES[t].prefix === prefix);
  if (!id || !type) {
    throw new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${param} is invalid. Specify the ID or ARN of an instance, network interface, internet gateway, NAT gateway, VPC peering connection or VPC endpoint.`);
  }
  checkId(type, id);
  const exists = type === 'instance'
    ? ctx.tx.countBy(ctx.scope, RESOURCE_TYPES['network-interface'].kind, 'instance', { key: id }) > 0
    : ctx.tx.get(ctx.scope, RESOURCE_TYPES[type].kind, id) !== undefined;
  if (!exists) throw notFound(type, [id]);
  return id;
}

function ipParam(value: string | undefined, param: string): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!parseIp(value)) throw new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${param} is invalid. It is not a valid IP address.`);
  return value;
}

function portParam(v: number | undefined, param: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0 || v > 65535) throw new AwsError('InvalidParameterValue', `Value (${v}) for parameter ${param} is invalid. Ports are 0-65535.`);
  return v;
}

function filterParam(f: PathRequestFilter | undefined, param: string): FilterRecord | undefined {
  if (!f) return undefined;
  const range = (r: { FromPort?: number; ToPort?: number } | undefined, name: string): PortRangeRecord | undefined => {
    if (!r) return undefined;
    const from = portParam(r.FromPort ?? 0, `${param}.${name}.FromPort`)!;
    const to = portParam(r.ToPort ?? 65535, `${param}.${name}.ToPort`)!;
    if (from > to) throw new AwsError('InvalidParameterValue', `${param}.${name}: FromPort (${from}) is greater than ToPort (${to})`);
    return { from, to };
  };
  const out: FilterRecord = {
    ...(ipParam(f.SourceAddress, `${param}.SourceAddress`) ? { sourceAddress: f.SourceAddress } : {}),
    ...(ipParam(f.DestinationAddress, `${param}.DestinationAddress`) ? { destinationAddress: f.DestinationAddress } : {}),
    ...(f.SourcePortRange ? { sourcePorts: range(f.SourcePortRange, 'SourcePortRange') } : {}),
    ...(f.DestinationPortRange ? { destinationPorts: range(f.DestinationPortRange, 'DestinationPortRange') } : {}),
  };
  return out;
}

const filterShape = (f: FilterRecord | undefined): PathFilter | undefined => f && {
  SourceAddress: f.sourceAddress, DestinationAddress: f.destinationAddress,
  SourcePortRange: f.sourcePorts && { FromPort: f.sourcePorts.from, ToPort: f.sourcePorts.to },
  DestinationPortRange: f.destinationPorts && { FromPort: f.destinationPorts.from, ToPort: f.destinationPorts.to },
};

const endpointArn = (ctx: RequestContext, id: string | undefined): string | undefined => {
  const type = id ? typeOfId(id) : undefined;
  return type ? arnOf(type, ctx.region, ctx.account, id!) : undefined;
};

function pathShape(ctx: RequestContext, p: PathRecord, tags: Tag[]): NetworkInsightsPath {
  return {
    NetworkInsightsPathId: p.id, NetworkInsightsPathArn: arnOf('network-insights-path', ctx.region, ctx.account, p.id),
    CreatedDate: new Date(p.createdAt), Source: p.source, SourceArn: endpointArn(ctx, p.source),
    Destination: p.destination, DestinationArn: endpointArn(ctx, p.destination),
    SourceIp: p.sourceIp, DestinationIp: p.destinationIp, Protocol: p.protocol, DestinationPort: p.destinationPort,
    FilterAtSource: filterShape(p.filterAtSource), FilterAtDestination: filterShape(p.filterAtDestination),
    Tags: tagList(tags),
  };
}

export const createNetworkInsightsPath: Handler<CreateNetworkInsightsPathRequest, CreateNetworkInsightsPathResult> = (input, ctx) => {
  if (!input.Source) throw new AwsError('MissingParameter', 'The request must contain the parameter Source');
  if (input.Protocol === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter Protocol');
  if (input.Protocol !== 'tcp' && input.Protocol !== 'udp') {
    throw new AwsError('InvalidParameterValue', `Value (${String(input.Protocol)}) for parameter Protocol is invalid. Valid values: tcp, udp`);
  }
  const tags = tagSpecTags(input.TagSpecifications, 'network-insights-path');
  const source = endpointId(ctx, input.Source, 'Source');
  const destination = input.Destination ? endpointId(ctx, input.Destination, 'Destination') : undefined;
  const destinationIp = ipParam(input.DestinationIp, 'DestinationIp');
  const filterAtSource = filterParam(input.FilterAtSource, 'FilterAtSource');
  const filterAtDestination = filterParam(input.FilterAtDestination, 'FilterAtDestination');
  if (!destination && !destinationIp && !filterAtSource?.destinationAddress) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter Destination or DestinationIp');
  }
  if (destination === source) throw new AwsError('InvalidParameterValue', `The source and destination cannot be the same resource (${source})`);
  if (input.ClientToken) {
    for (const r of ctx.tx.list<PathRecord>(ctx.scope, K.path)) {
      if (r.value.clientToken === input.ClientToken) return { NetworkInsightsPath: pathShape(ctx, r.value, tags) };
    }
  }
  const p: PathRecord = {
    id: newId('network-insights-path'), createdAt: new Date(ctx.clock.nowMs()).toISOString(), source, protocol: input.Protocol,
    ...(destination ? { destination } : {}),
    ...(ipParam(input.SourceIp, 'SourceIp') ? { sourceIp: input.SourceIp } : {}),
    ...(destinationIp ? { destinationIp } : {}),
    ...(portParam(input.DestinationPort, 'DestinationPort') !== undefined ? { destinationPort: input.DestinationPort } : {}),
    ...(filterAtSource ? { filterAtSource } : {}), ...(filterAtDestination ? { filterAtDestination } : {}),
    ...(input.ClientToken ? { clientToken: input.ClientToken } : {}),
  };
  ctx.tx.put(ctx.scope, K.path, p.id, p);
  setTags(ctx.tx, ctx.scope, 'network-insights-path', p.id, tags);
  return { NetworkInsightsPath: pathShape(ctx, p, tags) };
};

const PATH_FILTERS: Record<string, (p: PathRecord) => string | undefined> = {
  destination: (p) => p.destination,
  'destination-ip': (p) => p.destinationIp,
  'destination-port': (p) => (p.destinationPort === undefined ? undefined : String(p.destinationPort)),
  protocol: (p) => p.protocol,
  source: (p) => p.source,
  'source-ip': (p) => p.sourceIp,
  'filter-at-source.source-address': (p) => p.filterAtSource?.sourceAddress,
  'filter-at-source.destination-address': (p) => p.filterAtSource?.destinationAddress,
  'filter-at-destination.source-address': (p) => p.filterAtDestination?.sourceAddress,
  'filter-at-destination.destination-address': (p) => p.filterAtDestination?.destinationAddress,
};

export const describeNetworkInsightsPaths: Handler<DescribeNetworkInsightsPathsRequest, DescribeNetworkInsightsPathsResult> = (input, ctx) => {
  const { items, nextToken } = describe<PathRecord>(ctx, input, {
    operation: 'DescribeNetworkInsightsPaths', type: 'network-insights-path', ids: input.NetworkInsightsPathIds,
    idsParam: 'networkInsightsPathIds', fields: PATH_FILTERS, bounds: [1, 100],
  });
  return { NetworkInsightsPaths: items.map((d) => pathShape(ctx, d.record, d.tags)), NextToken: nextToken };
};

export const deleteNetworkInsightsPath: Handler<DeleteNetworkInsightsPathRequest, DeleteNetworkInsightsPathResult> = (input, ctx) => {
  const p = mustGet<PathRecord>(ctx, 'network-insights-path', input.NetworkInsightsPathId);
  if (ctx.tx.countBy(ctx.scope, K.analysis, 'path', { key: p.id }) > 0) {
    throw new AwsError('DependencyViolation', `The NetworkInsightsPath '${p.id}' has analyses: delete them first.`);
  }
  ctx.tx.delete(ctx.scope, K.path, p.id);
  dropTags(ctx.tx, ctx.scope, p.id);
  return { NetworkInsightsPathId: p.id };
};

/** The engine's question for a stored path. */
function questionOf(p: PathRecord): Question {
  const single = (r: PortRangeRecord | undefined): number | undefined => (r && r.from === r.to ? r.from : undefined);
  const destPorts = p.filterAtSource?.destinationPorts ?? p.filterAtDestination?.destinationPorts;
  const srcPorts = p.filterAtSource?.sourcePorts ?? p.filterAtDestination?.sourcePorts;
  for (const r of [destPorts, srcPorts]) {
    if (r && r.from !== r.to) throw new NetworkQuestionError('InvalidParameterValue', 'cloudlet analyses port ranges of a single port only in path filters');
  }
  const destinationPort = p.destinationPort ?? single(destPorts);
  const sourcePort = single(srcPorts);
  const sourceIp = p.sourceIp ?? p.filterAtSource?.sourceAddress ?? p.filterAtDestination?.sourceAddress;
  const destinationIp = p.destinationIp ?? p.filterAtSource?.destinationAddress ?? p.filterAtDestination?.destinationAddress;
  return {
    source: p.source, destination: p.destination ?? destinationIp!, protocol: p.protocol,
    ...(destinationPort !== undefined ? { destinationPort } : {}), ...(sourcePort !== undefined ? { sourcePort } : {}),
    ...(sourceIp ? { sourceIp } : {}), ...(p.destination && destinationIp ? { destinationIp } : {}),
  };
}

/** Runs the engine on a question; the VPCs read are those its endpoints lie in. */
export function runQuestion(ctx: SnapshotContext, q: Question): AnalysisResult {
  const snap = snapshotFor(ctx, q.source, q.destination, q.sourceIp, q.destinationIp);
  return analyze(prepare(snap), q);
}

function analysisShape(ctx: RequestContext, a: AnalysisRecord, tags: Tag[]): NetworkInsightsAnalysis {
  return {
    NetworkInsightsAnalysisId: a.id, NetworkInsightsAnalysisArn: arnOf('network-insights-analysis', ctx.region, ctx.account, a.id),
    NetworkInsightsPathId: a.pathId, StartDate: new Date(a.startDate), Status: a.status,
    ...(a.statusMessage ? { StatusMessage: a.statusMessage } : {}),
    ...(a.result ? {
      NetworkPathFound: a.result.NetworkPathFound,
      ForwardPathComponents: a.result.ForwardPathComponents as NetworkInsightsAnalysis['ForwardPathComponents'],
      ReturnPathComponents: a.result.ReturnPathComponents as NetworkInsightsAnalysis['ReturnPathComponents'],
      Explanations: a.result.Explanations as NetworkInsightsAnalysis['Explanations'],
    } : {}),
    Tags: tagList(tags),
  };
}

export const startNetworkInsightsAnalysis: Handler<StartNetworkInsightsAnalysisRequest, StartNetworkInsightsAnalysisResult> = (input, ctx) => {
  const p = mustGet<PathRecord>(ctx, 'network-insights-path', input.NetworkInsightsPathId);
  if (input.FilterInArns?.length || input.FilterOutArns?.length) {
    throw new AwsError('InvalidParameterValue', 'FilterInArns and FilterOutArns are not available in cloudlet');
  }
  if (input.AdditionalAccounts?.length) {
    throw new AwsError('InvalidParameterValue', 'AdditionalAccounts (cross-account analyses) are not available in cloudlet');
  }
  const tags = tagSpecTags(input.TagSpecifications, 'network-insights-analysis');
  const a: AnalysisRecord = { id: newId('network-insights-analysis'), pathId: p.id, startDate: new Date(ctx.clock.nowMs()).toISOString(), status: 'succeeded' };
  try {
    a.result = runQuestion(ctx, questionOf(p));
  } catch (err) {
    // A path whose resources changed since it was made: AWS reports the analysis as failed.
    if (!(err instanceof NetworkQuestionError)) throw err;
    a.status = 'failed';
    a.statusMessage = `${err.code}: ${err.message}`;
  }
  ctx.tx.put(ctx.scope, K.analysis, a.id, a);
  setTags(ctx.tx, ctx.scope, 'network-insights-analysis', a.id, tags);
  return { NetworkInsightsAnalysis: analysisShape(ctx, a, tags) };
};

export const describeNetworkInsightsAnalyses: Handler<DescribeNetworkInsightsAnalysesRequest, DescribeNetworkInsightsAnalysesResult> = (input, ctx) => {
  if (input.NetworkInsightsPathId) mustGet<PathRecord>(ctx, 'network-insights-path', input.NetworkInsightsPathId);
  const from = input.AnalysisStartTime ? new Date(input.AnalysisStartTime).getTime() : -Infinity;
  const to = input.AnalysisEndTime ? new Date(input.AnalysisEndTime).getTime() : Infinity;
  const filters = [...(input.Filters ?? [])];
  if (input.NetworkInsightsPathId) filters.push({ Name: 'network-insights-path-id', Values: [input.NetworkInsightsPathId] });
  const { items, nextToken } = describe<AnalysisRecord>(ctx, { Filters: filters, MaxResults: input.MaxResults, NextToken: input.NextToken }, {
    operation: 'DescribeNetworkInsightsAnalyses', type: 'network-insights-analysis', ids: input.NetworkInsightsAnalysisIds,
    idsParam: 'networkInsightsAnalysisIds', bounds: [1, 100],
    fields: {
      'path-found': (a) => (a.result ? bool(a.result.NetworkPathFound) : undefined),
      status: (a) => a.status,
      'network-insights-path-id': (a) => a.pathId,
    },
    indexes: { 'network-insights-path-id': 'path' },
    visible: (a) => { const t = Date.parse(a.startDate); return t >= from && t <= to; },
    query: { from: input.AnalysisStartTime, to: input.AnalysisEndTime },
  });
  return { NetworkInsightsAnalyses: items.map((d) => analysisShape(ctx, d.record, d.tags)), NextToken: nextToken };
};

export const deleteNetworkInsightsAnalysis: Handler<DeleteNetworkInsightsAnalysisRequest, DeleteNetworkInsightsAnalysisResult> = (input, ctx) => {
  const a = mustGet<AnalysisRecord>(ctx, 'network-insights-analysis', input.NetworkInsightsAnalysisId);
  ctx.tx.delete(ctx.scope, K.analysis, a.id);
  dropTags(ctx.tx, ctx.scope, a.id);
  return { NetworkInsightsAnalysisId: a.id };
};

/** What `POST /_cloudlet/net/why` takes (the CLI's `cloudlet net why` sends it). */
export interface WhyRequest { source?: unknown; destination?: unknown; port?: unknown; protocol?: unknown; region?: unknown; account?: unknown }

/**
 * The admin endpoint's answer: the engine's result for one question in one account and Region
 * (default 000000000000, us-east-1), read in one store transaction that writes nothing.
 * Bad input is an AwsError (the admin router answers its code and status).
 */
export async function netWhy(store: Store, clock: Clock, body: WhyRequest): Promise<AnalysisResult & { question: Question; account: string; region: string }> {
  const str = (v: unknown, name: string, dflt?: string): string => {
    if (v === undefined || v === null || v === '') {
      if (dflt !== undefined) return dflt;
      throw new AwsError('MissingParameter', `the request must contain "${name}"`);
    }
    if (typeof v !== 'string') throw new AwsError('InvalidParameterValue', `"${name}" must be a string`);
    return v;
  };
  const account = str(body.account, 'account', '000000000000');
  if (!/^\d{12}$/.test(account)) throw new AwsError('InvalidParameterValue', `"account" must be a 12-digit account ID, got ${JSON.stringify(account)}`);
  const region = str(body.region, 'region', 'us-east-1');
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new AwsError('InvalidParameterValue', `"region" is not a Region name: ${JSON.stringify(region)}`);
  const protocol = str(body.protocol, 'protocol', 'tcp');
  if (protocol !== 'tcp' && protocol !== 'udp') throw new AwsError('InvalidParameterValue', `"protocol" must be tcp or udp, got ${JSON.stringify(protocol)}`);
  const port = body.port === undefined || body.port === null || body.port === '' ? undefined : Number(body.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new AwsError('InvalidParameterValue', `"port" must be 0-65535, got ${JSON.stringify(body.port)}`);
  }
  const question: Question = {
    source: str(body.source, 'source'), destination: str(body.destination, 'destination'), protocol,
    ...(port !== undefined ? { destinationPort: port } : {}),
  };
  const result = await store.transaction((tx) => {
    try {
      return runQuestion({ tx, scope: { account, region }, account, region, clock }, question);
    } catch (err) {
      if (err instanceof NetworkQuestionError) throw new AwsError(err.code, err.message);
      throw err;
    }
  });
  return { question, account, region, ...result };
}

/**
 * One reachability question: resolve the endpoints, walk the forward path, then the return path
 * of the packets that arrived, and answer in Reachability Analyzer's shapes.
 */

import { mustCidr, parseIp, type Family } from './cidr.js';
import { box, cidrRange, fullRange, reverse, subtract, type Box } from './packets.js';
import { component, effectiveRouteTable, ipKey, isPublicSubnet, vpcOfEni, type Net } from './prepare.js';
import type { AnalysisResult, Explanation, NetEni, NetInternetGateway, NetNatGateway, NetPeering, NetVpcEndpoint, PathComponent, Question } from './types.js';
import { NetworkQuestionError } from './types.js';
import { deliverInVpc, header, ingressIgw, leaveEni, routeOut, type Ctx, type Goal, type Outcome } from './walk.js';

/**
 * Source ports of the question when it names none: the ephemeral range that AWS's NACL guidance
 * (and the return-path check) uses, 1024-65535. AWS's own analyses report 0-65535 here.
 */
export const DEFAULT_SOURCE_PORTS: [number, number] = [1024, 65535];

type Endpoint =
  | { kind: 'eni'; eni: NetEni; via?: NetVpcEndpoint }
  | { kind: 'internet'; igw?: NetInternetGateway; ip?: bigint; family?: Family; endpointOk?: boolean }
  | { kind: 'nat'; nat: NetNatGateway }
  | { kind: 'pcx'; pcx: NetPeering }
  | { kind: 'vpce'; vpce: NetVpcEndpoint };

const notFound = (code: string, id: string): never => { throw new NetworkQuestionError(code, `The ${code.split('.')[0]!.replace('Invalid', '').replace('ID', ' ID')} '${id}' does not exist`); };

function resolve(net: Net, id: string): Endpoint {
  if (id === 'internet') return { kind: 'internet' };
  if (id.startsWith('i-')) {
    const enis = net.enisByInstance.get(id);
    return enis?.[0] ? { kind: 'eni', eni: enis[0] } : notFound('InvalidInstanceID.NotFound', id);
  }
  if (id.startsWith('eni-')) { const e = net.eni.get(id); return e ? { kind: 'eni', eni: e } : notFound('InvalidNetworkInterfaceID.NotFound', id); }
  if (id.startsWith('igw-')) { const g = net.igw.get(id); return g ? { kind: 'internet', igw: g } : notFound('InvalidInternetGatewayID.NotFound', id); }
  if (id.startsWith('nat-')) { const n = net.nat.get(id); return n ? { kind: 'nat', nat: n } : notFound('InvalidNatGatewayID.NotFound', id); }
  if (id.startsWith('pcx-')) { const p = net.pcx.get(id); return p ? { kind: 'pcx', pcx: p } : notFound('InvalidVpcPeeringConnectionID.NotFound', id); }
  if (id.startsWith('vpce-')) {
    const v = net.vpce.get(id);
    if (!v) return notFound('InvalidVpcEndpointId.NotFound', id);
    const eni = v.type === 'Interface' ? net.eni.get(v.networkInterfaceIds?.[0] ?? '') : undefined;
    return eni ? { kind: 'eni', eni, via: v } : { kind: 'vpce', vpce: v };
  }
  const ip = parseIp(id);
  if (!ip) throw new NetworkQuestionError('InvalidParameterValue', `Value (${id}) is not a supported resource ID or IP address`);
  const k = ipKey(id)!;
  const eni = net.eniByIp.get(k) ?? net.eniByPublicIp.get(k);
  if (eni) return { kind: 'eni', eni };
  const nat = net.natByPrivateIp.get(k) ?? net.natByPublicIp.get(k);
  if (nat) return { kind: 'nat', nat };
  const inPl = [...net.prefixList.values()].some((cs) => cs.some((c) => c.family === ip.family && cidrRange(c)[0] <= ip.value && ip.value <= cidrRange(c)[1]));
  return { kind: 'internet', ip: ip.value, family: ip.family, endpointOk: inPl };
}

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((c) => cidrRange(mustCidr(c)));
function internetRanges(f: Family, ip?: bigint): [bigint, bigint][] {
  if (ip !== undefined) return [[ip, ip]];
  if (f === 6) return [cidrRange(mustCidr('2000::/3'))];
  return subtract([box(fullRange(4), [0n, 0n], [0n, 0n], [0n, 0n])], [PRIVATE, undefined, undefined, undefined], 4).map((b) => [b[0]!, b[1]!]);
}

function vpcOf(net: Net, e: Endpoint): string | undefined {
  if (e.kind === 'eni') return vpcOfEni(net, e.eni);
  if (e.kind === 'nat') return net.subnet.get(e.nat.subnetId)?.vpcId;
  if (e.kind === 'vpce') return e.vpce.vpcId;
  if (e.kind === 'internet') return e.igw?.attachedVpcId;
  return undefined;
}

function addresses(net: Net, e: Endpoint, f: Family, pinned: string | undefined, other: Endpoint, asDestination: boolean): [bigint, bigint][] {
  const pin = pinned ? parseIp(pinned) : undefined;
  if (pin && pin.family === f) return [[pin.value, pin.value]];
  const one = (s: string | undefined): [bigint, bigint][] => { const ip = s ? parseIp(s) : undefined; return ip && ip.family === f ? [[ip.value, ip.value]] : []; };
  switch (e.kind) {
    case 'eni': {
      if (asDestination && other.kind === 'internet' && f === 4) return one(e.eni.publicIp ?? e.eni.privateIps[0]);
      return one(f === 4 ? e.eni.privateIps[0] : e.eni.ipv6Ips?.[0]);
    }
    case 'nat': return one(asDestination && other.kind === 'internet' ? e.nat.publicIp : e.nat.privateIp);
    case 'internet': return internetRanges(f, e.ip);
    case 'vpce': return (net.prefixList.get(e.vpce.prefixListId ?? '') ?? []).filter((c) => c.family === f).map(cidrRange);
    case 'pcx': {
      const near = vpcOf(net, other);
      const far = e.pcx.requesterVpcId === near ? e.pcx.accepterVpcId : e.pcx.requesterVpcId;
      return (net.vpcCidrs.get(far) ?? []).filter((c) => c.family === f).map(cidrRange);
    }
  }
}

function goalOf(e: Endpoint): Goal {
  if (e.kind === 'eni') return { kind: 'eni', eni: e.eni };
  if (e.kind === 'nat') return { kind: 'nat', nat: e.nat };
  if (e.kind === 'pcx') return { kind: 'pcx', pcxId: e.pcx.id };
  if (e.kind === 'vpce') return { kind: 'external', vpceId: e.vpce.id };
  return { kind: 'external', ...(e.igw ? { igwId: e.igw.id } : {}), ...(e.endpointOk ? { anyEndpoint: true } : {}) };
}

const newCtx = (net: Net, family: Family, proto: number, goal: Goal, isReturn: boolean, nat: Ctx['nat']): Ctx =>
  ({ net, family, proto, goal, isReturn, hops: [], nat, steps: 0 });

/** Starts a walk at `from` with packets `set` (forward: the question's; return: the replies). */
function start(ctx: Ctx, from: Endpoint, set: Box[], towards: Endpoint): Outcome {
  const net = ctx.net;
  switch (from.kind) {
    case 'eni': {
      const e = from.eni;
      if (from.via && !ctx.isReturn && vpcOf(net, towards) === from.via.vpcId) {
        const c = component(net, from.via);
        return { ok: false, hops: [], explanations: [{ ExplanationCode: 'VPCE_INTRA_VPC_TRAFFIC', Component: c, VpcEndpoint: c }] };
      }
      if (e.instanceId) ctx.hops.push({ Component: component(net, { id: e.instanceId, ...(e.instanceArn ? { arn: e.instanceArn } : {}) }), OutboundHeader: header(ctx, set) });
      const mark = ctx.hops.length;
      const r = leaveEni(ctx, e, set);
      const first = (r.ok ? ctx.hops : r.hops)[mark];
      if (!e.instanceId && first) first.OutboundHeader = header(ctx, set);
      return r;
    }
    case 'internet': {
      const vpcId = vpcOf(net, towards);
      const igw = from.igw ?? (vpcId ? net.igwByVpc.get(vpcId) : undefined);
      if (!igw || !igw.attachedVpcId) {
        return { ok: false, hops: [], explanations: [{ ExplanationCode: 'NO_PATH', ...(vpcId ? { Vpc: component(net, net.vpc.get(vpcId) ?? { id: vpcId }) } : {}),
          ...(from.igw ? { InternetGateway: component(net, from.igw), Component: component(net, from.igw) } : {}) }] };
      }
      return ingressIgw(ctx, igw, set);
    }
    case 'nat': {
      const subnet = net.subnet.get(from.nat.subnetId);
      if (!subnet) return { ok: false, hops: [], explanations: [{ ExplanationCode: 'UNASSOCIATED_COMPONENT', Component: component(net, from.nat) }] };
      ctx.hops.push({ Component: component(net, from.nat), OutboundHeader: header(ctx, set) });
      return routeOut(ctx, subnet, set);
    }
    case 'pcx': {
      const to = vpcOf(net, towards);
      const c = component(net, from.pcx);
      if (from.pcx.status !== 'active') return { ok: false, hops: [], explanations: [{ ExplanationCode: 'BAD_STATE', Component: c, VpcPeeringConnection: c, State: from.pcx.status }] };
      if (!to) return { ok: false, hops: [], explanations: [{ ExplanationCode: 'NO_PATH', Component: c }] };
      ctx.hops.push({ Component: c, OutboundHeader: header(ctx, set) });
      return deliverInVpc(ctx, to, set);
    }
    case 'vpce': {
      const c = component(net, from.vpce);
      if (!ctx.isReturn) return { ok: false, hops: [], explanations: [{ ExplanationCode: 'VPCE_INTRA_VPC_TRAFFIC', Component: c, VpcEndpoint: c }] };
      ctx.hops.push({ Component: c, OutboundHeader: header(ctx, set) });
      return deliverInVpc(ctx, from.vpce.vpcId, set);
    }
  }
}

/**
 * From the internet to an interface in a private subnet, also say why replies could never leave:
 * the subnet's route table has no route to an internet gateway (the "no route" half of the seeds'
 * defence in depth), as Reachability Analyzer lists several explanations when several apply.
 */
function privateSubnetNote(net: Net, src: Endpoint, dst: Endpoint): Explanation[] {
  if (src.kind !== 'internet' || dst.kind !== 'eni') return [];
  const subnet = net.subnet.get(dst.eni.subnetId);
  if (!subnet || isPublicSubnet(net, subnet)) return [];
  const rt = effectiveRouteTable(net, subnet);
  const igw = src.igw ?? net.igwByVpc.get(subnet.vpcId);
  return [{
    ExplanationCode: 'NO_ROUTE_TO_DESTINATION', Direction: 'egress',
    ...(rt ? { RouteTable: component(net, rt), Component: component(net, rt) } : {}),
    Subnet: component(net, subnet), Vpc: component(net, net.vpc.get(subnet.vpcId) ?? { id: subnet.vpcId }),
    ...(igw ? { Destination: component(net, igw), InternetGateway: component(net, igw) } : { MissingComponent: 'internet-gateway' }),
  }];
}

const numbered = (hops: Omit<PathComponent, 'SequenceNumber'>[]): PathComponent[] => hops.map((h, i) => ({ SequenceNumber: i + 1, ...h }));

/** Answers one question against a prepared network. Throws NetworkQuestionError for a question AWS would refuse. */
export function analyze(net: Net, q: Question): AnalysisResult {
  const proto = q.protocol === 'tcp' ? 6 : q.protocol === 'udp' ? 17 : undefined;
  if (proto === undefined) throw new NetworkQuestionError('InvalidParameterValue', `Value (${String(q.protocol)}) for parameter protocol is invalid. Valid values: tcp, udp`);
  for (const [name, p] of [['destinationPort', q.destinationPort], ['sourcePort', q.sourcePort]] as const) {
    if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 65535)) throw new NetworkQuestionError('InvalidParameterValue', `Value (${p}) for parameter ${name} is invalid`);
  }
  const src = resolve(net, q.source);
  const dst = resolve(net, q.destination);
  if (src.kind === 'internet' && dst.kind === 'internet') {
    throw new NetworkQuestionError('InvalidParameterCombination', 'The source and destination cannot both be outside the VPC');
  }
  const pinnedFamily = [q.sourceIp, q.destinationIp].map((s) => (s ? parseIp(s)?.family : undefined)).find(Boolean);
  const family: Family = pinnedFamily ?? (src.kind === 'internet' ? src.family : undefined) ?? (dst.kind === 'internet' ? dst.family : undefined) ?? 4;
  const sp: [bigint, bigint] = q.sourcePort !== undefined ? [BigInt(q.sourcePort), BigInt(q.sourcePort)] : [BigInt(DEFAULT_SOURCE_PORTS[0]), BigInt(DEFAULT_SOURCE_PORTS[1])];
  const dp: [bigint, bigint] = q.destinationPort !== undefined ? [BigInt(q.destinationPort), BigInt(q.destinationPort)] : [0n, 65535n];
  const sas = addresses(net, src, family, q.sourceIp, dst, false);
  const das = addresses(net, dst, family, q.destinationIp, src, true);
  const noPath = (why: string): AnalysisResult => ({ NetworkPathFound: false, ForwardPathComponents: [], ReturnPathComponents: [],
    Explanations: [{ ExplanationCode: why }] });
  if (!sas.length || !das.length) return noPath('NO_PATH');
  const set: Box[] = sas.flatMap((a) => das.map((d) => box(a, d, sp, dp)));

  const fwd = newCtx(net, family, proto, goalOf(dst), false, []);
  const f = start(fwd, src, set, dst);
  if (!f.ok) {
    return { NetworkPathFound: false, ForwardPathComponents: numbered(f.hops), ReturnPathComponents: [],
      Explanations: [...f.explanations, ...privateSubnetNote(net, src, dst)] };
  }

  const back = newCtx(net, family, proto, goalOf(src), true, fwd.nat);
  const replies = reverse(f.set);
  let r: Outcome;
  if (dst.kind === 'internet') {
    // Replies come back in through the gateway the forward path left by.
    const exit = [...fwd.hops].reverse().find((h) => h.Component.Id.startsWith('igw-') || h.Component.Id.startsWith('eigw-') || h.Component.Id.startsWith('vpce-'));
    const id = exit?.Component.Id ?? '';
    if (id.startsWith('igw-')) r = ingressIgw(back, net.igw.get(id)!, replies);
    else {
      const vpcId = fwd.hops.find((h) => h.Vpc)?.Vpc?.Id ?? '';
      back.hops.push({ Component: exit!.Component, OutboundHeader: header(back, replies) });
      r = deliverInVpc(back, vpcId, replies);
    }
  } else if (dst.kind === 'nat' && src.kind !== 'internet') {
    const subnet = net.subnet.get(dst.nat.subnetId)!;
    back.hops.push({ Component: component(net, dst.nat), OutboundHeader: header(back, replies) });
    r = routeOut(back, subnet, replies);
  } else {
    r = start(back, dst, replies, src);
  }
  const explanations: Explanation[] = r.ok ? [] : r.explanations;
  return {
    NetworkPathFound: r.ok,
    ForwardPathComponents: numbered(fwd.hops),
    ReturnPathComponents: numbered(r.ok ? back.hops : r.hops),
    Explanations: explanations,
  };
}


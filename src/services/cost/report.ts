/**
 * What costs money now (`cloudlet cost`, GET /_cloudlet/cost): the rate of every line a
 * resource holds open in the meter (cost:open), per hour and projected over a month of 730
 * hours (the AWS Pricing Calculator's month; GB-month lines are their monthly rate), per service
 * and per resource, biggest first; the resources that are paid for and unused (unattached
 * volumes, Elastic IPs with no association, NAT gateways that processed nothing, stopped
 * instances still paying for their volumes and addresses); and for each running instance what
 * stopping or terminating it would change (AWS: a stopped instance's volumes and Elastic IPs
 * keep billing; termination also deletes its delete-on-termination volumes).
 *
 * Commitments: the rates are On-Demand (or Spot) rates scaled by what forEachCostedUsage charged
 * for the same resource and usage type over the last whole hour (a line a Reserved Instance
 * covers costs 0 there, so stopping that instance saves nothing), and the commitments'
 * recurring fees of that hour are an item of their own. Month to date is read through
 * forEachCostedUsage too. One pass over the account's open rows and records, in the caller's
 * transaction.
 */
import type { Scope, Tx } from '../../store/types.js';
import { spotPrice } from '../ec2/compute/catalog.js';
import { instanceState } from '../ec2/compute/lifecycle.js';
import type { InstanceRecord, VolumeRecord } from '../ec2/compute/records.js';
import type { AddressRecord } from '../ec2/vpc/records-eni.js';
import type { NatGatewayRecord } from '../ec2/vpc/nat-gateways.js';
import { forEachCostedUsage } from './commitments.js';
import { COUNT_KIND, OPEN_KIND, padMs } from './meter.js';
import type { CountRecord, Line, Segment } from './types.js';
import { monthStart } from './usage.js';
import { creditsView, egressItems, type CreditsView, type EgressItem } from './report-extras.js';

/** The month a projection assumes (730 hours: 24 x 365 / 12). */
export const HOURS_PER_MONTH = 730;
const HOUR = 3_600_000;
/** A NAT gateway that processed no bytes over this long (or since it was created) is called idle. */
export const NAT_IDLE_MS = 7 * 24 * HOUR;

export interface RateLine {
  usageType: string; service: string; productCode: string; operation: string; unit: string;
  quantity: number; perHour: number; perMonth: number;
}
export interface ResourceRate {
  resourceId: string; kind: string; region: string; perHour: number; perMonth: number;
  services: string[]; tags: Record<string, string>; lines: RateLine[];
  /** What the resource is (t3.micro, gp3 8 GiB, NAT gateway) and its state when it matters. */
  what?: string;
}
export interface ServiceRate { service: string; productCode: string; perHour: number; perMonth: number; monthToDate: number }
export interface IdleItem { resourceId: string; kind: string; region: string; reason: string; perHour: number; perMonth: number; hint: string; pays?: string[] }
export interface Change { savesPerHour: number; savesPerMonth: number; ends: string[]; keeps: Array<{ resourceId: string; perMonth: number; why: string }> }
export interface InstanceChoice {
  instanceId: string; region: string; instanceType: string; state: string; tags: Record<string, string>;
  perHour: number; perMonth: number;
  stop: Change;
  terminate: Change & { deletes: string[] };
}
export interface CostReport {
  account: string; region?: string; at: string; hoursPerMonth: number;
  perHour: number; perMonth: number; monthToDate: number;
  services: ServiceRate[]; resources: ResourceRate[]; idle: IdleItem[]; instances: InstanceChoice[];
  /** Instances sending to the internet (--egress) and where it goes (report-extras.ts). */
  egress: EgressItem[];
  /** A new account's Free Tier credits; absent for an established account. */
  credits?: CreditsView;
}

const USAGE_ITEMS = new Set(['Usage', 'DiscountedUsage', 'SavingsPlanCoveredUsage', 'SavingsPlanNegation']);
const RECURRING_FEES = new Set(['RIFee', 'SavingsPlanRecurringFee']);

const round = (n: number, places: number): number => Math.round(n * 10 ** places) / 10 ** places;
const perHourOf = (r: number) => round(r, 6);
const usd = (r: number) => round(r, 4);
const key = (resourceId: string, usageType: string) => `${resourceId}\u0000${usageType}`;

/** The On-Demand (or Spot) cost per hour of holding a line now. */
export function lineHourly(line: Line, nowMs: number): number {
  if (line.accrual === 'month') return (line.quantity * line.rate) / HOURS_PER_MONTH;
  if (line.instance?.purchase === 'Spot') return line.quantity * spotPrice(line.instance.type, line.instance.zoneName, nowMs);
  return line.quantity * line.rate;
}

/** What commitments make of each (resource, usage type) over the last whole hour, and their fees then. */
function commitmentsOfLastHour(tx: Tx, account: string, nowMs: number, region?: string) {
  const end = Math.floor(nowMs / HOUR) * HOUR;
  const ratio = new Map<string, { charged: number; onDemand: number }>();
  const fees = new Map<string, { line: CountRecord['line']; perHour: number }>();
  forEachCostedUsage(tx, account, { startMs: end - HOUR, endMs: end }, 'HOURLY', nowMs, (u) => {
    const k = key(u.line.resourceId, u.line.usageType);
    if (USAGE_ITEMS.has(u.itemType)) {
      const r = ratio.get(k) ?? { charged: 0, onDemand: 0 };
      r.charged += u.unblendedCost;
      if (u.itemType !== 'SavingsPlanNegation') r.onDemand += u.cost;
      ratio.set(k, r);
    } else if (RECURRING_FEES.has(u.itemType)) {
      const f = fees.get(k) ?? { line: u.line, perHour: 0 };
      f.perHour += u.unblendedCost;
      fees.set(k, f);
    }
  }, region);
  const scale = (resourceId: string, usageType: string): number => {
    const r = ratio.get(key(resourceId, usageType));
    return r && r.onDemand > 0 ? Math.max(0, r.charged / r.onDemand) : 1;
  };
  return { scale, fees: [...fees.values()] };
}

interface Held { scope: Scope; kind: string; id: string; rate: ResourceRate }

function openResources(tx: Tx, account: string, nowMs: number, scale: (id: string, ut: string) => number, region?: string): Map<string, Held> {
  const out = new Map<string, Held>();
  for (const s of tx.scopes(account)) {
    if (s.kind !== OPEN_KIND) continue;
    const scope = { account: s.account, region: s.region };
    for (const row of tx.list<{ segments: Segment[] }>(scope, OPEN_KIND)) {
      const sep = row.id.indexOf('\u0000');
      const kind = row.id.slice(0, sep);
      const id = row.id.slice(sep + 1);
      for (const seg of row.value.segments) {
        const l = seg.line;
        if (region && l.region !== region) continue;
        const perHour = lineHourly(l, nowMs) * scale(l.resourceId, l.usageType);
        const rk = `${kind}\u0000${l.resourceId}`;
        let held = out.get(rk);
        if (!held) {
          held = { scope, kind, id, rate: { resourceId: l.resourceId, kind, region: l.region, perHour: 0, perMonth: 0, services: [], tags: l.tags, lines: [] } };
          out.set(rk, held);
        }
        const r = held.rate;
        r.perHour += perHour;
        if (!r.services.includes(l.service)) r.services.push(l.service);
        r.lines.push({ usageType: l.usageType, service: l.service, productCode: l.productCode, operation: l.operation, unit: l.unit, quantity: l.quantity, perHour, perMonth: perHour * HOURS_PER_MONTH });
      }
    }
  }
  return out;
}

function describe(tx: Tx, held: Held, nowMs: number): string | undefined {
  const v = tx.get<Record<string, unknown>>(held.scope, held.kind, held.id);
  if (!v) return undefined;
  switch (held.kind) {
    case 'ec2:instance': { const i = v as unknown as InstanceRecord; return `${i.instanceType} ${instanceState(i, nowMs)}`; }
    case 'ec2:volume': { const x = v as unknown as VolumeRecord; return `${x.type} ${x.size} GiB`; }
    case 'ec2:elastic-ip': { const a = v as unknown as AddressRecord; return `Elastic IP ${a.publicIp}${a.association ? '' : ' (not associated)'}`; }
    case 'ec2:natgateway': return 'NAT gateway';
    case 'elbv2:load-balancer': return 'load balancer';
    default: return undefined;
  }
}

const attached = (v: VolumeRecord, nowMs: number) => v.attachments.some((a) => a.detachedMs === undefined || a.detachedMs > nowMs);

/** Resources whose NAT bytes were counted since `sinceMs`, per scope. */
function natTraffic(tx: Tx, scope: Scope, sinceMs: number): Set<string> {
  const seen = new Set<string>();
  for (const r of tx.list<CountRecord>(scope, COUNT_KIND, { after: padMs(sinceMs - 1) })) {
    if (/NatGateway-Bytes$/.test(r.value.line.usageType) && r.value.quantity > 0) seen.add(r.value.line.resourceId);
  }
  return seen;
}

export function buildCostReport(tx: Tx, account: string, nowMs: number, region?: string): CostReport {
  const { scale, fees } = commitmentsOfLastHour(tx, account, nowMs, region);
  const held = openResources(tx, account, nowMs, scale, region);
  for (const f of fees) {
    const l = f.line;
    held.set(`commitment\u0000${l.resourceId}\u0000${l.usageType}`, {
      scope: { account, region: l.region }, kind: 'commitment', id: l.resourceId,
      rate: { resourceId: l.resourceId, kind: 'commitment', region: l.region, perHour: f.perHour, perMonth: 0, services: [l.service], tags: l.tags, what: 'recurring fee',
        lines: [{ usageType: l.usageType, service: l.service, productCode: l.productCode, operation: l.operation, unit: l.unit, quantity: l.quantity, perHour: f.perHour, perMonth: f.perHour * HOURS_PER_MONTH }] },
    });
  }
  const byResource = new Map<string, Held>();
  for (const h of held.values()) {
    h.rate.perMonth = h.rate.perHour * HOURS_PER_MONTH;
    if (h.kind !== 'commitment') h.rate.what = describe(tx, h, nowMs);
    byResource.set(`${h.kind}\u0000${h.id}`, h);
  }
  const rateOf = (kind: string, id: string) => byResource.get(`${kind}\u0000${id}`)?.rate.perHour ?? 0;

  // Services: open rates, and what the month has charged so far.
  const services = new Map<string, ServiceRate>();
  const service = (name: string, productCode: string) => {
    let s = services.get(name);
    if (!s) { s = { service: name, productCode, perHour: 0, perMonth: 0, monthToDate: 0 }; services.set(name, s); }
    return s;
  };
  for (const h of held.values()) for (const l of h.rate.lines) service(l.service, l.productCode).perHour += l.perHour;
  let monthToDate = 0;
  forEachCostedUsage(tx, account, { startMs: monthStart(nowMs), endMs: nowMs }, 'NONE', nowMs, (u) => {
    service(u.line.service, u.line.productCode).monthToDate += u.unblendedCost;
    monthToDate += u.unblendedCost;
  }, region);

  // Records: what is idle, and what each running instance's stop or termination would change.
  const idle: IdleItem[] = [];
  const instances: InstanceChoice[] = [];
  const scopes = new Map<string, Scope>();
  for (const s of tx.scopes(account)) if (s.region && (!region || s.region === region)) scopes.set(s.region, { account, region: s.region });
  for (const h of byResource.values()) {
    const v = tx.get<Record<string, unknown>>(h.scope, h.kind, h.id);
    if (!v) continue;
    const r = h.rate;
    const base = { resourceId: r.resourceId, kind: h.kind, region: r.region, perHour: r.perHour, perMonth: r.perMonth };
    if (h.kind === 'ec2:volume' && !attached(v as unknown as VolumeRecord, nowMs)) {
      idle.push({ ...base, reason: `unattached ${r.what} volume`, hint: 'snapshot it if you need the data, then DeleteVolume' });
    } else if (h.kind === 'ec2:elastic-ip' && !(v as unknown as AddressRecord).association) {
      idle.push({ ...base, reason: `idle Elastic IP ${(v as unknown as AddressRecord).publicIp}: allocated, not associated (public IPv4 bills in use or idle)`, hint: 'ReleaseAddress if nothing will use it' });
    }
  }
  for (const scope of scopes.values()) {
    const nats = tx.list<NatGatewayRecord>(scope, 'ec2:natgateway').map((x) => x.value).filter((g) => byResource.has(`ec2:natgateway\u0000${g.id}`));
    if (nats.length) {
      const since = nowMs - NAT_IDLE_MS;
      const busy = natTraffic(tx, scope, since);
      for (const g of nats) {
        if (busy.has(g.id)) continue;
        const ph = rateOf('ec2:natgateway', g.id);
        const from = Math.max(since, g.createdMs);
        idle.push({ resourceId: g.id, kind: 'ec2:natgateway', region: scope.region, perHour: ph, perMonth: ph * HOURS_PER_MONTH,
          reason: `NAT gateway that processed no traffic since ${new Date(from).toISOString()}`, hint: 'DeleteNatGateway (and release its Elastic IP) if no private subnet needs the internet' });
      }
    }
    const volumesOf = (id: string) => tx.findBy<VolumeRecord>(scope, 'ec2:volume', 'instance', { key: id }).map((x) => x.value).filter((v) => v.deleteMs === undefined);
    const addressesOf = (id: string) => tx.findBy<AddressRecord>(scope, 'ec2:elastic-ip', 'instance', { key: id }).map((x) => x.value);
    const volumeView = (v: VolumeRecord) => ({ resourceId: v.id, perMonth: rateOf('ec2:volume', v.id) * HOURS_PER_MONTH });
    const addressView = (a: AddressRecord) => ({ resourceId: a.allocationId, perMonth: rateOf('ec2:elastic-ip', a.allocationId) * HOURS_PER_MONTH });
    for (const { value: i } of tx.findBy<InstanceRecord>(scope, 'ec2:instance', 'phase', { key: 'stop' })) {
      const vols = volumesOf(i.id);
      const eips = addressesOf(i.id);
      const ph = vols.reduce((a, v) => a + rateOf('ec2:volume', v.id), 0) + eips.reduce((a, e) => a + rateOf('ec2:elastic-ip', e.allocationId), 0);
      if (ph <= 0) continue;
      idle.push({ resourceId: i.id, kind: 'ec2:instance', region: scope.region, perHour: ph, perMonth: ph * HOURS_PER_MONTH,
        reason: `${instanceState(i, nowMs)} ${i.instanceType} instance still paying for its storage${eips.length ? ' and addresses' : ''}`,
        pays: [...vols.map((v) => `${v.id} (${v.type} ${v.size} GiB)`), ...eips.map((e) => `${e.allocationId} (${e.publicIp})`)],
        hint: 'terminate it (delete-on-termination volumes go with it) or snapshot and delete its volumes' });
    }
    for (const { value: i } of tx.findBy<InstanceRecord>(scope, 'ec2:instance', 'phase', { key: 'start' })) {
      const own = byResource.get(`ec2:instance\u0000${i.id}`)?.rate;
      const ph = own?.perHour ?? 0;
      const ends = (own?.lines ?? []).map((l) => l.usageType);
      const vols = volumesOf(i.id);
      const dot = (v: VolumeRecord) => v.attachments.find((a) => a.instanceId === i.id)?.deleteOnTermination ?? i.blockDevices.find((b) => b.volumeId === v.id)?.deleteOnTermination ?? false;
      const eips = addressesOf(i.id);
      const keptOnStop = [
        ...vols.map((v) => ({ ...volumeView(v), why: `${v.type} ${v.size} GiB volume: EBS bills while it exists` })),
        ...eips.map((a) => ({ ...addressView(a), why: `Elastic IP ${a.publicIp} stays associated and billed` })),
      ];
      const deleted = vols.filter(dot);
      const deletedPh = deleted.reduce((a, v) => a + rateOf('ec2:volume', v.id), 0);
      instances.push({
        instanceId: i.id, region: scope.region, instanceType: i.instanceType, state: instanceState(i, nowMs), tags: own?.tags ?? {},
        perHour: ph, perMonth: ph * HOURS_PER_MONTH,
        stop: { savesPerHour: ph, savesPerMonth: ph * HOURS_PER_MONTH, ends, keeps: keptOnStop },
        terminate: {
          savesPerHour: ph + deletedPh, savesPerMonth: (ph + deletedPh) * HOURS_PER_MONTH, ends: [...ends, ...deleted.map((v) => v.id)],
          deletes: deleted.map((v) => v.id),
          keeps: [
            ...vols.filter((v) => !dot(v)).map((v) => ({ ...volumeView(v), why: `${v.type} ${v.size} GiB volume without delete-on-termination: stays, unattached` })),
            ...eips.map((a) => ({ ...addressView(a), why: `Elastic IP ${a.publicIp} is disassociated and bills idle until released` })),
          ],
        },
      });
    }
  }

  const egress = [...scopes.values()].flatMap((s) => egressItems(tx, s, nowMs));
  const credits = creditsView(tx, account, nowMs);
  const resources = [...held.values()].map((h) => h.rate);
  const perHour = resources.reduce((a, r) => a + r.perHour, 0);
  for (const s of services.values()) s.perMonth = s.perHour * HOURS_PER_MONTH;
  const byRate = <T extends { perMonth: number }>(a: T, b: T) => b.perMonth - a.perMonth;
  const money = <T extends { perHour: number; perMonth: number }>(x: T): T => ({ ...x, perHour: perHourOf(x.perHour), perMonth: usd(x.perMonth) });
  return {
    account, ...(region ? { region } : {}), at: new Date(nowMs).toISOString(), hoursPerMonth: HOURS_PER_MONTH,
    perHour: perHourOf(perHour), perMonth: usd(perHour * HOURS_PER_MONTH), monthToDate: usd(monthToDate),
    services: [...services.values()].sort((a, b) => byRate(a, b) || b.monthToDate - a.monthToDate).map((s) => ({ ...money(s), monthToDate: usd(s.monthToDate) })),
    resources: resources.sort(byRate).map((r) => ({ ...money(r), lines: r.lines.sort(byRate).map(money) })),
    idle: idle.sort(byRate).map(money),
    instances: instances.sort((a, b) => b.terminate.savesPerMonth - a.terminate.savesPerMonth).map((i) => ({
      ...money(i),
      stop: { ...i.stop, savesPerHour: perHourOf(i.stop.savesPerHour), savesPerMonth: usd(i.stop.savesPerMonth), keeps: i.stop.keeps.map((k) => ({ ...k, perMonth: usd(k.perMonth) })) },
      terminate: { ...i.terminate, savesPerHour: perHourOf(i.terminate.savesPerHour), savesPerMonth: usd(i.terminate.savesPerMonth), keeps: i.terminate.keeps.map((k) => ({ ...k, perMonth: usd(k.perMonth) })) },
    })),
    egress, ...(credits ? { credits } : {}),
  };
}

/**
 * Usage over a window: the meter's segments (and counts) integrated into time buckets. A bucket
 * is an hour, a UTC day or a UTC calendar month; GB-month lines accrue their quantity times the
 * share of the bucket's month they were held (AWS prorates storage by the hours of the month).
 * Nothing is stored per tick: a year of usage is one pass over the segments that overlap it.
 */
import type { Scope, Tx } from '../../store/types.js';
import { spotPrice } from '../ec2/compute/catalog.js';
import { COUNT_KIND, OPEN_KIND, SEGMENT_KIND, padMs } from './meter.js';
import { AllowanceLedger, allowanceOf } from './free-tier.js';
import type { CountRecord, Line, Segment, UsageItem } from './types.js';

export type Granularity = 'HOURLY' | 'DAILY' | 'MONTHLY' | 'NONE';
export interface Window { startMs: number; endMs: number }

const HOUR = 3_600_000;
const DAY = 86_400_000;

export const monthStart = (ms: number): number => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); };
export const nextMonth = (ms: number): number => { const d = new Date(ms); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1); };
export const monthMs = (ms: number): number => nextMonth(ms) - monthStart(ms);

/** The bucket holding `ms` and where it ends. NONE still splits at months (for GB-month proration). */
export function bucketOf(ms: number, g: Granularity): [number, number] {
  switch (g) {
    case 'HOURLY': { const s = Math.floor(ms / HOUR) * HOUR; return [s, s + HOUR]; }
    case 'DAILY': { const s = Math.floor(ms / DAY) * DAY; return [s, s + DAY]; }
    default: return [monthStart(ms), nextMonth(ms)];
  }
}

/** Every segment of an account that overlaps the window (open ones run to `nowMs`). */
export function segmentsOf(tx: Tx, account: string, win: Window, nowMs: number, region?: string): Array<{ scope: Scope; seg: Segment }> {
  const out: Array<{ scope: Scope; seg: Segment }> = [];
  for (const s of tx.scopes(account)) {
    if (s.kind !== OPEN_KIND && s.kind !== SEGMENT_KIND) continue;
    const scope = { account: s.account, region: s.region };
    if (s.kind === OPEN_KIND) {
      for (const r of tx.list<{ segments: Segment[] }>(scope, OPEN_KIND)) {
        for (const seg of r.value.segments) if (seg.startMs < Math.min(win.endMs, nowMs) && (!region || seg.line.region === region)) out.push({ scope, seg });
      }
    } else {
      // Closed segments sort by end: those ending after the window starts, then cut by start.
      for (const r of tx.list<Segment>(scope, SEGMENT_KIND, { after: `${padMs(win.startMs)}` })) {
        const seg = r.value;
        const end = seg.billedEndMs ?? seg.endMs!;
        if (end > win.startMs && seg.startMs < win.endMs && (!region || seg.line.region === region)) out.push({ scope, seg });
      }
    }
  }
  return out;
}

function costOf(line: Line, fromMs: number, toMs: number, quantity: number): number {
  if (line.instance?.purchase === 'Spot') {
    let c = 0;
    for (let h = Math.floor(fromMs / HOUR) * HOUR; h < toMs; h += HOUR) {
      const part = Math.min(toMs, h + HOUR) - Math.max(fromMs, h);
      c += (part / HOUR) * spotPrice(line.instance.type, line.instance.zoneName, h);
    }
    return c * line.quantity;
  }
  return quantity * line.rate;
}

/**
 * Each (segment, bucket) piece of usage in the window at list price, with the instant the piece
 * starts (`atMs`; for counts, their day). `only` skips other lines before any arithmetic.
 */
function rawUsage(
  tx: Tx, account: string, win: Window, g: Granularity, nowMs: number,
  fn: (item: UsageItem, atMs: number) => void, region?: string, only?: (line: UsageItem['line']) => boolean,
): void {
  const end = Math.min(win.endMs, nowMs);
  const byMonth = g === 'MONTHLY' || g === 'NONE';
  // The calendar month around t, kept while t stays in it: Date arithmetic for every piece
  // (four per piece at MONTHLY) was a quarter of a year's GetCostAndUsage.
  let mS = 0;
  let mE = -Infinity;
  for (const { seg } of segmentsOf(tx, account, win, nowMs, region)) {
    if (only && !only(seg.line)) continue;
    const held = seg.endMs === undefined ? nowMs : (seg.billedEndMs ?? seg.endMs);
    const segEnd = seg.line.untilMs !== undefined ? Math.min(held, seg.line.untilMs) : held;
    const from = Math.max(seg.startMs, win.startMs);
    // A minimum or whole hour billed past the window's now still belongs to the segment's last bucket.
    const to = seg.endMs === undefined ? Math.min(segEnd, end) : Math.min(segEnd, win.endMs);
    const monthly = seg.line.accrual !== 'hours';
    for (let t = from; t < to;) {
      if ((byMonth || monthly) && (t < mS || t >= mE)) { mS = monthStart(t); mE = nextMonth(t); }
      const [bs, be] = byMonth ? [mS, mE] : bucketOf(t, g);
      const pieceEnd = Math.min(to, be);
      const ms = pieceEnd - t;
      const hours = ms / HOUR;
      const quantity = monthly ? seg.line.quantity * (ms / (mE - mS)) : seg.line.quantity * hours;
      fn({ account, startMs: g === 'NONE' ? win.startMs : Math.max(bs, win.startMs), endMs: g === 'NONE' ? win.endMs : Math.min(be, win.endMs), line: seg.line, quantity, hours, cost: costOf(seg.line, t, pieceEnd, quantity) }, t);
      t = pieceEnd;
    }
  }
  for (const s of tx.scopes(account)) {
    if (s.kind !== COUNT_KIND) continue;
    const scope = { account: s.account, region: s.region };
    for (const r of tx.list<CountRecord>(scope, COUNT_KIND, { after: padMs(win.startMs - 1) })) {
      const c = r.value;
      if (c.dayMs >= win.endMs) break;
      if (c.dayMs < win.startMs || (region && c.line.region !== region) || (only && !only(c.line))) continue;
      const [bs, be] = bucketOf(c.dayMs, g);
      fn({ account, startMs: g === 'NONE' ? win.startMs : Math.max(bs, win.startMs), endMs: g === 'NONE' ? win.endMs : Math.min(be, win.endMs), line: c.line, quantity: c.quantity, hours: 0, cost: c.quantity * c.line.rate }, c.dayMs);
    }
  }
}

const drawsOnAllowance = (line: UsageItem['line']): boolean => allowanceOf(line) !== undefined;

/**
 * Calls `fn` with each (segment, bucket) piece of usage in the window, bucketed by granularity.
 * Pieces of one line in one bucket arrive once per segment: callers sum them. Usage that draws
 * on an Always Free allowance (free-tier.ts) is held back, put in the order it happened with the
 * rest of the account's usage of that allowance (every Region; the window's month from its
 * start), and costs nothing for the part the allowance still covers (`free`).
 */
export function forEachUsage(tx: Tx, account: string, win: Window, g: Granularity, nowMs: number, fn: (item: UsageItem) => void, region?: string): void {
  const held: Array<{ item: UsageItem; atMs: number; mine: boolean }> = [];
  let draws = false;
  rawUsage(tx, account, win, g, nowMs, (item, atMs) => {
    if (!drawsOnAllowance(item.line)) fn(item);
    else if (region) draws = true;
    else held.push({ item, atMs, mine: true });
  }, region);
  if (draws) {
    // Other Regions' usage draws on the same allowance: read it all, in one pass.
    rawUsage(tx, account, win, g, nowMs, (item, atMs) => held.push({ item, atMs, mine: item.line.region === region }), undefined, drawsOnAllowance);
  }
  if (!held.length) return;
  const ledger = new AllowanceLedger();
  const first = monthStart(win.startMs);
  if (first < win.startMs) {
    rawUsage(tx, account, { startMs: first, endMs: win.startMs }, 'NONE', nowMs, (item) => { ledger.take(allowanceOf(item.line)!, first, item.quantity); }, undefined, drawsOnAllowance);
  }
  held.sort((a, b) => a.atMs - b.atMs);
  for (const h of held) {
    const free = ledger.take(allowanceOf(h.item.line)!, monthStart(h.atMs), h.item.quantity);
    if (!h.mine) continue;
    if (free <= 0) { fn(h.item); continue; }
    const q = h.item.quantity;
    const charged = q > 0 ? h.item.cost * ((q - free) / q) : 0;
    fn({ ...h.item, free, freeCost: h.item.cost - charged, cost: charged });
  }
}

/** Each Always Free allowance's usage in the window across every Region (free or not), by allowance id. */
export function allowanceUsage(tx: Tx, account: string, win: Window, nowMs: number): Map<string, number> {
  const used = new Map<string, number>();
  rawUsage(tx, account, win, 'NONE', nowMs, (item) => {
    const id = allowanceOf(item.line)!.id;
    used.set(id, (used.get(id) ?? 0) + item.quantity);
  }, undefined, drawsOnAllowance);
  return used;
}

/** Month-to-date (or any window's) cost per product code and in total: what billing's EstimatedCharges reports. */
export function costByProduct(tx: Tx, account: string, win: Window, nowMs: number): { total: number; byProduct: Record<string, number> } {
  const byProduct: Record<string, number> = {};
  let total = 0;
  forEachUsage(tx, account, win, 'NONE', nowMs, (u) => {
    byProduct[u.line.productCode] = (byProduct[u.line.productCode] ?? 0) + u.cost;
    total += u.cost;
  });
  return { total, byProduct };
}

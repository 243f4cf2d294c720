/**
 * The meter: every transaction that writes a billable record (lines.ts) re-reads that record's
 * lines before it commits and diffs them against the resource's open segments. A line that
 * ended is closed at the clock's now (with Linux's 60 s minimum or Windows' whole hours); a new
 * line opens at now, or later when the record says billing starts later (an instance bills
 * from running). Usage is then an integral over segments (usage.ts): advancing the clock a
 * year adds no rows, and every state change costs one diff, inside the transaction that made it.
 *
 * Rows (in the resource's own scope):
 *   cost:open     id = kind NUL id         { segments: Segment[] } the lines held now
 *   cost:segment  id = END NUL kind NUL id NUL key NUL START   Segment, closed (END: padded end ms)
 *   cost:count    id = HOUR NUL resource NUL usageType         CountRecord (requests, bytes)
 */
import type { Clock } from '../../core/clock.js';
import type { Scope, Store, Tx } from '../../store/types.js';
import { endedAt, LINE_SOURCES, taggedResource } from './lines.js';
import type { CountRecord, Line, Segment } from './types.js';

export const OPEN_KIND = 'cost:open';
export const SEGMENT_KIND = 'cost:segment';
export const COUNT_KIND = 'cost:count';

const HOUR = 3_600_000;
export const padMs = (ms: number): string => Math.max(0, Math.floor(ms)).toString().padStart(15, '0');
const openId = (kind: string, id: string): string => `${kind}\u0000${id}`;

/** Lines are the same line when everything but the start rule matches. */
function sameLine(a: Line, b: Line): boolean {
  const { fromMs: _a, ...ra } = a;
  const { fromMs: _b, ...rb } = b;
  return JSON.stringify(ra) === JSON.stringify(rb);
}

function billedEnd(seg: Segment, endMs: number): number | undefined {
  const held = endMs - seg.startMs;
  if (seg.line.wholeHours) return seg.startMs + Math.ceil(held / HOUR) * HOUR;
  if (seg.line.minMs && held < seg.line.minMs) return seg.startMs + seg.line.minMs;
  return undefined;
}

function closeSegment(tx: Tx, scope: Scope, kind: string, id: string, seg: Segment, nowMs: number): void {
  if (nowMs <= seg.startMs) return; // never reached billing (an instance stopped while pending)
  const billed = billedEnd(seg, nowMs);
  const closed: Segment = { ...seg, endMs: nowMs, ...(billed !== undefined && billed !== nowMs ? { billedEndMs: billed } : {}) };
  tx.put(scope, SEGMENT_KIND, `${padMs(nowMs)}\u0000${kind}\u0000${id}\u0000${seg.line.key}\u0000${padMs(seg.startMs)}`, closed);
}

/**
 * Brings one resource's open segments in line with what its record accrues as of atMs (a change
 * dated before the resource's last metering counts from that metering: segments never overlap).
 */
export function meterResource(tx: Tx, scope: Scope, kind: string, id: string, atMs: number): void {
  const source = LINE_SOURCES[kind];
  if (!source) return;
  const value = tx.get(scope, kind, id);
  const lines = value === undefined ? [] : source(tx, scope, id, value);
  const oid = openId(kind, id);
  const row = tx.get<{ segments: Segment[]; atMs?: number }>(scope, OPEN_KIND, oid);
  const nowMs = Math.max(atMs, row?.atMs ?? -Infinity);
  const open = row?.segments ?? [];
  if (open.length === 0 && lines.length === 0) return;
  // A line that ends because the record says it stopped ends then; one that merely changed, now.
  const ended = value === undefined ? undefined : endedAt(kind, value);
  const floor = row?.atMs ?? -Infinity;
  const wanted = new Map(lines.map((l) => [l.key, l]));
  const next: Segment[] = [];
  const replaced = new Map<string, number>();
  let changed = false;
  for (const seg of open) {
    const l = wanted.get(seg.line.key);
    if (l && sameLine(l, seg.line)) {
      next.push(seg);
      wanted.delete(seg.line.key);
    } else {
      const end = !l && ended !== undefined ? Math.min(nowMs, Math.max(ended, floor)) : nowMs;
      closeSegment(tx, scope, kind, id, seg, end);
      replaced.set(seg.line.key, Math.max(end, seg.startMs));
      changed = true;
    }
  }
  for (const l of wanted.values()) {
    // The record's own start (launch, creation) when it is known and not before the last metering.
    // A changed line continues where its old self ended; a line a metered resource gains starts
    // now (an IOPS line ModifyVolume adds, an address's in-use line); a new resource's lines start
    // at the record's own start (launch, creation) when it states one.
    const cont = replaced.get(l.key);
    const fresh = l.fromMs > 0 ? (row ? Math.max(l.fromMs, nowMs) : l.fromMs) : nowMs;
    // A line that starts later by the clock (an Intelligent-Tiering tier, a restore's copy) starts then.
    const start = cont ?? fresh;
    next.push({ line: l, startMs: l.fromMs > nowMs ? Math.max(start, l.fromMs) : start });
    changed = true;
  }
  if (!changed) return;
  if (next.length) tx.put(scope, OPEN_KIND, oid, { segments: next, atMs: nowMs });
  else tx.delete(scope, OPEN_KIND, oid);
}

/** Adds a count of events (requests, GB processed) to the hour it happened in. */
export function meterCount(tx: Tx, scope: Scope, line: CountRecord['line'], quantity: number, nowMs: number): void {
  const hourMs = Math.floor(nowMs / HOUR) * HOUR;
  const id = `${padMs(hourMs)}\u0000${line.resourceId}\u0000${line.usageType}`;
  const prev = tx.get<CountRecord>(scope, COUNT_KIND, id);
  tx.put(scope, COUNT_KIND, id, { line, dayMs: hourMs, quantity: (prev?.quantity ?? 0) + quantity } satisfies CountRecord);
}

const TAG_KINDS = new Set(['ec2:tags', 'elbv2:tags']);
const FLUSH = Symbol('cost meter flush');

/**
 * Meters what the transaction has written so far as of `atMs`. The fleet engine calls it after
 * each step, whose changes happen at the step's instant, not at the end of the settle.
 */
export function meterFlush(tx: Tx, atMs: number): void {
  (tx as Tx & { [FLUSH]?: (atMs: number) => void })[FLUSH]?.(atMs);
}

/**
 * A store whose transactions meter what they wrote. Everything else passes through: the
 * wrapper adds work only to transactions that touch billable kinds.
 */
export function meteredStore(store: Store, clock: Clock): Store {
  const transaction = <T>(fn: (tx: Tx) => Promise<T> | T): Promise<T> => store.transaction(async (tx) => {
    const touched = new Map<string, { scope: Scope; kind: string; id: string }>();
    const note = (scope: Scope, kind: string, id: string, value?: unknown): void => {
      if (LINE_SOURCES[kind]) touched.set(`${scope.account}\u0001${scope.region}\u0001${kind}\u0001${id}`, { scope, kind, id });
      else if (TAG_KINDS.has(kind)) {
        for (const r of taggedResource(kind, id, value ?? tx.get(scope, kind, id)) ?? []) note(scope, r.kind, r.id);
      }
    };
    const flush = (atMs: number): void => {
      if (!touched.size) return;
      const batch = [...touched.values()];
      touched.clear();
      for (const t of batch) meterResource(tx, t.scope, t.kind, t.id, atMs);
    };
    const wrapped: Tx & { [FLUSH]: (atMs: number) => void } = {
      [FLUSH]: flush,
      get: (scope, kind, id) => tx.get(scope, kind, id),
      put: (scope, kind, id, value) => { tx.put(scope, kind, id, value); note(scope, kind, id, value); },
      delete: (scope, kind, id) => {
        if (TAG_KINDS.has(kind)) note(scope, kind, id);
        const out = tx.delete(scope, kind, id);
        if (!TAG_KINDS.has(kind)) note(scope, kind, id);
        return out;
      },
      list: (scope, kind, opts) => tx.list(scope, kind, opts),
      count: (scope, kind, opts) => tx.count(scope, kind, opts),
      findBy: (scope, kind, index, query) => tx.findBy(scope, kind, index, query),
      countBy: (scope, kind, index, query) => tx.countBy(scope, kind, index, query),
      keysBy: (scope, kind, index, query) => tx.keysBy(scope, kind, index, query),
      scopes: (account) => tx.scopes(account),
    };
    const out = await fn(wrapped);
    flush(clock.nowMs());
    return out;
  });
  return {
    transaction,
    getMeta: (key) => store.getMeta(key),
    setMeta: (key, value) => store.setMeta(key, value),
    clear: (filter) => store.clear(filter),
    exclusive: (fn) => store.exclusive(fn),
    close: () => store.close(),
  };
}

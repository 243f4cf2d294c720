/**
 * Datapoints held back within one fleet settle slice: the metrics step runs every clock minute
 * while a 1-minute alarm exists, and writing each metric's hour row at every one of those
 * minutes (read, change, write) was most of a long clock move. Through a deferring transaction,
 * putDatapoints only collects the points; they are written, with one putDatapoints per metric,
 * as soon as anything reads or writes that metric's rows (an alarm evaluating it reads its points
 * first, so it sees exactly what it would have seen) and at the end of the slice (flush). What
 * is stored is the same as writing every minute: a slot's aggregate, the metric's last put and
 * its retention do not depend on how the points were grouped into writes.
 *
 * The buffer belongs to the wrapper transaction the engine makes for one slice: no state
 * outlives it.
 */
import type { ListOptions, Scope, Tx } from '../../store/types.js';
import { DEFER_POINTS, METRIC_KIND, POINTS_KIND, putDatapoints, SEP, type DeferPoints, type MetricId, type PointInput } from './metrics-store.js';

const scopeKey = (s: Scope): string => `${s.account}\u0000${s.region}`;

interface Held { scope: Scope; key: string; id: MetricId; unit: string | undefined; points: PointInput[] }

/** The points row id a range starts at when the range lies within one metric's rows (as aggregate and retention read them). */
function oneMetricRange(opts: ListOptions | undefined): string | undefined {
  const { gte, lt } = opts ?? {};
  if (gte === undefined || lt === undefined || !gte.includes(SEP)) return undefined;
  return lt.startsWith(gte.slice(0, gte.lastIndexOf(SEP) + 1)) ? gte : undefined;
}

/** A transaction over `tx` that defers emitted datapoints as described above; flush() writes what is held. */
export function deferringTx(tx: Tx): { tx: Tx; flush(): void } {
  const held = new Map<string, Map<string, Held>>(); // scope -> metric key -> points
  const write = (h: Held): void => putDatapoints(tx, h.scope, h.id, h.unit, h.points);
  const flushKey = (scope: Scope, key: string): void => {
    const m = held.get(scopeKey(scope));
    const h = m?.get(key);
    if (!h) return;
    m!.delete(key);
    write(h);
  };
  const flushScope = (scope: Scope): void => {
    const m = held.get(scopeKey(scope));
    if (!m) return;
    held.delete(scopeKey(scope));
    for (const h of m.values()) write(h);
  };
  const flushAll = (): void => { for (const m of [...held.values()]) for (const h of m.values()) write(h); held.clear(); };
  /** Before any access to the metric store's kinds: the held points of the metric the row belongs to (of the scope, when unknown). */
  const before = (scope: Scope, kind: string, id?: string): void => {
    if (held.size === 0) return;
    // METRIC_KIND ids are metric keys; a list of them (a prefix) flushes the scope.
    if (kind === METRIC_KIND && id !== undefined && !id.includes(SEP)) flushKey(scope, id);
    else if (kind === POINTS_KIND && id !== undefined && id.includes(SEP)) flushKey(scope, id.slice(0, id.lastIndexOf(SEP)));
    else if (kind === METRIC_KIND || kind === POINTS_KIND) flushScope(scope);
  };
  const defer: DeferPoints = (scope, key, id, unit, points) => {
    const sk = scopeKey(scope);
    let m = held.get(sk);
    if (!m) held.set(sk, (m = new Map()));
    const h = m.get(key);
    if (h && h.unit === unit) { for (const p of points) h.points.push(p); return; }
    if (h) { m.delete(key); write(h); }
    m.set(key, { scope, key, id, unit, points: [...points] });
  };
  const wrapped: Tx & { [DEFER_POINTS]: DeferPoints } = {
    [DEFER_POINTS]: defer,
    get: (scope, kind, id) => { before(scope, kind, id); return tx.get(scope, kind, id); },
    put: (scope, kind, id, value) => { before(scope, kind, id); tx.put(scope, kind, id, value); },
    delete: (scope, kind, id) => { before(scope, kind, id); return tx.delete(scope, kind, id); },
    list: (scope, kind, opts) => { before(scope, kind, oneMetricRange(opts)); return tx.list(scope, kind, opts); },
    count: (scope, kind, opts) => { before(scope, kind); return tx.count(scope, kind, opts); },
    findBy: (scope, kind, index, query) => { before(scope, kind); return tx.findBy(scope, kind, index, query); },
    countBy: (scope, kind, index, query) => { before(scope, kind); return tx.countBy(scope, kind, index, query); },
    keysBy: (scope, kind, index, query) => { before(scope, kind); return tx.keysBy(scope, kind, index, query); },
    scopes: (account) => { flushAll(); return tx.scopes(account); },
  };
  return { tx: wrapped, flush: flushAll };
}

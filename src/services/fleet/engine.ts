/**
 * The fleet engine: what happens by itself as the clock runs — metrics cloudlet emits, alarms
 * that evaluate each period, Auto Scaling groups that keep their capacity and follow their
 * policies, load balancer health — brought up to `now` in one scope, in time order, by stepping
 * from one due time to the next (not by ticking: a quiet day costs nothing, a busy one costs
 * its events).
 *
 * Each service contributes a FleetStep (steps.ts lists them in the order they run at one
 * instant: metrics, then alarms, then scaling, then health). A step keeps its own progress in
 * its own rows: `nextDue` reads when it next has work, `run` does the work due at `atMs` and
 * moves that time on. Anything that creates timed work (a new alarm, a group, a load setting)
 * calls `poke` so the scope is settled when the time comes.
 *
 * Settling happens (1) before requests of the services that show fleet state (withFleet), in
 * the request's transaction; (2) when the clock is moved (POST /_cloudlet/clock); (3) from a
 * timer while the server runs (server.ts), so alarms fire and notifications go out with no API
 * call. (1) settles inside the request's transaction; (2) and (3) settle in slices (settleAllDue):
 * each slice is its own short transaction that stops after the instant at which its CPU budget
 * ran out, so a year's move does not hold every other request for its whole length. A slice runs
 * exactly the instants (and metric batches: their horizon is still the move's end) that one
 * transaction would, so the outcome is the same; a request in between sees the scope part-way
 * and, if its service shows fleet state, settles the rest itself first (withFleet). I/O (HTTP
 * deliveries) goes through ctx.afterCommit of the system context.
 */
import type { Logger } from '../../core/log.js';
import type { BlobStore, Scope, Store, Tx } from '../../store/types.js';
import type { Handler, RequestContext, ServiceDefinition } from '../types.js';
import { FLEET_INDEX, FLEET_INDEX_SCOPE, FLEET_STATE, FLEET_STATE_ID, indexId, type FleetIndexRow, type FleetState } from './records.js';
import { systemContext } from './system.js';
import { meterFlush } from '../cost/meter.js';
import { deferringTx } from '../cloudwatch/points-buffer.js';

export interface FleetStep {
  name: string;
  /** The earliest clock time this step has work in `scope`, from its own rows; undefined for none. Cheap. */
  nextDue(tx: Tx, scope: Scope): number | undefined;
  /**
   * Does the work due at `atMs` (never later than the caller's now) and records it, so that
   * nextDue afterwards is later than atMs or undefined. `sys` is a RequestContext of the
   * service acting by itself, whose clock reads atMs.
   */
  run(sys: RequestContext, atMs: number, untilMs?: number): void;
  /**
   * A step that may cover several of its instants in one run (the metrics step writes a batch):
   * run then gets `untilMs`, the latest instant it may also cover — no other step is due
   * before it and the settle goes no further — and nextDue afterwards is after what it covered.
   */
  batches?: boolean;
}

/** What settling needs besides the transaction. */
export interface FleetEnv {
  blobs: BlobStore;
  log: Logger;
  afterCommit(fn: () => void | Promise<void>): void;
  /** A new short transaction, for work deferred with afterCommit (a delivery log row); never inside the settle. */
  transact?: <T>(fn: (tx: Tx) => T | Promise<T>) => Promise<T>;
}

/** More than this many instants in one settle means a step that does not move on: a bug, stopped loudly. */
const MAX_INSTANTS = 2_000_000;

/** Lowers the scope's due time to `atMs` (work was created that falls due then). */
export function poke(tx: Tx, scope: Scope, atMs: number): void {
  const st = tx.get<FleetState>(scope, FLEET_STATE, FLEET_STATE_ID) ?? { settledMs: 0 };
  if (st.dueMs !== undefined && st.dueMs <= atMs) return;
  tx.put(scope, FLEET_STATE, FLEET_STATE_ID, { ...st, dueMs: atMs });
  tx.put(FLEET_INDEX_SCOPE, FLEET_INDEX, indexId(scope), { account: scope.account, region: scope.region, dueMs: atMs } satisfies FleetIndexRow);
}

/** Whether the scope has anything due at or before nowMs (one row read). */
export function isDue(tx: Tx, scope: Scope, nowMs: number): boolean {
  const st = tx.get<FleetState>(scope, FLEET_STATE, FLEET_STATE_ID);
  return st?.dueMs !== undefined && st.dueMs <= nowMs;
}

/** Brings one scope up to nowMs: every due instant in order, each step in order. Returns how many instants ran. */
export function settleScope(tx: Tx, scope: Scope, nowMs: number, env: FleetEnv, steps: readonly FleetStep[]): number {
  return settleSlice(tx, scope, nowMs, env, steps, Infinity).instants;
}

/**
 * settleScope, stopping once `budgetMs` of wall time has gone, after the instant running then
 * (all its steps): `done` says whether the scope reached nowMs. The instants and the batches
 * run are the ones settleScope would run, so settling in slices ends in the same state.
 */
export function settleSlice(tx: Tx, scope: Scope, nowMs: number, env: FleetEnv, steps: readonly FleetStep[], budgetMs: number): { instants: number; done: boolean } {
  const deadline = performance.now() + budgetMs;
  // The steps see a transaction that holds emitted datapoints back until they are read or the slice ends (points-buffer.ts).
  const held = deferringTx(tx);
  const stx = held.tx;
  let instants = 0;
  // What the transaction wrote before the settle happened at its now; what each step writes, at the step's instant.
  meterFlush(tx, nowMs);
  for (;;) {
    let at: number | undefined;
    for (const s of steps) {
      const d = s.nextDue(stx, scope);
      if (d !== undefined && (at === undefined || d < at)) at = d;
    }
    if (at === undefined || at > nowMs) {
      held.flush();
      record(tx, scope, nowMs, at);
      return { instants, done: true };
    }
    if (instants > 0 && performance.now() > deadline) {
      // Part-way: the scope is due at `at` (still <= nowMs), so the next slice or request goes on from there.
      held.flush();
      record(tx, scope, undefined, at);
      return { instants, done: false };
    }
    if (++instants > MAX_INSTANTS) throw new Error(`fleet engine: more than ${MAX_INSTANTS} instants settling ${scope.account}/${scope.region}`);
    for (const s of steps) {
      const d = s.nextDue(stx, scope);
      if (d === undefined || d > at) continue;
      s.run(systemContext(stx, scope, at, env, s.name), at, s.batches ? horizon(stx, scope, s, steps, at, nowMs) : at);
      meterFlush(tx, at);
      const after = s.nextDue(stx, scope);
      if (after !== undefined && after <= at) throw new Error(`fleet engine: step ${s.name} did not move on from ${new Date(at).toISOString()}`);
    }
  }
}

/** The latest instant a batching step may cover from `at`: before any other step is next due, and not past nowMs. */
function horizon(tx: Tx, scope: Scope, self: FleetStep, steps: readonly FleetStep[], at: number, nowMs: number): number {
  let h = nowMs;
  for (const o of steps) {
    if (o === self) continue;
    const d = o.nextDue(tx, scope);
    if (d !== undefined && d < h) h = d;
  }
  return Math.max(at, h);
}

/** Stores the scope's next due time; settledMs moves only when the scope reached nowMs (undefined: a slice stopped part-way). */
function record(tx: Tx, scope: Scope, nowMs: number | undefined, dueMs: number | undefined): void {
  const settledMs = nowMs ?? tx.get<FleetState>(scope, FLEET_STATE, FLEET_STATE_ID)?.settledMs ?? 0;
  tx.put(scope, FLEET_STATE, FLEET_STATE_ID, { settledMs, ...(dueMs === undefined ? {} : { dueMs }) } satisfies FleetState);
  if (dueMs === undefined) tx.delete(FLEET_INDEX_SCOPE, FLEET_INDEX, indexId(scope));
  else tx.put(FLEET_INDEX_SCOPE, FLEET_INDEX, indexId(scope), { account: scope.account, region: scope.region, dueMs } satisfies FleetIndexRow);
}

/** Settles the request's scope first when something there is due. */
export function settleForRequest(ctx: RequestContext, steps: readonly FleetStep[]): void {
  const scope = { account: ctx.account, region: ctx.region };
  const now = ctx.clock.nowMs();
  if (!ctx.account || !isDue(ctx.tx, scope, now)) return;
  settleScope(ctx.tx, scope, now, { blobs: ctx.blobs, log: ctx.log, afterCommit: ctx.afterCommit, transact: ctx.transact }, steps);
}

/** CPU one slice of a clock move or timer settle may hold the store for before others get a turn. */
export const SLICE_BUDGET_MS = 50;

/**
 * Settles every scope with work due by nowMs, in slices of one transaction each (for the clock
 * move and the timer), yielding to the event loop between slices so that requests waiting for
 * the store run in between. Deferred I/O runs after each commit. Returns how many scopes were
 * settled. Two of these running at once (the timer beside a clock move) share the work: each
 * slice starts from what the scope's rows say is due.
 */
export async function settleAllDue(store: Store, blobs: BlobStore, log: Logger, nowMs: number, loadSteps: () => Promise<readonly FleetStep[]>, budgetMs = SLICE_BUDGET_MS): Promise<number> {
  const due = await store.transaction((tx) =>
    tx.list<FleetIndexRow>(FLEET_INDEX_SCOPE, FLEET_INDEX).map((r) => r.value).filter((r) => r.dueMs <= nowMs));
  if (due.length === 0) return 0;
  const steps = await loadSteps();
  for (const row of due) {
    const scope = { account: row.account, region: row.region };
    for (let done = false, first = true; !done; first = false) {
      const later: Array<() => void | Promise<void>> = [];
      done = await store.transaction((tx) => {
        if (!first && !isDue(tx, scope, nowMs)) return true; // settled meanwhile (a request, the other settle)
        return settleSlice(tx, scope, nowMs, { blobs, log, afterCommit: (fn) => { later.push(fn); }, transact: (fn) => store.transaction(fn) }, steps, budgetMs).done;
      });
      for (const fn of later) await Promise.resolve().then(fn).catch((e: unknown) => log.warn('fleet after-commit step failed', { error: String(e) }));
      if (!done) await new Promise<void>((r) => setImmediate(r));
    }
  }
  return due.length;
}

/** Wraps a service's handlers so each request first settles its scope (outside handlers excepted: they hold no transaction). */
export function withFleet(def: ServiceDefinition, loadSteps: () => readonly FleetStep[]): ServiceDefinition {
  const outside = def.outside ?? new Set<string>();
  const handlers: Record<string, Handler> = {};
  for (const [op, h] of Object.entries(def.handlers)) {
    handlers[op] = outside.has(op) ? h : (input, ctx) => {
      settleForRequest(ctx, loadSteps());
      return h(input, ctx);
    };
  }
  return { ...def, handlers };
}

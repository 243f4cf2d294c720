/**
 * The workload model's admin endpoint (plain JSON, no AWS signature, like the clock):
 *   GET    /_cloudlet/load?account=&region=          -> {account, region, settings: [...]}
 *   POST   /_cloudlet/load {account, region, target, cpu?, requests?, egress?}
 *            cpu / requests / egress: "85%" | "1200/s" | "5MB/s" (a constant) | {"ramp": "10%..90%", "over": "1h"}
 *                            | {"daily": {"peak": "90%", "trough": "10%", "peakHour": 14}}
 *          -> {account, region, setting}
 *   DELETE /_cloudlet/load?account=&region=&target=  (or the same as a JSON body) -> {cleared: true|false}
 * The scope is settled up to now first, so a new setting applies from now on, not to minutes
 * already past and not yet settled; then the setting is stored and the metrics step woken.
 * account defaults to 000000000000, region to us-east-1 (as `cloudlet exec`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRegion } from '../../core/regions.js';
import type { WireRequest } from '../../protocol/codec.js';
import type { ServerDeps } from '../../server/context.js';
import { readBody } from '../../server/http-io.js';
import type { Scope, Tx } from '../../store/types.js';
import { settleScope } from './engine.js';
import { wakeMetrics } from './emit.js';
import { deleteSetting, listSettings, LoadTargetError, putSetting, resolveTarget, settingView, targetName, type LoadSetting } from './load.js';
import { buildCurve, LoadSpecError, parseByteRate, parsePercent, parseRate, type CurveAsk } from './load-curves.js';
import { loadFleetSteps } from './timer.js';

type Json = Record<string, unknown>;

const bad = (message: string): LoadTargetError => new LoadTargetError('BadRequest', message, 400);

function send(res: ServerResponse, status: number, body: Json): void {
  const buf = Buffer.from(`${JSON.stringify(body)}\n`);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(buf.length) });
  res.end(buf);
}

async function readJsonBody(req: IncomingMessage): Promise<Json> {
  const raw = (await readBody(req, 64 * 1024)).toString('utf8').trim();
  if (!raw) return {};
  // A web page can post a form or text/plain without asking; only JSON is taken.
  if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) throw new LoadTargetError('UnsupportedMediaType', 'the load endpoint takes a JSON body (content-type: application/json)', 415);
  let v: unknown;
  try { v = JSON.parse(raw); } catch { throw bad('the body is not JSON'); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('the body must be a JSON object');
  return v as Json;
}

/** A JSON curve (string, number or {ramp, over} / {daily}) as a CurveAsk. */
export function curveAskOf(v: unknown, what: string): CurveAsk {
  if (typeof v === 'string' || typeof v === 'number') {
    const s = String(v);
    return s.includes('..') ? { ramp: s } : { value: s };
  }
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Json;
    if (typeof o.ramp === 'string') return { ramp: o.ramp, ...(o.over !== undefined ? { over: String(o.over) } : {}) };
    const d = (o.daily ?? (o.peak !== undefined ? o : undefined)) as Json | undefined;
    if (d && typeof d === 'object') {
      if (d.peak === undefined || d.trough === undefined) throw bad(`${what}: a daily curve needs peak and trough`);
      return { daily: { peak: String(d.peak), trough: String(d.trough), ...(d.peakHour !== undefined ? { peakHour: Number(d.peakHour) } : {}) } };
    }
  }
  throw bad(`${what} is "85%" / "1200/s" / "5MB/s", {"ramp": "A..B", "over": "1h"} or {"daily": {"peak", "trough", "peakHour"}}`);
}

function scopeOf(body: Json, q: URLSearchParams): Scope {
  const account = String(body.account ?? q.get('account') ?? '000000000000');
  const region = String(body.region ?? q.get('region') ?? 'us-east-1');
  if (!/^\d{12}$/.test(account)) throw bad('account must be 12 digits');
  if (!isRegion(region)) throw bad(`unknown region ${region}`);
  return { account, region };
}

/** Settles the scope to now inside tx (deferred I/O collected for after the commit). */
function settled(deps: ServerDeps, tx: Tx, scope: Scope, now: number, later: Array<() => void | Promise<void>>, steps: Awaited<ReturnType<typeof loadFleetSteps>>): void {
  settleScope(tx, scope, now, { blobs: deps.blobs, log: deps.log, afterCommit: (fn) => { later.push(fn); } }, steps);
}

/** Stores a setting from its JSON form (target, cpu, requests, egress) at nowMs. */
export function setLoad(tx: Tx, scope: Scope, body: Json, nowMs: number): LoadSetting {
  if (typeof body.target !== 'string' || !body.target) throw bad('name the target: "target": "i-..." | "asg:NAME" | "lb:NAME" | a load balancer ARN');
  const target = resolveTarget(tx, scope, body.target);
  try {
    const s: LoadSetting = {
      target, setMs: nowMs,
      ...(body.cpu !== undefined && body.cpu !== null ? { cpu: buildCurve(curveAskOf(body.cpu, 'cpu'), (x) => parsePercent(x, 'cpu'), nowMs) } : {}),
      ...(body.requests !== undefined && body.requests !== null ? { requests: buildCurve(curveAskOf(body.requests, 'requests'), (x) => parseRate(x, 'requests'), nowMs) } : {}),
      ...(body.egress !== undefined && body.egress !== null ? { egress: buildCurve(curveAskOf(body.egress, 'egress'), (x) => parseByteRate(x, 'egress'), nowMs) } : {}),
    };
    putSetting(tx, scope, s);
    wakeMetrics(tx, scope, nowMs);
    return s;
  } catch (e) {
    if (e instanceof LoadSpecError) throw bad(e.message);
    throw e;
  }
}

export async function loadRoute(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const q = new URLSearchParams(wire.query);
  if (!['GET', 'POST', 'DELETE'].includes(wire.method)) return send(res, 405, { error: 'MethodNotAllowed', message: 'GET, POST or DELETE /_cloudlet/load' });
  const body = wire.method === 'GET' ? {} : await readJsonBody(req);
  const scope = scopeOf(body, q);
  const now = deps.clock.nowMs();
  const steps = await loadFleetSteps();
  const later: Array<() => void | Promise<void>> = [];
  const out = await deps.store.transaction((tx): Json => {
    settled(deps, tx, scope, now, later, steps);
    if (wire.method === 'GET') return { settings: listSettings(tx, scope).map(settingView) };
    if (wire.method === 'POST') return { setting: settingView(setLoad(tx, scope, body, now)) };
    const t = body.target ?? q.get('target');
    if (typeof t !== 'string' || !t) throw bad('name the target to clear: ?target=i-... (or asg:NAME, lb:NAME)');
    // By the name it was set under (the target may be gone since), else as resolved now.
    const known = listSettings(tx, scope).find((x) => targetName(x.target) === t || (x.target.type === 'lb' && x.target.arn === t));
    return { cleared: deleteSetting(tx, scope, known ? known.target : resolveTarget(tx, scope, t)) };
  });
  for (const fn of later) await Promise.resolve().then(fn).catch((e: unknown) => deps.log.warn('fleet after-commit step failed', { error: String(e) }));
  return send(res, 200, { ...scope, ...out });
}

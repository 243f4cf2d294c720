import type { IncomingMessage, ServerResponse } from 'node:http';
import { ClockValueError, parseDuration } from '../core/clock.js';
import { isAwsError } from '../core/errors.js';
import { isRegion } from '../core/regions.js';
import type { WireRequest } from '../protocol/codec.js';
import { isStateError, StateError } from '../state/errors.js';
import type { ResetOptions, StateManager } from '../state/manager.js';
import type { ServerDeps } from './context.js';
import { isClientAbort, readBody } from './http-io.js';

const PREFIX = '/_cloudlet/';
const LOCALSTACK = '/_localstack/';
/**
 * moto's admin paths. Exact paths only: 'moto-api' is a valid S3 bucket name, so only these
 * two spellings are taken from path-style S3 (moto itself reserves them the same way).
 */
const MOTO = new Set(['/moto-api/', '/moto-api/reset']);

/** Paths served here, before any AWS routing: cloudlet's own, and LocalStack's and moto's for drop-in use. */
export function isAdminPath(path: string): boolean {
  return path.startsWith(PREFIX) || path.startsWith(LOCALSTACK) || MOTO.has(path);
}

type Json = Record<string, unknown>;

class BadRequest extends Error {}

/**
 * cloudlet's own API (health, clock, reset, state snapshots and archives) and the LocalStack
 * and moto paths that test tooling calls. Plain JSON, no AWS signature.
 */
export async function handleAdmin(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    if (wire.path.startsWith(LOCALSTACK)) return await localstack(deps, wire, res);
    if (MOTO.has(wire.path)) return await moto(deps, wire, res);
    const name = wire.path.slice(PREFIX.length).replace(/\/+$/, '');
    if (name === 'health' && (wire.method === 'GET' || wire.method === 'HEAD')) return send(res, 200, await health(deps));
    if (name === 'clock' && wire.method === 'GET') return send(res, 200, clockView(deps));
    if (name === 'clock' && wire.method === 'POST') return await setClock(deps, req, res);
    if (name === 'reset' && wire.method === 'POST') {
      const q = new URLSearchParams(wire.query);
      const body = await readJson(req);
      const pick = (k: string): string | undefined => q.get(k) ?? (body[k] === undefined ? undefined : String(body[k]));
      const opts: ResetOptions = { account: pick('account'), service: pick('service'), keepClock: flag(pick('keepClock'), 'keepClock') };
      return send(res, 200, { ...(await (await stateOf(deps)).reset(opts)) });
    }
    if (name === 'net/why' && wire.method === 'POST') return await netWhyRoute(deps, req, res);
    if (name === 'imds/open' && wire.method === 'POST') return await imdsOpen(deps, req, res);
    if (name === 'ec2/quotas' && (wire.method === 'GET' || wire.method === 'POST')) return await ec2Quotas(deps, wire, req, res);
    if (name.startsWith('sns/')) return await (await import('../services/sns/admin.js')).snsAdmin(deps, name.slice(4), wire, res);
    if (name === 'billing') return await (await import('../services/cost/billing-admin.js')).billingRoute(deps, wire, req, res);
    if (name === 'free-tier') return await (await import('../services/freetier/admin.js')).freeTierRoute(deps, wire, req, res);
    if (name === 'cost') return await (await import('../services/cost/report-admin.js')).costRoute(deps, wire, res);
    if (name === 'load') return await (await import('../services/fleet/load-admin.js')).loadRoute(deps, wire, req, res);
    if (name.startsWith('imds/')) return await (await imdsOf(deps)).handleDebug(wire.path, req, res);
    if (name === 'state' || name.startsWith('state/')) return await stateApi(deps, await stateOf(deps), name.slice(6), wire, req, res);
    return send(res, 404, { error: 'NotFound', message: `no admin endpoint ${wire.method} ${wire.path}` });
  } catch (err) {
    return fail(deps, req, res, err);
  }
}

async function fail(deps: ServerDeps, req: IncomingMessage, res: ServerResponse, err: unknown): Promise<void> {
  if (isClientAbort(err) && (req.destroyed || !req.complete || res.destroyed)) {
    deps.log.debug('client disconnected', { path: req.url, reason: (err as Error).message });
    res.destroy();
    return;
  }
  if (res.headersSent || res.destroyed) {
    // Part of a streamed body is out: all that is left is to cut it short, visibly.
    res.destroy();
    return;
  }
  await drain(req);
  res.removeHeader('content-disposition');
  if (isStateError(err)) return send(res, err.status, { error: err.code, message: err.message });
  if (err instanceof BadRequest || err instanceof SyntaxError || err instanceof RangeError) {
    return send(res, 400, { error: 'BadRequest', message: (err as Error).message });
  }
  if (isAwsError(err)) return send(res, err.status, { error: err.code, message: err.message });
  deps.log.error('admin request failed', { path: req.url, stack: (err as Error)?.stack ?? String(err) });
  return send(res, 500, { error: 'InternalFailure', message: (err as Error)?.message ?? String(err) });
}

/** Reads what is left of a request body (up to a few seconds), so the client reads our answer. */
function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded || req.destroyed) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(done, 5000);
    timer.unref();
    req.once('end', () => { clearTimeout(timer); done(); });
    req.once('error', () => { clearTimeout(timer); done(); });
    req.resume();
  });
}

async function stateOf(deps: ServerDeps): Promise<StateManager> {
  if (!deps.state) throw new Error('this server has no state manager');
  return deps.state();
}

function flag(v: string | undefined, name: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new BadRequest(`${name} must be true or false, got ${JSON.stringify(v)}`);
}

function pathName(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new StateError('InvalidSnapshotName', `invalid snapshot name ${JSON.stringify(raw)} (bad percent-encoding): use 1 to 64 characters from A-Z a-z 0-9 . _ -`);
  }
}

/**
 *   GET    /_cloudlet/state/snapshots            list (also GET /_cloudlet/state and /_cloudlet/state/list)
 *   GET    /_cloudlet/state/snapshots/NAME       one snapshot's details
 *   DELETE /_cloudlet/state/snapshots/NAME       delete it
 *   POST   /_cloudlet/state/save/NAME            save the current state as NAME (or body {"name": ...})
 *   POST   /_cloudlet/state/load/NAME            make NAME the current state (or body {"name": ...})
 *   GET    /_cloudlet/state/export[?snapshot=N]  the current state (or snapshot N) as an archive
 *   POST   /_cloudlet/state/import               body: an archive; it becomes the current state
 */
async function stateApi(
  deps: ServerDeps, state: StateManager, sub: string, wire: WireRequest, req: IncomingMessage, res: ServerResponse,
): Promise<void> {
  const m = wire.method;
  const [head, ...rest] = sub.split('/');
  const arg = rest.length ? pathName(rest.join('/')) : undefined;
  if ((head === '' || head === 'list' || head === 'snapshots') && arg === undefined && m === 'GET') {
    return send(res, 200, { snapshots: state.list() });
  }
  if (head === 'snapshots' && arg !== undefined) {
    if (m === 'GET') return send(res, 200, state.info(arg) as unknown as Json);
    if (m === 'DELETE') {
      await state.delete(arg);
      return send(res, 200, { deleted: arg });
    }
  }
  if ((head === 'save' || head === 'load') && m === 'POST') {
    const body = arg === undefined ? await readJson(req) : {};
    const name = arg ?? body.name;
    if (name === undefined) throw new StateError('InvalidSnapshotName', `name the snapshot: POST /_cloudlet/state/${head}/NAME or {"name": "..."}`);
    const info = head === 'save' ? await state.save(name as string) : await state.load(name as string);
    return send(res, 200, { [head === 'save' ? 'saved' : 'loaded']: info });
  }
  if (head === 'export' && arg === undefined && m === 'GET') {
    const snapshot = new URLSearchParams(wire.query).get('snapshot') ?? undefined;
    res.statusCode = 200;
    res.setHeader('content-type', 'application/vnd.cloudlet.state+gzip');
    res.setHeader('content-disposition', `attachment; filename="${snapshot ?? 'cloudlet-state'}.cloudlet-state.gz"`);
    const r = await state.exportArchive(res, { snapshot });
    deps.log.info('state exported', { entries: r.entries, bytes: r.bytes });
    return;
  }
  if (head === 'import' && arg === undefined && m === 'POST') {
    const r = await state.importArchive(req);
    return send(res, 200, { imported: { ...r.meta, rowsLoaded: r.rows, blobsLoaded: r.blobs, blobsDropped: r.blobsDropped, bytes: r.bytes } });
  }
  return send(res, 404, { error: 'NotFound', message: `no admin endpoint ${wire.method} ${wire.path}` });
}

/**
 * LocalStack's paths that tooling relies on: the health document (its shape: services ->
 * "running" once used, else "available"), and state resets (all, or one service).
 */
async function localstack(deps: ServerDeps, wire: WireRequest, res: ServerResponse): Promise<void> {
  const name = wire.path.slice(LOCALSTACK.length).replace(/\/+$/, '');
  if (name === 'health' && (wire.method === 'GET' || wire.method === 'HEAD')) {
    const services: Record<string, string> = {};
    for (const e of deps.registry.catalog) services[e.name] = deps.registry.isLoaded(e.name) ? 'running' : 'available';
    return send(res, 200, { services, edition: 'community', version: deps.version });
  }
  const m = /^state(?:\/([a-z0-9-]+))?\/reset$/.exec(name);
  if (m && wire.method === 'POST') {
    await (await stateOf(deps)).reset({ service: m[1] });
    return send(res, 200, {});
  }
  return send(res, 404, { error: 'NotFound', message: `cloudlet does not serve ${wire.method} ${wire.path}` });
}

/** moto's reset ({"status": "ok"}, POST only, as moto answers) and a small dashboard. */
async function moto(deps: ServerDeps, wire: WireRequest, res: ServerResponse): Promise<void> {
  if (wire.path === '/moto-api/reset') {
    if (wire.method !== 'POST') return send(res, 400, { Error: 'Need to POST to reset Moto' });
    await (await stateOf(deps)).reset();
    return send(res, 200, { status: 'ok' });
  }
  if (wire.method !== 'GET' && wire.method !== 'HEAD') return send(res, 405, { error: 'MethodNotAllowed', message: 'GET /moto-api/' });
  const counts = await deps.store.transaction((tx) =>
    tx.scopes().map((s) => ({ ...s, rows: tx.count(s, s.kind) })));
  const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = counts.map((c) => `<tr><td>${esc(c.account)}</td><td>${esc(c.region || '(global)')}</td><td>${esc(c.kind)}</td><td>${c.rows}</td></tr>`).join('');
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>cloudlet</title></head><body>` +
    `<h1>cloudlet ${esc(deps.version)}</h1><p>Resources by account, region and kind. ` +
    `<code>POST /moto-api/reset</code> or <code>POST /_cloudlet/reset</code> clears them.</p>` +
    `<table border="1" cellpadding="4"><tr><th>account</th><th>region</th><th>kind</th><th>rows</th></tr>${rows}</table></body></html>\n`;
  const buf = Buffer.from(html);
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(buf.length) });
  res.end(wire.method === 'HEAD' ? undefined : buf);
}

async function readJson(req: IncomingMessage): Promise<Json> {
  const raw = (await readBody(req, 64 * 1024)).toString('utf8').trim();
  if (!raw) return {};
  const v = JSON.parse(raw) as unknown;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new BadRequest('expected a JSON object');
  return v as Json;
}

/**
 * JSON bodies only on the admin POSTs that change things: a form or a text/plain body from a
 * web page is refused (415) before it is read. True when the request was refused.
 */
async function refusedUnlessJson(req: IncomingMessage, res: ServerResponse, route: string): Promise<boolean> {
  const type = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return false;
  await drain(req);
  send(res, 415, { error: 'UnsupportedMediaType', message: `POST ${route} takes a JSON body (content-type: application/json), got ${type ? JSON.stringify(type) : 'none'}` });
  return true;
}

/**
 * POST /_cloudlet/clock {"advance":"31d"} | {"reset":true}. JSON bodies only (a form or a
 * text/plain body from a web page is refused before it is read), and the new offset is checked
 * before it is stored or used: an out-of-range advance changes nothing.
 */
async function setClock(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (await refusedUnlessJson(req, res, '/_cloudlet/clock')) return;
  const body = await readJson(req);
  let next: number;
  try {
    if ((typeof body.advance === 'string' || typeof body.advance === 'number') && body.reset === undefined) {
      next = deps.clock.advanced(parseDuration(String(body.advance)));
    } else if (body.reset === true && body.advance === undefined) {
      next = 0;
    } else {
      return send(res, 400, { error: 'InvalidParameterValue', message: 'expected {"advance":"31d"} (a duration such as 31d, 12h, 90m, 45s, or seconds) or {"reset":true}' });
    }
  } catch (err) {
    if (err instanceof ClockValueError) return send(res, 400, { error: 'InvalidParameterValue', message: err.message });
    throw err;
  }
  // Stored first: if the write fails, the running clock has not moved either.
  deps.store.setMeta('clock_offset_ms', String(next));
  deps.clock.setOffset(next);
  await afterClockMoved(deps);
  return send(res, 200, clockView(deps));
}

/**
 * What follows the clock at once when it moves: S3 lifecycle rules, ECR lifecycle policies and the fleet engine
 * (loaded on first use). A failure is logged, not answered: each bucket and repository also
 * catches up on its next request.
 */
async function afterClockMoved(deps: ServerDeps): Promise<void> {
  try {
    const { applyAllLifecycles } = await import('../services/s3/lifecycle.js');
    await applyAllLifecycles(deps.store, deps.blobs, deps.clock.nowMs());
  } catch (err) {
    deps.log.warn('lifecycle catch-up after the clock moved failed', { error: String((err as Error)?.stack ?? err) });
  }
  try {
    const { applyAllEcrLifecycles } = await import('../services/ecr/lifecycle/apply.js');
    await applyAllEcrLifecycles(deps.store, deps.clock, deps.blobs);
  } catch (err) {
    deps.log.warn('ECR lifecycle catch-up after the clock moved failed', { error: String((err as Error)?.stack ?? err) });
  }
  // Alarms, scaling, health: everything the fleet engine runs (src/services/fleet/).
  await (await import('../services/fleet/timer.js')).settleFleet(deps);
}

/**
 * POST /_cloudlet/net/why {"source","destination","port","protocol","region","account"}: the
 * reachability engine's answer as JSON (src/services/ec2/vpc/network-insights.ts, loaded on
 * first use). JSON bodies only, like the clock: a form posted by a web page is refused unread.
 */
async function netWhyRoute(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (await refusedUnlessJson(req, res, '/_cloudlet/net/why')) return;
  const { netWhy } = await import('../services/ec2/vpc/network-insights.js');
  return send(res, 200, { ...(await netWhy(deps.store, deps.clock, await readJson(req))) });
}

/** The metadata service of this server (src/services/ec2/imds), loaded and made on first use. */
async function imdsOf(deps: ServerDeps): Promise<NonNullable<ServerDeps['imds']>> {
  const { ImdsService } = await import('../services/ec2/imds/service.js');
  deps.imds ??= new ImdsService(deps);
  return deps.imds;
}

/** POST /_cloudlet/imds/open {"account","region","instanceId"} -> {"endpoint","state"}: the instance's own IMDS listener. */
async function imdsOpen(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const str = (k: string, dflt?: string): string => {
    const v = body[k] ?? dflt;
    if (typeof v !== 'string' || !v) throw new BadRequest(`${k} must be a string: POST /_cloudlet/imds/open {"account","region","instanceId"}`);
    return v;
  };
  const target = { account: str('account', '000000000000'), region: str('region', 'us-east-1'), instanceId: str('instanceId') };
  return send(res, 200, { ...(await (await imdsOf(deps)).open(target)), ...target });
}

/**
 * GET /_cloudlet/ec2/quotas?account=&region= -> the vCPU quota buckets with limit and use;
 * POST {"account","region","quotaCode","value"} sets one (value null: back to the default).
 */
async function ec2Quotas(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { setVcpuQuota, vcpuQuotas } = await import('../services/ec2/compute/catalog.js');
  const q = new URLSearchParams(wire.query);
  let body: Json = {};
  if (wire.method === 'POST') {
    if (await refusedUnlessJson(req, res, '/_cloudlet/ec2/quotas')) return;
    body = await readJson(req);
  }
  const pick = (k: string, dflt: string): string => String(body[k] ?? q.get(k) ?? dflt);
  const scope = { account: pick('account', '000000000000'), region: pick('region', 'us-east-1') };
  if (!/^\d{12}$/.test(scope.account)) throw new BadRequest('account must be 12 digits');
  if (!isRegion(scope.region)) throw new BadRequest(`unknown region ${scope.region}`);
  if (wire.method === 'POST') {
    const v = body.value;
    if (v !== null && (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1_000_000)) throw new BadRequest('value must be a whole number of vCPUs (0..1000000), or null for the default');
    if (typeof body.quotaCode !== 'string') throw new BadRequest('quotaCode must be a string, e.g. L-1216C47A');
    await deps.store.transaction((tx) => setVcpuQuota(tx, scope, body.quotaCode as string, v === null ? undefined : v));
  }
  const quotas = await deps.store.transaction((tx) => vcpuQuotas(tx, scope));
  return send(res, 200, { ...scope, quotas: quotas as unknown as Json[] });
}

function clockView(deps: ServerDeps): Json {
  return { now: deps.clock.now().toISOString(), offsetMs: deps.clock.offset() };
}

async function health(deps: ServerDeps): Promise<Json> {
  const services: Json = {};
  for (const entry of deps.registry.catalog) {
    const s = await deps.registry.get(entry.name);
    const ops = s.model.operationNames;
    services[entry.name] = {
      protocol: entry.protocol,
      operations: ops.length,
      implemented: ops.filter((op) => s.def.handlers[op]).length,
    };
  }
  return { status: 'running', version: deps.version, iam: deps.iam, services };
}

function send(res: ServerResponse, status: number, body: Json): void {
  const buf = Buffer.from(`${JSON.stringify(body)}\n`);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(buf.length) });
  res.end(res.req?.method === 'HEAD' ? undefined : buf);
}

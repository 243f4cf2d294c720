/**
 * The billing preference's admin endpoint (plain JSON, no AWS signature, like the clock):
 *   GET  /_cloudlet/billing?account=ID            -> {account, receiveBillingAlerts, since?, nextPublication?}
 *   POST /_cloudlet/billing {account, alerts: true | false, force?: true}  -> the same, plus changed
 * account defaults to 000000000000. Turning alerts off is refused (409) as AWS refuses it, unless
 * force is true (billing-prefs.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireRequest } from '../../protocol/codec.js';
import type { ServerDeps } from '../../server/context.js';
import { readBody } from '../../server/http-io.js';
import { BillingPreferenceError, billingView, setBillingAlerts } from './billing-prefs.js';

type Json = Record<string, unknown>;

export function sendJson(res: ServerResponse, status: number, body: Json): void {
  const buf = Buffer.from(`${JSON.stringify(body)}\n`);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(buf.length) });
  res.end(res.req?.method === 'HEAD' ? undefined : buf);
}

const bad = (message: string, code = 'BadRequest', status = 400) => new BillingPreferenceError(code, message, status);

export async function jsonBody(req: IncomingMessage, path = '/_cloudlet/billing'): Promise<Json> {
  const raw = (await readBody(req, 16 * 1024)).toString('utf8').trim();
  // A web page can post a form or text/plain without asking; only JSON changes a preference.
  if (!/^application\/json\b/i.test(String(req.headers['content-type'] ?? ''))) {
    throw bad(`POST ${path} takes a JSON body (content-type: application/json)`, 'UnsupportedMediaType', 415);
  }
  let v: unknown;
  try { v = JSON.parse(raw || '{}'); } catch { throw bad('the body is not JSON'); }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw bad('the body must be a JSON object');
  return v as Json;
}

export function accountOf(v: unknown): string {
  const account = v === undefined || v === null || v === '' ? '000000000000' : String(v);
  if (!/^\d{12}$/.test(account)) throw bad(`account must be a 12-digit account ID, got ${JSON.stringify(account)}`);
  return account;
}

export async function billingRoute(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const q = new URLSearchParams(wire.query);
    if (wire.method === 'GET' || wire.method === 'HEAD') {
      const account = accountOf(q.get('account') ?? undefined);
      return sendJson(res, 200, await deps.store.transaction((tx) => billingView(tx, account)));
    }
    if (wire.method !== 'POST') return sendJson(res, 405, { error: 'MethodNotAllowed', message: 'GET or POST /_cloudlet/billing' });
    const body = await jsonBody(req);
    const account = accountOf(body.account ?? q.get('account') ?? undefined);
    if (typeof body.alerts !== 'boolean') throw bad('expected {"account": "123456789012", "alerts": true} (alerts: true or false)');
    if (body.force !== undefined && typeof body.force !== 'boolean') throw bad('force must be true or false');
    const now = deps.clock.nowMs();
    const out = await deps.store.transaction((tx) => {
      const changed = setBillingAlerts(tx, account, body.alerts as boolean, now, body.force === true);
      return { ...billingView(tx, account), changed };
    });
    return sendJson(res, 200, out);
  } catch (err) {
    if (err instanceof BillingPreferenceError) return sendJson(res, err.status, { error: err.code, message: err.message });
    throw err;
  }
}

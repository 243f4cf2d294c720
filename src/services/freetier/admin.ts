/**
 * The account plan's admin endpoint (plain JSON, no AWS signature, like the clock):
 *   GET  /_cloudlet/free-tier?account=ID                 -> {account, plan: null | {...}}
 *   POST /_cloudlet/free-tier {account, plan: "FREE" | "PAID" | "none"}
 * FREE or PAID signs the account up as a new account now, on that plan, with its $100 of
 * sign-up credits (cost/account-plan.ts); "none" makes it an established account again.
 * AWS has no API for signing up: this stands in for creating the account.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireRequest } from '../../protocol/codec.js';
import type { ServerDeps } from '../../server/context.js';
import type { Tx } from '../../store/types.js';
import { accountOf, jsonBody, sendJson } from '../cost/billing-admin.js';
import { BillingPreferenceError } from '../cost/billing-prefs.js';
import { ACTIVITIES, dropPlan, planOf, signUp } from '../cost/account-plan.js';
import { creditsState } from '../cost/commitments.js';

function view(tx: Tx, account: string, nowMs: number): Record<string, unknown> {
  const p = planOf(tx, account);
  if (!p) return { account, plan: null, note: 'an established account: the PAID plan, no credits' };
  const c = creditsState(tx, account, p, nowMs);
  return {
    account,
    plan: {
      type: p.type, signedUp: new Date(p.startMs).toISOString(), ...(p.upgradedMs !== undefined ? { upgraded: new Date(p.upgradedMs).toISOString() } : {}),
      status: c.expired ? 'EXPIRED' : 'ACTIVE',
      creditsGranted: c.granted, creditsUsed: Math.round(c.used * 100) / 100, creditsRemaining: c.remaining,
      creditsEnd: new Date(c.endMs).toISOString(),
      activities: ACTIVITIES.map((a) => ({ title: a.title, completed: p.completed[a.key] !== undefined ? new Date(p.completed[a.key]!).toISOString() : null, possible: a.possible })),
    },
  };
}

export async function freeTierRoute(deps: ServerDeps, wire: WireRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const q = new URLSearchParams(wire.query);
    const now = deps.clock.nowMs();
    if (wire.method === 'GET' || wire.method === 'HEAD') {
      const account = accountOf(q.get('account') ?? undefined);
      return sendJson(res, 200, await deps.store.transaction((tx) => view(tx, account, now)));
    }
    if (wire.method !== 'POST') return sendJson(res, 405, { error: 'MethodNotAllowed', message: 'GET or POST /_cloudlet/free-tier' });
    const body = await jsonBody(req, '/_cloudlet/free-tier');
    const account = accountOf(body.account ?? q.get('account') ?? undefined);
    const plan = typeof body.plan === 'string' ? body.plan.toUpperCase() : undefined;
    if (plan !== 'FREE' && plan !== 'PAID' && plan !== 'NONE') {
      throw new BillingPreferenceError('BadRequest', 'expected {"account": "123456789012", "plan": "FREE" | "PAID" | "none"}', 400);
    }
    return sendJson(res, 200, await deps.store.transaction((tx) => {
      if (plan === 'NONE') dropPlan(tx, account); else signUp(tx, account, plan, now);
      return view(tx, account, now);
    }));
  } catch (err) {
    if (err instanceof BillingPreferenceError) return sendJson(res, err.status, { error: err.code, message: err.message });
    throw err;
  }
}

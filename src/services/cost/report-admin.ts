/**
 * GET /_cloudlet/cost?account=ID&region=R -> the cost report (report.ts) as JSON. The fleet is
 * settled to now first (what alarms and scaling did by now is metered), then the report is
 * built in one short transaction. account defaults to 000000000000; no region means all Regions.
 */
import type { ServerResponse } from 'node:http';
import { isRegion } from '../../core/regions.js';
import type { WireRequest } from '../../protocol/codec.js';
import type { ServerDeps } from '../../server/context.js';
import { accountOf, sendJson } from './billing-admin.js';
import { BillingPreferenceError } from './billing-prefs.js';
import { buildCostReport } from './report.js';

export async function costRoute(deps: ServerDeps, wire: WireRequest, res: ServerResponse): Promise<void> {
  if (wire.method !== 'GET' && wire.method !== 'HEAD') return sendJson(res, 405, { error: 'MethodNotAllowed', message: 'GET /_cloudlet/cost?account=ID&region=R' });
  const q = new URLSearchParams(wire.query);
  let account: string;
  try { account = accountOf(q.get('account') ?? undefined); } catch (e) {
    return sendJson(res, 400, { error: (e as BillingPreferenceError).code, message: (e as Error).message });
  }
  const region = q.get('region') || undefined;
  if (region !== undefined && !isRegion(region)) return sendJson(res, 400, { error: 'BadRequest', message: `unknown region ${region}` });
  await (await import('../fleet/timer.js')).settleFleet(deps);
  const now = deps.clock.nowMs();
  const report = await deps.store.transaction((tx) => buildCostReport(tx, account, now, region));
  return sendJson(res, 200, report as unknown as Record<string, unknown>);
}
